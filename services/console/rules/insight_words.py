"""The words of the dashboard's KPI panel, experiment and campaign results, and the Reports
page (English and Chinese), by key; merged into `rules/words.py`'s WORDS. A KPI's
definition (`kpi_def_<name>`) says in short what docs/kpis.md defines, so the panel shows
what each figure counts without sending staff to the docs."""

from __future__ import annotations

KPI_WORDS: dict[str, dict[str, str]] = {
    "kpi_panel": {"en": "Key figures", "zh": "核心指标"},
    "kpi_period_first": {"en": "From (local day)", "zh": "开始日期"},
    "kpi_period_last": {"en": "To (local day)", "zh": "结束日期"},
    "kpi_store": {"en": "Store id (empty: all)", "zh": "门店编号（留空为全部）"},
    "kpi_segment": {"en": "Segment id (empty: all)", "zh": "分群编号（留空为全部）"},
    "kpi_fraction": {"en": "counted", "zh": "计数"},
    "kpi_renewal_rate": {"en": "Renewal rate", "zh": "续费率"},
    "kpi_def_renewal_rate": {
        "en": "Terms ending in the period whose member started a later term within 30 days "
              "÷ terms ending in the period.",
        "zh": "期内到期且会员在到期后30天内开始新一期的会籍数 ÷ 期内到期的会籍数。"},
    "kpi_recharge_conversion": {"en": "Recharge conversion", "zh": "充值转化率"},
    "kpi_def_recharge_conversion": {
        "en": "Active members who recharged ÷ active members.",
        "zh": "有充值的活跃会员数 ÷ 活跃会员数。"},
    "kpi_arpu": {"en": "ARPU", "zh": "人均消费（ARPU）"},
    "kpi_def_arpu": {"en": "Purchase amount net of refunds ÷ active members.",
                     "zh": "扣除退款后的消费金额 ÷ 活跃会员数。"},
    "kpi_repeat_purchase_rate": {"en": "Repeat-purchase rate", "zh": "复购率"},
    "kpi_def_repeat_purchase_rate": {
        "en": "Members with 2 or more purchases ÷ members with 1 or more.",
        "zh": "消费2次及以上的会员数 ÷ 消费1次及以上的会员数。"},
    "kpi_active_members": {"en": "Active members", "zh": "活跃会员"},
    "kpi_def_active_members": {
        "en": "Members with at least one recharge or purchase in the period.",
        "zh": "期内至少有一次充值或消费的会员数。"},
    "kpi_paid_member_share": {"en": "Paid-member share", "zh": "付费会员占比"},
    "kpi_def_paid_member_share": {
        "en": "Active members holding a paid term that overlaps the period ÷ active members.",
        "zh": "持有与本期重叠的付费会籍的活跃会员数 ÷ 活跃会员数。"},
    "kpi_referral_share": {"en": "Referral share", "zh": "推荐入会占比"},
    "kpi_def_referral_share": {
        "en": "Members enrolled in the period with a referral code ÷ members enrolled.",
        "zh": "期内使用推荐码入会的会员数 ÷ 期内入会会员数。"},
    "kpi_bonus_cost": {"en": "Bonus cost", "zh": "赠送成本"},
    "kpi_def_bonus_cost": {
        "en": "Bonus credited in the period: recharge bonuses and payments on spend.",
        "zh": "期内发放的赠送金：充值赠送与消费返现。"},
    "kpi_breakage": {"en": "Breakage", "zh": "过期未用赠送金"},
    "kpi_def_breakage": {"en": "Bonus that expired unspent in the period.",
                         "zh": "期内过期未使用的赠送金。"},
    "kpi_bonus_liability": {"en": "Bonus liability", "zh": "赠送金负债"},
    "kpi_def_bonus_liability": {
        "en": "Bonus outstanding at the period's end: credited − spent − expired − clawed "
              "back + returned, from the beginning.",
        "zh": "期末未兑付赠送金：累计发放 − 使用 − 过期 − 追回 + 退回。"},
    "kpi_review_turnaround_median_seconds": {"en": "Review turnaround (median)",
                                             "zh": "审核时长（中位数）"},
    "kpi_def_review_turnaround_median_seconds": {
        "en": "Median time from a held recharge bonus to its review, over reviews in the period.",
        "zh": "期内完成审核的充值赠送从挂起到审核的中位时长。"},
    "kpi_cohorts": {"en": "Renewal rate by month of term end", "zh": "按到期月份的续费率"},
    # the KPIs a scheduled report also carries (the Reports page names every one)
    "kpi_daily_active_members": {"en": "Daily active members", "zh": "日均活跃会员"},
    "kpi_average_order_value": {"en": "Average order value", "zh": "客单价"},
    "kpi_churn_rate": {"en": "Churn rate", "zh": "流失率"},
    "kpi_paid_member_revenue_share": {"en": "Paid members' revenue share",
                                      "zh": "付费会员收入占比"},
    "kpi_points_per_qualified_referral": {"en": "Points per qualified referral",
                                          "zh": "每次有效推荐的积分"},
    "kpi_tier_distribution": {"en": "Members by tier", "zh": "各等级会员数"},
    "kpi_tier_moves": {"en": "Tier moves", "zh": "等级变动"},
    "kpi_review_turnaround_p90_seconds": {"en": "Review turnaround (90th percentile)",
                                          "zh": "审核时长（90分位）"},
    "kpi_notification_reach": {"en": "Notification reach", "zh": "消息触达率"},
    "kpi_opt_out_rate": {"en": "Opt-out rate", "zh": "退订率"},
}

