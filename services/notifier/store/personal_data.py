"""The notifier's personal data and what an erasure does to it (store/erasure.py does it):
it holds the contact details, consents and messages, so most of it is deleted."""

from __future__ import annotations

from shared.personal_data import EXPORT_PARTS, Lookalike, PersonalColumn

PERSONAL_DATA = (
    EXPORT_PARTS,
    PersonalColumn("contacts", "email", "email", "deleted", "the row is deleted"),
    PersonalColumn("contacts", "sms", "phone", "deleted", "the row is deleted"),
    PersonalColumn("contacts", "push", "push token", "deleted", "the row is deleted"),
    PersonalColumn("contacts", "wechat", "WeChat open id", "deleted", "the row is deleted"),
    PersonalColumn("consents", "granted", "consent", "deleted", "the member's rows are deleted"),
    PersonalColumn("contact_changes", "changes", "contact history (masked)", "deleted",
                   "the member's rows are deleted: masked old and new addresses"),
    PersonalColumn("webhook_deliveries", "body", "event copy", "kept",
                   "a published event sent to the merchant's endpoint: events carry no contact "
                   "details (tests/unit/events/test_event_privacy.py); deleted by delivery-log "
                   "retention"),
    PersonalColumn("consent_changes", "granted", "consent history", "deleted",
                   "the member's rows are deleted"),
    PersonalColumn("inbox_messages", "subject", "message", "deleted",
                   "the member's inbox is deleted"),
    PersonalColumn("inbox_messages", "body", "message body", "deleted",
                   "the member's inbox is deleted"),
    PersonalColumn("notifications", "facts", "message facts", "deleted",
                   "emptied (`{}`): what the message said (amounts, codes, names of offers); "
                   "the row stays as the count of messages sent, until delivery-log retention"),
    PersonalColumn("notifications", "last_error", "provider error", "deleted",
                   "set to null: a provider's error may quote the address"),
    PersonalColumn("notifications", "receipt_error", "provider error", "deleted",
                   "set to null, as last_error"),
    # staff, not members: a member's erasure does not reach them; ops delete the recipient
    PersonalColumn("ops_recipients", "email", "staff email", "kept",
                   "a staff member's address for the scheduled reports, not a member's: "
                   "deleted with DELETE /v1/ops-recipients/{id}, kept until then"),
    PersonalColumn("report_deliveries", "last_error", "mail server error", "kept",
                   "an error sending a report to staff may quote their address, never a "
                   "member's; deleted by delivery-log retention"),
)

LOOKALIKES = (
    Lookalike("inbox_messages", "message_id", "an id the notifier makes"),
    Lookalike("webhook_deliveries", "last_error", "the merchant's endpoint's answer to a "
              "delivery of an event, which carries no contact details"),
    Lookalike("notifications", "provider_message_id", "the provider's id of a message; "
              "it names no one, and a delivery receipt is matched on it"),
    Lookalike("report_deliveries", "provider_message_id", "the Message-ID the mail server "
              "was given for a scheduled report; it names no one"),
)
