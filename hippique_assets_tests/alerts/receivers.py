"""Real receivers on 127.0.0.1 for the alert tests: an SMTP server (aiosmtpd) that keeps what it is
given, an HTTP server that keeps every POST and answers as scripted, and ports that refuse or stall."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

# ---------------------------------------------------------------------------------------------- SMTP


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the SMTP server accepted it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    login: str | None
    over_tls: bool

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


@dataclass
class SmtpInbox:
    """The aiosmtpd handler: keeps every message, and every login tried with its verdict."""

    user: str | None = None
    password: str | None = None
    mails: list[ReceivedMail] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)

    async def handle_DATA(self, server: SmtpServer, session: Session, envelope: Envelope) -> str:
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self.mails.append(
            ReceivedMail(
                mail_from=str(envelope.mail_from),
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=message_from_bytes(envelope.original_content or b"", policy=default_policy),  # type: ignore[arg-type]
                login=login,
                over_tls=session.ssl is not None,
            )
        )
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SmtpServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = auth_data.login.decode() == self.user and auth_data.password.decode() == self.password
        self.logins.append((auth_data.login.decode(), ok))
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


class _LoopbackController(Controller):
    """An aiosmtpd controller on a socket bound beforehand to an ephemeral loopback port (the stock
    controller needs the port number in advance)."""

    def __init__(self, handler: Any, **kwargs: Any) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self._sock.getsockname()[1], **kwargs)

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


@contextmanager
def smtp_server(
    *,
    user: str | None = None,
    password: str | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> Iterator[tuple[SmtpInbox, int]]:
    """A real SMTP server on 127.0.0.1: the inbox and the port. With ``user``/``password`` it offers
    AUTH (over plain loopback too); with ``tls_context`` it offers STARTTLS."""
    inbox = SmtpInbox(user=user, password=password)
    kwargs: dict[str, Any] = {}
    if user is not None:
        kwargs.update(authenticator=inbox.authenticate, auth_require_tls=tls_context is not None)
    if tls_context is not None:
        kwargs.update(tls_context=tls_context)
    controller = _LoopbackController(inbox, **kwargs)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


# ---------------------------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class Answer:
    """One scripted HTTP answer; ``delay_s`` waits before answering (a slow receiver)."""

    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass(frozen=True)
class ReceivedPost:
    path: str
    headers: dict[str, str]
    body: bytes
    arrived_at: float

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records every POST and plays ``answers`` in order (the last
    one repeats). Use as a context manager."""

    def __init__(self, answers: Sequence[Answer | int] = (200,)) -> None:
        self._answers = [Answer(a) if isinstance(a, int) else a for a in answers]
        self._lock = threading.Lock()
        self._posts: list[ReceivedPost] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def posts(self) -> list[ReceivedPost]:
        with self._lock:
            return list(self._posts)

    def _arrive(self, post: ReceivedPost) -> Answer:
        with self._lock:
            self._posts.append(post)
            return self._answers[min(len(self._posts), len(self._answers)) - 1]

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = receiver._arrive(
                ReceivedPost(self.path, dict(self.headers.items()), body, time.monotonic())
            )
            try:
                time.sleep(answer.delay_s)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# --------------------------------------------------------------------------------------------- ports


def refused_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


@contextmanager
def stalled_port() -> Iterator[int]:
    """A loopback port that accepts connections and never says a word (an SMTP server that hangs
    before its greeting)."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as sock:
        yield sock.getsockname()[1]
