"""Who may see and move what, beyond the role and scope checks of `shared.http.auth`:
members see only their own records, terminals only their stores'; refunds pay money out."""

from __future__ import annotations

from shared.http.auth import (
    Principal,
    can_see_store,
    forbidden,
    require_member_access,
    require_role,
    require_scope,
    require_store,
)


def hidden_from(caller: Principal, member_id: str, store_id: str) -> bool:
    """Members see only their own records, terminals only their stores'."""
    return (caller.role == "member" and caller.subject != member_id) or not can_see_store(
        caller, store_id)


def authorize_refund(caller: Principal, store_id: str) -> None:
    """Refunds pay money out: a POS terminal at the store, or ops with `ops:refund`."""
    if caller.role == "ops":
        require_scope(caller, "ops:refund")
    else:
        require_role(caller, "pos")
        require_store(caller, store_id)


def require_reader(caller: Principal, member_id: str, *, pos_allowed: bool = True) -> None:
    """A member's own wallet, a terminal (balances and its stores' history), ops:report."""
    if caller.role == "ops":
        require_scope(caller, "ops:report")
    elif caller.role == "pos" and not pos_allowed:
        raise forbidden("A terminal cannot read a member's statement.")
    require_member_access(caller, member_id)


def visible_stores(caller: Principal) -> list[str] | None:
    """The stores whose records a terminal may list; None: every store."""
    if caller.role != "pos":
        return None
    return sorted({caller.store_id or "", *caller.extra_stores})
