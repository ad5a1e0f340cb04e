"""An AWS account on loopback: moto server, with what template.yaml declares created in it.

``provision`` reads the template's event buses, DynamoDB tables, S3 buckets and secrets and
creates them in the emulator (secrets get generated values for every key their registration's
provider reads), adds an SQS queue that collects everything published on the bus, and resolves
each function's environment against the local names — so the handlers run unchanged.
"""

from __future__ import annotations

import json
import logging
import secrets as random_source
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import httpx
from moto.server import ThreadedMotoServer

from hookgate.config import HookgateConfig
from hookgate.plugins import PluginHost
from hookgate_dev.local.aws_dynamodb import atomic_writes
from hookgate_dev.local.aws_rotation import RotationService
from hookgate_dev.local.template import functions, resolve, resources_of_type

REGION = "eu-west-1"
ACCOUNT = "123456789012"
STACK = "hookgate-local"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
}


@contextmanager
def running_emulator(
    port: int | None = None, secrets_manager: RotationService | None = None
) -> Iterator[str]:
    """Run moto server on 127.0.0.1 and yield its endpoint URL.

    Without a ``port`` the server binds port 0 and the endpoint names the port it was given.
    Its Secrets Manager behaves as AWS documents (``secrets_manager``, or a new
    :class:`RotationService` with no rotation function), and so do DynamoDB's conditional writes
    (atomic, :mod:`hookgate_dev.local.aws_dynamodb`).
    """
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto server's per-request lines
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port or 0, verbose=False)
    server.start()
    host, bound = server.get_host_and_port()
    endpoint = f"http://{host}:{bound}"
    # moto keeps its accounts in process-wide state: start (and leave) an empty account.
    httpx.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
    try:
        with (secrets_manager or RotationService()).installed(), atomic_writes():
            yield endpoint
    finally:
        httpx.post(f"{endpoint}/moto-api/reset", timeout=10)
        server.stop()


@dataclass
class LocalAccount:
    """What ``provision`` created, and how to reach it."""

    endpoint: str
    names: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    secret_values: dict[str, dict[str, str]] = field(default_factory=dict)
    bus_name: str = ""
    queue_url: str = ""

    def client(self, service: str) -> Any:
        """Return a boto3 client for ``service`` talking to the emulator."""
        return boto3.client(  # type: ignore[call-overload]
            service,
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=CREDENTIALS["AWS_SESSION_TOKEN"],
        )

    def environment(
        self, template: Mapping[str, Any], overrides: Mapping[str, str]
    ) -> dict[str, str]:
        """Return every function's environment, resolved locally, then ``overrides``."""
        env: dict[str, str] = {
            **CREDENTIALS,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": self.endpoint,
        }
        for props in functions(template).values():
            variables = props.get("Environment", {}).get("Variables", {})
            for key, value in variables.items():
                env[key] = str(resolve(value, self.names, self.attributes))
        env.update(overrides)
        return env

    def drain_events(self, wait_seconds: int = 0) -> list[dict[str, Any]]:
        """Return (and delete) the events the bus delivered to the collector queue so far."""
        sqs = self.client("sqs")
        received: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
            ).get("Messages", [])
            if not batch:
                return received
            for message in batch:
                received.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
            wait_seconds = 0


def _parameters(template: Mapping[str, Any]) -> dict[str, str]:
    return {
        name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()
    }


def provision(
    template: Mapping[str, Any], config: HookgateConfig, host: PluginHost, endpoint: str
) -> LocalAccount:
    """Create the template's buses, tables, buckets and secrets in the emulator."""
    account = LocalAccount(endpoint=endpoint)
    names = account.names
    names.update(_parameters(template))
    names.update(
        {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::StackName": STACK,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK}/local",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::Partition": "aws",
            "HttpApi": "local",
        }
    )
    for name in functions(template):
        names[name] = f"{STACK}-{name}"

    events = account.client("events")
    for logical, props in resources_of_type(template, "AWS::Events::EventBus").items():
        bus = str(resolve(props.get("Name", f"{STACK}-{logical}"), names, account.attributes))
        arn = events.create_event_bus(Name=bus)["EventBusArn"]
        names[logical], account.attributes[f"{logical}.Arn"] = bus, arn
        account.attributes[f"{logical}.Name"] = bus
        account.bus_name = account.bus_name or bus

    dynamodb = account.client("dynamodb")
    for logical, props in resources_of_type(template, "AWS::DynamoDB::Table").items():
        table = f"{STACK}-{logical}"
        created = dynamodb.create_table(
            TableName=table,
            KeySchema=props["KeySchema"],
            AttributeDefinitions=props["AttributeDefinitions"],
            BillingMode="PAY_PER_REQUEST",
        )
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=ttl)
        names[logical] = table
        account.attributes[f"{logical}.Arn"] = created["TableDescription"]["TableArn"]

    s3 = account.client("s3")
    for logical in resources_of_type(template, "AWS::S3::Bucket"):
        bucket = f"{STACK}-{logical}".lower()
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        names[logical] = bucket
        account.attributes[f"{logical}.Arn"] = f"arn:aws:s3:::{bucket}"

    secretsmanager = account.client("secretsmanager")
    by_secret = {r.secret_id: r for r in config.registrations.values()}
    secret_props = resources_of_type(template, "AWS::SecretsManager::Secret")
    declared = {
        str(resolve(props.get("Name", logical), names, account.attributes)): logical
        for logical, props in secret_props.items()
    }
    for secret_name in sorted(set(by_secret) | set(declared)):
        registration = by_secret.get(secret_name)
        keys = host.get(registration.provider).info.secret_keys if registration else ()
        values = {key: random_source.token_urlsafe(24) for key in keys}
        if registration is not None and registration.client_id is not None and "client_id" in keys:
            values["client_id"] = registration.client_id  # hookgate.yaml declares it
        if registration is None and secret_name in declared:
            values = _generated(secret_props[declared[secret_name]])
        account.secret_values[secret_name] = values
        arn = secretsmanager.create_secret(Name=secret_name, SecretString=json.dumps(values))["ARN"]
        if secret_name in declared:
            names[declared[secret_name]] = arn

    account.queue_url = _collector(account)
    return account


def _generated(props: Mapping[str, Any]) -> dict[str, str]:
    """Return what GenerateSecretString would store: the template plus a random key."""
    spec = props.get("GenerateSecretString", {})
    values = {str(k): str(v) for k, v in json.loads(spec.get("SecretStringTemplate", "{}")).items()}
    if spec.get("GenerateStringKey"):
        values[str(spec["GenerateStringKey"])] = random_source.token_urlsafe(36)
    return values


def _collector(account: LocalAccount) -> str:
    sqs = account.client("sqs")
    events = account.client("events")
    queue_url: str = sqs.create_queue(QueueName=f"{STACK}-collected-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    pattern = json.dumps({"source": [{"prefix": "hookgate."}]})
    events.put_rule(Name="collect-all", EventBusName=account.bus_name, EventPattern=pattern)
    events.put_targets(
        Rule="collect-all",
        EventBusName=account.bus_name,
        Targets=[{"Id": "collector", "Arn": queue_arn}],
    )
    return queue_url
