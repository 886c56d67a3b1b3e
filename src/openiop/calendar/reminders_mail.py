"""Sending one email over SMTP (smtplib), with the OPENIOP_SMTP_* settings.

Any failure — connection refused, a timeout, a rejected login or recipient — comes back as
SendFailed with a short reason, which the outbox stores and retries later.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from openiop.config import Settings


class SendFailed(Exception):
    """The message was not accepted by the mail server."""


class Transport(Protocol):
    def send(self, *, to: str, subject: str, body: str) -> None: ...


class SmtpTransport:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, *, to: str, subject: str, body: str) -> None:
        message = self._message(to=to, subject=subject, body=body)
        try:
            with self._connect() as server:
                if self.settings.smtp_user:
                    server.login(self.settings.smtp_user, self.settings.smtp_password)
                server.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise SendFailed(_reason(error)) from error

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if not s.smtp_host:
            raise SendFailed("no mail server configured (set OPENIOP_SMTP_HOST)")
        if s.smtp_tls == "ssl":
            return smtplib.SMTP_SSL(
                s.smtp_host,
                s.smtp_port,
                timeout=s.smtp_timeout_seconds,
                context=ssl.create_default_context(),
            )
        server = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        if s.smtp_tls == "starttls":
            try:
                server.starttls(context=ssl.create_default_context())
            except BaseException:
                server.close()
                raise
        return server

    def _message(self, *, to: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.settings.smtp_from.rpartition("@")[2])
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
        message.set_content(body)
        return message


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if error.smtp_error else ""
        return f"SMTP {error.smtp_code}: {text}"[:500]
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"recipient refused: {', '.join(error.recipients)}"[:500]
    return f"{type(error).__name__}: {error}"[:500]
