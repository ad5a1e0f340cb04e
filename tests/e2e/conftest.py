"""The local stack for end-to-end tests, with the process state it changes put back after."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from hookgate import runtime
from hookgate.local.audit import DeliveryAudit, audit
from hookgate.local.stack import LocalStack
from hookgate.sandbox.core import Delivery

ROOT = Path(__file__).resolve().parents[2]
BOUND_SECONDS = 60.0
"""How long a test waits for a condition before it fails: a bound, never a figure to meet."""


def wait_until(condition: Callable[[], bool], what: str, bound: float = BOUND_SECONDS) -> None:
    """Return as soon as ``condition()`` holds; fail naming ``what`` if it never does."""
    deadline = time.monotonic() + bound
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {bound:g} s"
        time.sleep(0.1)


def settle(
    stack: LocalStack, deliveries: Sequence[Delivery], bound: float = BOUND_SECONDS
) -> tuple[list[dict[str, Any]], DeliveryAudit]:
    """Collect bus events until every delivery's events arrived (or ``bound`` passed).

    Returns the events and their audit; a last wait for stragglers lets a late duplicate show.
    """
    events: list[dict[str, Any]] = []

    def arrived() -> bool:
        events.extend(stack.events())
        return not audit(deliveries, events, stack.config, stack.host).missing

    deadline = time.monotonic() + bound
    while not arrived() and time.monotonic() < deadline:
        time.sleep(0.1)
    events.extend(stack.account.drain_events(wait_seconds=1))
    return events, audit(deliveries, events, stack.config, stack.host)


@pytest.fixture(autouse=True)
def isolated_process_state() -> Iterator[None]:
    """The local stack configures this process; put its environment and caches back after."""
    saved = dict(os.environ)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "HOOKGATE_CONFIG", "POWERTOOLS_LOG_LEVEL"):
        os.environ.pop(name, None)
    runtime.reset()
    yield
    os.environ.clear()
    os.environ.update(saved)
    runtime.reset()


@pytest.fixture
def stack(secret_values: set[str]) -> Iterator[LocalStack]:
    """The README's local stack on the repository's hookgate.yaml; its secrets are scanned for."""
    with LocalStack(ROOT, ROOT / "hookgate.yaml") as running:
        yield running
        secret_values.update(running.secret_values())
