"""The console shows an API's 422 next to the field it names: the problem+json the services
answer (shared/http/problems.py) lists `errors[]` as `location` and `message`."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from services.console.platform_apis import Answer
from shared.http.problems import install_problem_handlers


class Adjustment(BaseModel):
    amount: int = Field(gt=0)
    reason: str = Field(min_length=3)


def services_422() -> dict:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/adjust")
    async def adjust(body: Adjustment) -> dict:
        return {}

    response = TestClient(app).post("/adjust", json={"amount": -5, "reason": "x"})
    assert response.status_code == 422
    return response.json()


def test_a_services_422_is_shown_by_each_field_it_names():
    errors = Answer(422, problem=services_422()).field_errors()
    assert set(errors) == {"amount", "reason"}
    assert "greater than 0" in errors["amount"]
    assert "at least 3" in errors["reason"]


def test_a_problem_without_field_errors_names_no_field():
    assert Answer(409, problem={"code": "wallet_frozen", "detail": "frozen"}).field_errors() == {}
