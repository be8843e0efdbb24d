"""What leaves the wallet of a payment reference: never the reference itself.

A card number, a provider's transaction id or a bank reference is a payment secret; the
wallet keeps it in its own `recharges` row and publishes only
- a token: a keyed hash (HMAC-SHA256 with the wallet's `PAYMENT_REFERENCE_KEY`), equal for
  equal references, so rewards' `shared_payment_reference` rule and referral's
  `same_payment_reference` signal still see two members paying with the same card, while no
  subscriber can recover the reference or test a guess without the key;
- a masked form for people (`****1234`).

The token is written in the letters a-p only (one per 4 bits), so it can never contain a
run of digits that looks like a card number to the events' guard (shared/events/card_numbers.py).
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "tok_"
LETTERS = "abcdefghijklmnop"
TOKEN_BYTES = 16  # 128 bits: collisions between two real references are out of reach


def reference_token(key: str, reference: str) -> str:
    digest = hmac.new(key.encode(), reference.encode(), hashlib.sha256).digest()[:TOKEN_BYTES]
    return PREFIX + "".join(LETTERS[byte >> 4] + LETTERS[byte & 0xF] for byte in digest)


def masked_reference(reference: str) -> str:
    """The last four characters, when the reference is long enough to keep the rest hidden."""
    return "****" + (reference[-4:] if len(reference) >= 8 else "")
