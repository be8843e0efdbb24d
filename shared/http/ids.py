"""One grammar for the ids and references clients send, in every service.

Member ids (and the other ids in paths: referral ids, codes, offer and template ids) are
1 to 64 characters of ASCII letters, digits and `_ . : @ -`. They cross services in events
and end up in URLs, logs and ops screens, so they may not hide anything: before this, a
member id with a right-to-left override or a zero-width space was accepted by the wallet
and tiering (and displayed reversed, or as a look-alike of another member) but refused by
rewards, so one member's events could not be acted on downstream.

References (a POS's order number, a payment provider's id, a SKU, a tier's name) are free
text from other systems, 1 to 64 characters after trimming, with no control or format
characters: NUL (PostgreSQL text cannot hold it), bidi overrides and isolates, zero-width
spaces and joiners, line and paragraph separators are refused with 422.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import StringConstraints

ID_PATTERN = r"^[A-Za-z0-9_.:@-]+$"
# Cc: controls (NUL included); Cf: format characters (bidi controls, zero-width space and
# joiners, BOM); Zl, Zp: line and paragraph separators.
REFERENCE_PATTERN = r"^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$"
MAX_LENGTH = 64

Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LENGTH, pattern=ID_PATTERN)]
PathId = Annotated[str, Path(min_length=1, max_length=MAX_LENGTH, pattern=ID_PATTERN)]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LENGTH,
                                             strip_whitespace=True, pattern=REFERENCE_PATTERN)]
# A reference in a path, e.g. a referral code as the member typed it ("abcd efgh").
PathReference = Annotated[str, Path(min_length=1, max_length=MAX_LENGTH,
                                    pattern=REFERENCE_PATTERN)]
