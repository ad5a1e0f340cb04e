"""The local stack for end-to-end tests, with the process state it changes put back after."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from hookgate import runtime
from hookgate_dev.local.audit import DeliveryAudit, audit
from hookgate_dev.local.stack import LocalStack
from hookgate_dev.sandbox.core import Delivery

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


SINCH = "sinch-demo"
SINCH_API_TIMEOUT_SECONDS = 2.0


@pytest.fixture
def sinch_stack(tmp_path: Path, secret_values: set[str]) -> Iterator[LocalStack]:
    """A stack with hookgate.yaml's Sinch Conversation registration only.

    Its API calls time out after 2 s: far above what an answering sandbox takes on a loaded
    machine; a hang fault lasts until the test clears the faults.
    """
    declared = yaml.safe_load((ROOT / "hookgate.yaml").read_text(encoding="utf-8"))
    sinch = next(r for r in declared["registrations"] if r["name"] == SINCH)
    sinch["settings"]["api_timeout_seconds"] = SINCH_API_TIMEOUT_SECONDS
    path = tmp_path / "hookgate.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "registrations": [sinch]}), encoding="utf-8")
    with LocalStack(ROOT, path) as stack:
        yield stack
        secret_values.update(stack.secret_values())


def secret_stages(stack: LocalStack, registration: str) -> dict[str, list[str]]:
    """Return each version of ``registration``'s secret with its staging labels."""
    sm = stack.account.client("secretsmanager")
    secret_id = stack.config.get(registration).secret_id
    versions = sm.list_secret_version_ids(SecretId=secret_id)["Versions"]
    return {v["VersionId"]: sorted(v.get("VersionStages", [])) for v in versions}


def sinch_verified_with(stack: LocalStack, count: int = 2) -> set[str]:
    """Have the Sinch sandbox deliver ``count`` webhooks; return the versions that verified them.

    Every delivery must reach the bus exactly once, none refused.
    """
    sandbox = stack.sandboxes["sinch_conversation"]
    mark = len(sandbox.deliveries())
    stack.deliver("sinch_conversation", count=count)
    report = settle(stack, sandbox.deliveries(mark))[1]
    assert report.clean, (report.summary(), report.rejections)
    return set(report.verified_with)
