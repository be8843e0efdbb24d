"""The console under `patronage dev` and `patronage up`: where it finds the services (their
ports moved by `--port-offset`) and its two demo logins, printed in the banner. The demo
passwords are published here, so they exist only in dev."""

from __future__ import annotations

from patronage.console_command import create_console_user
from patronage.services import DEFAULT_PORTS

DEMO_USERS = (("admin", "patronage-admin", "admin"), ("viewer", "patronage-viewer", "viewer"))
CALLED = ("wallet", "tiering", "rewards", "referral", "notifier")


def console_urls(port_offset: int) -> dict[str, str]:
    """`PATRONAGE_CONSOLE_<SERVICE>_URL` → the service on this machine."""
    return {f"PATRONAGE_CONSOLE_{name.upper()}_URL":
            f"http://127.0.0.1:{DEFAULT_PORTS[name] + port_offset}" for name in CALLED}


def console_settings(port_offset: int):  # -> ConsoleSettings
    from services.console.settings import ConsoleSettings

    return ConsoleSettings(**{f"{name}_url": f"http://127.0.0.1:{DEFAULT_PORTS[name] + port_offset}"
                              for name in CALLED})


async def add_demo_users(database_url: str) -> None:
    for username, password, role in DEMO_USERS:
        await create_console_user(database_url, username, password, role, replace=True)


def banner(host: str, port_offset: int) -> str:
    logins = ", ".join(f"{user} / {password} ({role})" for user, password, role in DEMO_USERS)
    return (f"  console  http://{host}:{DEFAULT_PORTS['console'] + port_offset}/  "
            f"(log in: {logins})")
