"""The channels a message can go out on, behind one small interface.

A channel takes an `Outgoing` message and returns the provider's message id (or None), or
raises `TransientFailure` (worth retrying: a timeout, a 5xx, a 4xx SMTP reply) or
`PermanentFailure` (not worth retrying on this channel: a refused address, a 4xx API
reply), after which the delivery job falls back to the member's next channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from services.notifier.rules.templates import Rendered


@dataclass(frozen=True)
class Outgoing:
    notification_id: UUID
    member_id: str
    kind: str
    address: str
    rendered: Rendered


class TransientFailure(Exception):
    """The channel may work on a later attempt."""


class PermanentFailure(Exception):
    """The channel will not carry this message."""


class Channel(Protocol):
    async def send(self, message: Outgoing) -> str | None: ...
