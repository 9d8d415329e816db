"""Failed attempts at a credential: at most LIMIT in any WINDOW seconds, even across a window's boundary."""
from __future__ import annotations

import pytest

from accounts import throttle


@pytest.fixture
def clock(monkeypatch):
    now = [1_000_000 * throttle.WINDOW + throttle.WINDOW - 5.0]  # five seconds before a window ends

    monkeypatch.setattr(throttle.time, "time", lambda: now[0])
    return now


def test_failures_either_side_of_a_window_boundary_are_counted_together(clock):
    for _ in range(6):
        throttle.failed("signin", "10.0.0.1")
    clock[0] += 10  # into the next window
    for _ in range(4):
        assert throttle.retry_after("signin", "10.0.0.1") is None
        throttle.failed("signin", "10.0.0.1")
    # Ten failures in ten seconds: the eleventh attempt waits until the window holding six of them is past.
    assert throttle.retry_after("signin", "10.0.0.1") == throttle.WINDOW - 5


def test_a_window_full_on_its_own_keeps_the_door_shut_through_the_next(clock):
    for _ in range(throttle.LIMIT):
        throttle.failed("signin", "alice")
    assert throttle.retry_after("signin", "alice") == 5 + throttle.WINDOW
    clock[0] += 5 + throttle.WINDOW
    assert throttle.retry_after("signin", "alice") is None
    assert throttle.retry_after("signin", "bob") is None
