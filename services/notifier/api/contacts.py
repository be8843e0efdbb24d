"""A member's contact details and consents, read and changed by the app. Every consent
change and every contact correction is audited with who made it; a correction's old and
new values are masked (shared/masked_values.py), and ops read them with `ops:pii`."""

from __future__ import annotations

from fastapi import APIRouter

from services.notifier.api.access import require_member_or_ops
from services.notifier.api.schemas import (
    CategoryName,
    ChannelName,
    ConsentBody,
    ConsentView,
    ContactBody,
    ContactChangeView,
    ContactView,
)
from services.notifier.rules.channels import CHANNELS, default_consent
from services.notifier.rules.kinds import CATEGORIES
from services.notifier.store import contacts
from shared.http.auth import Caller
from shared.http.ids import PathId
from shared.http.member_access import PII_SCOPE, require_ops_scope
from shared.http.paging import Cursor, Limit, Page, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.masked_values import masked_changes
from shared.service import ServiceContext

# The API's names of the addresses, and the channel each belongs to (the column name).
ADDRESS_FIELDS = {"email": "email", "phone": "sms", "push_token": "push", "wechat_open_id": "wechat"}


def contact_view(member_id: str, row: dict | None) -> dict:
    row = row or {}
    view = {field: row.get(channel) for field, channel in ADDRESS_FIELDS.items()}
    return {"member_id": member_id, **view, "preferred_channel": row.get("preferred_channel"),
            "locale": row.get("locale"), "time_zone": row.get("time_zone")}


def contacts_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/members/{member_id}", tags=["contacts"],
                       responses=PROBLEM_RESPONSES)

    @router.get("/contact", response_model=ContactView, summary="A member's contact details")
    async def get_contact(member_id: PathId, caller: Caller) -> dict:
        require_member_or_ops(caller, member_id)
        async with context.uow() as uow:
            return contact_view(member_id, await contacts.contact_of(uow.connection, member_id))

    @router.patch("/contact", response_model=ContactView, summary="Change contact details")
    async def change_contact(member_id: PathId, body: ContactBody, caller: Caller) -> dict:
        require_member_or_ops(caller, member_id)
        given = body.model_dump(exclude_unset=True)
        values = {ADDRESS_FIELDS.get(field, field): value for field, value in given.items()}
        async with context.uow() as uow:
            before = contact_view(member_id, await contacts.contact_of(uow.connection, member_id))
            await contacts.save_contact(uow.connection, member_id, values, uow.clock.now())
            await contacts.record_contact_changes(uow.connection, member_id,
                                                  masked_changes(before, given),
                                                  caller.identity, uow.clock.now())
            return contact_view(member_id, await contacts.contact_of(uow.connection, member_id))

    @router.get("/contact/changes", response_model=Page[ContactChangeView],
                summary="The audit trail of a member's contact corrections (ops:pii)")
    async def list_contact_changes(member_id: PathId, caller: Caller, limit: Limit = 50,
                                   cursor: Cursor = None) -> dict:
        require_ops_scope(caller, PII_SCOPE)
        after = decode_cursor(cursor, 1)
        if after is not None and not (type(after[0]) is int and 0 <= after[0] < 2**63):
            raise invalid_cursor()
        async with context.uow() as uow:
            rows = await contacts.contact_changes_of(uow.connection, member_id,
                                                     after and after[0], limit)
        return page(rows, limit, lambda row: [row["change_id"]])

    @router.get("/consents", response_model=list[ConsentView], summary="A member's consents")
    async def get_consents(member_id: PathId, caller: Caller) -> list[dict]:
        require_member_or_ops(caller, member_id)
        async with context.uow() as uow:
            chosen = await contacts.consents_of(uow.connection, member_id)
        return [{"channel": channel, "category": category, "explicit": (channel, category) in chosen,
                 "granted": chosen.get((channel, category), default_consent(channel, category))}
                for channel in CHANNELS for category in CATEGORIES]

    @router.put("/consents/{channel}/{category}", response_model=ConsentView,
                summary="Give or withdraw consent for a channel and category")
    async def set_consent(member_id: PathId, channel: ChannelName, category: CategoryName,
                          body: ConsentBody, caller: Caller) -> dict:
        require_member_or_ops(caller, member_id)
        async with context.uow() as uow:
            await contacts.set_consent(uow, member_id, channel, category,
                                       body.granted, caller.identity, uow.clock.now())
        return {"channel": channel, "category": category, "granted": body.granted,
                "explicit": True}

    return router
