"""First-N gifts: the first `n` members with a qualifying purchase get the gift, exactly n.

The counter row (`first_n_counters`, one per offer, `taken <= n` checked by the database
too) is taken by a conditional UPDATE: concurrent purchases queue on its row lock and
each re-checks `taken < n`, so slot n + 1 never exists. The claim row (`first_n_claims`,
keyed by offer and member, unique slot) makes a member's second purchase claim nothing.
Both in one statement; the caller holds the member's lock.

A slot whose gift is not paid (the fraud screen rejects the bonus, the budget cannot cover
it, the coupon template is gone) is given back in the same transaction (`GIVE_BACK`): the
claim still holds the counter's row lock, so it is the last slot taken and the next member
takes that number again. So n gifts are paid when n qualifying members arrive. A gift held
for review keeps its slot (docs/rewards.md, "First-N gifts")."""

from __future__ import annotations

from sqlalchemy import text

from services.rewards.rules.cashback import FirstNGift, gift_qualifies
from services.rewards.settings import RewardsSettings
from services.rewards.store import coupons
from services.rewards.store.spend_grants import pay
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import PurchaseCompleted
from shared.structured_logging import get_logger

log = get_logger(__name__)
# A new version's n applies from now on, never below the slots already taken.
ENSURE_COUNTER = text("""
    INSERT INTO first_n_counters AS c (offer_id, n) VALUES (:offer_id, :n)
    ON CONFLICT (offer_id) DO UPDATE SET n = greatest(:n, c.taken) WHERE c.n <> :n
""")
CLAIM = text("""
    WITH slot AS (
      UPDATE first_n_counters SET taken = taken + 1
      WHERE offer_id = :offer_id AND taken < n AND NOT EXISTS (
        SELECT FROM first_n_claims WHERE offer_id = :offer_id AND member_id = :member_id)
      RETURNING taken
    )
    INSERT INTO first_n_claims (offer_id, member_id, slot, purchase_id, claimed_at)
    SELECT :offer_id, :member_id, taken, :purchase_id, :now FROM slot
    RETURNING slot
""")
# Only inside the claiming transaction: its row lock makes its slot the last one taken.
GIVE_BACK = text("""
    WITH released AS (
      DELETE FROM first_n_claims WHERE offer_id = :offer_id AND member_id = :member_id
      RETURNING offer_id
    )
    UPDATE first_n_counters SET taken = taken - 1
    WHERE offer_id = :offer_id AND EXISTS (SELECT FROM released)
""")
PAID = ("granted", "held")


async def claim(uow: UnitOfWork, event: PurchaseCompleted, gift: FirstNGift, amount: int,
                settings: RewardsSettings) -> None:
    """Claim a slot for the member if one is left, then give the gift."""
    if not gift_qualifies(gift, amount):
        return
    db = uow.connection
    await db.execute(ENSURE_COUNTER, {"offer_id": gift.offer_id, "n": gift.n})
    slot = (await db.execute(CLAIM, {"offer_id": gift.offer_id, "member_id": event.member_id,
                                     "purchase_id": event.purchase_id,
                                     "now": uow.clock.now()})).scalar()
    if slot is None:
        return  # all n taken, or this member already had theirs
    log.info("first_n_claimed", offer_id=gift.offer_id, slot=slot, member_id=event.member_id)
    template = await coupons.template(db, gift.coupon_template) if gift.coupon_template else None
    if gift.coupon_template and template is None:
        log.warning("coupon_template_missing", template_id=gift.coupon_template)
    if gift.bonus:  # the bonus decides: without it the gift is not given (nor its coupon)
        given = await pay(uow, event, gift.offer_id, "first_n_gift", event.purchase_id,
                          gift.bonus, amount, settings) in PAID
    else:
        given = template is not None
    if not given:  # the slot goes to the next qualifying member
        await db.execute(GIVE_BACK, {"offer_id": gift.offer_id, "member_id": event.member_id})
        log.info("first_n_given_back", offer_id=gift.offer_id, slot=slot,
                 member_id=event.member_id)
        return
    if template is not None:
        await coupons.issue(uow, event.member_id, template, f"first_n:{gift.offer_id}",
                            envelope=event.caused())
