"""The ops scopes: every scope an ops token can carry and what it allows. docs/security.md
lists the routes each one opens; the authorization matrix test (tests/integration/
test_authorization_matrix.py) holds every route to it and fails on a route without a rule."""

from __future__ import annotations

OPS_SCOPES: dict[str, str] = {
    "ops:report": "reports, and any member's account activity without contact details: "
                  "balances, statements, recharges, purchases, points, coupons, tiers, "
                  "memberships, referrals; the ledger check",
    "ops:pii": "a member's personal data: phone, email and birthday on the profile, contact "
               "details, consents, inbox and delivery log (and changing contact and consents)",
    "ops:config": "programs and rules: offers, coupon templates and issuing coupons, points "
                  "awards and expiry runs, tier rules, referral programs, template previews",
    "ops:review": "review queues: held bonuses, held referrals, late attribution, a member's "
                  "referral code made, rotated or stopped for them",
    "ops:adjust": "moving a member's value by hand: wallet adjustments, bonus expiry, spending "
                  "a member's points on their behalf",
    "ops:refund": "refunding a recharge or a purchase at any store",
    "ops:risk": "freezing and unfreezing a wallet",
    "ops:terminals": "the POS terminals' keys: issuing, listing, revoking and rotating them",
    "ops:audit": "reading a service's audit of ops actions (who did what, when, with which "
                 "outcome)",
    "ops:webhooks": "webhook subscriptions: creating, changing, rotating the secret of and "
                    "deleting them, their delivery logs and redelivering an event",
    "ops:tiers": "granting a member a tier for a while (with a reason and an end), listing "
                 "and revoking tier grants",
}
