"""The webhook routes' request and response bodies (api/webhooks.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.http.ids import Id

WebhookUrl = Annotated[str, StringConstraints(min_length=1, max_length=2000,
                                              pattern=r"^[^\s\x00]+$")]
EventType = Annotated[str, StringConstraints(min_length=1, max_length=64,
                                             pattern=r"^(\*|[A-Za-z0-9]+)$")]
EventTypes = Annotated[list[EventType], Field(min_length=1, max_length=100, description=(
    "Event types as in docs/events/README.md (`RechargeCompleted`), or `*` for every event."))]
Description = Annotated[str, StringConstraints(max_length=500, pattern=r"^[^\x00]*$")]
DeliveryStatus = Literal["pending", "delivered", "parked"]


class SubscriptionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "url": "https://crm.example.com/patronage/hooks",
        "event_types": ["RechargeCompleted", "BonusCredited"], "description": "CRM"}]})

    url: WebhookUrl = Field(description="https; its host must resolve to public addresses only.")
    event_types: EventTypes
    member_id: Id | None = Field(default=None, description="Only this member's events.")
    description: Description = ""


class SubscriptionChange(BaseModel):
    """The fields to change; one left out is kept, a null `member_id` drops the filter.
    `enabled: true` turns a disabled endpoint back on (its pending events then go out)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "enabled": True, "description": "CRM, fixed"}]})

    url: WebhookUrl | None = None
    event_types: EventTypes | None = None
    member_id: Id | None = None
    enabled: bool | None = None
    description: Description | None = None


class SubscriptionView(BaseModel):
    subscription_id: str
    url: str
    event_types: list[str]
    member_id: str | None
    enabled: bool
    description: str
    failing_since: datetime | None = Field(description="Failing without a success since.")
    disabled_reason: str | None = Field(description="The last error when it was disabled.")
    created_at: datetime
    updated_at: datetime


class CreatedSubscription(SubscriptionView):
    secret: str = Field(description="`whsec_` + base64 of the signing key; shown only now.")


class RotatedSecret(BaseModel):
    subscription_id: str
    secret: str = Field(description="The new secret, in force at once; shown only now.")


class DeliveryView(BaseModel):
    delivery_id: int
    subscription_id: str
    event_id: UUID
    event_type: str
    member_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime = Field(description="When a pending delivery is tried next.")
    first_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None = Field(description="The endpoint's last HTTP status.")
    last_duration_ms: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
