"""A moto-backed AWS account with hookgate's resources, and the receiver handler wired to it."""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

from hookgate import runtime
from hookgate.config import load_config
from hookgate.plugins import get_plugin_host
from hookgate_dev.local.aws_dynamodb import atomic_writes
from hookgate_dev.local.aws_rotation import RotationService
from hookgate_dev.local.emulator import LocalAccount, provision, running_emulator
from hookgate_dev.local.front import build_front
from hookgate_dev.local.template import http_routes, load_template
from hookgate_dev.sandbox.server import BackgroundServer

ROOT = Path(__file__).resolve().parents[2]
REGION: Final = "eu-west-1"
BUS = "hookgate-test-bus"
TABLE = "hookgate-test-dedupe"
BUCKET = "hookgate-test-oversize"


@dataclass
class LambdaContext:
    """The attributes Powertools reads from a Lambda context."""

    function_name: str = "hookgate-receiver"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:hookgate-receiver"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    log_group_name: str = "/aws/lambda/hookgate-receiver"
    log_stream_name: str = "local"


def load_function(name: str) -> ModuleType:
    """Import functions/<name>/app.py as the Lambda runtime would, by file."""
    path = ROOT / "functions" / name / "app.py"
    spec = importlib.util.spec_from_file_location(f"hookgate_function_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def front_on_emulator(
    config_path: Path,
    environment: Mapping[str, str] | None = None,
    prepare: Callable[[LocalAccount], None] | None = None,
) -> Iterator[tuple[LocalAccount, str]]:
    """Run moto server with the template's resources and the local front; yield both.

    The process environment points the handlers at them (``environment`` added last) and is
    put back afterwards; ``prepare`` may change the account before the front starts.
    """
    saved = dict(os.environ)
    runtime.reset()
    try:
        template = load_template(ROOT / "template.yaml")
        host = get_plugin_host()
        with running_emulator() as endpoint:
            account = provision(template, load_config(config_path, host), host, endpoint)
            if prepare is not None:
                prepare(account)
            with BackgroundServer(build_front(http_routes(template), ROOT)) as server:
                os.environ.update(
                    account.environment(
                        template,
                        {
                            "HOOKGATE_CONFIG": str(config_path),
                            "HOOKGATE_WEBHOOK_BASE_URL": f"{server.url}/webhooks",
                            "POWERTOOLS_METRICS_DISABLED": "true",
                            "POWERTOOLS_TRACE_DISABLED": "true",
                            **(environment or {}),
                        },
                    )
                )
                yield account, server.url
    finally:
        os.environ.clear()
        os.environ.update(saved)
        runtime.reset()


def reset_caches() -> None:
    """Forget every per-process cache so each test builds its pipeline afresh."""
    runtime.reset()


@dataclass
class Account:
    """Handles on the emulated account."""

    sqs: Any
    queue_url: str
    secretsmanager: Any
    events: Any

    def drain(self) -> list[dict[str, Any]]:
        """Return every event the bus delivered to the test queue so far (and delete them)."""
        received: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not batch:
                return received
            for message in batch:
                received.append(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )


def create_bus_with_queue(region: str = REGION) -> tuple[Any, str]:
    """Create the bus, a catch-all rule and an SQS queue subscribed to it."""
    events = boto3.client("events", region_name=region)
    sqs = boto3.client("sqs", region_name=region)
    events.create_event_bus(Name=BUS)
    queue_url = sqs.create_queue(QueueName="hookgate-test-collector")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_rule(
        Name="all-hookgate",
        EventBusName=BUS,
        EventPattern=json.dumps({"source": [{"prefix": "hookgate."}]}),
    )
    events.put_targets(
        Rule="all-hookgate", EventBusName=BUS, Targets=[{"Id": "q", "Arn": queue_arn}]
    )
    return sqs, queue_url


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and region, then an in-process moto account."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # Secrets Manager and DynamoDB's conditional writes as AWS documents them.
    with mock_aws(), RotationService().installed(), atomic_writes():
        reset_caches()
        yield
    reset_caches()


def write_config(tmp_path: Path, registrations: list[dict[str, Any]]) -> Path:
    """Write a hookgate.yaml with ``registrations`` and return its path."""
    import yaml

    path = tmp_path / "hookgate.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "registrations": registrations}))
    return path


@pytest.fixture
def sinch_account(aws_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Account:
    """An account with the bus, table, bucket and a Sinch Conversation registration secret."""
    from hookgate_dev.providers.hookgate_sinch_conversation.samples import TEST_SECRET

    sqs, queue_url = create_bus_with_queue()
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    secretsmanager = boto3.client("secretsmanager", region_name=REGION)
    secretsmanager.create_secret(
        Name="hookgate/sinch-demo", SecretString=json.dumps(dict(TEST_SECRET))
    )
    path = write_config(
        tmp_path,
        [
            {
                "name": "sinch-demo",
                "provider": "sinch_conversation",
                "secret": "hookgate/sinch-demo",
                "events": ["MESSAGE_DELIVERY", "MESSAGE_INBOUND"],
                "settings": {"project_id": "p-1", "app_id": "01EB37HMH1M6SV18BSNS3G135H"},
            },
            {
                "name": "sinch-unset",
                "provider": "sinch_conversation",
                "secret": "hookgate/sinch-unset",
                "settings": {"project_id": "p-1", "app_id": "app"},
            },
        ],
    )
    monkeypatch.setenv("HOOKGATE_CONFIG", str(path))
    monkeypatch.setenv("HOOKGATE_EVENT_BUS", BUS)
    monkeypatch.setenv("HOOKGATE_TABLE", TABLE)
    monkeypatch.setenv("HOOKGATE_OVERSIZE_BUCKET", BUCKET)
    return Account(
        sqs=sqs,
        queue_url=queue_url,
        secretsmanager=secretsmanager,
        events=boto3.client("events", region_name=REGION),
    )


@pytest.fixture
def receiver_app() -> ModuleType:
    """The receiver Lambda module."""
    return load_function("receiver")
