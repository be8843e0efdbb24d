"""The signature a payment provider puts on its callbacks, Stripe's scheme:

    Patronage-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

The HMAC covers the raw bytes as received (never a re-serialised body, which would differ
in whitespace or key order) and the timestamp, so an old callback cannot be replayed with a
fresh time. Several `v1=` are accepted (a provider rotating its secret signs with both).
Comparison is in constant time. The signature is checked before the timestamp, so a caller
without the secret learns nothing about the clock.
"""

from __future__ import annotations

import hashlib
import hmac

from shared.rule_violations import RuleViolation

HEADER = "Patronage-Signature"
SCHEME = "v1"


class SignatureRefused(RuleViolation):
    status = 401


def signature(secret: str, timestamp: int, raw_body: bytes) -> str:
    signed = f"{timestamp}.".encode() + raw_body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, raw_body: bytes) -> str:
    """What a provider (or the fake provider) sends."""
    return f"t={timestamp},{SCHEME}={signature(secret, timestamp, raw_body)}"


def _parts(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == SCHEME and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureRefused("invalid_signature",
                               f"{HEADER} must read t=<unix seconds>,{SCHEME}=<hex>.")
    return timestamp, signatures


def verify_signature(secret: str, header: str | None, raw_body: bytes, now: float,
                     tolerance_seconds: int) -> None:
    """Raises `invalid_signature` or `signature_timestamp_out_of_tolerance` (both 401)."""
    if not header:
        raise SignatureRefused("invalid_signature", f"The {HEADER} header is missing.")
    timestamp, signatures = _parts(header)
    expected = signature(secret, timestamp, raw_body)
    # compare every candidate, so the time taken does not say which one nearly matched
    matches = [hmac.compare_digest(expected, candidate) for candidate in signatures]
    if not any(matches):
        raise SignatureRefused("invalid_signature", "The callback's signature does not match.")
    if abs(now - timestamp) > tolerance_seconds:
        raise SignatureRefused(
            "signature_timestamp_out_of_tolerance",
            f"The signature's timestamp is more than {tolerance_seconds} s from our clock.")
