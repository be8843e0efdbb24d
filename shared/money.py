"""Money as integer minor units with an ISO 4217 currency. Never floats.

`Money` refuses to mix currencies and to be built from anything but an int; amounts that
arrive as text (config files, CLI) go through `Money.parse`, which rejects fractions finer
than the currency's minor unit instead of rounding them away.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Minor-unit exponents for the currencies merchants use today. A currency missing here is
# refused rather than guessed: a wrong exponent would move money by a factor of ten.
MINOR_UNIT_EXPONENT: dict[str, int] = {
    "CNY": 2, "HKD": 2, "TWD": 2, "USD": 2, "EUR": 2, "GBP": 2, "SGD": 2, "MYR": 2,
    "THB": 2, "AUD": 2, "CAD": 2, "CHF": 2, "INR": 2, "PHP": 2, "IDR": 2, "VND": 0,
    "JPY": 0, "KRW": 0, "MOP": 2, "NZD": 2, "BRL": 2, "MXN": 2, "AED": 2, "SAR": 2,
}


class MoneyError(ValueError):
    """A money value or operation that would be wrong, e.g. mixed currencies."""


class UnknownCurrency(MoneyError):
    pass


def check_currency(code: str) -> str:
    if code not in MINOR_UNIT_EXPONENT:
        raise UnknownCurrency(f"unknown or unsupported currency {code!r}")
    return code


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.amount) is not int:
            raise MoneyError(f"amount must be an int of minor units, got {self.amount!r}")
        check_currency(self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """'500.25' CNY -> Money(50025, 'CNY'); '500.255' CNY is refused, never rounded."""
        exponent = MINOR_UNIT_EXPONENT[check_currency(currency)]
        try:
            value = Decimal(text.strip())
        except InvalidOperation as error:
            raise MoneyError(f"not a number: {text!r}") from error
        minor = value.scaleb(exponent)
        if minor != minor.to_integral_value():
            raise MoneyError(f"{text!r} has more than {exponent} decimals for {currency}")
        return cls(int(minor), currency)

    def _same_currency(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    def times(self, numerator: int, denominator: int = 1) -> Money:
        """Scale by a rational factor, rounding down (floor).

        Used for percentages and pro-rata shares: rounding down never gives away a minor unit
        the rule did not earn. Use `allocate` when the parts must add up to the whole.
        """
        if denominator <= 0:
            raise MoneyError("denominator must be positive")
        return Money((self.amount * numerator) // denominator, self.currency)

    def allocate(self, weights: list[int]) -> list[Money]:
        """Split into parts proportional to weights; parts sum exactly to the whole."""
        if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
            raise MoneyError("weights must be non-negative and not all zero")
        total = sum(weights)
        parts = [self.amount * w // total for w in weights]
        remainder = self.amount - sum(parts)
        for index in sorted(range(len(weights)), key=lambda i: -weights[i])[:remainder]:
            parts[index] += 1
        return [Money(p, self.currency) for p in parts]

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        exponent = MINOR_UNIT_EXPONENT[self.currency]
        return f"{Decimal(self.amount).scaleb(-exponent):.{exponent}f} {self.currency}"
