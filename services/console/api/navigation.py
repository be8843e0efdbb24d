"""The console's navigation: (word key, path, scope needed to see it; None: everyone).
A page whose link is hidden still checks its scope itself, and the API checks it again."""

from __future__ import annotations

NAVIGATION: list[tuple[str, str, str | None]] = [
    ("home", "/", None),
    ("reviews", "/reviews", "ops:review"),
    ("members", "/members", "ops:report"),
    ("setup", "/setup", "ops:config"),
    ("dashboard", "/dashboard", "ops:report"),
    ("scheduled_reports", "/reports", "ops:report"),
]
