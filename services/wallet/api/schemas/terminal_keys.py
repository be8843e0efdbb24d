"""Bodies of the terminal-key registry (`api/terminal_keys.py`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.wallet.api.schemas.fields import Reason
from shared.http.ids import Id

MAX_LIFETIME_DAYS = 730
MAX_OVERLAP_MINUTES = 30 * 24 * 60


class IssueKeyRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "store_id": "store_1", "terminal_id": "pos_07", "extra_stores": [],
        "valid_days": 365, "reason": "new till at the front desk (ticket 6001)"}]})

    store_id: Id
    terminal_id: Id
    extra_stores: list[Id] = Field(default=[], max_length=50,
                                   description="Further stores the terminal may act for.")
    valid_days: int = Field(default=365, ge=1, le=MAX_LIFETIME_DAYS,
                            description="The key expires this many days after it is issued.")
    reason: Reason


class RevokeKeyRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "reason": "terminal stolen (ticket 6002)"}]})

    reason: Reason


class RotateKeyRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "overlap_minutes": 60, "reason": "yearly rotation"}]})

    overlap_minutes: int = Field(
        default=0, ge=0, le=MAX_OVERLAP_MINUTES,
        description="How long the old key keeps working beside the new one (0: refused now).")
    valid_days: int = Field(default=365, ge=1, le=MAX_LIFETIME_DAYS,
                            description="The new key's lifetime.")
    reason: Reason


class TerminalKey(BaseModel):
    """A key as the registry knows it: never the key itself."""

    key_id: str
    store_id: str
    terminal_id: str
    extra_stores: list[str]
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = Field(description="Refused from then on; null: not revoked.")
    replaces_key_id: str | None


class IssuedKey(TerminalKey):
    key: str = Field(description="The key (send it as X-Api-Key). Shown this once only: the "
                     "registry keeps its SHA-256, never the key.")


class RotatedKey(IssuedKey):
    replaced: TerminalKey = Field(description="The old key, refused from its `revoked_at`.")


class KeyAction(BaseModel):
    action: str = Field(description="issue, revoke or rotate.")
    actor: str
    reason: str
    at: datetime


class AuditedKey(TerminalKey):
    actions: list[KeyAction]
