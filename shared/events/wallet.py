"""Events of the wallet service (topic `wallet.events`): money in, money out, corrections.

Every amount is in minor units of the event's `currency`; "principal" is money the member
paid in, "bonus" is money the merchant gave and may claw back.
"""

from __future__ import annotations

from typing import Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from shared.events.data_exports import DataExportPartReady
from shared.events.envelope import (
    Currency,
    EntityId,
    Event,
    FreeText,
    MinorUnits,
    SalesChannel,
    SignedMinorUnits,
    UtcDatetime,
    ValueObject,
)

RiskAction = Literal["hold_bonus", "hold_recharge", "freeze"]


class RiskFinding(ValueObject):
    """A wallet risk rule (a short-window amount sum) that fired on a recharge."""

    rule: EntityId = Field(description="The rule's name in the wallet's settings.")
    action: RiskAction = Field(
        description="hold_bonus: only the bonus waits for review; hold_recharge: the "
                    "principal too; freeze: the principal is held and the wallet frozen.")
    detail: FreeText


class RechargeCompleted(Event):
    """A member paid money into their stored-value balance (principal only; any bonus is
    decided by rewards and credited later as `BonusCredited`)."""

    event_type = "RechargeCompleted"
    producer_name = "wallet"

    recharge_id: EntityId
    amount: MinorUnits = Field(description="Principal paid in.")
    currency: Currency
    payment_method: EntityId = Field(
        description="How it was paid: cash, card, wechat_pay, alipay, unionpay, other, ...")
    payment_reference: EntityId = Field(
        description="A token of the payment provider's transaction id (`tok_` + 32 letters, "
        "a keyed hash): equal for equal references, never the reference itself.")
    payment_reference_masked: EntityId | None = Field(
        default=None, description="The reference for people, masked: `****` + its last four "
        "characters (`****` alone for a short one).")
    store_id: EntityId
    terminal_id: EntityId | None = Field(default=None, description="POS terminal, if any.")
    channel: SalesChannel
    is_first_recharge: bool = Field(description="The member's first recharge in this currency.")
    lifetime_recharged: MinorUnits = Field(
        description="Everything this member ever recharged in this currency, this one included.")
    card_kind: Literal["registered", "card"] | None = Field(
        default=None, description="The caps the wallet applied: `registered` (tiering enrolled "
        "the member) or `card` (an unregistered card: lower caps, no bonus). Absent (older "
        "events): registered.")
    risk_reasons: tuple[RiskFinding, ...] = Field(
        default=(), description="The wallet's risk rules that fired; rewards holds the "
        "recharge for review whenever there is one.")
    principal_held: bool = Field(
        default=False, description="The principal is not spendable until a reviewer approves "
        "the recharge in rewards' review queue.")

    @model_validator(mode="after")
    def _lifetime_includes_this_recharge(self) -> Self:
        if self.lifetime_recharged < self.amount:
            raise ValueError("lifetime_recharged must include this recharge's amount")
        return self


class BonusCredited(Event):
    """The bonus that rewards granted for a recharge is now spendable."""

    event_type = "BonusCredited"
    producer_name = "wallet"

    grant_id: UUID = Field(description="The rewards grant credited; one credit per grant.")
    recharge_id: EntityId
    amount: MinorUnits
    currency: Currency
    bonus_balance: MinorUnits = Field(description="The member's bonus balance after the credit.")


class CashbackCredited(Event):
    """Bonus value that rewards gave for spend (`CashbackGranted`: cash-back, a spend-and-save
    threshold, a first-N gift) is now spendable as a bonus lot. Once per grant; not published
    when nothing was left to credit (the purchase had been refunded in full first)."""

    event_type = "CashbackCredited"
    producer_name = "wallet"

    grant_id: UUID = Field(description="The rewards grant credited (CashbackGranted.grant_id).")
    purchase_id: EntityId = Field(description="The wallet purchase that earned it.")
    kind: Literal["cashback", "spend_and_save", "first_n_gift"]
    amount: MinorUnits = Field(gt=0, description="Credited: the grant net of what refunds of "
                                                 "the purchase made before it would have taken.")
    currency: Currency
    bonus_balance: MinorUnits = Field(description="The member's bonus balance after the credit.")
    expires_at: UtcDatetime | None = Field(default=None, description="When the lot expires, if ever.")


