"""Bodies and views of the template versions' routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.notifier.rules.templates import LOCALES


class VersionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "locale": "en", "subject": "Welcome to {{ to_tier }}",
        "body": "<p>From {{ from_tier }} to {{ to_tier }}.</p>"}]})

    locale: str = Field(description=f"One of {', '.join(LOCALES)}.")
    subject: str = Field(min_length=1, max_length=500,
                         description="One line; Jinja2 with the kind's facts, as in the files.")
    body: str = Field(min_length=1, max_length=20_000, description="HTML; Jinja2 with the kind's facts.")


class RevertBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"locale": "en"}]})

    locale: str = Field(description=f"One of {', '.join(LOCALES)}.")


class VersionView(BaseModel):
    version_id: int
    kind: str
    locale: str
    subject: str | None = Field(description="None: back to the release's wording (the file).")
    body: str | None
    release_wording: bool = Field(description="This version goes back to the release's file.")
    digest: str = Field(description="The template version a message sent with it records.")
    created_by: str = Field(description="Who published it, e.g. ops:alice.")
    created_at: datetime
