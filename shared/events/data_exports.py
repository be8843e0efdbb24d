"""The fields every service's "my part of a member's data export is stored" event carries
(docs/privacy.md, "Access and export"). One class per producer, as every event lives in its
producer's module: WalletDataExportPartReady, RewardsDataExportPartReady,
ReferralDataExportPartReady, NotifierDataExportPartReady. They carry counts and ids, never
the part itself: the part holds personal data, and events are copied to every subscriber."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from shared.events.envelope import Event, UtcDatetime


class DataExportPartReady(Event):
    export_id: UUID = Field(description="The export (MemberDataExportRequested.export_id).")
    records: int = Field(ge=0, description="How many rows the part holds, over its sections.")
    expires_at: UtcDatetime = Field(description="When the service deletes the part.")
