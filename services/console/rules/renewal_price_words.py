"""The renewal prices' setup page's words (services/console/api/setup_renewal_prices.py),
joined to the console's table without replacing any (tests/unit/console)."""

from __future__ import annotations

RENEWAL_PRICE_WORDS: dict[str, dict[str, str]] = {
    "renewal_prices_setup": {"en": "Renewal prices", "zh": "续费价格设置"},
    "renewal_prices_intro": {
        "en": "What members pay to renew their paid membership. Preview a change against the "
              "prices in force, then publish it as a new version.",
        "zh": "会员续费付费会籍的价格。修改后可先与现行价格对比预览，再发布为新版本。"},
    "renewal_price_per_year": {"en": "List price per year", "zh": "每年标价"},
    "renewal_floor_per_year": {"en": "Lowest price per year after discounts",
                               "zh": "折后每年最低价"},
    "renewal_length_discount": {"en": "Discount for years", "zh": "年限折扣，年数"},
    "renewal_segment_discount": {"en": "Segment discount:", "zh": "客群折扣："},
    "renewal_early_discount": {"en": "Early renewal discount (%)", "zh": "提前续费折扣（%）"},
    "renewal_early_days": {"en": "Early renewal: days before the end", "zh": "提前续费：到期前天数"},
    "renewal_win_back_discount": {"en": "Win-back discount (%)", "zh": "召回折扣（%）"},
    "renewal_first_discount": {"en": "First renewal discount (%)", "zh": "首次续费折扣（%）"},
    "renewal_upgrade_surcharge": {"en": "Renew-and-upgrade surcharge (%)",
                                  "zh": "续费并升级加价（%）"},
    "renewal_segment_potential": {"en": "potential", "zh": "潜力"},
    "renewal_segment_growing": {"en": "growing", "zh": "成长"},
    "renewal_segment_core": {"en": "core", "zh": "核心"},
    "renewal_status_none": {"en": "never a member", "zh": "从未入会"},
    "renewal_status_active": {"en": "a year left", "zh": "剩余一年"},
    "renewal_status_expiring": {"en": "a week left", "zh": "剩余一周"},
    "renewal_status_grace": {"en": "in grace", "zh": "宽限期内"},
    "renewal_status_expired": {"en": "expired", "zh": "已过期"},
    "renewal_preview_title": {"en": "Preview: the draft's prices beside those in force",
                              "zh": "预览：草稿价格与现行价格对比"},
    "renewal_years": {"en": "Years", "zh": "年数"},
    "renewal_segment": {"en": "Segment", "zh": "客群"},
    "renewal_status": {"en": "Membership", "zh": "会籍状态"},
    "renewal_in_force": {"en": "In force", "zh": "现行"},
    "renewal_draft": {"en": "Draft", "zh": "草稿"},
    "renewal_list_price": {"en": "List price", "zh": "标价"},
}
