"""The notifier's HTTP request and response bodies (OpenAPI is generated from these)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.events.tiering import Locale
from shared.http.moments import Moment

NO_NUL = r"^[^\x00]+$"
ChannelName = Literal["email", "sms", "push", "wechat", "inbox"]
CategoryName = Literal["transactional", "marketing"]
ProviderChannel = Literal["sms", "push", "wechat", "email"]
Address = Annotated[str, StringConstraints(min_length=1, max_length=254, strip_whitespace=True,
                                           pattern=NO_NUL)]


class ContactBody(BaseModel):
    """A member's addresses and preferences; a field left out is kept as it was, a null
    clears it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "email": "li.lei@example.com", "phone": "+8613800000000", "preferred_channel": "email",
        "locale": "zh-CN", "time_zone": "Asia/Shanghai"}]})

    email: Annotated[str, StringConstraints(pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$",
                                            max_length=254)] | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 -]{5,20}$")] | None = None
    push_token: Address | None = None
    wechat_open_id: Address | None = None
    preferred_channel: ChannelName | None = None
    locale: Locale | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="IANA time zone, e.g. Asia/Shanghai; quiet hours use it.")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise ValueError(f"unknown time zone {zone}") from error
        return zone


class ContactChangeView(BaseModel):
    change_id: int
    member_id: str
    actor: str
    changed_at: datetime
    changes: dict[str, dict[str, str | None]] = Field(
        description="Field → {from, to}; addresses masked, preferences as they are.")


class ContactView(BaseModel):
    member_id: str
    email: str | None = None
    phone: str | None = None
    push_token: str | None = None
    wechat_open_id: str | None = None
    preferred_channel: str | None = None
    locale: str | None = None
    time_zone: str | None = None


class ConsentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    granted: bool


class ConsentView(BaseModel):
    channel: str
    category: str
    granted: bool
    explicit: bool = Field(description="False: no choice recorded; the default applies.")


class InboxMessageView(BaseModel):
    message_id: UUID
    kind: str
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None


class InboxPage(BaseModel):
    items: list[InboxMessageView]
    next_cursor: str | None = None
    unread: int = Field(description="Unread messages in the whole inbox.")


class NotificationView(BaseModel):
    notification_id: UUID
    kind: str
    category: str
    status: str
    channel: str | None
    attempts: int
    provider_message_id: str | None
    last_error: str | None
    template_version: str | None
    created_at: datetime
    sent_at: datetime | None
    resent_from: UUID | None = Field(
        default=None, description="An ops resend: the message this one repeats.")


class PreviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locale: str = "zh-CN"
    time_zone: str = "Asia/Shanghai"
    facts: dict[str, Any] | None = Field(default=None, description="None: the kind's samples.")
    draft: str | None = Field(
        default=None, min_length=1, max_length=20_000,
        description="A draft wording (first line the subject, the rest the body, Jinja2 as in "
                    "templates/<locale>/<kind>.j2) rendered instead of the kind's file.")


class PreviewView(BaseModel):
    kind: str
    locale: str
    version: str
    subject: str
    html: str
    text: str


class DeliveryReceipt(BaseModel):
    """What a provider reports about a message it accepted."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{
        "message_id": "sms-8f2a91", "status": "delivered", "at": "2027-03-01T09:30:05Z"}]})

    message_id: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
    status: Literal["delivered", "failed"]
    error: Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)] | None = None
    at: Moment | None = Field(default=None, description="When it was delivered (or not).")

    @field_validator("at")
    @classmethod
    def _aware(cls, at: datetime | None) -> datetime | None:
        if at is not None and at.tzinfo is None:
            raise ValueError("give a time zone, e.g. 2027-03-01T09:30:05Z")
        return at


class KindChannelCounts(BaseModel):
    kind: str
    channel: str = Field(description="`none`: no channel was tried (suppressed before).")
    sent: int
    delivered: int = Field(description="Confirmed by the provider's delivery receipt.")
    failed: int = Field(description="Given up after retries, or reported failed by a receipt.")
    suppressed: int = Field(description="Over a marketing cap, or no consented channel.")
    pending: int


class OptOuts(BaseModel):
    withdrawals: int = Field(description="Marketing consents withdrawn (app or unsubscribe link).")
    marketing_sent: int
    rate_bps: int | None = Field(description="withdrawals per marketing message sent, in basis "
                                 "points; null when none was sent.")


class RenewalCohort(BaseModel):
    members: int
    renewed: int


class NotificationsReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    since: datetime = Field(alias="from")
    until: datetime = Field(alias="to")
    by_kind_and_channel: list[KindChannelCounts]
    opt_outs: OptOuts
    reminded: RenewalCohort = Field(description="Members a renewal reminder reached.")
    not_reminded: RenewalCohort = Field(description="Members whose reminder did not go out.")
