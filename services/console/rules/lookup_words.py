"""The words of the member lookup by phone and of the resend button on the member page,
in both languages; new keys only (`tests/unit/console/test_lookup_words.py`)."""

from __future__ import annotations

LOOKUP_WORDS: dict[str, dict[str, str]] = {
    "by_phone": {"en": "Phone number", "zh": "手机号"},
    "phone_not_found": {"en": "No member has this phone number.", "zh": "没有会员使用这个手机号。"},
    "phone_several": {"en": "Several members have this phone number; pick one.",
                      "zh": "多位会员使用这个手机号，请选择。"},
    "phone_invalid": {"en": "A phone number: at least five digits, with spaces, dashes or a "
                      "leading + if you like.",
                      "zh": "请输入手机号：至少五位数字，可含空格、横线或开头的 +。"},
    "phone_more": {"en": "More members have this number; the first 50 are shown.",
                   "zh": "使用此号码的会员更多，仅显示前 50 位。"},
    "resend": {"en": "Resend", "zh": "重新发送"},
    "resent_from": {"en": "Resend of", "zh": "重发自"},
    "done_resent": {"en": "The message is queued to be sent again.", "zh": "消息已排队重新发送。"},
    "member_opted_out": {"en": "The member has opted out of this kind of message; nothing was sent.",
                         "zh": "会员已退订此类消息，未发送。"},
    "status": {"en": "Status", "zh": "状态"},
    "channel": {"en": "Channel", "zh": "渠道"},
}
