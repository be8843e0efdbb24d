"""One-click unsubscribe tokens: who and which channel, signed with the service's secret.

The link in a marketing message carries `<member>.<channel>.<signature>`; the signature is
HMAC-SHA256 over the member and channel, so a link cannot be edited to opt someone else
out, and it needs no login. It does not expire: an old email's link still works.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from shared.rule_violations import RuleViolation


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, member_id: str, channel: str) -> str:
    message = f"unsubscribe\n{member_id}\n{channel}".encode()
    return _b64(hmac.new(secret.encode(), message, hashlib.sha256).digest())


def unsubscribe_token(secret: str, member_id: str, channel: str) -> str:
    return ".".join((_b64(member_id.encode()), channel, _signature(secret, member_id, channel)))


def read_unsubscribe_token(secret: str, token: str) -> tuple[str, str]:
    """(member_id, channel); `invalid_unsubscribe_link` for anything not signed by us."""
    try:
        encoded_member, channel, signature = token.split(".")
        member_id = _unb64(encoded_member).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise RuleViolation("invalid_unsubscribe_link", "This unsubscribe link is not valid.",
                            status=400) from error
    if not hmac.compare_digest(signature, _signature(secret, member_id, channel)):
        raise RuleViolation("invalid_unsubscribe_link", "This unsubscribe link is not valid.",
                            status=400)
    return member_id, channel
