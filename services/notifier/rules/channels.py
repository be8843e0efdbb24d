"""Which channels may carry a message, in the order to try them.

The member's preferred channel first, then the merchant's fallback order. A channel is a
candidate only if the service has it configured, the member gave an address for it, the
member consents to this category on it, and it has not already failed for good for this
message (a permanent failure moves the message to the next candidate).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from services.notifier.rules.kinds import Category

CHANNELS = ("email", "sms", "push", "wechat", "inbox")


@dataclass(frozen=True)
class Reach:
    """A member's addresses (channel -> address) and consents ((channel, category) -> bool)."""

    addresses: Mapping[str, str]
    consents: Mapping[tuple[str, str], bool]
    preferred: str | None = None


def default_consent(channel: str, category: Category) -> bool:
    """With no recorded choice: transactional messages may go out, marketing needs an
    opt-in (consent to outreach is asked for, never assumed)."""
    return category == "transactional"


def consents_to(reach: Reach, channel: str, category: Category) -> bool:
    return reach.consents.get((channel, category), default_consent(channel, category))


def candidates(reach: Reach, category: Category, configured: Collection[str],
               fallback_order: Sequence[str], failed: Collection[str] = ()) -> list[str]:
    order = ([reach.preferred] if reach.preferred else []) + list(fallback_order)
    chosen: list[str] = []
    for channel in order:
        if (channel in chosen or channel in failed or channel not in configured
                or not reach.addresses.get(channel) or not consents_to(reach, channel, category)):
            continue
        chosen.append(channel)
    return chosen
