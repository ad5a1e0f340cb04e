"""A provider that fails during setSecret: the rotation fails, nothing breaks, it is finished.

Against the Sinch Conversation sandbox: every API call answers 500, or hangs past the client's
timeout. Secrets Manager's attempts fail; AWSCURRENT stays the same version and deliveries keep
verifying with it. As on AWS, the next RotateSecret is refused while that rotation is in
progress, and Secrets Manager reattempts it with its own token: once the provider recovers, that
reattempt completes.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hookgate.errors import HookgateError
from hookgate_dev.local.stack import LocalStack
from tests.e2e.conftest import secret_stages, sinch_verified_with, wait_until

REGISTRATION = "sinch-demo"


def _stages(stack: LocalStack) -> dict[str, list[str]]:
    return secret_stages(stack, REGISTRATION)


def _current(stack: LocalStack) -> str:
    return next(v for v, labels in _stages(stack).items() if "AWSCURRENT" in labels)


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 500},
        {"kind": "timeout", "delay": 300},  # hangs until cleared
    ],
    ids=["500", "timeout"],
)
def test_provider_failure_in_set_secret_keeps_current_and_a_retry_completes(
    sinch_stack: LocalStack, fault: dict[str, Any]
) -> None:
    stack = sinch_stack
    sandbox_url = stack.sandboxes["sinch_conversation"].url
    before = _current(stack)
    assert sinch_verified_with(stack, 3) == {"current"}

    httpx.post(
        f"{sandbox_url}/_sandbox/faults", json={"target": "api", "count": 50, **fault}
    ).raise_for_status()
    with pytest.raises(HookgateError, match="did not finish"):
        stack.rotate(REGISTRATION)
    assert _current(stack) == before, "a failed setSecret must leave AWSCURRENT in force"
    stuck = next(v for v, labels in _stages(stack).items() if "AWSPENDING" in labels)
    httpx.delete(f"{sandbox_url}/_sandbox/faults").raise_for_status()
    assert sinch_verified_with(stack, 3) <= {"current", "pending"}

    with pytest.raises(HookgateError, match="previous rotation isn't complete"):
        stack.rotate(REGISTRATION)
    run = stack.rotations.run_for(stuck)
    assert run is not None and run.done.wait(60) and run.finished
    stages = _stages(stack)
    assert "AWSCURRENT" in stages[stuck]
    assert "AWSPREVIOUS" in stages[before]
    assert not [v for v, labels in stages.items() if "AWSPENDING" in labels], "stranded pending"
    # Deliveries verify throughout; once the receivers' cache (1 s locally) has learnt the
    # new version, they verify with AWSCURRENT.
    wait_until(lambda: sinch_verified_with(stack, 3) == {"current"}, "verified with current")
