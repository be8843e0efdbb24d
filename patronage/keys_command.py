"""`patronage keys`: credentials signed with PATRONAGE_JWT_SECRET, for dev and for ops
tools (production terminal keys come from the wallet's registry, docs/operations.md)."""

from __future__ import annotations

from typing import Annotated

import typer

keys_app = typer.Typer(help="Issue credentials signed with PATRONAGE_JWT_SECRET.")


def _issue(principal, ttl_days: int) -> None:
    from datetime import timedelta

    from shared.clock import SystemClock
    from shared.http.auth import issue_token
    from shared.settings import get_platform_settings

    secret = get_platform_settings().jwt_secret
    typer.echo(issue_token(secret, principal, SystemClock().now(), timedelta(days=ttl_days)))


@keys_app.command("pos")
def pos_key(
    store: Annotated[str, typer.Option(help="The store the terminal belongs to")],
    terminal: Annotated[str, typer.Option(help="The terminal id")],
    extra_store: Annotated[list[str] | None, typer.Option(help="Further stores it may serve")] = None,
    ttl_days: int = 365,
) -> None:
    """A dev POS key (send it as X-Api-Key); production keys come from the wallet's registry."""
    from shared.http.auth import Principal
    from shared.settings import get_platform_settings

    if get_platform_settings().environment not in ("dev", "test"):
        # outside the registry a key cannot be listed, and nobody knows its id to revoke it
        raise typer.BadParameter("outside dev, issue terminal keys with the wallet's "
                                 "POST /v1/ops/terminals/keys (docs/operations.md)")
    _issue(Principal("pos", terminal, store_id=store, extra_stores=frozenset(extra_store or ())),
           ttl_days)


@keys_app.command("ops")
def ops_token(
    user: Annotated[str, typer.Option(help="Who: recorded as the actor in audits")],
    scope: Annotated[list[str], typer.Option(help="e.g. ops:review, ops:config, ops:adjust, ops:risk")],
    ttl_days: int = 1,
) -> None:
    """A bearer token for an ops user with the given scopes."""
    from shared.http.auth import Principal

    _issue(Principal("ops", user, scopes=frozenset(scope)), ttl_days)


@keys_app.command("member")
def member_token(member: Annotated[str, typer.Option(help="The member id")], ttl_days: int = 1) -> None:
    """A bearer token for a member (for trying the app APIs; real apps get theirs at login)."""
    from shared.http.auth import Principal

    _issue(Principal("member", member), ttl_days)
