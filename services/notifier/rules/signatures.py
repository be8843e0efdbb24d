"""Signing requests to providers (and checking the ones they send us): HMAC-SHA256 over
the timestamp and the exact body, hex, so the receiver can verify before parsing and
refuse a replay by its timestamp."""

from __future__ import annotations

import hashlib
import hmac


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_by(secret: str, timestamp: str, body: bytes, claimed: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body), claimed)
