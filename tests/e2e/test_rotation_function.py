"""The rotation Lambda handler, called as Secrets Manager calls it: one step per invocation.

On the local stack (moto server + the sandboxes). Secrets Manager's own part of a rotation —
enabling rotation, labelling a new version id AWSPENDING before it has a value, then invoking
the function four times — needs Lambda, which moto runs only in Docker; the test plays that part
by showing the token as AWSPENDING in DescribeSecret, exactly as AWS does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from hookgate import aws
from hookgate.rotation import STEPS
from hookgate_dev.local.stack import LocalStack
from tests.e2e.conftest import settle, wait_until
from tests.integration.conftest import LambdaContext, load_function

REGISTRATION = "360dialog-demo"


class SecretsManagerRotation:
    """Secrets Manager's side of a rotation, for the secrets this test starts rotating."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}

    def start(self, secret_name: str) -> str:
        """Enable rotation on ``secret_name`` and return the new version id (the token)."""
        self.tokens[secret_name] = token = str(uuid.uuid4())
        return token

    def describe(self, parsed: dict[str, Any], **_: Any) -> None:
        """Show what DescribeSecret shows during a rotation AWS started."""
        token = self.tokens.get(str(parsed.get("Name")))
        if token is not None:
            parsed["RotationEnabled"] = True
            parsed.setdefault("VersionIdsToStages", {}).setdefault(token, ["AWSPENDING"])


@pytest.fixture
def rotation(stack: LocalStack) -> Iterator[SecretsManagerRotation]:
    """Secrets Manager's bookkeeping, hooked into the client the handler uses."""
    sm_side = SecretsManagerRotation()
    events = aws.client("secretsmanager").meta.events
    events.register("after-call.secrets-manager.DescribeSecret", sm_side.describe)
    yield sm_side
    events.unregister("after-call.secrets-manager.DescribeSecret", sm_side.describe)


def _invoke(handler: Any, secret_id: str, token: str, step: str) -> None:
    event = {"SecretId": secret_id, "ClientRequestToken": token, "Step": step}
    handler.lambda_handler(event, LambdaContext(function_name="hookgate-rotation"))


def _metrics(text: str) -> list[str]:
    names = []
    for line in text.splitlines():
        if '"_aws"' in line:
            document = json.loads(line)
            names += [
                m["Name"] for d in document["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
            ]
    return names


def test_four_invocations_rotate_and_the_provider_gets_the_new_secret(
    stack: LocalStack,
    rotation: SecretsManagerRotation,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "hookgate")
    handler = load_function("rotation")
    secret_id = stack.config.get(REGISTRATION).secret_id
    sm = stack.account.client("secretsmanager")
    before = sm.get_secret_value(SecretId=secret_id)["VersionId"]
    token = rotation.start(secret_id)

    for step in STEPS:  # each step twice, as a retrying Secrets Manager may: harmless
        _invoke(handler, secret_id, token, step)
        _invoke(handler, secret_id, token, step)
    labels = {
        v["VersionId"]: v["VersionStages"]
        for v in sm.list_secret_version_ids(SecretId=secret_id)["Versions"]
    }
    assert "AWSCURRENT" in labels[token] and "AWSPREVIOUS" in labels[before]
    assert not any("AWSPENDING" in stages for stages in labels.values())
    assert _metrics(capsys.readouterr().out).count("RotationStepSucceeded") == 8

    sandbox = stack.sandboxes["360dialog"]

    def verified_with() -> set[str]:
        mark = len(sandbox.deliveries())
        stack.deliver("360dialog", count=2)
        report = settle(stack, sandbox.deliveries(mark))[1]
        assert report.clean, report.summary()
        return set(report.verified_with)

    # Deliveries verify throughout; once the receiver's cache (1 s locally) has seen the new
    # version, they verify with AWSCURRENT.
    wait_until(lambda: verified_with() == {"current"}, "verified with the new current version")


def test_a_refused_step_raises_and_counts_as_failed(
    stack: LocalStack,
    rotation: SecretsManagerRotation,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "hookgate")
    handler = load_function("rotation")
    secret_id = stack.config.get(REGISTRATION).secret_id
    stack.account.client("secretsmanager").create_secret(
        Name="hookgate/unrotated", SecretString="{}"
    )
    with pytest.raises(Exception, match="rotation is not enabled"):
        _invoke(handler, "hookgate/unrotated", str(uuid.uuid4()), "createSecret")
    rotation.start(secret_id)
    with pytest.raises(Exception, match="no stage for rotation"):
        _invoke(handler, secret_id, "not-a-version", "createSecret")
    assert _metrics(capsys.readouterr().out).count("RotationStepFailed") == 2
