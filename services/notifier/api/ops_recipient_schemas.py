"""The ops recipients' request and response bodies (api/ops_recipients.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Checked again by rules/ops_reports.py, which answers a bad address with its own code.
EmailAddress = Annotated[str, StringConstraints(min_length=1, max_length=320,
                                                pattern=r"^[^\x00]+$")]
ReportKind = Annotated[str, StringConstraints(min_length=1, max_length=32,
                                              pattern=r"^[^\x00]+$")]


class RecipientBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "email": "ops@merchant.example", "locale": "zh-CN", "report_kinds": ["daily", "weekly"],
        "time_zone": "Asia/Shanghai"}]})

    email: EmailAddress = Field(description="Where the reports go (name@domain.tld).")
    locale: Literal["zh-CN", "en"] = Field(description="The reports' language.")
    report_kinds: list[ReportKind] = Field(max_length=10, description=(
        "`daily`, `weekly` or both; an unknown kind is 422 `unknown_report_kind`."))
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="IANA time zone for quiet hours; default the merchant's.")


class RecipientView(BaseModel):
    recipient_id: str
    email: str
    locale: str
    time_zone: str | None
    report_kinds: list[str]
    unsubscribed_at: datetime | None = Field(description="Set once the recipient followed "
                                             "the unsubscribe link in a report.")
    created_at: datetime
