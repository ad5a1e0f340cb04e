"""The token endpoint's failure backoff on an injected clock: thresholds, windows and bounds.

Each window is pinned at both edges (the last moment still locked, the first moment free) so a
one-character change of a bound, a rounding constant or a comparison fails here.
"""

from __future__ import annotations

from hookgate.oauth2.backoff import FailureBackoff

CALLER = ("client", "198.51.100.7")


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _fail(backoff: FailureBackoff, times: int, caller: tuple[str, str] = CALLER) -> None:
    for _ in range(times):
        backoff.failed(caller)


def test_the_defaults_lock_after_five_failures_for_ten_seconds_doubling_to_fifteen_minutes() -> (
    None
):
    clock = Clock()
    backoff = FailureBackoff(clock=clock)
    waits = []
    for _ in range(14):
        backoff.failed(CALLER)
        waits.append(backoff.retry_after(CALLER))
    assert waits == [0, 0, 0, 0, 10, 20, 40, 80, 160, 320, 640, 900, 900, 900]


def test_the_defaults_remember_at_most_ten_thousand_callers() -> None:
    backoff = FailureBackoff(clock=Clock())
    for n in range(10_001):
        backoff.failed((f"client-{n}", "192.0.2.1"))
    assert len(backoff) == 10_000


def test_retry_after_rounds_up_and_ends_exactly_when_the_lock_does() -> None:
    clock = Clock(100.0)
    backoff = FailureBackoff(threshold=1, base_lock=10, max_lock=60, clock=clock)
    backoff.failed(CALLER)  # locked until 110
    assert backoff.retry_after(CALLER) == 10
    clock.now = 100.5
    assert backoff.retry_after(CALLER) == 10  # 9.5 s left: rounded up
    clock.now = 109.0
    assert backoff.retry_after(CALLER) == 1
    clock.now = 109.5
    assert backoff.retry_after(CALLER) == 1
    clock.now = 110.0
    assert backoff.retry_after(CALLER) == 0
    clock.now = 125.0
    assert backoff.retry_after(CALLER) == 0  # lock over, failures still remembered


def test_a_caller_below_the_threshold_is_never_locked() -> None:
    clock = Clock(50.0)
    backoff = FailureBackoff(threshold=3, clock=clock)
    _fail(backoff, 2)
    assert backoff.retry_after(CALLER) == 0
    assert backoff.retry_after(("unknown", "192.0.2.9")) == 0
    assert len(backoff) == 1


def test_the_first_lock_is_the_base_lock_then_each_failure_doubles_it_up_to_the_cap() -> None:
    clock = Clock(7.0)
    backoff = FailureBackoff(threshold=2, base_lock=3, max_lock=20, clock=clock)
    waits = []
    for _ in range(6):
        backoff.failed(CALLER)
        waits.append(backoff.retry_after(CALLER))
    assert waits == [0, 3, 6, 12, 20, 20]


def test_the_doubling_stops_after_thirty_two_doublings() -> None:
    # Without the stop, base_lock * 2**count overflows a float after about a thousand failures.
    backoff = FailureBackoff(threshold=1, base_lock=1, max_lock=1e300, clock=Clock())
    _fail(backoff, 33)
    assert backoff.retry_after(CALLER) == 2**32
    _fail(backoff, 2000)
    assert backoff.retry_after(CALLER) == 2**32


def test_a_caller_is_forgotten_exactly_max_lock_after_its_last_failure() -> None:
    clock = Clock()
    backoff = FailureBackoff(threshold=2, base_lock=5, max_lock=30, clock=clock)
    _fail(backoff, 2)
    clock.now = 29.5  # not yet forgotten: one more failure doubles the lock
    backoff.failed(CALLER)
    assert backoff.retry_after(CALLER) == 10
    clock.now = 59.5  # forgotten: the count starts again at one
    assert len(backoff) == 1
    backoff.failed(CALLER)
    assert backoff.retry_after(CALLER) == 0
    assert len(backoff) == 1
    clock.now += 30
    assert backoff.retry_after(CALLER) == 0
    assert len(backoff) == 0  # reading a forgotten caller drops it


def test_success_forgets_only_that_caller_and_an_unknown_one_is_fine() -> None:
    backoff = FailureBackoff(threshold=1, clock=Clock())
    other = ("client", "203.0.113.1")
    backoff.failed(CALLER)
    backoff.failed(other)
    backoff.succeeded(("never-seen", "192.0.2.1"))
    backoff.succeeded(CALLER)
    assert len(backoff) == 1
    assert backoff.retry_after(CALLER) == 0
    assert backoff.retry_after(other) == 10


def test_the_caller_that_failed_least_recently_is_forgotten_first() -> None:
    backoff = FailureBackoff(threshold=1, base_lock=10, max_lock=900, max_entries=3, clock=Clock())
    oldest, middle, newest = (("client", f"192.0.2.{n}") for n in range(3))
    for caller in (oldest, middle, newest):
        backoff.failed(caller)
    backoff.failed(oldest)  # now the most recent: middle is the least recent
    assert len(backoff) == 3
    backoff.failed(("client", "192.0.2.99"))
    assert len(backoff) == 3
    assert backoff.retry_after(middle) == 0  # forgotten
    assert backoff.retry_after(oldest) == 20
    assert backoff.retry_after(newest) == 10
