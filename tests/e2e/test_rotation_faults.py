"""A provider that fails during setSecret: the rotation fails, nothing breaks, it is finished.

Against the Sinch Conversation sandbox: every API call answers 500, or hangs past the client's
timeout. Secrets Manager's attempts fail; AWSCURRENT stays the same version and deliveries keep
verifying with it. As on AWS, the next RotateSecret is refused while that rotation is in
progress, and Secrets Manager reattempts it with its own token: once the provider recovers, that
reattempt completes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from hookgate.errors import HookgateError
from hookgate.local.audit import audit
from hookgate.local.stack import LocalStack
from tests.e2e.conftest import ROOT

REGISTRATION = "sinch-demo"


@pytest.fixture
def sinch_stack(tmp_path: Path, secret_values: set[str]) -> Iterator[LocalStack]:
    """A stack with one Sinch Conversation registration whose API calls time out after 0.5 s."""
    declared = yaml.safe_load((ROOT / "hookgate.yaml").read_text(encoding="utf-8"))
    sinch = next(r for r in declared["registrations"] if r["name"] == REGISTRATION)
    sinch["settings"]["api_timeout_seconds"] = 0.5
    path = tmp_path / "hookgate.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "registrations": [sinch]}), encoding="utf-8")
    with LocalStack(ROOT, path) as stack:
        yield stack
        secret_values.update(stack.secret_values())


def _stages(stack: LocalStack) -> dict[str, list[str]]:
    sm = stack.account.client("secretsmanager")
    secret_id = stack.config.get(REGISTRATION).secret_id
    versions = sm.list_secret_version_ids(SecretId=secret_id)["Versions"]
    return {v["VersionId"]: sorted(v.get("VersionStages", [])) for v in versions}


def _current(stack: LocalStack) -> str:
    return next(v for v, labels in _stages(stack).items() if "AWSCURRENT" in labels)


def _delivers_and_verifies(stack: LocalStack) -> set[str]:
    sandbox = stack.sandboxes["sinch_conversation"]
    mark = len(sandbox.deliveries())
    stack.deliver("sinch_conversation", count=3)
    deliveries = sandbox.deliveries(mark)
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while audit(deliveries, events, stack.config, stack.host).missing:
        assert time.monotonic() < deadline, "deliveries did not reach the bus"
        time.sleep(0.1)
        events += stack.events()
    report = audit(deliveries, events, stack.config, stack.host)
    assert report.clean, (report.summary(), report.rejections)
    return set(report.verified_with)


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 500},
        {"kind": "timeout", "delay": 1.5},
    ],
    ids=["500", "timeout"],
)
def test_provider_failure_in_set_secret_keeps_current_and_a_retry_completes(
    sinch_stack: LocalStack, fault: dict[str, Any]
) -> None:
    stack = sinch_stack
    sandbox_url = stack.sandboxes["sinch_conversation"].url
    before = _current(stack)
    assert _delivers_and_verifies(stack) == {"current"}

    httpx.post(
        f"{sandbox_url}/_sandbox/faults", json={"target": "api", "count": 50, **fault}
    ).raise_for_status()
    with pytest.raises(HookgateError, match="did not finish"):
        stack.rotate(REGISTRATION)
    assert _current(stack) == before, "a failed setSecret must leave AWSCURRENT in force"
    stuck = next(v for v, labels in _stages(stack).items() if "AWSPENDING" in labels)
    httpx.delete(f"{sandbox_url}/_sandbox/faults").raise_for_status()
    assert _delivers_and_verifies(stack) <= {"current", "pending"}

    with pytest.raises(HookgateError, match="previous rotation isn't complete"):
        stack.rotate(REGISTRATION)
    run = stack.rotations.run_for(stuck)
    assert run is not None and run.done.wait(60) and run.finished
    stages = _stages(stack)
    assert "AWSCURRENT" in stages[stuck]
    assert "AWSPREVIOUS" in stages[before]
    assert not [v for v, labels in stages.items() if "AWSPENDING" in labels], "stranded pending"
    time.sleep(1.5)  # the receivers' cache (1 s locally) learns the new current version
    assert _delivers_and_verifies(stack) == {"current"}