class CashbackTakenBack(Event):
    """The wallet took a spend reward back because rewards reversed it (`CashbackReversed`:
    a refund brought the member's spend under the threshold that paid it). `amount` left the
    bonus lot; `unrecovered` had been spent already and stays the merchant's cost. A refund
    of the purchase itself reports its cash-back clawback in
    `PurchaseRefunded.cashback_clawed_back` instead. Not published when nothing was left to
    settle (a second reversal of the same grant)."""

    event_type = "CashbackTakenBack"
    producer_name = "wallet"

    grant_id: UUID = Field(description="The grant taken back (CashbackGranted.grant_id).")
    refund_id: EntityId = Field(description="The wallet refund that undid what earned it.")
    amount: MinorUnits = Field(description="Taken out of the member's bonus balance.")
    unrecovered: MinorUnits = Field(description="Already spent by the member; not taken back.")
    currency: Currency
    bonus_balance: MinorUnits = Field(description="The member's bonus balance afterwards.")


class BonusExpired(Event):
    """What was left of a bonus lot expired (breakage): it left the member's bonus balance
    and the merchant's liability. One event per lot, once."""

    event_type = "BonusExpired"
    producer_name = "wallet"

    lot_id: UUID = Field(description="The expired bonus lot.")
    grant_id: UUID | None = Field(
        default=None, description="The rewards grant the lot came from; none for a lot an "
        "operator's adjustment created.")
    amount: MinorUnits = Field(description="What expired: the lot's remainder.")
    currency: Currency
    expires_at: UtcDatetime = Field(description="When the lot was due to expire.")
    bonus_balance: MinorUnits = Field(description="The member's bonus balance after expiry.")


class PurchaseItem(ValueObject):
    """One line of an order."""

    sku: EntityId
    category: EntityId | None = Field(default=None, description="Merchant's product category.")
    quantity: int = Field(ge=1)
    amount: MinorUnits = Field(description="Line total after line discounts.")
    quote_id: EntityId | None = Field(
        default=None, description="The tiering renewal quote a membership line was bought "
        "against (checked by the wallet: member, sku, price, currency, expiry).")


class PurchaseCompleted(Event):
    """A member paid for an order, with stored value and/or other tenders."""

    event_type = "PurchaseCompleted"
    producer_name = "wallet"

    purchase_id: EntityId
    order_reference: EntityId = Field(description="The POS's or shop's own order number.")
    total: MinorUnits = Field(description="Amount paid: paid_principal + paid_bonus + paid_other.")
    currency: Currency
    paid_principal: MinorUnits = Field(description="Paid from the member's principal balance.")
    paid_bonus: MinorUnits = Field(description="Paid from the member's bonus balance.")
    paid_other: MinorUnits = Field(description="Paid with other tenders (card, cash, ...).")
    items: tuple[PurchaseItem, ...] = Field(
        default=(), description="Line items; may be empty when the POS sends only a total.")
    store_id: EntityId
    terminal_id: EntityId | None = Field(default=None, description="POS terminal, if any.")
    channel: SalesChannel
    coupon_codes: tuple[EntityId, ...] = Field(default=(), description="Coupons applied.")
    tier: EntityId | None = Field(
        default=None, description="The member's tier whose discount the wallet applied at the "
        "till (its discount may be 0); none when the merchant has the tier discount off.")
    tier_discount_bps: int | None = Field(
        default=None, ge=0, le=10_000, description="The tier discount applied, basis points.")
    tier_discount_amount: MinorUnits | None = Field(
        default=None, description="Taken off the order by the tier discount (membership lines "
        "are never discounted); total is what was paid after it.")

    @model_validator(mode="after")
    def _tenders_add_up_to_total(self) -> Self:
        if self.paid_principal + self.paid_bonus + self.paid_other != self.total:
            raise ValueError("paid_principal + paid_bonus + paid_other must equal total")
        return self


class PurchaseRefunded(Event):
    """Some or all of a purchase was refunded; stored value went back to the wallet."""

    event_type = "PurchaseRefunded"
    producer_name = "wallet"

    refund_id: EntityId
    purchase_id: EntityId
    amount: MinorUnits = Field(description="Total refunded, all tenders.")
    currency: Currency
    returned_principal: MinorUnits = Field(description="Returned to the principal balance.")
    returned_bonus: MinorUnits = Field(description="Returned to the bonus balance.")
    cashback_clawed_back: MinorUnits = Field(
        default=0, description="The purchase's cash-back taken back from the bonus balance "
        "by this refund (rewards' CashbackGranted, in proportion to the refund).")

    @model_validator(mode="after")
    def _stored_value_within_refund(self) -> Self:
        if self.returned_principal + self.returned_bonus > self.amount:
            raise ValueError("returned_principal + returned_bonus cannot exceed amount")
        return self


class RechargeRefunded(Event):
    """A recharge was refunded; the bonus it earned was clawed back proportionally."""

    event_type = "RechargeRefunded"
    producer_name = "wallet"

    refund_id: EntityId
    recharge_id: EntityId
    currency: Currency
    principal_refunded: MinorUnits = Field(description="Principal paid back to the member.")
    bonus_clawed_back: MinorUnits = Field(description="Bonus removed from the bonus balance.")


