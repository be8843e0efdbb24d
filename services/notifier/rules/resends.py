"""Whether ops may send a member's message again ("resend", from the console's member page).

A resend is a new delivery of the same message (same kind, same facts) under the member's
CURRENT contact, consent, quiet hours and caps: the delivery job decides those as for any
message. Refused here, before anything is queued: a message still on its way (it has not
been sent or failed yet), and a member who can no longer be reached on any channel they
consent to for the message's category — they opted out, and a resend must not look as if
it went out."""

from __future__ import annotations

from collections.abc import Collection

from shared.rule_violations import Conflict

RESENDABLE = ("sent", "failed")


def check_resend(status: str, reachable_channels: Collection[str]) -> None:
    """409 `notification_not_resendable` for a message not yet sent or failed; 409
    `member_opted_out` when no channel with an address and consent is left."""
    if status not in RESENDABLE:
        raise Conflict("notification_not_resendable",
                       f"A {status} message cannot be resent; only a sent or failed one.")
    if not reachable_channels:
        raise Conflict("member_opted_out", "The member consents to this kind of message on "
                       "no channel they can be reached on; nothing was sent.")
