"""The field types every wallet request body shares."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt, StringConstraints

# PostgreSQL text cannot hold NUL: refused here with 422, not by the driver with a 500.
NO_NUL = r"^[^\x00]*$"
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True,
                                          pattern=NO_NUL)]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
# Far above any configured limit, so an absurd amount is refused by the schema while a merely
# large one reaches the limit check and gets its own code.
MAX_REPRESENTABLE = 10**15
PositiveAmount = Annotated[StrictInt, Field(gt=0, le=MAX_REPRESENTABLE,
                                            description="Minor units (fen/cents), an integer.")]
Amount = Annotated[StrictInt, Field(ge=0, le=MAX_REPRESENTABLE,
                                    description="Minor units (fen/cents), an integer.")]
