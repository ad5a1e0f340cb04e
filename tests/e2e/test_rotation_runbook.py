"""The README's rotation runbook, step by step, against the faithful Secrets Manager emulation.

A Sinch Conversation sandbox applies the new secret and then answers 500 (the provider applied
the change, hookgate never heard): every attempt fails, the rotation stays in progress with the
pushed version AWSPENDING, and deliveries signed with it keep verifying. The operator then
either finishes it (``hookgate rotate REGISTRATION --resume``) or abandons it (``--cancel``),
after which the pushed version still verifies until a later rotation has finished.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from hookgate.cli import main
from hookgate.errors import HookgateError
from hookgate.local.audit import audit
from hookgate.local.stack import CACHE_SECONDS, PROPAGATION_SECONDS, LocalStack
from hookgate.secret_lifecycle import PUSHED_LABEL
from tests.e2e.conftest import ROOT

REGISTRATION = "sinch-demo"
APPLIED_THEN_500 = {
    "target": "api",
    "kind": "status",
    "status": 500,
    "after": True,
    "methods": ["PATCH"],
    "count": 50,
}


@pytest.fixture
def sinch_stack(tmp_path: Path, secret_values: set[str]) -> Iterator[LocalStack]:
    declared = yaml.safe_load((ROOT / "hookgate.yaml").read_text(encoding="utf-8"))
    sinch = next(r for r in declared["registrations"] if r["name"] == REGISTRATION)
    path = tmp_path / "hookgate.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "registrations": [sinch]}), encoding="utf-8")
    with LocalStack(ROOT, path) as stack:
        yield stack
        secret_values.update(stack.secret_values())


def _stages(stack: LocalStack) -> dict[str, list[str]]:
    sm = stack.account.client("secretsmanager")
    secret_id = stack.config.get(REGISTRATION).secret_id
    return {
        v["VersionId"]: v["VersionStages"]
        for v in sm.list_secret_version_ids(SecretId=secret_id)["Versions"]
    }


def _verified_with(stack: LocalStack) -> set[str]:
    sandbox = stack.sandboxes["sinch_conversation"]
    mark = len(sandbox.deliveries())
    stack.deliver("sinch_conversation", count=2)
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


def _stuck_rotation(stack: LocalStack) -> str:
    sandbox_url = stack.sandboxes["sinch_conversation"].url
    httpx.post(f"{sandbox_url}/_sandbox/faults", json=APPLIED_THEN_500).raise_for_status()
    with pytest.raises(HookgateError, match="did not finish"):
        stack.rotate(REGISTRATION)
    httpx.delete(f"{sandbox_url}/_sandbox/faults").raise_for_status()
    pending = next(v for v, labels in _stages(stack).items() if "AWSPENDING" in labels)
    assert f"{PUSHED_LABEL}{pending}" in _stages(stack)[pending]
    assert _verified_with(stack) == {"pending"}, "the provider signs with the pushed version"
    return pending


def _cli(stack: LocalStack, *flags: str) -> int:
    return main(
        [
            "rotate",
            REGISTRATION,
            "--config",
            str(stack.effective_config),
            "--base-url",
            stack.webhook_base_url,
            "--wait",
            str(PROPAGATION_SECONDS),
            *flags,
        ]
    )


def test_a_stuck_rotation_is_finished_with_resume(
    sinch_stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = sinch_stack
    pending = _stuck_rotation(stack)
    assert _cli(stack) == 1  # a new rotation is refused while this one is in progress
    assert "--resume" in capsys.readouterr().err
    assert _cli(stack, "--resume") == 0
    assert f"version {pending} is now current" in capsys.readouterr().out
    assert "AWSCURRENT" in _stages(stack)[pending]
    time.sleep(CACHE_SECONDS * 1.5)
    assert _verified_with(stack) == {"current"}


def test_a_cancelled_rotation_keeps_the_pushed_version_verifying(
    sinch_stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = sinch_stack
    pending = _stuck_rotation(stack)
    assert _cli(stack, "--cancel") == 0
    assert f"version {pending} is no longer pending" in capsys.readouterr().out
    assert "AWSPENDING" not in _stages(stack)[pending]
    time.sleep(CACHE_SECONDS * 1.5)
    assert _verified_with(stack) == {"previous"}, "still accepted: the provider may hold it"
    new = stack.rotate(REGISTRATION)  # the next rotation goes through
    assert "AWSCURRENT" in _stages(stack)[new]
    time.sleep(CACHE_SECONDS * 1.5)
    assert _verified_with(stack) == {"current"}
