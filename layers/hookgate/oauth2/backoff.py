"""Backing off repeated failed client authentications, per client id and source address.

Only a failure is ever answered with a lock: the token endpoint checks the credentials first,
so a client presenting its correct secret gets its token whatever anyone else did, even from
behind the same address. What this adds is a 429 with ``Retry-After`` that tells a caller
who keeps failing to stop; guessing a generated secret (288 bits) is hopeless anyway, and the
volume of requests is held by API Gateway's route throttle and the function's concurrency cap.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

Caller = tuple[str, str]  # (client id, source address)


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0
    last: float = 0.0


@dataclass
class FailureBackoff:
    """Counts failed authentications per (client id, source address); locks the repeaters.

    After ``threshold`` failures a caller is locked for ``base_lock`` seconds, doubling with each
    further failure up to ``max_lock``. A success forgets the caller; so does ``max_lock``
    without a failure. At most ``max_entries`` callers are remembered (the one that failed
    least recently is forgotten first), so an attacker rotating addresses or client ids cannot
    grow it. Per container: each container backs off on its own.
    """

    threshold: int = 5
    base_lock: float = 10.0
    max_lock: float = 900.0
    max_entries: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _callers: OrderedDict[Caller, _Failures] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __len__(self) -> int:
        """Return how many callers are remembered."""
        with self._lock:
            return len(self._callers)

    def _current(self, caller: Caller, now: float) -> _Failures | None:
        failures = self._callers.get(caller)
        if failures is not None and now - failures.last >= self.max_lock:
            del self._callers[caller]
            return None
        return failures

    def retry_after(self, caller: Caller) -> int:
        """Return the whole seconds ``caller`` is still locked for (0 when it is not)."""
        with self._lock:
            now = self.clock()
            failures = self._current(caller, now)
            if failures is None:
                return 0
            return max(0, int(failures.locked_until - now + 0.999))

    def failed(self, caller: Caller) -> None:
        """Record a failed authentication of ``caller``."""
        with self._lock:
            now = self.clock()
            failures = self._current(caller, now) or _Failures()
            failures.count += 1
            failures.last = now
            if failures.count >= self.threshold:
                doubling = min(failures.count - self.threshold, 32)
                failures.locked_until = now + min(self.max_lock, self.base_lock * 2**doubling)
            self._callers[caller] = failures
            self._callers.move_to_end(caller)
            while len(self._callers) > self.max_entries:
                del self._callers[next(iter(self._callers))]  # the least recent failure

    def succeeded(self, caller: Caller) -> None:
        """Forget the failures of ``caller``."""
        with self._lock:
            self._callers.pop(caller, None)
