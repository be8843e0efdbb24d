"""`patronage dlq list <service>`: what is dead-lettered and why, newest first.

One block per dead letter (`--json`: one JSON object a line, for scripts): where it came
from (topic, partition, offset), the event type and member key, the error and how many
attempts failed, when, and whether `patronage dlq replay` has re-driven it yet.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from patronage.services import DEAD_LETTER_GROUPS

Limit = Annotated[int, typer.Option(min=1, max=1000, help="Show at most this many, newest first")]


def dlq_list(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(DEAD_LETTER_GROUPS)}")],
    limit: Limit = 20,
    unreplayed: Annotated[bool, typer.Option(help="Only those not replayed yet")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line")] = False,
) -> None:
    """List what is dead-lettered in `<group>.dlq` and why (a service, or a service's side
    consumer such as `notifier-webhooks`)."""
    from shared.messaging.dlq_list import list_dead_letters
    from shared.settings import get_platform_settings

    group = dead_letter_group(name)
    letters = asyncio.run(list_dead_letters(get_platform_settings(), group, limit, unreplayed))
    if as_json:
        for letter in letters:
            typer.echo(json.dumps(letter.as_dict()))
        return
    if not letters:
        typer.echo(f"{name}.dlq: nothing {'waiting' if unreplayed else 'dead-lettered'}")
        return
    for letter in letters:
        state = "replayed" if letter.replayed else "waiting"
        typer.echo(
            f"{letter.failed_at}  {letter.event_type}  member {letter.member_key}  [{state}]\n"
            f"  from {letter.original_topic} partition {letter.original_partition} offset "
            f"{letter.original_offset}; dlq partition {letter.dlq_partition} offset "
            f"{letter.dlq_offset}\n"
            f"  {letter.error_type} after {letter.attempts} attempt(s): {letter.error}")
    typer.echo(f"{len(letters)} shown (newest first; --limit to see more)")


def dead_letter_group(name: str) -> str:
    if name not in DEAD_LETTER_GROUPS:
        raise typer.BadParameter(
            f"unknown consumer group {name!r}; choose from {', '.join(DEAD_LETTER_GROUPS)}")
    return name
