"""Members: enrolment (POS at its store, or a member app enrolling itself), lookup by
member id or by the merchant's member number, and the ops list by tier."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.tiering.api.schemas import NO_NUL, EnrollRequest, MemberView, Phone
from services.tiering.rules.phones import phone_digits
from services.tiering.settings import TieringSettings
from services.tiering.store import tiers
from services.tiering.store.entitlements import grant_for_tier
from services.tiering.store.members import (
    Enrolment,
    MemberNotFound,
    enroll,
    enrolled_member,
    find_member,
    members_by_phone,
    upgrade_if_qualified,
)
from services.tiering.store.tables import members
from shared.events.tiering import MemberEnrolled, phone_hash
from shared.http.auth import (
    Caller,
    Principal,
    require_member_access,
    require_role,
    require_scope,
    require_store,
)
from shared.http.ids import PathId, PathReference
from shared.http.member_access import (
    PII_SCOPE,
    REPORT_SCOPE,
    as_seen_by,
    require_member_reader,
    require_ops_scope,
)
from shared.http.paging import Cursor, Limit, Page, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext


def check_enroller(caller: Principal, body: EnrollRequest) -> str | None:
    """The store the member joins at: a terminal's own (or one it was granted); a member
    app enrols only itself, with no store."""
    require_role(caller, "pos", "member")
    if caller.role == "member":
        require_member_access(caller, body.member_id)
        if body.channel == "pos":
            raise Problem(422, "channel_not_allowed", "A member app enrols on channel app or online.")
        return body.store_id
    store = body.store_id or caller.store_id
    require_store(caller, store)
    return store


def members_router(context: ServiceContext[TieringSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/members", tags=["members"], responses=PROBLEM_RESPONSES)
    settings = context.settings

    @router.post("", status_code=201, response_model=MemberView, summary="Enrol a member")
    async def enroll_member(body: EnrollRequest, caller: Caller) -> dict:
        store = check_enroller(caller, body)
        enrolment = Enrolment(**{**body.model_dump(exclude={"device_hash"}), "store_id": store})
        async with context.uow() as uow:
            now = uow.clock.now()
            rules = await tiers.rules_in_force(uow.connection, settings.default_rules())
            enrolled = await enroll(uow.connection, enrolment, rules.lowest.name, now)
            # No birthday in the event: it stays here, and jobs/birthdays.py announces the day.
            uow.emit(MemberEnrolled(
                member_id=enrolled.member_id, occurred_at=now, store_id=store, channel=body.channel,
                referral_code=body.referral_code, locale=body.locale,
                enrolled_at=now, device_hash=body.device_hash,
                phone_hash=body.phone and phone_hash(settings.contact_hash_key, body.phone)))
            # Spend recorded before enrolment counts at once.
            if decision := await upgrade_if_qualified(uow, enrolled, rules, settings.currency):
                await grant_for_tier(uow, body.member_id, decision.to_tier, settings.time_zone)
                enrolled = await enrolled_member(uow.connection, body.member_id)
        return dict(enrolled._mapping)

    @router.get("/by-number/{member_number}", response_model=MemberView,
                summary="Find a member by the merchant's member number")
    async def by_number(member_number: PathReference, caller: Caller) -> dict:
        require_role(caller, "pos", "ops")
        if caller.role == "ops":
            require_ops_scope(caller, REPORT_SCOPE, PII_SCOPE)
        async with context.engine.connect() as db:
            found = await find_member(db, member_number=member_number)
        if found is None:
            raise MemberNotFound(f"No member number {member_number}.")
        return as_seen_by(caller, found._mapping)

    @router.get("/by-phone", response_model=Page[MemberView],
                summary="Find members by phone number (ops:pii)",
                description="A phone number is personal data: ops with `ops:pii` only. "
                "Numbers compare by their digits (`+86 138-0000-0000` finds `8613800000000`); "
                "a number is not unique, so the answer is a page, by member id.")
    async def by_phone(phone: Annotated[Phone, Query()], caller: Caller, limit: Limit = 50,
                       cursor: Cursor = None) -> dict:
        require_ops_scope(caller, PII_SCOPE)
        digits = phone_digits(phone)
        after = decode_cursor(cursor, 1)
        if after is not None and (not isinstance(after[0], str) or "\x00" in after[0]):
            raise invalid_cursor()
        async with context.engine.connect() as db:
            rows = await members_by_phone(db, digits, after and after[0], limit)
        return page([as_seen_by(caller, row._mapping) for row in rows], limit,
                    lambda row: [row["member_id"]])

    @router.get("/{member_id}", response_model=MemberView, summary="A member's profile",
                description="Phone, email and birthday are shown to the member and to ops "
                "with `ops:pii`; a POS terminal or `ops:report` gets them as null.")
    async def get_member(member_id: PathId, caller: Caller) -> dict:
        require_member_reader(caller, member_id, REPORT_SCOPE, PII_SCOPE, pos=True)
        async with context.engine.connect() as db:
            return as_seen_by(caller, (await enrolled_member(db, member_id))._mapping)

    @router.get("", response_model=Page[MemberView], summary="Members, by tier (ops)")
    async def list_members(caller: Caller, limit: Limit = 50, cursor: Cursor = None,
                           tier: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
                           ) -> dict:
        require_scope(caller, "ops:report")
        after = decode_cursor(cursor, 1)
        statement = members.select().order_by(members.c.member_id).limit(limit + 1)
        if tier is not None:
            statement = statement.where(members.c.tier == tier)
        if after is not None:
            if not isinstance(after[0], str) or "\x00" in after[0]:
                raise invalid_cursor()
            statement = statement.where(members.c.member_id > after[0])
        async with context.engine.connect() as db:
            rows = [as_seen_by(caller, row._mapping) for row in await db.execute(statement)]
        return page(rows, limit, lambda row: [row["member_id"]])

    return router
