"""`patronage console add-user`: an ops user of the console (docs/console.md), with a role
that decides the scopes of the tokens the console mints for them."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

console_app = typer.Typer(help="The ops console: its users.")


async def create_console_user(database_url: str, username: str, password: str, role: str,
                              replace: bool = False) -> None:
    from services.console.store.users import add_user
    from shared.clock import SystemClock
    from shared.db.engine import create_service_engine

    engine = create_service_engine(database_url, "console", pool_size=1)
    try:
        async with engine.begin() as connection:
            await add_user(connection, username, password, role, SystemClock().now(),
                           replace=replace)
    finally:
        await engine.dispose()


@console_app.command("add-user")
def add_user_command(
    username: Annotated[str, typer.Option(help="The login name")],
    role: Annotated[str, typer.Option(help="reviewer | support | config | viewer | admin")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True,
                                          help="At least 10 characters; prompted when left out")],
    replace: Annotated[bool, typer.Option(help="Reset an existing user's password and role")] = False,
) -> None:
    """Add a console user (the database must be migrated: `patronage migrate`)."""
    from shared.rule_violations import RuleViolation
    from shared.settings import get_platform_settings

    try:
        asyncio.run(create_console_user(get_platform_settings().database_url, username,
                                        password, role, replace))
    except RuleViolation as refused:
        raise typer.BadParameter(refused.detail) from refused
    typer.echo(f"console user {username} ({role}) saved")
