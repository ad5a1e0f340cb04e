"""``hookgate doctor`` against the local stack: clean, then a stuck rotation it reports and whose
printed command resolves it, then a secret missing a key.
"""

from __future__ import annotations

import json
import shlex

import httpx
import pytest

from hookgate.errors import HookgateError
from hookgate_dev.cli import main
from hookgate_dev.local.stack import LocalStack
from tests.e2e.conftest import SINCH, secret_stages

APPLIED_THEN_500 = {
    "target": "api",
    "kind": "status",
    "status": 500,
    "after": True,
    "methods": ["PATCH"],
    "count": 50,
}


def _doctor(stack: LocalStack, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(
        [
            "doctor",
            "--config",
            str(stack.effective_config),
            "--base-url",
            stack.webhook_base_url,
            *flags,
        ]
    )
    return code, capsys.readouterr().out


def test_doctor_reports_a_stuck_rotation_and_its_fix_resolves_it(
    sinch_stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = sinch_stack
    code, report = _doctor(stack, capsys)
    assert code == 0, report
    assert f"ok      {SINCH}: the provider holds the declared webhook" in report
    assert "0 problem(s)" in report

    sandbox = stack.sandboxes["sinch_conversation"].url
    httpx.post(f"{sandbox}/_sandbox/faults", json=APPLIED_THEN_500).raise_for_status()
    with pytest.raises(HookgateError, match="did not finish"):
        stack.rotate(SINCH)
    httpx.delete(f"{sandbox}/_sandbox/faults").raise_for_status()
    code, report = _doctor(stack, capsys)
    assert code == 1
    assert "PROBLEM sinch-demo: a rotation is in progress" in report
    fix = next(line for line in report.splitlines() if "fix: hookgate rotate" in line)
    command = shlex.split(fix.split("fix: ", 1)[1].split("   (")[0])
    assert main(command[1:]) == 0
    assert not any("AWSPENDING" in labels for labels in secret_stages(stack, SINCH).values())

    code, report = _doctor(stack, capsys, "--json")
    assert code == 0
    findings = json.loads(report)["findings"]
    assert any("replaced version" in f["message"] for f in findings)
    for secret in stack.secret_values():
        assert secret not in report


def test_doctor_reports_a_secret_missing_a_key(
    sinch_stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = sinch_stack
    secret_id = stack.config.get(SINCH).secret_id
    stack.account.client("secretsmanager").put_secret_value(
        SecretId=secret_id, SecretString=json.dumps({"other": "x"})
    )
    code, report = _doctor(stack, capsys)
    assert code == 1
    assert f"PROBLEM {SINCH}: secret {secret_id} lacks webhook_secret" in report
