from __future__ import annotations

import time

import pytest

from hippique_assets.net.rate_limit import HostRateLimiter


@pytest.mark.parametrize(
    ("per_second", "interval_s"), [(5, 0.2), (0.5, 2.0), (1, 1.0), (2000, 0.001), (0, 0.0)]
)
def test_interval_between_requests(per_second: float, interval_s: float) -> None:
    assert HostRateLimiter(per_second).interval_s == interval_s


def test_negative_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="-2"):
        HostRateLimiter(-2)


def test_second_request_to_a_host_waits_one_interval() -> None:
    limiter = HostRateLimiter(10)
    try:
        # Measured from before the first request: a thread resumed late after one acquisition (a busy
        # machine) shortens the gap it sees to the next, never the time since the first began.
        began = time.monotonic()
        stamps = []
        for _ in range(3):
            limiter.acquire("pmu.example")
            stamps.append(time.monotonic() - began)
    finally:
        limiter.close()
    assert stamps[1] >= 0.099
    assert stamps[2] >= 0.198
