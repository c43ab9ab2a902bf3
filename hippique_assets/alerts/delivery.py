"""Delivering one alert to its channels: retries with backoff, a time budget, and a record per channel
instead of an exception."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base

from hippique_assets.alerts.alert import Alert
from hippique_assets.alerts.channel import Channel, SendError
from hippique_assets.alerts.redact import redact
from hippique_assets.net.backoff import RetryPolicy

logger = logging.getLogger(__name__)

DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF_S = 1.0
DEFAULT_BUDGET_S = 20.0

# An attempt with less time than this left would only time out: it is not started.
MIN_ATTEMPT_S = 0.2
# How long past the budget the caller waits for a channel stuck in a network call before it reports
# the channel as failed and returns (the call ends on its own socket time-out, in the background).
OVERRUN_GRACE_S = 0.5


@dataclass(frozen=True)
class Delivery:
    """What became of one alert on one channel. ``error`` never holds a password or a token."""

    channel: str
    target: str
    ok: bool
    attempts: int
    error: str | None = None
    elapsed_s: float = 0.0


def deliver(
    alert: Alert,
    channels: Iterable[Channel],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff_s: float = DEFAULT_BACKOFF_S,
    budget_s: float = DEFAULT_BUDGET_S,
) -> list[Delivery]:
    """Send ``alert`` on every channel and return one :class:`Delivery` per channel, in order.

    Channels are tried side by side, so a slow one does not eat another's time. Each makes up to
    ``attempts`` attempts, waiting ``backoff_s`` doubled each time (plus jitter, or the receiver's
    Retry-After) between them, and only for failures another attempt could cure. The whole call
    returns within about ``budget_s``: an attempt is bounded by the time left, and a channel still
    busy when the budget is spent is reported as failed. Failures never raise.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts!r}")
    if backoff_s < 0:
        raise ValueError(f"backoff_s must be >= 0, got {backoff_s!r}")
    if not budget_s > 0:
        raise ValueError(f"budget_s must be > 0, got {budget_s!r}")
    policy = RetryPolicy(
        max_attempts=attempts,
        backoff_initial_s=backoff_s,
        backoff_max_s=max(budget_s, backoff_s),
        jitter_s=backoff_s,
    )
    deadline = time.monotonic() + budget_s
    tries = [_Try(alert, channel, policy, deadline, budget_s) for channel in channels]
    for attempt in tries:
        attempt.start()
    give_up_at = deadline + OVERRUN_GRACE_S
    for attempt in tries:
        attempt.wait(max(0.0, give_up_at - time.monotonic()))
    return [attempt.outcome() for attempt in tries]


class _Try:
    """The attempts of one channel, run in a daemon thread so that the caller can stop waiting."""

    def __init__(
        self, alert: Alert, channel: Channel, policy: RetryPolicy, deadline: float, budget_s: float
    ) -> None:
        self.alert = alert
        self.channel = channel
        self.policy = policy
        self.deadline = deadline
        self.budget_s = budget_s
        self.attempts = 0
        self.last_error: str | None = None
        self.started = time.monotonic()
        self._result: Delivery | None = None
        # Set once the caller has stopped waiting: the thread then finishes without logging.
        self._abandoned = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"alert-{channel.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait(self, timeout_s: float) -> None:
        self._done.wait(timeout_s)

    def outcome(self) -> Delivery:
        if self._result is not None:
            return self._result
        error = f"still busy when the {self.budget_s:g} s budget was spent"
        if self.last_error:
            error += f"; last error: {self.last_error}"
        self._abandoned = True
        delivery = self._record(ok=False, error=error)
        self._log_failure(delivery)
        return delivery

    def _run(self) -> None:
        try:
            self._result = self._attempt_all()
        finally:
            self._done.set()

    def _attempt_all(self) -> Delivery:
        backoff = self.policy.backoff()

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            if isinstance(error, SendError) and error.retry_after_s is not None:
                return min(error.retry_after_s, self.policy.backoff_max_s)
            return backoff(state)

        deadline = self.deadline

        class out_of_time(stop_base):
            """Stop when the next attempt, after its wait, could not finish before the deadline."""

            def __call__(self, state: RetryCallState) -> bool:
                return time.monotonic() + state.upcoming_sleep + MIN_ATTEMPT_S > deadline

        retrying = Retrying(
            stop=stop_after_attempt(self.policy.max_attempts) | out_of_time(),
            wait=wait,
            retry=retry_if_exception(lambda exc: isinstance(exc, SendError) and exc.retryable),
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            retrying(self._attempt)
        except SendError as exc:
            delivery = self._record(ok=False, error=self._failure_text(exc))
        except Exception as exc:
            # A channel that breaks in an unforeseen way still must not break the caller.
            delivery = self._record(ok=False, error=self._safe(f"{type(exc).__name__}: {exc}"))
        else:
            delivery = self._record(ok=True)
            if self._abandoned:
                return delivery
            logger.info(
                "alert %s sent by %s to %s (attempt %d)",
                self.alert.dedup_key,
                self.channel.name,
                self.channel.target,
                self.attempts,
            )
            return delivery
        if not self._abandoned:
            self._log_failure(delivery)
        return delivery

    def _attempt(self) -> None:
        left = self.deadline - time.monotonic()
        self.attempts += 1
        try:
            self.channel.send(self.alert, timeout_s=max(MIN_ATTEMPT_S, min(self.channel.timeout_s, left)))
        except SendError as exc:
            self.last_error = self._safe(str(exc))
            raise

    def _failure_text(self, exc: SendError) -> str:
        text = self._safe(str(exc))
        if exc.retryable and self.attempts < self.policy.max_attempts:
            return (
                f"{text} (gave up after {self.attempts} attempt(s): the {self.budget_s:g} s budget was spent)"
            )
        if exc.retryable:
            return f"{text} (gave up after {self.attempts} attempt(s))"
        return text

    def _record(self, *, ok: bool, error: str | None = None) -> Delivery:
        return Delivery(
            channel=self.channel.name,
            target=self.channel.target,
            ok=ok,
            attempts=self.attempts,
            error=error,
            elapsed_s=round(time.monotonic() - self.started, 3),
        )

    def _safe(self, text: str) -> str:
        return redact(text, self.channel.secrets())

    def _log_retry(self, state: RetryCallState) -> None:
        logger.info(
            "alert %s: %s to %s failed (attempt %d): %s; retrying in %.2f s",
            self.alert.dedup_key,
            self.channel.name,
            self.channel.target,
            state.attempt_number,
            self.last_error,
            state.upcoming_sleep,
        )

    def _log_failure(self, delivery: Delivery) -> None:
        logger.warning(
            "alert %s not delivered by %s to %s after %d attempt(s): %s",
            self.alert.dedup_key,
            delivery.channel,
            delivery.target,
            delivery.attempts,
            delivery.error,
        )
