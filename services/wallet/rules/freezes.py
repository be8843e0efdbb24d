"""Frozen wallets: what a freeze refuses and what it lets through.

A frozen member can neither recharge nor buy (423 `wallet_frozen`: the account is locked,
whatever the request); refunds and operators' adjustments still work, so ops can pay out or
correct a frozen wallet. An operator freezes and unfreezes with a reason; a `freeze` risk
rule freezes automatically (actor `rule:<name>`, rules/risk.py).
"""

from __future__ import annotations

from shared.rule_violations import Conflict, RuleViolation

WALLET_FROZEN = "wallet_frozen"
FROZEN_STATUS = 423  # Locked: the member's wallet, not the request, is what is refused


class WalletIsFrozen(RuleViolation):
    def __init__(self, member_id: str) -> None:
        super().__init__(WALLET_FROZEN, f"The wallet of {member_id} is frozen: no recharge or "
                         "purchase until an operator unfreezes it.", status=FROZEN_STATUS)


class AlreadyFrozen(Conflict):
    def __init__(self, member_id: str) -> None:
        super().__init__("already_frozen", f"The wallet of {member_id} is already frozen.")


class NotFrozen(Conflict):
    def __init__(self, member_id: str) -> None:
        super().__init__("not_frozen", f"The wallet of {member_id} is not frozen.")
