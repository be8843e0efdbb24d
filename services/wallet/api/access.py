"""Who may see and move what, beyond the role and scope checks of `shared.http.auth`:
members see only their own records, terminals only their stores'; refunds pay money out;
the terminal and store of a recharge or purchase come from the credential, not the body."""

from __future__ import annotations

from shared.http.auth import (
    Principal,
    can_see_store,
    require_role,
    require_scope,
    require_store,
)
from shared.http.member_access import REPORT_SCOPE, require_member_reader
from shared.http.problems import Problem


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
    require_member_reader(caller, member_id, REPORT_SCOPE, pos=pos_allowed)


def require_record_reader(caller: Principal) -> None:
    """One recharge or purchase by id: ops need `ops:report` (checked before the lookup, so
    ops without it learn nothing); members and terminals are then checked by `hidden_from`."""
    if caller.role == "ops":
        require_scope(caller, REPORT_SCOPE)


def visible_stores(caller: Principal) -> list[str] | None:
    """The stores whose records a terminal may list; None: every store."""
    if caller.role != "pos":
        return None
    return sorted({caller.store_id or "", *caller.extra_stores})


def bound_terminal(caller: Principal, terminal_id: str | None,
                   store_id: str | None) -> tuple[str | None, str]:
    """The (terminal, store) a recharge or purchase is recorded under, from the credential:
    a POS key's `sub` is its terminal and `store` its store. A body may repeat them, name
    nothing, or name another store the key was granted (`stores`); naming another terminal
    is 403 `terminal_mismatch`, another store 403 `store_not_granted`. A member app is no
    terminal (any terminal named is a mismatch) and names the store it sells for."""
    if caller.role != "pos":
        if terminal_id is not None:
            raise Problem(403, "terminal_mismatch", "Only a POS key records a terminal.")
        if store_id is None:
            raise Problem(422, "store_id_required", "Name the store (store_id).")
        return None, store_id
    if terminal_id is not None and terminal_id != caller.subject:
        raise Problem(403, "terminal_mismatch",
                      f"This key is terminal {caller.subject}, not {terminal_id}.")
    store = store_id or caller.store_id or ""
    if not can_see_store(caller, store):
        raise Problem(403, "store_not_granted", f"This terminal may not act for store {store}.")
    return caller.subject, store
