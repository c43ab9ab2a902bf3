"""Alerts to a chat incoming webhook (Slack, Discord or any receiver of JSON) with httpx."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import urlsplit

import httpx

from hippique_assets.alerts.alert import Alert
from hippique_assets.alerts.channel import Channel, SendError
from hippique_assets.alerts.redact import is_loopback, mask_url, url_secrets
from hippique_assets.alerts.render import webhook_payload
from hippique_assets.net.backoff import RETRY_AFTER_STATUSES, parse_retry_after
from hippique_assets.net.polite import DEFAULT_USER_AGENT, shared_tls_context

_BODY_MAX = 200


@dataclass(frozen=True, kw_only=True)
class WebhookChannel(Channel):
    """POSTs :func:`~hippique_assets.alerts.render.webhook_payload` of each alert to ``url``.

    The URL carries the webhook's token, so it is only shown as ``scheme://host``, and plain http is
    only accepted to a loopback host. 2xx is success; 429 and 5xx are worth another attempt, any other
    answer is final. Redirects are not followed (a webhook answers where it is).
    """

    name: ClassVar[str] = "webhook"

    url: str = field(repr=False)
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        try:
            parts = urlsplit(self.url.strip())
            host = parts.hostname
        except ValueError:
            host, parts = None, None
        if parts is None or parts.scheme not in ("http", "https") or not host:
            raise ValueError("the webhook URL must be an absolute http(s) URL")
        if parts.scheme == "http" and not is_loopback(host):
            raise ValueError(f"the webhook URL to {host} must use https: it carries a token")
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s!r}")

    @property
    def target(self) -> str:
        return mask_url(self.url)

    def __repr__(self) -> str:
        return f"WebhookChannel(target={self.target!r}, timeout_s={self.timeout_s!r})"

    def secrets(self) -> tuple[str, ...]:
        return url_secrets(self.url)

    def send(self, alert: Alert, *, timeout_s: float) -> None:
        request = httpx.Request(
            "POST",
            self.url.strip(),
            json=webhook_payload(alert),
            headers={"User-Agent": DEFAULT_USER_AGENT},
            extensions={"timeout": httpx.Timeout(timeout_s).as_dict()},
        )
        try:
            # Straight to the transport: httpx.Client logs every request URL at INFO, and this URL
            # holds the token.
            with httpx.HTTPTransport(verify=shared_tls_context()) as transport:
                response = transport.handle_request(request)
                try:
                    response.read()
                finally:
                    response.close()
        except httpx.TimeoutException as exc:
            raise SendError(
                f"no answer within {timeout_s:g} s ({type(exc).__name__})", retryable=True
            ) from None
        except httpx.ConnectError as exc:
            raise SendError(f"cannot connect: {_connect_reason(exc)}", retryable=True) from None
        except httpx.TransportError as exc:
            raise SendError(f"network error: {type(exc).__name__}", retryable=True) from None
        status = response.status_code
        if 200 <= status < 300:
            return
        retry_after = None
        if status in RETRY_AFTER_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise SendError(
            f"HTTP {status}{_body_excerpt(response)}",
            retryable=status == 429 or status >= 500,
            retry_after_s=retry_after,
        )


def _connect_reason(exc: httpx.ConnectError) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service" in text or "nodename" in text or "name resolution" in text:
        return "host name not found"
    if "certificate" in text or "ssl" in text:
        return "TLS failed (certificate or handshake)"
    return type(exc).__name__


def _body_excerpt(response: httpx.Response) -> str:
    """The start of the answer's body on one line (Slack says ``invalid_payload``, Discord a JSON
    message): it tells why, and the caller masks the token if a receiver echoes it."""
    try:
        text = response.content.decode(response.charset_encoding or "utf-8", "replace")
    except LookupError:
        text = response.content.decode("utf-8", "replace")
    words = " ".join(text.split())
    return f": {words[:_BODY_MAX]}" if words else ""
