from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hippique_assets.net.backoff import RetryPolicy, parse_retry_after

NOW = datetime(2026, 3, 23, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        ("Mon, 23 Mar 2026 12:00:30 GMT", 30.0),
        ("Mon, 23 Mar 2026 11:59:00 GMT", 0.0),  # a date in the past: retry now
        ("-5", 0.0),
    ],
)
def test_parse_retry_after(header: str, seconds: float) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize("header", [None, "", "soon", "nan", "inf"])
def test_unreadable_retry_after_is_none(header: str | None) -> None:
    assert parse_retry_after(header, now=NOW) is None


def test_default_policy_matches_the_documented_manners() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.backoff_initial_s, policy.backoff_max_s, policy.jitter_s) == (
        5,
        1.0,
        60.0,
        1.0,
    )
    assert policy.retry_statuses == {420, 429, 500, 502, 503, 504}


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_attempts", 0), ("backoff_initial_s", -1.0), ("backoff_max_s", float("inf")), ("jitter_s", -0.1)],
)
def test_policy_rejects_bad_values(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        RetryPolicy(**{field: value})
