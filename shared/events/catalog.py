"""The catalog of every event Patronage publishes, as data: the one place a consumer finds
the class for a CloudEvents `ce_type`. Adding an event means adding it here explicitly."""

from __future__ import annotations

from shared.events.envelope import Event
from shared.events.notifier import (
    ConsentChanged,
    NotificationFailed,
    NotificationSent,
    NotificationSuppressed,
    NotifierDataExportPartReady,
    NotifierMemberErased,
    WebhookEndpointDisabled,
)
from shared.events.referral import (
    ReferralClosed,
    ReferralCodeChanged,
    ReferralDataExportPartReady,
    ReferralHeld,
    ReferralMemberErased,
    ReferralQualified,
    ReferralRegistered,
    ReferralRevoked,
)
from shared.events.rewards import (
    BonusGranted,
    BonusHeld,
    BonusRejected,
    CashbackGranted,
    CashbackReversed,
    CouponIssued,
    CouponRedeemed,
    CouponVoided,
    ExperimentExposed,
    ExperimentPublished,
    ExperimentStopped,
    PointsEarned,
    PointsExpired,
    PointsRedeemed,
    PointsReversed,
    RewardsDataExportPartReady,
    RewardsMemberErased,
    ScheduledReportPublished,
)
from shared.events.tiering import (
    EntitlementGranted,
    EntitlementRedeemed,
    EntitlementRedemptionReversed,
    MemberBirthday,
    MemberDataExportRequested,
    MemberEnrolled,
    MemberErased,
    MemberErasureStarted,
    MembershipExpired,
    MembershipExpiring,
    MembershipRenewed,
    MembershipRevoked,
    TierChanged,
    TieringExperimentExposed,
    TierProgramPublished,
)
from shared.events.wallet import (
    BonusCredited,
    BonusExpired,
    CashbackCredited,
    CashbackTakenBack,
    PurchaseCompleted,
    PurchaseRefunded,
    RechargeCompleted,
    RechargeRefunded,
    TerminalKeyIssued,
    TerminalKeyRevoked,
    WalletAdjusted,
    WalletDataExportPartReady,
    WalletFrozen,
    WalletMemberErased,
    WalletUnfrozen,
)

CATALOG: tuple[type[Event], ...] = (
    RechargeCompleted,
    BonusCredited,
    BonusExpired,
    PurchaseCompleted,
    PurchaseRefunded,
    RechargeRefunded,
    WalletAdjusted,
    WalletFrozen,
    WalletUnfrozen,
    TerminalKeyIssued,
    TerminalKeyRevoked,
    MemberEnrolled,
    TierChanged,
    MembershipRenewed,
    MembershipRevoked,
    MembershipExpiring,
    MembershipExpired,
    TierProgramPublished,
    MemberBirthday,
    BonusGranted,
    BonusHeld,
    BonusRejected,
    PointsEarned,
    PointsRedeemed,
    PointsReversed,
    PointsExpired,
    CouponIssued,
    CouponRedeemed,
    CouponVoided,
    CashbackGranted,
    ReferralRegistered,
    ReferralQualified,
    ReferralHeld,
    ReferralRevoked,
    ReferralClosed,
    ReferralCodeChanged,
    NotificationSent,
    NotificationFailed,
    # a member's data export (docs/privacy.md): appended, so the catalog's order is kept
    MemberDataExportRequested,
    WalletDataExportPartReady,
    RewardsDataExportPartReady,
    ReferralDataExportPartReady,
    NotifierDataExportPartReady,
    WebhookEndpointDisabled,
    ConsentChanged,
    CashbackCredited,
    CashbackReversed,  # a spend-and-save reward undone by a refund (issue 16)
    CashbackTakenBack,
    # members' personal data erased (issue 21)
    MemberErasureStarted,
    WalletMemberErased,
    RewardsMemberErased,
    ReferralMemberErased,
    NotifierMemberErased,
    MemberErased,
    EntitlementGranted,
    EntitlementRedeemed,
    EntitlementRedemptionReversed,
    ScheduledReportPublished,  # a daily or weekly program report (issue 17)
    # experiments with holdouts (issue 17)
    ExperimentPublished,
    ExperimentStopped,
    ExperimentExposed,
    TieringExperimentExposed,
    NotificationSuppressed,  # a queued message's third outcome
)

BY_CE_TYPE: dict[str, type[Event]] = {cls.ce_type(): cls for cls in CATALOG}


class UnknownEventType(LookupError):
    """A message whose `ce_type` is not in the catalog (or that has none)."""


def event_class_for(ce_type: str) -> type[Event]:
    try:
        return BY_CE_TYPE[ce_type]
    except KeyError:
        raise UnknownEventType(f"no event in the catalog has ce_type {ce_type!r}") from None
