"""`patronage wallet`: the books from the command line (ledger check, bonus expiry,
liability report), for operators and their cron jobs."""

from __future__ import annotations

import asyncio
import json

import typer

wallet_app = typer.Typer(help="Wallet operations: ledger check, bonus expiry, liability report.")


@wallet_app.command("verify")
def wallet_verify() -> None:
    """Check the ledger: entries balance, balances = ledger lines = lots, nothing negative."""
    from services.wallet.store.verification import run_verify
    from shared.settings import get_platform_settings

    report = asyncio.run(run_verify(get_platform_settings()))
    for problem in report["problems"]:
        typer.echo(problem, err=True)
    typer.echo(f"{'ok' if report['ok'] else 'BROKEN'}: {report['wallets']} wallets, "
               f"{report['entries']} entries, {report['lots']} lots")
    raise typer.Exit(0 if report["ok"] else 1)


@wallet_app.command("expire")
def wallet_expire() -> None:
    """Expire every due bonus lot now (one breakage entry per lot)."""
    from services.wallet.jobs.bonus_expiry import run_expiry
    from shared.settings import get_platform_settings

    typer.echo(asyncio.run(run_expiry(get_platform_settings())))


@wallet_app.command("liability")
def wallet_liability() -> None:
    """Outstanding principal and bonus, breakage and bonus expense, per currency."""
    from services.wallet.store.liability import run_liability
    from shared.settings import get_platform_settings

    typer.echo(json.dumps(asyncio.run(run_liability(get_platform_settings())), indent=2))
