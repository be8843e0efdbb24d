"""Reading a service's `/metrics` the way Prometheus does, from tests."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families


async def scrape(app: FastAPI) -> str:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://service") as client:
        response = await client.get("/metrics")
        response.raise_for_status()
        return response.text


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample `name{labels}` in an exposition, None if it is absent."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return None


async def read_metric(app: FastAPI, name: str, **labels: str) -> float | None:
    return sample(await scrape(app), name, **labels)
