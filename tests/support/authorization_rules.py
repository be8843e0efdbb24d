"""Who may call each route, for the authorization matrix (docs/security.md in table form).

Every route of every service needs a rule here: the matrix test fails on a route without
one, and on a rule whose route is gone. A rule says who is let in; everyone else must be
refused (401 without credentials, 403 — or 404 where a record is hidden — with them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Pos = Literal["no", "any", "store", "record"]


@dataclass(frozen=True)
class Rule:
    ops: frozenset[str] = frozenset()  # ops holding any one of these scopes are let in
    member: bool = False  # the member named in the path or body (not another member)
    # no: no terminal; any: any store's terminal (what a checkout needs); store: a terminal
    # of the store the body names; record: a terminal of the store that made the record.
    pos: Pos = "no"
    record: bool = False  # a stored record: other members' and stores' are hidden as 404
    anyone: bool = False  # any valid credential (reference data)
    public: Literal["", "open", "signed"] = ""  # open: no credential; signed: its own signature
    body: dict | None = None  # None: the request body's OpenAPI example, if it has one
    query: dict = field(default_factory=dict)


def ops(*scopes: str, **more: object) -> Rule:
    return Rule(ops=frozenset(scopes), **more)  # type: ignore[arg-type]


OPEN, SIGNED, ANYONE = Rule(public="open"), Rule(public="signed"), Rule(anyone=True)
REPORT, CONFIG, REVIEW = "ops:report", "ops:config", "ops:review"
PERIOD = {"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"}
NOTE = {"note": "matrix"}
DAYS = {"from": "2026-01-01", "to": "2026-01-31"}  # a period of local days (the KPIs)

# Routes every service has: probes, metrics (scraped inside the cluster) and the API docs.
COMMON = {("GET", path): OPEN for path in (
    "/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")}
# ...and the ops audit of the service's own ops actions (shared/http/ops_audit.py).
COMMON[("GET", "/v1/ops/audit")] = ops("ops:audit")

WALLET = {
    ("POST", "/v1/recharges"): Rule(pos="store"),
    ("GET", "/v1/recharges/{recharge_id}"): ops(REPORT, member=True, pos="record", record=True),
    ("POST", "/v1/recharges/{recharge_id}/refund"): ops("ops:refund", pos="record", record=True,
                                                        body={"reason": "matrix"}),
    ("POST", "/v1/purchases"): Rule(member=True, pos="store", body={  # what a member may send
        "member_id": "m_owner", "order_reference": "matrix-1", "currency": "CNY", "total": 100,
        "store_id": "store_1", "tenders": [{"method": "stored_value", "amount": 100}]}),
    ("GET", "/v1/purchases/{purchase_id}"): ops(REPORT, member=True, pos="record", record=True),
    ("POST", "/v1/purchases/{purchase_id}/refunds"): ops("ops:refund", pos="record", record=True),
    ("GET", "/v1/wallets/{member_id}"): ops(REPORT, member=True, pos="any"),
    ("GET", "/v1/wallets/{member_id}/limits"): ops(REPORT, member=True, pos="any"),
    ("GET", "/v1/wallets/{member_id}/statement"): ops(REPORT, member=True),
    ("GET", "/v1/wallets/{member_id}/recharges"): ops(REPORT, member=True, pos="any"),
    ("GET", "/v1/wallets/{member_id}/purchases"): ops(REPORT, member=True, pos="any"),
    ("POST", "/v1/ops/wallets/{member_id}/freeze"): ops("ops:risk"),
    ("POST", "/v1/ops/wallets/{member_id}/unfreeze"): ops("ops:risk"),
    ("POST", "/v1/ops/adjustments"): ops("ops:adjust"),
    ("GET", "/v1/ops/ledger/verify"): ops(REPORT),
    ("GET", "/v1/ops/reports/liability"): ops(REPORT),
    ("POST", "/v1/ops/expire-bonus-lots"): ops("ops:adjust"),
    ("POST", "/v1/payment-intents"): Rule(member=True),
    ("GET", "/v1/payment-intents/{intent_id}"): ops(REPORT, member=True, record=True),
    ("POST", "/v1/payments/{provider_name}/callbacks"): SIGNED,
    ("POST", "/v1/ops/terminals/keys"): ops("ops:terminals", body={
        "store_id": "store_1", "terminal_id": "pos_9", "valid_days": 30, "reason": "matrix"}),
    ("GET", "/v1/ops/terminals/keys"): ops("ops:terminals"),
    ("GET", "/v1/ops/terminals/keys/{key_id}"): ops("ops:terminals"),
    ("POST", "/v1/ops/terminals/keys/{key_id}/revocation"): ops("ops:terminals"),
    ("POST", "/v1/ops/terminals/keys/{key_id}/rotation"): ops("ops:terminals"),
    # a member's data export: this service's part, fetched by tiering with the downloader's
    # own credential (docs/privacy.md)
    ("GET", "/v1/members/{member_id}/data-exports/{export_id}/part"): ops("ops:pii", member=True),
}

REWARDS = {
    ("GET", "/v1/offers/live"): OPEN,
    ("POST", "/v1/offers/{offer_id}/versions"): ops(CONFIG),
    ("GET", "/v1/offers/{offer_id}/versions"): ops(CONFIG),
    ("POST", "/v1/coupon-templates"): ops(CONFIG, body={
        "template_id": "tpl_1", "name": "Matrix", "kind": "amount_off", "value": 500,
        "currency": "CNY", "points_cost": 10}),
    ("GET", "/v1/coupon-templates"): ANYONE,
    ("POST", "/v1/coupons"): ops(CONFIG, body={
        "member_id": "m_owner", "template_id": "tpl_1", "reason": "campaign"}),
    ("POST", "/v1/coupons/validate"): ops(REPORT, member=True, pos="any", body={
        "code": "C1", "member_id": "m_owner", "basket_total": 100, "currency": "CNY"}),
    ("GET", "/v1/members/{member_id}/coupons"): ops(REPORT, member=True, pos="any"),
    ("GET", "/v1/reviews"): ops(REVIEW),
    ("POST", "/v1/reviews/{grant_id}/approve"): ops(REVIEW, body=NOTE),
    ("POST", "/v1/reviews/{grant_id}/reject"): ops(REVIEW, body=NOTE),
    ("GET", "/v1/reports/program"): ops(REPORT, query=PERIOD),
    ("GET", "/v1/members/{member_id}/points"): ops(REPORT, member=True, pos="any"),
    ("POST", "/v1/members/{member_id}/points/redemptions"): ops(
        "ops:adjust", member=True, body={"template_id": "tpl_1"}),
    ("POST", "/v1/members/{member_id}/points/awards"): ops(
        CONFIG, body={"points": 10, "task": "profile_completed"}),
    ("POST", "/v1/points/expiry-runs"): ops(CONFIG),
    ("GET", "/v1/members/{member_id}/recharges"): ops(REPORT, member=True),
    ("POST", "/v1/segments/{segment_id}/versions"): ops(CONFIG),
    ("GET", "/v1/segments/{segment_id}/versions"): ops(CONFIG),
    ("GET", "/v1/segments/{segment_id}/preview"): ops(CONFIG),
    ("POST", "/v1/segments/{segment_id}/members"): ops(CONFIG),
    ("GET", "/v1/segments/{segment_id}/members"): ops(CONFIG),
    ("POST", "/v1/experiments"): ops(CONFIG, body={
        "experiment_id": "matrix", "name": "matrix", "subject_kind": "campaign",
        "subject_id": "matrix_campaign", "starts_at": PERIOD["from"], "ends_at": PERIOD["to"],
        "arms": [{"arm": "variant", "weight_bps": 5_000}, {"arm": "holdout", "weight_bps": 5_000}]}),
    ("GET", "/v1/experiments"): ops(REPORT),
    ("GET", "/v1/experiments/{experiment_id}"): ops(REPORT),
    ("POST", "/v1/experiments/{experiment_id}/stop"): ops(CONFIG),
    ("GET", "/v1/experiments/{experiment_id}/report"): ops(REPORT),
    # a member's data export: this service's part, fetched by tiering with the downloader's
    # own credential (docs/privacy.md)
    ("GET", "/v1/members/{member_id}/data-exports/{export_id}/part"): ops("ops:pii", member=True),
    ("GET", "/v1/offers/member-day"): OPEN,
    ("POST", "/v1/coupon-issues"): ops(CONFIG, body={
        "template_id": "tpl_1", "member_ids": ["m_owner"]}),
    ("GET", "/v1/coupon-issues/{job_id}"): ops(CONFIG),
    # the program's KPIs and scheduled reports (issue 17, docs/kpis.md)
    ("GET", "/v1/kpis"): ops(REPORT, query=DAYS),
    ("GET", "/v1/kpis/{name}"): ops(REPORT, query=DAYS),
    ("GET", "/v1/reports/scheduled"): ops(REPORT),
    ("GET", "/v1/reports/scheduled/{report_id}"): ops(REPORT),
    ("POST", "/v1/offers/preview"): ops(CONFIG),
}

TIERING = {
    ("POST", "/v1/members"): Rule(member=True, pos="store"),
    ("GET", "/v1/members/by-number/{member_number}"): ops(REPORT, "ops:pii", pos="any"),
    ("GET", "/v1/members/{member_id}"): ops(REPORT, "ops:pii", member=True, pos="any"),
    ("GET", "/v1/members"): ops(REPORT),
    ("GET", "/v1/tiers"): ANYONE,
    ("POST", "/v1/tiers/rules"): ops(CONFIG),
    ("GET", "/v1/tiers/rules/{version}"): ops(CONFIG),
    ("GET", "/v1/tiers/rules"): ops(CONFIG),
    ("GET", "/v1/renewal-prices"): ops(CONFIG, REPORT),
    ("POST", "/v1/renewal-prices"): ops(CONFIG),
    ("POST", "/v1/renewal-prices/preview"): ops(CONFIG),
    ("GET", "/v1/members/{member_id}/tier"): ops(REPORT, member=True, pos="any"),
    ("GET", "/v1/members/{member_id}/tier-changes"): ops(REPORT, member=True),
    ("GET", "/v1/members/{member_id}/membership"): ops(REPORT, member=True, pos="any"),
    ("GET", "/v1/members/{member_id}/membership/terms"): ops(REPORT, member=True),
    ("GET", "/v1/members/{member_id}/renewal-quotes"): ops(REPORT, member=True, pos="any"),
    ("GET", "/v1/reports/renewals"): ops(REPORT, query=PERIOD),
    ("GET", "/v1/reports/tiers"): ops(REPORT),
    ("GET", "/v1/reports/tier-changes"): ops(REPORT, query=PERIOD),
    ("POST", "/v1/members/{member_id}/erasure"): ops("ops:pii", member=True),
    ("GET", "/v1/members/{member_id}/erasure"): ops("ops:pii", member=True),
    ("POST", "/v1/members/{member_id}/erasure/cancellation"): ops("ops:pii", member=True),
    # personal data: correction and export (docs/privacy.md)
    ("PATCH", "/v1/members/{member_id}"): ops("ops:pii", member=True),
    ("GET", "/v1/members/{member_id}/corrections"): ops("ops:pii"),
    ("POST", "/v1/members/{member_id}/data-exports"): ops("ops:pii", member=True),
    ("GET", "/v1/members/{member_id}/data-exports/{export_id}"): ops("ops:pii", member=True),
    ("GET", "/v1/members/{member_id}/data-exports/{export_id}/archive"): ops("ops:pii", member=True),
    ("POST", "/v1/members/{member_id}/tier-grants"): ops("ops:tiers"),
    ("GET", "/v1/members/{member_id}/tier-grants"): ops(REPORT, "ops:tiers", member=True),
    ("POST", "/v1/members/{member_id}/tier-grants/{grant_id}/revoke"): ops("ops:tiers"),
    ("GET", "/v1/entitlements/definitions"): ops(CONFIG),
    ("POST", "/v1/entitlements/definitions"): ops(CONFIG),
    ("GET", "/v1/members/{member_id}/entitlements"): ops(REPORT, member=True, pos="any"),
    ("POST", "/v1/members/{member_id}/entitlements/{code}/redemptions"): Rule(pos="any"),
    ("POST", "/v1/entitlement-redemptions/{redemption_id}/reversal"): ops("ops:adjust"),
    ("GET", "/v1/reports/entitlements"): ops(REPORT, query=PERIOD),
    ("GET", "/v1/members/by-phone"): ops("ops:pii", query={"phone": "+8613800000000"}),
}

REFERRAL = {
    ("GET", "/v1/members/{member_id}/referrals"): ops(REPORT, member=True),
    ("GET", "/v1/referrals/{referral_id}"): ops(REVIEW),
    ("POST", "/v1/referrals"): ops(REVIEW, body={
        "invitee_id": "m_owner", "code": "ABCD2345", "note": "matrix"}),
    ("GET", "/v1/reviews"): ops(REVIEW),
    ("POST", "/v1/reviews/{referral_id}/approve"): ops(REVIEW, body=NOTE),
    ("POST", "/v1/reviews/{referral_id}/reject"): ops(REVIEW, body=NOTE),
    ("GET", "/v1/programs"): ops(REPORT, CONFIG),
    ("POST", "/v1/programs"): ops(CONFIG),
    ("GET", "/v1/reports/program"): ops(REPORT, query=PERIOD),
    ("POST", "/v1/members/{member_id}/referral-code"): ops(REVIEW, member=True),
    ("GET", "/v1/members/{member_id}/referral-code"): ops(REPORT, member=True),
    ("POST", "/v1/members/{member_id}/referral-code/rotate"): ops(REVIEW, member=True),
    ("POST", "/v1/members/{member_id}/referral-code/deactivate"): ops(REVIEW, member=True),
    ("GET", "/v1/codes/{code}"): ANYONE,
    # a member's data export: this service's part, fetched by tiering with the downloader's
    # own credential (docs/privacy.md)
    ("GET", "/v1/members/{member_id}/data-exports/{export_id}/part"): ops("ops:pii", member=True),
}

NOTIFIER = {
    ("POST", "/v1/delivery-receipts/{channel}"): SIGNED,
    ("GET", "/v1/members/{member_id}/inbox"): ops("ops:pii", member=True),
    ("POST", "/v1/members/{member_id}/inbox/{message_id}/read"): ops("ops:pii", member=True),
    ("GET", "/v1/members/{member_id}/notifications"): ops("ops:pii", member=True),
    ("GET", "/v1/unsubscribe/{token}"): OPEN,  # the link's own signed token is the credential
    ("POST", "/v1/unsubscribe/{token}"): OPEN,
    ("GET", "/v1/members/{member_id}/contact"): ops("ops:pii", member=True),
    ("PATCH", "/v1/members/{member_id}/contact"): ops("ops:pii", member=True),
    ("GET", "/v1/members/{member_id}/consents"): ops("ops:pii", member=True),
    ("PUT", "/v1/members/{member_id}/consents/{channel}/{category}"): ops(
        "ops:pii", member=True, body={"granted": True}),
    ("GET", "/v1/reports/notifications"): ops(REPORT, query=PERIOD),
    ("POST", "/v1/templates/{kind}/preview"): ops(CONFIG, body={}),
    # a member's data export: this service's part, fetched by tiering with the downloader's
    # own credential (docs/privacy.md)
    ("GET", "/v1/members/{member_id}/data-exports/{export_id}/part"): ops("ops:pii", member=True),
    ("GET", "/v1/members/{member_id}/contact/changes"): ops("ops:pii"),
    **{(method, f"/v1/ops/webhooks/subscriptions{path}"): ops("ops:webhooks") for method, path in (
        ("POST", ""), ("GET", ""), ("GET", "/{subscription_id}"), ("PATCH", "/{subscription_id}"),
        ("DELETE", "/{subscription_id}"), ("POST", "/{subscription_id}/secret-rotation"),
        ("GET", "/{subscription_id}/deliveries"),
        ("POST", "/{subscription_id}/deliveries/{delivery_id}/redelivery"))},
    ("POST", "/v1/ops-recipients"): ops(CONFIG, body={
        "email": "ops@merchant.example", "locale": "en", "report_kinds": ["daily"]}),
    ("GET", "/v1/ops-recipients"): ops(CONFIG),
    ("DELETE", "/v1/ops-recipients/{recipient_id}"): ops(CONFIG),
    ("GET", "/v1/ops-recipients/unsubscribe/{token}"): OPEN,  # the link's signed token
    ("POST", "/v1/ops-recipients/unsubscribe/{token}"): OPEN,
    ("GET", "/v1/templates/{kind}/versions"): ops(CONFIG),
    ("POST", "/v1/templates/{kind}/versions"): ops(CONFIG),
    ("POST", "/v1/templates/{kind}/revert"): ops(CONFIG),
    ("POST", "/v1/members/{member_id}/notifications/{notification_id}/resend"): ops(
        "ops:pii", record=True),
}

RULES: dict[str, dict[tuple[str, str], Rule]] = {
    name: {**COMMON, **table} for name, table in (
        ("wallet", WALLET), ("rewards", REWARDS), ("tiering", TIERING),
        ("referral", REFERRAL), ("notifier", NOTIFIER))}
