"""Who may reach a member's contact details, consents, inbox and delivery log: the member
(their own only) and ops. Not a POS terminal: a till has no business with an email address
or with someone's consents."""

from __future__ import annotations

from shared.http.auth import Principal, require_member_access, require_role


def require_member_or_ops(caller: Principal, member_id: str) -> None:
    require_role(caller, "member", "ops")
    require_member_access(caller, member_id)
