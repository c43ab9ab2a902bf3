"""What a notification channel is, and how it reports a failed attempt."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from hippique_assets.alerts.alert import Alert


class SendError(Exception):
    """One attempt failed; ``retryable`` says whether another attempt could succeed.

    The message is shown in logs and in the delivery record: it never contains a secret.
    ``retry_after_s`` is the wait the receiver asked for (HTTP Retry-After), if any.
    """

    def __init__(self, message: str, *, retryable: bool, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s


class Channel(ABC):
    """A way to reach a person. ``send`` makes one attempt; retries and the time budget are the
    caller's (:func:`hippique_assets.alerts.delivery.deliver`)."""

    name: ClassVar[str]
    timeout_s: float

    @property
    @abstractmethod
    def target(self) -> str:
        """Where the alert goes, safe to show (no password, no token)."""

    def secrets(self) -> tuple[str, ...]:
        """Strings that must never appear in a log line or an error text."""
        return ()

    @abstractmethod
    def send(self, alert: Alert, *, timeout_s: float) -> None:
        """One attempt within ``timeout_s`` per network operation; raises :class:`SendError`."""
