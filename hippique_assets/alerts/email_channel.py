"""Alerts by e-mail over SMTP (smtplib): STARTTLS, or plain on loopback, with an optional login."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import ClassVar

from hippique_assets.alerts.alert import Alert
from hippique_assets.alerts.channel import Channel, SendError
from hippique_assets.alerts.redact import is_loopback
from hippique_assets.alerts.render import email_body, headline

# What a server says is shown in the delivery record: one short line is enough to know why.
_REPLY_MAX = 200


@dataclass(frozen=True, kw_only=True)
class EmailChannel(Channel):
    """Sends each alert as one plain-text e-mail to ``recipients``.

    With ``starttls`` the connection is upgraded before any login and a server that does not offer
    STARTTLS is refused; without it the password is only ever sent to a loopback host (a local relay).
    """

    name: ClassVar[str] = "email"

    host: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str
    recipients: tuple[str, ...]
    timeout_s: float = 10.0
    # Tests and private relays may bring their own certificate authority.
    tls_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.host.strip():
            raise ValueError("an e-mail channel needs an SMTP host")
        if not 0 < self.port < 65536:
            raise ValueError(f"SMTP port must be between 1 and 65535, got {self.port!r}")
        if not self.sender.strip():
            raise ValueError("an e-mail channel needs a sender address")
        recipients = _addresses(self.recipients)
        if not recipients:
            raise ValueError("an e-mail channel needs at least one recipient")
        object.__setattr__(self, "recipients", recipients)
        if self.username and not self.starttls and not is_loopback(self.host):
            raise ValueError(
                f"refusing to send the SMTP password unencrypted to {self.host}: turn STARTTLS on"
            )
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s!r}")

    @property
    def target(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def secrets(self) -> tuple[str, ...]:
        return (self.password,) if self.password else ()

    def message(self, alert: Alert) -> EmailMessage:
        """The e-mail of ``alert``: severity and title in the subject, the dedup key in a header."""
        message = EmailMessage()
        message["Subject"] = headline(alert)
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Date"] = formatdate(localtime=True)
        # A domain of our own: without one, make_msgid looks up the machine's FQDN.
        message["Message-ID"] = make_msgid(domain=_domain_of(self.sender) or "localhost")
        message["X-Hippique-Alert"] = alert.dedup_key
        message.set_content(email_body(alert))
        return message

    def send(self, alert: Alert, *, timeout_s: float) -> None:
        refused = self._converse(self.message(alert), timeout_s)
        if refused:
            listed = ", ".join(f"{rcpt} ({_reply(*reply)})" for rcpt, reply in sorted(refused.items()))
            # Some recipients got it: another attempt would send them a second copy.
            raise SendError(f"recipients refused: {listed}", retryable=False)

    def _converse(self, message: EmailMessage, timeout_s: float) -> dict[str, tuple[int, bytes]]:
        smtp: smtplib.SMTP | None = None
        try:
            # Connecting in the constructor lets STARTTLS check the certificate against the host name.
            # An explicit HELO name: the default looks up the machine's FQDN, which can hang on DNS.
            smtp = smtplib.SMTP(
                self.host, self.port, timeout=timeout_s, local_hostname=socket.gethostname() or "localhost"
            )
            smtp.ehlo()
            if self.starttls:
                if not smtp.has_extn("starttls"):
                    raise SendError("the server does not offer STARTTLS", retryable=False)
                smtp.starttls(context=self.tls_context or ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
            return smtp.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(
                f"login refused: {_reply(exc.smtp_code, exc.smtp_error)}",
                retryable=_temporary(exc.smtp_code),
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            replies = {rcpt: _reply(*reply) for rcpt, reply in exc.recipients.items()}
            temporary = all(_temporary(code) for code, _ in exc.recipients.values())
            listed = ", ".join(f"{rcpt} ({reply})" for rcpt, reply in sorted(replies.items()))
            raise SendError(f"all recipients refused: {listed}", retryable=temporary) from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(
                f"{_step_of(exc)} refused: {_reply(exc.smtp_code, exc.smtp_error)}",
                retryable=_temporary(exc.smtp_code),
            ) from None
        except smtplib.SMTPServerDisconnected as exc:
            # smtplib reports a reply that never came as a disconnection.
            if "timed out" in str(exc):
                raise SendError(f"no answer within {timeout_s:g} s", retryable=True) from None
            raise SendError(f"the server closed the connection ({exc})", retryable=True) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise SendError(f"not supported by the server: {exc}", retryable=False) from None
        except smtplib.SMTPException as exc:
            raise SendError(f"SMTP error: {exc}", retryable=False) from None
        except ssl.SSLError as exc:
            raise SendError(f"TLS failed: {exc.reason or exc}", retryable=False) from None
        except TimeoutError:
            raise SendError(f"no answer within {timeout_s:g} s", retryable=True) from None
        except ConnectionRefusedError:
            raise SendError("connection refused", retryable=True) from None
        except socket.gaierror:
            raise SendError(f"host name {self.host} not found", retryable=True) from None
        except OSError as exc:
            raise SendError(f"network error: {exc.strerror or exc}", retryable=True) from None
        finally:
            if smtp is not None:
                _close_quietly(smtp)


def _addresses(recipients: Sequence[str] | str) -> tuple[str, ...]:
    items = recipients.split(",") if isinstance(recipients, str) else recipients
    return tuple(address.strip() for address in items if address.strip())


def _domain_of(address: str) -> str | None:
    _, at, domain = address.rpartition("@")
    if not at:
        return None
    return domain.strip(" >") or None


def _temporary(code: int) -> bool:
    """SMTP 4xx replies are transient (try again later), 5xx are permanent."""
    return 400 <= code < 500


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())[:_REPLY_MAX]}".strip()


def _step_of(exc: smtplib.SMTPResponseException) -> str:
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return "sender"
    if isinstance(exc, smtplib.SMTPDataError):
        return "message"
    if isinstance(exc, smtplib.SMTPHeloError):
        return "greeting"
    if isinstance(exc, smtplib.SMTPConnectError):
        return "connection"
    return "command"


def _close_quietly(smtp: smtplib.SMTP) -> None:
    """QUIT, or just close: once the message is accepted, a failed goodbye is not a failed send."""
    try:
        if smtp.sock is not None:
            smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
