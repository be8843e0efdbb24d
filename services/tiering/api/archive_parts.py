"""Fetching the other services' parts of a data export for the archive, over their HTTP
APIs (`GET /v1/members/{id}/data-exports/{export_id}/part`, shared/http/data_export_parts.py).

The downloader's own credential is forwarded, so each service checks for itself that the
caller is the member or ops with `ops:pii`; tiering holds no credential that could read
another service's data. The base URLs are settings (PATRONAGE_TIERING_WALLET_URL, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import httpx

from shared.http.problems import Problem

TIMEOUT_SECONDS = 30.0


async def fetch_parts(urls: Mapping[str, str], member_id: str, export_id: UUID,
                      authorization: str) -> dict[str, dict[str, Any]]:
    parts: dict[str, dict[str, Any]] = {}
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS,
                                 headers={"Authorization": authorization}) as client:
        for service, base in urls.items():
            url = f"{base.rstrip('/')}/v1/members/{member_id}/data-exports/{export_id}/part"
            try:
                response = await client.get(url)
            except httpx.HTTPError as error:
                raise Problem(502, "data_export_part_unavailable",
                              f"The {service} service did not answer: {type(error).__name__}.",
                              ) from error
            if response.status_code == 410:
                raise Problem(410, "data_export_expired", f"Export {export_id} has expired.")
            if response.status_code != 200:
                raise Problem(502, "data_export_part_unavailable",
                              f"The {service} service answered {response.status_code} for its part.")
            parts[service] = response.json()
    return parts