RESULT_WORDS: dict[str, dict[str, str]] = {
    "experiment_results": {"en": "Experiment results", "zh": "实验结果"},
    "experiment_window": {"en": "Runs", "zh": "运行时间"},
    "experiment_stopped": {"en": "stopped", "zh": "已停止"},
    "experiment_arm": {"en": "Arm", "zh": "分组"},
    "experiment_exposed": {"en": "Exposed members", "zh": "曝光会员"},
    "experiment_conversion": {"en": "Conversion", "zh": "转化率"},
    "experiment_revenue": {"en": "Revenue per member", "zh": "人均收入"},
    "experiment_cost": {"en": "Cost per member", "zh": "人均成本"},
    "experiment_roi": {"en": "Incremental ROI", "zh": "增量投资回报率"},
    "experiment_conversion_lift": {"en": "Conversion lift over the holdout, 95 % interval",
                                   "zh": "相对对照组的转化率提升（95% 区间）"},
    "experiment_revenue_lift": {"en": "Revenue lift per member over the holdout, 95 % interval",
                                "zh": "相对对照组的人均收入提升（95% 区间）"},
    "experiment_interval_hint": {
        "en": "An interval that crosses the zero line cannot tell the arm from the holdout yet.",
        "zh": "区间跨过零线时，尚无法区分该分组与对照组。"},
    "experiment_none": {"en": "No experiment has started.", "zh": "暂无已开始的实验。"},
    "campaign_budgets": {"en": "Campaign cost against budget", "zh": "活动成本与预算"},
    "campaign_budget": {"en": "Budget", "zh": "预算"},
    "campaign_budget_used": {"en": "Used", "zh": "已用比例"},
    "campaign_no_budget": {"en": "no budget", "zh": "无预算"},
}

REPORT_WORDS: dict[str, dict[str, str]] = {
    "scheduled_reports": {"en": "Reports", "zh": "定期报表"},
    "report_id": {"en": "Report", "zh": "报表"},
    "report_kind": {"en": "Kind", "zh": "类型"},
    "report_kind_daily": {"en": "Daily", "zh": "日报"},
    "report_kind_weekly": {"en": "Weekly", "zh": "周报"},
    "report_period": {"en": "Period", "zh": "周期"},
    "report_made_at": {"en": "Made", "zh": "生成时间"},
    "report_headline": {"en": "Headline figures", "zh": "主要指标"},
    "report_all_kpis": {"en": "Every KPI", "zh": "全部指标"},
    "report_risk": {"en": "Risk report", "zh": "风控报告"},
    "report_csv": {"en": "Download CSV", "zh": "下载 CSV"},
    "report_next_page": {"en": "Older reports", "zh": "更早的报表"},
    "report_not_found": {"en": "No such report.", "zh": "没有这份报表。"},
    "report_none": {"en": "No report has been made yet.", "zh": "尚未生成报表。"},
    "risk_held": {"en": "Bonuses held", "zh": "挂起的赠送"},
    "risk_held_recharge_amount": {"en": "Their recharges", "zh": "对应充值金额"},
    "risk_approved": {"en": "Approved", "zh": "已批准"},
    "risk_approved_bonus": {"en": "Bonus paid", "zh": "已发放赠送金"},
    "risk_rejected": {"en": "Rejected", "zh": "已拒绝"},
    "risk_rejected_recharge_amount": {"en": "Their recharges (rejected)",
                                      "zh": "被拒绝的充值金额"},
    "risk_turnaround_median_seconds": {"en": "Turnaround (median)", "zh": "审核时长（中位数）"},
    "risk_turnaround_p90_seconds": {"en": "Turnaround (90th percentile)",
                                    "zh": "审核时长（90分位）"},
    "risk_still_held": {"en": "Still held now", "zh": "仍在挂起"},
}

INSIGHT_WORDS = KPI_WORDS | RESULT_WORDS | REPORT_WORDS
