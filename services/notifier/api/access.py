"""Who may reach a member's contact details, consents, inbox and delivery log: the member
(their own only) and ops with `ops:pii`, the scope made for personal data (docs/security.md).
Not a POS terminal: a till has no business with an email address or with someone's consents."""

from __future__ import annotations

from shared.http.auth import Principal
from shared.http.member_access import PII_SCOPE, require_member_reader


def require_member_or_ops(caller: Principal, member_id: str) -> None:
    require_member_reader(caller, member_id, PII_SCOPE)
