"""The example plugin of docs/plugins.md works as the guide says, installed for real.

``examples/hookgate-example`` is installed with pip into a temporary directory, as
``test_third_party_plugin.py`` installs hookgate-acme, and every check runs in a fresh
interpreter with that directory on PYTHONPATH (this process never imports the example). The
checks: its entry point is discovered and its samples verify and parse (the third-party
driver), its own contract tests pass, and a signed delivery through the real receiver Lambda
handler (on moto) lands on the bus once.

Run as ``python -m tests.integration.test_plugin_guide_example`` (from the repository root,
with the example importable), this module is the receiver check's subprocess: see
:func:`receiver_report`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration import test_third_party_plugin as third_party

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hookgate-example"
PROVIDER = "example"
REGISTRATION = "example-demo"


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the example distribution (no dependencies, no index) into a fresh directory."""
    target = tmp_path_factory.mktemp("example-site")
    subprocess.run(  # noqa: S603 - our own interpreter and paths
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--no-deps", "--no-build-isolation", "--no-index", "--target", str(target),
            str(EXAMPLE),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    return target


def _run(
    site: Path, args: list[str], *, cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, *args],
        input=stdin,
        cwd=cwd,
        env=third_party._env(site),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_entry_point_is_installed_and_discovered(example_site: Path) -> None:
    entry_points = next(example_site.glob("hookgate_example-*.dist-info/entry_points.txt"))
    assert "[hookgate]\nexample = hookgate_example.plugin" in entry_points.read_text()

    done = _run(
        example_site,
        [str(third_party.DRIVER)],
        cwd=ROOT,
        stdin=json.dumps({"settings": {PROVIDER: {}}}),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout)
    assert PROVIDER in report["providers"]
    assert PROVIDER not in report["failures"]
    exercised = report["exercised"][PROVIDER]
    assert exercised["plugin_module"] == "hookgate_example.plugin"
    assert set(exercised["samples"]) == {"delivered", "inbound", "something_new"}
    for name, outcome in exercised["samples"].items():
        assert outcome["verified"] and outcome["stage"] == "AWSCURRENT", name
        assert outcome["forgery_refused"], name
        assert outcome["types"] == outcome["expected"], name


def test_its_contract_tests_pass_in_its_own_project(example_site: Path, tmp_path: Path) -> None:
    project = tmp_path / "example-tests"
    shutil.copytree(EXAMPLE / "tests", project)
    done = _run(
        example_site,
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", "."],
        cwd=project,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    # Only the timestamp-window check skips: Example Co's signature covers no time.
    summary = re.search(r"(\d+) passed, 1 skipped in", done.stdout)
    assert summary is not None and int(summary.group(1)) >= 17, done.stdout[-500:]


def test_a_signed_delivery_through_the_receiver_is_published_once(example_site: Path) -> None:
    done = _run(example_site, ["-m", "tests.integration.test_plugin_guide_example"], cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["answers"] == {
        "signed": [200, {"accepted": 1, "duplicates": 0}],
        "retried": [200, {"accepted": 0, "duplicates": 1}],
        "forged": [401, {"message": "unauthorized"}],
    }
    [event] = report["bus"]
    assert event["source"] == "hookgate.example"
    assert event["detail-type"] == "message.delivered"
    detail = event["detail"]
    assert (detail["provider"], detail["registration"]) == (PROVIDER, REGISTRATION)
    assert detail["dedupe_key"] == "evt_1"
    assert detail["message_id"] == "msg_1"
    assert detail["occurred_at"].startswith("2026-11-23T")
    assert detail["verified_with"] == "current"


def receiver_report() -> dict[str, Any]:
    """Deliver the example's ``delivered`` sample to the receiver handler on moto; report.

    Runs in the subprocess started above, where the example is installed: a signed delivery,
    the provider's retry of it, and a forgery; then what reached the bus.
    """
    import importlib
    import os
    import tempfile
    from datetime import UTC, datetime

    import boto3
    from moto import mock_aws

    from hookgate import runtime
    from hookgate.apigw import webhook_event
    from tests.integration.conftest import (
        BUS,
        REGION,
        TABLE,
        Account,
        LambdaContext,
        create_bus_with_queue,
        load_function,
        write_config,
    )

    # Imported by name: it is installed only in the subprocess, never here or for mypy.
    samples: Any = importlib.import_module("hookgate_example.samples")
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(key, None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "HOOKGATE_EVENT_BUS": BUS,
            "HOOKGATE_TABLE": TABLE,
            "POWERTOOLS_LOG_LEVEL": "ERROR",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
    )
    with mock_aws(), tempfile.TemporaryDirectory() as workdir:
        sqs, queue_url = create_bus_with_queue()
        boto3.client("dynamodb", region_name=REGION).create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name="hookgate/example-demo", SecretString=json.dumps(dict(samples.TEST_SECRET))
        )
        config = write_config(
            Path(workdir),
            [{"name": REGISTRATION, "provider": PROVIDER, "secret": "hookgate/example-demo"}],
        )
        os.environ["HOOKGATE_CONFIG"] = str(config)
        runtime.reset()
        receiver = load_function("receiver")

        def deliver(secret: dict[str, str]) -> list[Any]:
            body = samples.SAMPLE_PAYLOADS["delivered"]
            signature = samples.signed_headers(body, secret, datetime.now(UTC))
            headers = {"content-type": "application/json", **signature}
            response = receiver.lambda_handler(
                webhook_event(PROVIDER, REGISTRATION, body, headers), LambdaContext()
            )
            return [response["statusCode"], json.loads(response["body"])]

        good = dict(samples.TEST_SECRET)
        answers = {
            "signed": deliver(good),
            "retried": deliver(good),
            "forged": deliver({key: f"{value}-forged" for key, value in good.items()}),
        }
        bus = Account(sqs=sqs, queue_url=queue_url, secretsmanager=None, events=None).drain()
    return {"answers": answers, "bus": bus}


if __name__ == "__main__":
    print(json.dumps(receiver_report()))
