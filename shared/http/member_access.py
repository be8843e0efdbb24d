"""Who may read or act on a member's records, beyond the role checks of `shared.http.auth`.

The rule everywhere (the catalog is docs/security.md): a member reaches their own records;
ops reach a member's records only with the scope made for them (`ops:report` for account
activity, `ops:pii` for personal data, `ops:adjust` to spend on a member's behalf); a POS
terminal reaches only what a checkout needs (balance, points, coupons, tier, membership)
and never a member's phone, email or birthday.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.http.auth import Principal, forbidden, require_member_access

REPORT_SCOPE = "ops:report"  # account activity: balances, history, points, tiers, no contact
PII_SCOPE = "ops:pii"  # personal data: phone, email, birthday, consents, messages
PERSONAL_FIELDS = ("phone", "email", "birthday")


def require_ops_scope(caller: Principal, *scopes: str) -> None:
    """Ops holding at least one of `scopes` (403 otherwise, and for every other role)."""
    if caller.role != "ops" or not caller.scopes.intersection(scopes):
        raise forbidden(f"This needs one of the ops scopes: {', '.join(scopes)}.")


def require_member_reader(caller: Principal, member_id: str, *ops_scopes: str,
                          pos: bool = False) -> None:
    """The member themselves; ops with one of `ops_scopes` (default `ops:report`); a
    terminal only where `pos` says a checkout needs it."""
    if caller.role == "member":
        require_member_access(caller, member_id)
    elif caller.role == "ops":
        require_ops_scope(caller, *(ops_scopes or (REPORT_SCOPE,)))
    elif not pos:
        raise forbidden("A terminal cannot read this part of a member's account.")


def may_read_personal_data(caller: Principal, member_id: str) -> bool:
    return ((caller.role == "member" and caller.subject == member_id)
            or (caller.role == "ops" and PII_SCOPE in caller.scopes))


def as_seen_by(caller: Principal, view: Mapping[str, Any]) -> dict[str, Any]:
    """A member view with phone, email and birthday blanked unless the caller may read them."""
    shown = dict(view)
    if not may_read_personal_data(caller, str(shown.get("member_id"))):
        shown.update(dict.fromkeys(PERSONAL_FIELDS))
    return shown
