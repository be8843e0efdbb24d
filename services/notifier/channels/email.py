"""Email: over SMTP (aiosmtplib), or to the log in dev when no SMTP server is set."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from services.notifier.channels import Outgoing, PermanentFailure, TransientFailure
from services.notifier.settings import NotifierSettings
from shared.structured_logging import get_logger

log = get_logger(__name__)


def email_of(message: Outgoing, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"], email["To"] = sender, message.address
    email["Subject"] = message.rendered.subject
    email["Message-ID"] = make_msgid(idstring=message.notification_id.hex, domain="patronage")
    email.set_content(message.rendered.text)
    email.add_alternative(f"<html><body>{message.rendered.html}</body></html>", subtype="html")
    return email


class SmtpEmail:
    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings

    async def send(self, message: Outgoing) -> str | None:
        settings = self.settings
        email = email_of(message, settings.email_from)
        try:
            await aiosmtplib.send(
                email, hostname=settings.smtp_host, port=settings.smtp_port,
                username=settings.smtp_username,
                password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
                start_tls=settings.smtp_start_tls, timeout=settings.send_timeout_seconds)
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise PermanentFailure(f"recipient refused: {error}") from error
        except aiosmtplib.SMTPResponseException as error:
            failure = PermanentFailure if error.code >= 500 else TransientFailure
            raise failure(f"SMTP {error.code} {error.message}") from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise TransientFailure(f"SMTP unreachable: {error!r}") from error
        return email["Message-ID"]


class LoggedEmail:
    """Dev: the email, as it would be sent, in the log."""

    async def send(self, message: Outgoing) -> str | None:
        log.info("email_to_log", to=message.address, subject=message.rendered.subject,
                 body=message.rendered.text)
        return None
