"""Every service's OpenAPI declares how to send credentials (X-Api-Key for POS terminals,
HTTP bearer for members and ops) and every route that authenticates references them, so
`/docs` can send credentials."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import create_async_engine

from patronage.services import SERVICES
from shared.clock import SystemClock
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.http.auth import authenticate
from shared.service import ServiceContext
from shared.settings import PlatformSettings
from shared.topics import Topics


def authenticates(dependant: Dependant) -> bool:
    return any(d.call is authenticate or authenticates(d) for d in dependant.dependencies)


def api_routes(routes: list) -> list[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI keeps those nested)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (included := getattr(route, "original_router", None)) is not None:
            found += api_routes(included.routes)
    return found


def app_of(name: str) -> FastAPI:
    spec = SERVICES[name]
    platform = PlatformSettings(environment="test")
    engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    topics = Topics("")
    context = ServiceContext(
        name=name, platform=platform, settings=spec.load_settings(), engine=engine,
        uow=UnitOfWorkFactory(engine, spec.outbox, topics, SystemClock()),
        clock=SystemClock(), topics=topics, statements=object())
    return spec.create_app(context)


# the console serves HTML pages to logged-in ops users: no API, no OpenAPI document
@pytest.mark.parametrize("name", sorted(name for name in SERVICES if name != "console"))
def test_every_authenticated_route_references_the_declared_schemes(name):
    app = app_of(name)
    document = app.openapi()

    schemes = document["components"]["securitySchemes"]
    assert schemes["PosApiKey"] == {"type": "apiKey", "in": "header", "name": "X-Api-Key",
                                    "description": schemes["PosApiKey"]["description"]}
    assert schemes["Bearer"]["type"] == "http" and schemes["Bearer"]["scheme"] == "bearer"
    secured = [route for route in api_routes(app.routes) if authenticates(route.dependant)]
    for route in secured:
        for method in route.methods:
            security = document["paths"][route.path_format][method.lower()].get("security", [])
            assert {"PosApiKey": []} in security and {"Bearer": []} in security, (method, route.path)
    assert len(secured) >= 3
