"""Which tables hold state a subscriber needs, and the events that describe their changes.

Every table of every service (`patronage/services.py`) is in exactly one of:

- `DESCRIBED`: its rows are what a member sees (balances, points, coupons, tier, terms,
  referrals, messages) or a published registry; every write to it must commit together
  with one of the named events about the same member (`tests/integration/events/
  test_every_write_emits.py` audits real write paths; `tests/unit/events/
  test_member_state_map.py` checks this map against the metadata and the catalog).
  `quiet` names the kinds of write (INSERT/UPDATE/DELETE) that change nothing a subscriber
  rebuilds, with why;
- `INTERNAL`: bookkeeping, configuration or another service's facts kept locally, with why;
- `WITHOUT_EVENT`: member-visible, but not published, with why (personal data, or a gap
  named as one).

A new table fails the unit test until it is placed here; a described table the audit's
walk never writes fails the audit (extend the walk), and so does a write path that changes
a described table without its event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WALLET_MONEY = ("RechargeCompleted", "BonusCredited", "BonusExpired", "PurchaseCompleted",
                "PurchaseRefunded", "RechargeRefunded", "WalletAdjusted", "CashbackCredited",
                "CashbackTakenBack", "WalletMemberErased")
POINTS = ("PointsEarned", "PointsRedeemed", "PointsReversed", "PointsExpired")
COUPONS = ("CouponIssued", "CouponRedeemed", "CouponVoided")
SERVICES = ("wallet", "tiering", "rewards", "referral", "notifier")
REFERRALS = ("ReferralRegistered", "ReferralQualified", "ReferralHeld", "ReferralRevoked",
             "ReferralClosed")


@dataclass(frozen=True)
class Described:
    events: tuple[str, ...]
    member_column: str | None = "member_id"  # the column naming the member the events are about
    quiet: dict[str, str] = field(default_factory=dict)  # write kind -> why no event
    # columns an UPDATE may change alone without an event: how the service gets there, not
    # what the member sees (retry counters, a job's claim)
    bookkeeping: tuple[str, ...] = ()


FROM_OTHERS = "a projection of another service's events, which subscribers already have"
MESSAGING = "messaging bookkeeping (docs/messaging.md)"
IDEMPOTENCY = "replay answers for Idempotency-Key retries"
AUDIT = "who called which ops route (shared/http/ops_audit.py), not member state"
REVOKED_KEYS = "this service's copy of TerminalKeyRevoked, to refuse revoked keys"
EXPORT_PART = ("a copy of the member's own records for their data export, served to them over "
               "HTTP and swept when it expires; <Service>DataExportPartReady says it is ready")

DESCRIBED: dict[str, Described] = {
    "wallet.wallets": Described(WALLET_MONEY),
    # bonus_status and grant_id alone: the wallet's copy of rewards' BonusHeld and
    # BonusRejected (published by rewards, which decided them); a credit is BonusCredited
    "wallet.recharges": Described(("RechargeCompleted", "RechargeRefunded", "BonusCredited"),
                                  bookkeeping=("bonus_status", "grant_id")),
    "wallet.journal_entries": Described(WALLET_MONEY),
    "wallet.journal_lines": Described(WALLET_MONEY),
    "wallet.lots": Described(WALLET_MONEY),
    "wallet.purchases": Described(("PurchaseCompleted", "PurchaseRefunded")),
    "wallet.purchase_draws": Described(("PurchaseCompleted", "PurchaseRefunded"), None),
    "wallet.refunds": Described(("PurchaseRefunded", "RechargeRefunded")),
    "wallet.adjustments": Described(("WalletAdjusted",)),
    "wallet.frozen_wallets": Described(("WalletFrozen", "WalletUnfrozen")),
    "wallet.wallet_freezes": Described(("WalletFrozen", "WalletUnfrozen")),
    "wallet.terminal_keys": Described(("TerminalKeyIssued", "TerminalKeyRevoked"), None),
    "wallet.terminal_key_actions": Described(("TerminalKeyIssued", "TerminalKeyRevoked"), None),
    # review_at: when the next anniversary review is due; a review that keeps the tier
    # moves it a year on (one that changes the tier emits TierChanged). phone, email,
    # birthday: personal data, never published; a profile correction changes them (and
    # locale, which MemberEnrolled carried: its correction publishes nothing yet)
    "tiering.members": Described(("MemberEnrolled", "TierChanged", "MemberBirthday",
                                  "MemberErasureStarted"),
                                 bookkeeping=("review_at", "phone", "email", "birthday",
                                              "locale")),
    "tiering.tier_changes": Described(("TierChanged",)),
    # next_due_at: the reminder scheduler's pointer to the term's next reminder or expiry
    "tiering.membership_terms": Described(("MembershipRenewed", "MembershipRevoked",
                                           "MembershipExpired"), bookkeeping=("next_due_at",)),
    "tiering.reminders_sent": Described(("MembershipExpiring", "MembershipExpired"), None),
    "tiering.tier_rule_sets": Described(("TierProgramPublished",), None),
    # what a member is entitled to and has left; each redemption at a till and its reversal
    "tiering.entitlements": Described(("EntitlementGranted", "EntitlementRedeemed",
                                       "EntitlementRedemptionReversed")),
    "tiering.entitlement_redemptions": Described(("EntitlementRedeemed",
                                                  "EntitlementRedemptionReversed")),
    "rewards.bonus_decisions": Described(("BonusGranted", "BonusHeld", "BonusRejected")),
    "rewards.points_accounts": Described(POINTS),
    "rewards.points_entries": Described(POINTS),
    "rewards.coupons": Described(COUPONS),
    "rewards.referral_rewards": Described(("PointsEarned", "CouponIssued", "PointsReversed",
                                           "CouponVoided"), None),
    "rewards.referral_clawbacks": Described(("PointsReversed", "CouponVoided")),
    "referral.referrals": Described(REFERRALS, None),
    "referral.codes": Described(("ReferralCodeChanged",)),
    "notifier.consents": Described(("ConsentChanged",)),
    "notifier.consent_changes": Described(("ConsentChanged",)),
    "notifier.notifications": Described(
        ("NotificationSent", "NotificationFailed", "NotificationSuppressed"),
        quiet={"INSERT": "a notification queued: NotificationSent, NotificationFailed or "
                         "NotificationSuppressed says what became of it, and the fact that "
                         "caused it is published already"},
        bookkeeping=("next_attempt_at", "attempts", "channel_attempts", "last_error",
                     "failed_channels")),
}

INTERNAL: dict[str, str] = {
    **{f"{service}.{table}": why for service in SERVICES
       for table, why in (("outbox", MESSAGING), ("inbox", MESSAGING), ("ops_audit", AUDIT))},
    **{f"{service}.idempotency_keys": IDEMPOTENCY for service in SERVICES},
    "console.outbox": MESSAGING, "console.inbox": MESSAGING,
    "console.users": "the console's ops users (staff, not members) and their roles",
    "console.sessions": "the console's login sessions of ops users (staff, not members)",
    "notifier.webhook_subscriptions": "the merchant's webhook endpoints (configuration); "
                                      "disabling one publishes WebhookEndpointDisabled",
    "notifier.webhook_deliveries": "the webhook delivery log: which event went to which "
                                   "endpoint and its answer; the events are published",
    "notifier.ops_recipients": "staff who get the scheduled reports (configuration): not "
                               "members, so no member state",
    "notifier.report_deliveries": "which scheduled report went to which ops recipient (staff, "
                                  "not members); the report is rewards' ScheduledReportPublished",
    "notifier.template_versions": "ops' wordings of the message templates (configuration, "
                                  "who and when): no member state",
    **{f"{service}.data_export_parts": EXPORT_PART for service in SERVICES},
    "tiering.data_exports": "a member's export request and its state, for the member over "
                            "HTTP; MemberDataExportRequested asks the services for their parts",
    "tiering.data_export_progress": "which services' parts of an export are ready "
                                    "(<Service>DataExportPartReady)",
    "tiering.data_export_downloads": "who downloaded an export, when (an audit trail)",
    "tiering.erasure_requests": "a member's erasure request and its state (docs/privacy.md); "
                                "its start and end are published as MemberErasureStarted "
                                "and MemberErased",
    "tiering.erasure_confirmations": "which services confirmed an erasure "
                                     "(<Service>MemberErased)",
    "tiering.erasure_actions": "the audit trail of erasure requests, cancellations, starts "
                               "and completions",
    "tiering.member_corrections": "the audit trail of profile corrections, values masked: "
                                  "personal data, never published",
    "notifier.contact_changes": "the audit trail of contact corrections, values masked: "
                                "personal data, never published",
    **{f"{service}.revoked_terminal_keys": REVOKED_KEYS for service in ("tiering", "rewards",
                                                                        "referral", "notifier")},
    "wallet.registered_members": FROM_OTHERS + " (MemberEnrolled)",
    "wallet.member_tiers": FROM_OTHERS + " (TierChanged), for the tier discount at the till",
    "wallet.tier_discounts": FROM_OTHERS + " (TierProgramPublished), the tiers' discounts",
    "tiering.renewal_price_lists": "configuration: the renewal price versions ops publish "
                                   "(who and when); a member's quote from them is signed, "
                                   "and a renewal bought is MembershipRenewed",
    "tiering.entitlement_definitions": "configuration: the benefit definitions ops publish; "
                                       "what a member is granted from them is EntitlementGranted",
    "wallet.opening_balances": "which import rows were applied, so a rerun applies none twice; "
                               "the balances they open are in lots and the journal",
    "wallet.payment_intents": "a member-app payment in flight: it moves no value until its "
                              "callback settles it as a recharge (RechargeCompleted)",
    "wallet.payment_callbacks": "the providers' callbacks as received, for replays and ops",
    "tiering.spend_entries": FROM_OTHERS + " (the wallet's purchases and refunds)",
    "tiering.tier_reviews": "which anniversary reviews ran; one that changes a tier writes "
                            "tier_changes and emits TierChanged",
    "rewards.recharges_seen": FROM_OTHERS + " (RechargeCompleted)",
    "rewards.refunds_seen": FROM_OTHERS + " (the wallet's refunds)",
    "rewards.member_tiers": FROM_OTHERS + " (TierChanged)",
    "rewards.tier_programs": FROM_OTHERS + " (TierProgramPublished)",
    "rewards.offers": "the merchant's bonus rules (configuration), not a member's state",
    "rewards.campaign_budgets": "a campaign's spend against its budget: the merchant's, "
                                "not a member's; each grant is BonusGranted",
    "rewards.campaign_charges": "what each grant charged to its campaign (the merchant's books)",
    "rewards.review_actions": "the reviewers' audit trail; the decision is BonusGranted or "
                              "BonusRejected",
    "rewards.coupon_templates": "the merchant's coupon kinds (configuration)",
    "wallet.cashback_credits": "the wallet's record of each credited spend grant: its credit is "
                               "published as CashbackCredited, its clawbacks in "
                               "PurchaseRefunded.cashback_clawed_back or CashbackTakenBack "
                               "(not walked by the audit "
                               "yet)",
    "rewards.cashback_grants": "rewards' record of each payment on spend, one per grant id; "
                               "each is published as CashbackGranted (not walked by the "
                               "audit yet)",
    "rewards.spend_progress": "a member's spend towards a spend-and-save offer (bookkeeping; "
                              "a threshold reached is CashbackGranted)",
    "rewards.spend_counted": "which purchases an offer has counted, so a redelivery counts once",
    "rewards.spend_thresholds_paid": "which spend-and-save thresholds were paid, once each",
    "rewards.first_n_counters": "how many of a first-N offer's gifts are gone (the merchant's)",
    "rewards.first_n_claims": "who claimed a first-N gift, once each; the gift is "
                              "CashbackGranted or CouponIssued",
    "rewards.coupon_issue_jobs": "a bulk coupon issue's progress (ops); each coupon is "
                                 "CouponIssued in coupons",
    "rewards.coupon_issue_members": "the members a bulk issue still has to reach (its cursor)",
    "tiering.tier_grants": "ops' and renewals' tier grants behind a member's tier; the tier "
                           "itself changes in members with TierChanged (grant_id, "
                           "grant_expires_at); not walked by the audit yet",
    "rewards.member_facts": FROM_OTHERS + " (what segments are evaluated on)",
    "rewards.member_activity": FROM_OTHERS + " (purchases, recharges, redemptions, refunds)",
    "rewards.segments": "the merchant's segment rules and lists (configuration)",
    "rewards.segment_members": "who is in a segment: the merchant's targeting, derived from "
                               "published facts by its rules",
    "rewards.campaign_points_budgets": "a campaign's points spent against its budget (the "
                                       "merchant's books); each award is PointsEarned",
    "rewards.campaign_member_uses": "how often a member used a campaign, for its per-member "
                                    "limit; each use is BonusGranted or PointsEarned",
    "rewards.kpi_member_days": FROM_OTHERS + " (the KPIs' counts of each member's day, from "
                               "the wallet's, tiering's and the notifier's events)",
    "rewards.kpi_members": FROM_OTHERS + " (MemberEnrolled, for the KPIs)",
    "rewards.kpi_terms": FROM_OTHERS + " (MembershipRenewed, MembershipRevoked, for the KPIs)",
    "rewards.scheduled_reports": "the merchant's daily and weekly program reports, about no "
                                 "member; each is announced by ScheduledReportPublished",
    "referral.members": FROM_OTHERS + " (MemberEnrolled)",
    "referral.spends": FROM_OTHERS + " (the wallet's recharges and purchases)",
    "referral.programs": "the merchant's referral rules (configuration)",
    "referral.attribution_refusals": "why a late attribution was refused, for ops",
    "referral.decisions": "the reviewers' audit trail; the outcome is a Referral* event",
    "notifier.member_activity": FROM_OTHERS + " (for win-back messages)",
    "notifier.monthly_activity": FROM_OTHERS + " (for monthly statements)",
    "notifier.renewals": FROM_OTHERS + " (MembershipRenewed)",
    "notifier.inbox_messages": "the in-app inbox's copy of a message NotificationSent "
                               "already announced; read marks are the member's own view",
    "rewards.experiments": "the merchant's experiments (configuration), published as "
                           "ExperimentPublished and ExperimentStopped",
    "rewards.experiment_assignments": "the arm an experiment's stable hash first gave a member "
                                      "(shared/experiments.py recomputes it anywhere)",
    "rewards.experiment_exposures": "when a member was first exposed to an experiment, for its "
                                    "report; each new exposure is also ExperimentExposed",
    "rewards.experiment_outcomes": FROM_OTHERS + " (recharges, purchases, renewals after an "
                                   "exposure) and what the campaign paid, for the report",
    "tiering.experiments": FROM_OTHERS + " (rewards' ExperimentPublished and ExperimentStopped: "
                           "the renewal-price experiments tiering applies)",
    "tiering.experiment_exposures": "when a member was first shown renewal quotes under an "
                                    "experiment; each is published as TieringExperimentExposed",
}

# Member-visible state that no event carries, with why: by design (personal data) or a
# gap named as one; the audit does not check these tables.
WITHOUT_EVENT: dict[str, str] = {
    "notifier.contacts": "phone and e-mail: personal data never travels in events "
                         "(tests/unit/events/test_event_privacy.py)",
}
