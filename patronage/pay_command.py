"""`patronage pay` (dev only): the fake payment provider pays an intent and sends the
wallet its signed callback, as a real provider would (patronage/fake_provider.py)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from patronage.services import DEFAULT_PORTS


def pay(
    intent_id: Annotated[str, typer.Argument(help="The payment intent to pay")],
    status: Annotated[str, typer.Option(help="succeeded or failed")] = "succeeded",
    amount: Annotated[int | None, typer.Option(help="Pay another amount (try a mismatch)")] = None,
    wallet_url: str = f"http://localhost:{DEFAULT_PORTS['wallet']}",
) -> None:
    """Dev only: the fake provider pays an intent and sends the wallet its signed callback."""
    import httpx

    from patronage.fake_provider import pay as deliver
    from services.wallet.settings import FAKE_PROVIDER, get_wallet_settings
    from shared.clock import SystemClock
    from shared.settings import get_platform_settings

    platform = get_platform_settings()
    if platform.environment != "dev":
        typer.echo("patronage pay is the fake provider of the dev environment only.", err=True)
        raise typer.Exit(1)
    secret = get_wallet_settings().providers_for("dev")[FAKE_PROVIDER].secret.get_secret_value()

    async def run() -> httpx.Response:
        async with httpx.AsyncClient(base_url=wallet_url, timeout=10) as http:
            return await deliver(http, intent_id, secret=secret, jwt_secret=platform.jwt_secret,
                                 now=SystemClock().now(), status=status, amount=amount)

    try:
        response = asyncio.run(run())
    except httpx.HTTPError as error:
        typer.echo(f"the wallet at {wallet_url} did not answer as expected: {error!r}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"{response.status_code} {response.text}")
    raise typer.Exit(0 if response.status_code == 200 else 1)
