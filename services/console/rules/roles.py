"""Console roles and the API scopes each one carries. The console mints its ops tokens with
exactly these scopes, so the APIs (not the console) have the last word on what a user may do;
the console only hides what the user's token would be refused anyway."""

from __future__ import annotations

from shared.http.scopes import OPS_SCOPES
from shared.rule_violations import RuleViolation

ROLES: dict[str, frozenset[str]] = {
    "reviewer": frozenset({"ops:review", "ops:report"}),
    "support": frozenset({"ops:report", "ops:adjust", "ops:risk", "ops:tiers"}),
    "config": frozenset({"ops:config"}),
    "viewer": frozenset({"ops:report"}),  # read-only: sees accounts, acts on nothing
    "admin": frozenset(OPS_SCOPES),
}


def scopes_of(role: str) -> frozenset[str]:
    try:
        return ROLES[role]
    except KeyError:
        raise RuleViolation("unknown_role", f"No console role {role!r}; the roles are "
                            f"{', '.join(sorted(ROLES))}.") from None
