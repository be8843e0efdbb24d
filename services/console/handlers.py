"""The console consumes no events: it reads the other services through their HTTP APIs
when a page is opened, so there is nothing to project. The mapping stays empty on purpose
(the runtime starts no consumer for it)."""

from __future__ import annotations

from shared.service import ServiceHandlers

HANDLERS: ServiceHandlers = {}
