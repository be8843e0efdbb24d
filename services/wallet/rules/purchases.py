"""What a purchase's tenders must be: they add up to the total, and at most one of them
is stored value (which the lots pay, see `lots`)."""

from __future__ import annotations

from collections.abc import Iterable

from shared.rule_violations import Conflict, RuleViolation

STORED_VALUE = "stored_value"


class OrderReferenceReused(Conflict):
    def __init__(self, reference: str) -> None:
        super().__init__("order_reference_reused",
                         f"order_reference {reference} was already used at this store.")


def stored_value_part(total: int, tenders: Iterable[tuple[str, int]]) -> int:
    """The stored-value tender of (method, amount) tenders, after checking they add up."""
    tenders = list(tenders)
    if sum(amount for _, amount in tenders) != total:
        raise RuleViolation("tenders_do_not_add_up", "The tenders must add up to the total.")
    stored = [amount for method, amount in tenders if method == STORED_VALUE]
    if len(stored) > 1:
        raise RuleViolation("invalid_tenders", "Send at most one stored_value tender.")
    return sum(stored)


def check_member_tenders(methods: Iterable[str]) -> None:
    """A member app pays only from the member's own stored value: naming cash, a card or a
    wallet app would record money nobody took (and earn points and tier spend for it)."""
    external = sorted({method for method in methods if method != STORED_VALUE})
    if external:
        raise RuleViolation(
            "external_tender_not_allowed",
            f"A member may pay only with stored_value, not {', '.join(external)}; other "
            "tenders are taken by a POS terminal.", status=403)

