"""Whether a message may be resent (rules/resends.py): only a sent or failed one, and only
while the member can be reached on a channel they consent to for its category."""

from __future__ import annotations

import pytest

from services.notifier.rules.channels import Reach, candidates
from services.notifier.rules.resends import check_resend
from shared.rule_violations import Conflict

CONFIGURED = ("email", "inbox")
ORDER = ("email", "sms", "push", "wechat", "inbox")


def reachable(consents: dict, category: str) -> list[str]:
    reach = Reach({"email": "a@example.com", "inbox": "m_1"}, consents)
    return candidates(reach, category, CONFIGURED, ORDER)


@pytest.mark.parametrize("status", ["sent", "failed"])
def test_a_sent_or_failed_message_to_a_reachable_member_may_be_resent(status):
    check_resend(status, reachable({}, "transactional"))


@pytest.mark.parametrize("status", ["pending", "suppressed"])
def test_a_message_not_yet_sent_or_failed_is_not_resent(status):
    with pytest.raises(Conflict) as refused:
        check_resend(status, ["inbox"])
    assert refused.value.code == "notification_not_resendable"


def test_a_member_who_opted_out_everywhere_is_refused():
    # marketing without an opt-in, or with every consent withdrawn: no channel left
    for consents, category in (({}, "marketing"),
                               ({("email", "transactional"): False,
                                 ("inbox", "transactional"): False}, "transactional")):
        with pytest.raises(Conflict) as refused:
            check_resend("sent", reachable(consents, category))
        assert refused.value.code == "member_opted_out"
    check_resend("sent", reachable({("inbox", "marketing"): True}, "marketing"))