class WalletAdjusted(Event):
    """An operator corrected a wallet (a reversal-style journal entry, never an edit)."""

    event_type = "WalletAdjusted"
    producer_name = "wallet"

    adjustment_id: EntityId
    currency: Currency
    principal_delta: SignedMinorUnits = Field(description="Change to the principal balance.")
    bonus_delta: SignedMinorUnits = Field(description="Change to the bonus balance.")
    reason: FreeText = Field(description="Why the operator adjusted the wallet.")
    actor: EntityId = Field(description="The operator who made the adjustment.")

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if self.principal_delta == 0 and self.bonus_delta == 0:
            raise ValueError("an adjustment must change principal or bonus")
        return self


class WalletFrozen(Event):
    """A member's wallets were frozen: no recharge and no purchase until unfrozen (refunds
    and operators' adjustments still work)."""

    event_type = "WalletFrozen"
    producer_name = "wallet"

    reason: FreeText
    actor: EntityId = Field(description="The operator, or `rule:<name>` for a risk rule.")
    recharge_id: EntityId | None = Field(
        default=None, description="The recharge whose risk rule froze the wallet, if any.")


class WalletUnfrozen(Event):
    """A member's wallets were unfrozen by an operator."""

    event_type = "WalletUnfrozen"
    producer_name = "wallet"

    reason: FreeText
    actor: EntityId


# The terminal-key registry: which POS keys were issued and revoked, never a key itself
# (only its id). About no member: `member_id` (and so the Kafka key) is always
# `_terminal_keys`, which keeps every key event in one partition, in order.
TERMINAL_KEYS_KEY = "_terminal_keys"


def _about_the_registry(member_id: str) -> None:
    if member_id != TERMINAL_KEYS_KEY:
        raise ValueError(f"member_id must be {TERMINAL_KEYS_KEY}")


class TerminalKeyIssued(Event):
    """Ops issued a POS terminal a key (shown once to the caller; the wallet keeps only its
    SHA-256)."""

    event_type = "TerminalKeyIssued"
    producer_name = "wallet"

    key_id: EntityId = Field(description="The key's id (the token's `jti`); never the key.")
    store_id: EntityId = Field(description="The store the terminal belongs to.")
    terminal_id: EntityId
    extra_stores: tuple[EntityId, ...] = Field(
        default=(), description="Further stores the terminal may act for.")
    expires_at: UtcDatetime = Field(description="When the key stops working in any case.")
    replaces_key_id: EntityId | None = Field(
        default=None, description="The key this one rotates, if it is a rotation.")
    actor: EntityId = Field(description="The operator who issued it, e.g. `ops:ops_alice`.")
    reason: FreeText

    @model_validator(mode="after")
    def _keyed_by_the_registry(self) -> Self:
        _about_the_registry(self.member_id)
        return self


class TerminalKeyRevoked(Event):
    """A POS terminal's key is refused by every service from `revoked_at` on: at once when
    revoked, or at the end of the overlap a rotation chose."""

    event_type = "TerminalKeyRevoked"
    producer_name = "wallet"

    key_id: EntityId = Field(description="The key's id (the token's `jti`); never the key.")
    store_id: EntityId
    terminal_id: EntityId
    expires_at: UtcDatetime = Field(description="When the key would have stopped working.")
    revoked_at: UtcDatetime = Field(description="From when the key is refused.")
    actor: EntityId = Field(description="The operator who revoked it, e.g. `ops:ops_alice`.")
    reason: FreeText

    @model_validator(mode="after")
    def _keyed_by_the_registry(self) -> Self:
        _about_the_registry(self.member_id)
        return self


class ErasedBalance(ValueObject):
    """What an erased member still held in one currency, and what became of it."""

    currency: Currency
    principal: MinorUnits = Field(description="Principal the member had not spent.")
    bonus: MinorUnits = Field(description="Bonus the member had not spent.")
    treatment: Literal["refund", "forfeit"] = Field(
        description="refund: the principal is owed back to the member (account "
        "`erasure_refund_due`), the bonus is breakage; forfeit: both are breakage.")


class WalletMemberErased(Event):
    """The wallet acted on `MemberErasureStarted`: it holds no personal data of the member
    (its ledger keeps the member id, which the books require), and any remaining balance
    left the member's accounts by the merchant's rule, in a journal entry."""

    event_type = "WalletMemberErased"
    producer_name = "wallet"

    request_id: UUID
    balances: tuple[ErasedBalance, ...] = Field(
        default=(), description="One per currency the member still held value in.")
class WalletDataExportPartReady(DataExportPartReady):
    """The wallet built and stored its part of a member's data export (docs/privacy.md);
    tiering counts it towards the export's progress and fetches it when the archive is
    downloaded."""

    event_type = "WalletDataExportPartReady"
    producer_name = "wallet"
