"""The sync Lambda: plans or applies, publishes drift to the bus, answers with the report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from hookgate import runtime
from hookgate_dev.providers.hookgate_sinch_conversation.sandbox import build_sandbox
from hookgate_dev.sandbox.server import BackgroundServer

from .conftest import LambdaContext, create_bus_with_queue, load_function, write_config

BASE = "https://abc.execute-api.eu-west-1.amazonaws.com/webhooks"


@pytest.fixture
def setup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, secret_values: set[str]
) -> Iterator[tuple[Any, Any, str]]:
    secret_values.update({"sync-fn-key-secret", "sync-fn-webhook-secret"})
    for key, value in {
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "HOOKGATE_WEBHOOK_BASE_URL": BASE,
        "HOOKGATE_EVENT_BUS": "hookgate-test-bus",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    sandbox = build_sandbox(key_id="sync-fn-key", key_secret="sync-fn-key-secret")
    with mock_aws(), BackgroundServer(sandbox.app) as server:
        runtime.reset()
        sm = boto3.client("secretsmanager", region_name="eu-west-1")
        sm.create_secret(
            Name="hookgate/s", SecretString=json.dumps({"webhook_secret": "sync-fn-webhook-secret"})
        )
        sm.create_secret(
            Name="hookgate/s-api",
            SecretString=json.dumps({"key_id": "sync-fn-key", "key_secret": "sync-fn-key-secret"}),
        )
        path = write_config(
            tmp_path,
            [
                {
                    "name": "s",
                    "provider": "sinch_conversation",
                    "secret": "hookgate/s",
                    "api_secret": "hookgate/s-api",
                    "events": ["MESSAGE_INBOUND"],
                    "settings": {
                        "project_id": "p",
                        "app_id": "a",
                        "api_base_url": server.url,
                        "auth_url": server.url,
                    },
                }
            ],
        )
        monkeypatch.setenv("HOOKGATE_CONFIG", str(path))
        sqs, queue_url = create_bus_with_queue()
        yield load_function("sync"), sqs, queue_url
        runtime.reset()


def test_scheduled_plan_reports_drift_then_an_apply_repairs_it(setup: tuple[Any, Any, str]) -> None:
    app, sqs, queue_url = setup
    plan = app.lambda_handler(
        {"source": "aws.events", "detail-type": "Scheduled Event"} | {"apply": False},
        LambdaContext(),
    )
    assert plan["exit_code"] == 2 and plan["summary"] == {"create": 1}
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    drift = [json.loads(m["Body"]) for m in messages]
    assert [(d["source"], d["detail-type"], d["detail"]["action"]) for d in drift] == [
        ("hookgate.sync", "registration.drift", "create")
    ]
    assert "sync-fn-webhook-secret" not in json.dumps(drift)
    applied = app.lambda_handler({"apply": True}, LambdaContext())
    assert applied["exit_code"] == 0 and applied["results"][0]["changes"][0]["applied"] is True
    again = app.lambda_handler({"apply": False, "registrations": ["s"]}, LambdaContext())
    assert again["exit_code"] == 0 and again["summary"] == {"unchanged": 1}
