"""The README's rotation runbook, step by step, against the faithful Secrets Manager emulation.

A Sinch Conversation sandbox applies the new secret and then answers 500 (the provider applied
the change, hookgate never heard): every attempt fails, the rotation stays in progress with the
pushed version AWSPENDING, and deliveries signed with it keep verifying. The operator then
either finishes it (``hookgate rotate REGISTRATION --resume``) or abandons it (``--cancel``),
after which the pushed version still verifies until a later rotation has finished.
"""

from __future__ import annotations

import httpx
import pytest

from hookgate.errors import HookgateError
from hookgate.secret_lifecycle import PUSHED_LABEL
from hookgate_dev.cli import main
from hookgate_dev.local.stack import PROPAGATION_SECONDS, LocalStack
from tests.e2e.conftest import secret_stages, sinch_verified_with, wait_until

REGISTRATION = "sinch-demo"
APPLIED_THEN_500 = {
    "target": "api",
    "kind": "status",
    "status": 500,
    "after": True,
    "methods": ["PATCH"],
    "count": 50,
}


def _stages(stack: LocalStack) -> dict[str, list[str]]:
    return secret_stages(stack, REGISTRATION)


def _stuck_rotation(stack: LocalStack) -> str:
    sandbox_url = stack.sandboxes["sinch_conversation"].url
    httpx.post(f"{sandbox_url}/_sandbox/faults", json=APPLIED_THEN_500).raise_for_status()
    with pytest.raises(HookgateError, match="did not finish"):
        stack.rotate(REGISTRATION)
    httpx.delete(f"{sandbox_url}/_sandbox/faults").raise_for_status()
    pending = next(v for v, labels in _stages(stack).items() if "AWSPENDING" in labels)
    assert [x for x in _stages(stack)[pending] if x.startswith(PUSHED_LABEL)]
    assert sinch_verified_with(stack) == {"pending"}, "the provider signs with the pushed version"
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
    wait_until(lambda: sinch_verified_with(stack) == {"current"}, "verified with the new current")


def test_a_cancelled_rotation_keeps_the_pushed_version_verifying(
    sinch_stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = sinch_stack
    pending = _stuck_rotation(stack)
    assert _cli(stack, "--cancel") == 0
    assert f"version {pending} is no longer pending" in capsys.readouterr().out
    assert "AWSPENDING" not in _stages(stack)[pending]
    # Still accepted (the provider may hold it), once receivers see it is no longer pending.
    wait_until(lambda: sinch_verified_with(stack) == {"previous"}, "verified as previous")
    new = stack.rotate(REGISTRATION)  # the next rotation goes through
    assert "AWSCURRENT" in _stages(stack)[new]
    wait_until(lambda: sinch_verified_with(stack) == {"current"}, "verified with the new current")
