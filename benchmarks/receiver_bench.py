"""Receiver benchmark: cold start and warm path, each beside its reference, in one run.

(a) Cold start: a fresh Python process imports the receiver handler (as Lambda does, by file)
    and serves its first request — a signed Sinch Conversation delivery report with a message
    id of its own, so hookgate publishes it (checked) — against a moto server on loopback; beside it, a minimal reference receiver written here (Powertools
    APIGatewayHttpResolver + a boto3 events client + hmac + json: verify, PutEvents, 200).
    Timed inside each child from before its first import to the handler's return. The two
    alternate; medians and their ratio are reported (target: hookgate / reference <= 1.2).
    ``--phases`` then runs a hookgate child that times each phase of its cold start.
(b) Warm: in one process, the median handler time per webhook (each a new delivery report with a
    fresh nonce, so each is published; secrets cached; the publisher and the de-duplication store
    replaced by in-memory stand-ins, the publisher serialising each entry's Detail as the real one
    does) against the floor: HMAC-SHA256 + compare_digest + pydantic ``model_validate_json`` of
    the same body.
    Interleaved in rounds (target: ratio <= 3).
(c) Verify only: the Sinch Conversation plugin's verify (HMAC-SHA256 over body, nonce and
    timestamp; timestamp window) against the ``standardwebhooks`` library's verify (HMAC-SHA256
    over id, timestamp and body; timestamp window) on the same 2 KB body, interleaved (target:
    ratio <= 1.0).
(d) Secrets Manager calls per 10,000 webhooks through the real handler and secret cache, with
    a simulated clock advancing 10 ms per webhook (100 webhooks a second, so 100 s and two
    60-second cache periods): counted on the Secrets Manager client (target: one refresh per
    cache period after the first read, no value fetched twice).
(e) The size of the built layer (``make build`` first; zipped as Lambda stores it).

    .venv/bin/python benchmarks/receiver_bench.py [--runs 9] [--iterations 2000] [--json] [--phases]

Ratios, not absolute times: the machine is noisy (toolchain.md). Prints PASS/MISS, never fails.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
HANDLER = ROOT / "functions" / "receiver" / "app.py"
REGION = "eu-west-1"
BUS = "bench-bus"
TABLE = "bench-dedupe"
SECRET_NAME = "hookgate/bench"
REGISTRATION = "bench"
ROUTE = "POST /webhooks/{provider}/{registration}"

# The Lambda context each child hands its handler.
CHILD_CONTEXT = """class Context:
    function_name = "bench"; function_version = "$LATEST"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    aws_request_id = "bench"
"""

CHILD_HOOKGATE = (
    """
import time
t0 = time.perf_counter()
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
app = importlib.util.module_from_spec(spec)
spec.loader.exec_module(app)
event = json.loads(sys.argv[2])
"""
    + CHILD_CONTEXT
    + """
response = app.lambda_handler(event, Context())
t1 = time.perf_counter()
accepted = json.loads(response["body"]).get("accepted")
sys.__stderr__.write(
    json.dumps({"ms": (t1 - t0) * 1000, "status": response["statusCode"], "accepted": accepted}) + "\\n"
)
"""
)

# The hookgate child again, each step timed (--phases): where the cold start goes. The steps
# the handler would take lazily (plugins and config, botocore, the clients) are taken first.
CHILD_PHASES = (
    """
import time
marks = [time.perf_counter()]
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
app = importlib.util.module_from_spec(spec)
spec.loader.exec_module(app)
marks.append(time.perf_counter())
from hookgate import aws, runtime
runtime.get_receiver()
marks.append(time.perf_counter())
import botocore.config, botocore.session
marks.append(time.perf_counter())
for service in ("secretsmanager", "dynamodb", "events"):
    aws.client(service)
marks.append(time.perf_counter())
event = json.loads(sys.argv[2])
"""
    + CHILD_CONTEXT
    + """
response = app.lambda_handler(event, Context())
marks.append(time.perf_counter())
steps = [(b - a) * 1000 for a, b in zip(marks, marks[1:])]
accepted = json.loads(response["body"]).get("accepted")
sys.__stderr__.write(
    json.dumps({"ms": sum(steps), "status": response["statusCode"], "accepted": accepted, "steps": steps})
    + "\\n"
)
"""
)
PHASES = (
    "import the handler (pydantic, Powertools, hookgate)",
    "load the plugins and the configuration",
    "import botocore",
    "create the Secrets Manager, DynamoDB and EventBridge clients",
    "serve the first request (5 AWS calls)",
)

CHILD_REFERENCE = """
import time
t0 = time.perf_counter()
import base64, hashlib, hmac, json, os, sys
import boto3
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

app = APIGatewayHttpResolver()
events = boto3.client("events")
SECRET = os.environ["BENCH_SECRET"].encode()

@app.post("/webhooks/<provider>/<registration>")
def receive(provider, registration):
    request = app.current_event
    body = request.decoded_body.encode() if isinstance(request.decoded_body, str) else request.decoded_body
    headers = request.headers
    message = b".".join((body, headers["x-sinch-webhook-signature-nonce"].encode(),
                         headers["x-sinch-webhook-signature-timestamp"].encode()))
    expected = base64.b64encode(hmac.new(SECRET, message, hashlib.sha256).digest()).decode()
    if not hmac.compare_digest(expected, headers["x-sinch-webhook-signature"]):
        return Response(401, "application/json", '{"message":"unauthorized"}')
    payload = json.loads(body)
    events.put_events(Entries=[{"Source": "reference", "DetailType": "webhook",
                                "Detail": json.dumps(payload), "EventBusName": os.environ["BENCH_BUS"]}])
    return {"accepted": 1}

event = json.loads(sys.argv[2])

class Context:
    function_name = "bench"; function_version = "$LATEST"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    aws_request_id = "bench"

response = app.resolve(event, Context())
t1 = time.perf_counter()
sys.__stderr__.write(json.dumps({"ms": (t1 - t0) * 1000, "status": response["statusCode"]}) + "\\n")
"""


class Channel(BaseModel):
    """Part of the floor's model."""

    channel: str | None = None
    identity: str | None = None
    app_id: str | None = None


class Report(BaseModel):
    """Part of the floor's model."""

    message_id: str
    conversation_id: str | None = None
    status: str
    channel_identity: Channel | None = None
    contact_id: str | None = None
    metadata: str | None = None
    processing_mode: str | None = None


class Callback(BaseModel):
    """The floor: a small nested model of a Sinch delivery report."""

    app_id: str
    project_id: str
    accepted_time: str | None = None
    event_time: str | None = None
    correlation_id: str | None = None
    message_metadata: str | None = None
    message_delivery_report: Report


def _body(serial: int = 0) -> bytes:
    """A 2 KB Sinch delivery report (the size toolchain.md's hot-path figures use).

    ``serial`` goes into the message id (same length whatever its value): each warm webhook is a
    new delivery report, so it is published rather than answered as a duplicate.
    """
    metadata = json.dumps({"order": "A-1029384756", "campaign": "winter-sale", "notes": "x" * 1200})
    return json.dumps(
        {
            "app_id": "01EB37HMH1M6SV18ASNS3G135H",
            "project_id": "c36f3d3d-1513-2edd-ae42-11995557ff61",
            "accepted_time": "2026-11-17T15:09:11.659Z",
            "event_time": "2026-11-17T15:09:13.267185Z",
            "correlation_id": "corr-7f3a9",
            "message_metadata": "batch-42",
            "message_delivery_report": {
                "message_id": f"01EQBC1A3BEK731GY4YX{serial:06d}",
                "conversation_id": "01EPYATA64TMNZ1FV02JKF12JF",
                "status": "DELIVERED",
                "channel_identity": {
                    "channel": "WHATSAPP",
                    "identity": "46700000001",
                    "app_id": "01EB37HMH1M6SV18ASNS3G135H",
                },
                "contact_id": "01EXA07N79THJ20WSN6AS30TMW",
                "metadata": metadata,
                "processing_mode": "CONVERSATION",
            },
        },
        separators=(",", ":"),
    ).encode()


def _event(body: bytes) -> dict[str, Any]:
    from hookgate.apigw import build_event
    from hookgate_dev.providers.hookgate_sinch_conversation.samples import (
        TEST_SECRET,
        signed_headers,
    )

    headers = {
        "content-type": "application/json",
        **signed_headers(body, TEST_SECRET, datetime.now(UTC)),
    }
    return build_event(
        method="POST",
        path=f"/webhooks/sinch_conversation/{REGISTRATION}",
        route_key=ROUTE,
        path_parameters={"provider": "sinch_conversation", "registration": REGISTRATION},
        headers=headers,
        body=body,
    )


def _config_file(directory: Path) -> Path:
    path = directory / "hookgate.json"  # what the layer carries (layers/Makefile)
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "registrations": [
                    {
                        "name": REGISTRATION,
                        "provider": "sinch_conversation",
                        "secret": SECRET_NAME,
                        "settings": {"project_id": "p", "app_id": "a"},
                    }
                ],
            }
        )
    )
    return path


def _environment(endpoint: str, config: Path) -> dict[str, str]:
    from hookgate_dev.providers.hookgate_sinch_conversation.samples import TEST_SECRET

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "POWERTOOLS_SERVICE_NAME": "hookgate",
            "POWERTOOLS_METRICS_NAMESPACE": "hookgate",
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "HOOKGATE_CONFIG": str(config),
            "HOOKGATE_EVENT_BUS": BUS,
            "HOOKGATE_TABLE": TABLE,
            "HOOKGATE_SECRET_CACHE_SECONDS": "120",  # the default; must stay below the grace window
            "POWERTOOLS_TRACE_DISABLED": os.environ.get("POWERTOOLS_TRACE_DISABLED", "true"),
            "PYDANTIC_DISABLE_PLUGINS": "__all__",  # as template.yaml's Globals set it
            "BENCH_SECRET": TEST_SECRET["webhook_secret"],
            "BENCH_BUS": BUS,
        }
    )
    return env


def _provision(endpoint: str) -> None:
    import boto3

    from hookgate_dev.providers.hookgate_sinch_conversation.samples import TEST_SECRET

    def client(service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]
            service,
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )

    client("events").create_event_bus(Name=BUS)
    client("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client("secretsmanager").create_secret(
        Name=SECRET_NAME, SecretString=json.dumps(dict(TEST_SECRET))
    )


# Message-id serials of the cold children, apart from the warm sections' (1 upwards, 500,000 up).
_COLD_SERIALS = itertools.count(900_000)


def _child(code: str, env: dict[str, str]) -> dict[str, Any]:
    # A message id of its own per child: with one shared id every hookgate child after the
    # first would be answered as a duplicate (no EventBridge client, no PutEvents), a cheaper
    # path than the reference's.
    event = json.dumps(_event(_body(next(_COLD_SERIALS))))
    result = subprocess.run(  # noqa: PLW1510 - checked below
        [sys.executable, "-c", code, str(HANDLER), event],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith('{"ms"')]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"child failed ({result.returncode}): {result.stderr[-2000:]}")
    measured: dict[str, Any] = json.loads(lines[-1])
    return measured


def cold_start(runs: int, phases: bool = False) -> dict[str, Any]:
    """Alternate fresh hookgate and reference children; return medians and the ratio.

    With ``phases``, also run the phase-timed hookgate child ``runs`` times (after the measured
    runs, so the ratio is unaffected) and add the median of each phase.
    """
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        _provision(endpoint)
        with tempfile.TemporaryDirectory() as tmp:
            env = _environment(endpoint, _config_file(Path(tmp)))
            for code in (CHILD_HOOKGATE, CHILD_REFERENCE):  # writes .pyc, warms the disk cache
                _child(code, env)
            ours: list[float] = []
            reference: list[float] = []
            for _ in range(runs):
                first = _child(CHILD_HOOKGATE, env)
                second = _child(CHILD_REFERENCE, env)
                if first["status"] != 200 or second["status"] != 200 or first["accepted"] != 1:
                    raise RuntimeError(f"unexpected answers: {first} {second}")
                ours.append(first["ms"])
                reference.append(second["ms"])
            steps = [_child(CHILD_PHASES, env) for _ in range(runs if phases else 0)]
    finally:
        server.stop()
    ours_median, reference_median = statistics.median(ours), statistics.median(reference)
    result: dict[str, Any] = {
        "hookgate_ms": round(ours_median, 1),
        "reference_ms": round(reference_median, 1),
        "ratio": round(ours_median / reference_median, 3),
        "target": 1.2,
        "runs": runs,
    }
    if steps:
        if any(step["accepted"] != 1 for step in steps):
            raise RuntimeError(f"a phase-timed child did not publish: {steps}")
        result["phases_ms"] = {
            name: round(statistics.median(step["steps"][i] for step in steps), 1)
            for i, name in enumerate(PHASES)
        }
    return result


class _BenchContext:
    """The Lambda context the in-process handler calls get (the children write theirs)."""

    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    aws_request_id = "bench"


class _StubPublisher:
    def publish(self, events: Any, stage: Any = None) -> Any:
        from hookgate.publish import PublishOutcome, detail_json

        for event in events:
            detail_json(event, stage)  # what the publisher puts in each PutEvents entry
        return PublishOutcome(published=[e.dedupe_key for e in events])


class _MemoryDedupe:
    def __init__(self) -> None:
        self.done: dict[tuple[str, str], str | None] = {}

    def claim(self, registration: str, keys: list[str], nonce: str | None = None) -> Any:
        from hookgate.dedupe import Claim

        claim = Claim()
        for key in keys:
            if (registration, key) in self.done:
                claim.duplicates.append(key)
                claim.replayed |= nonce is not None and self.done[registration, key] == nonce
            else:
                claim.to_publish.append(key)
        return claim

    def complete(self, registration: str, keys: list[str], nonce: str | None = None) -> None:
        self.done.update(((registration, key), nonce) for key in keys)

    def release(self, registration: str, keys: list[str]) -> None:
        return None


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)


@contextlib.contextmanager
def _in_process_receiver(label: str) -> Iterator[tuple[Any, Any]]:
    """The receiver handler on in-process moto, publishing and de-duplicating in memory."""
    import importlib.util

    from moto import mock_aws

    with tempfile.TemporaryDirectory() as tmp, mock_aws():
        os.environ.update(_environment("", _config_file(Path(tmp))))
        os.environ.pop("AWS_ENDPOINT_URL", None)
        _provision_in_process()
        spec = importlib.util.spec_from_file_location(label, HANDLER)
        assert spec is not None and spec.loader is not None
        app = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(app)
        from hookgate.runtime import get_receiver

        receiver = get_receiver()
        receiver.publisher = _StubPublisher()  # type: ignore[assignment]
        receiver.dedupe = _MemoryDedupe()  # type: ignore[assignment]
        yield app, receiver


def warm(iterations: int, rounds: int = 10) -> dict[str, Any]:
    """Median handler time per webhook against the HMAC + model_validate_json floor."""

    from hookgate_dev.providers.hookgate_sinch_conversation.samples import TEST_SECRET

    with _in_process_receiver("bench_receiver_app") as (app, receiver):
        body = _body()
        per_round = max(1, iterations // rounds)
        events = [_event(_body(1 + n)) for n in range(per_round * rounds + 1)]

        context = _BenchContext()
        with _quiet_stdout():
            assert app.lambda_handler(events.pop(), context)["statusCode"] == 200  # warms caches
        secret = TEST_SECRET["webhook_secret"].encode()
        headers = events[0]["headers"]
        message = b".".join(
            (
                body,
                headers["x-sinch-webhook-signature-nonce"].encode(),
                headers["x-sinch-webhook-signature-timestamp"].encode(),
            )
        )
        import base64

        presented = headers["x-sinch-webhook-signature"].encode()
        from hookgate.apigw import request_from_event

        core_events = [_event(_body(500_000 + n)) for n in range(per_round * rounds)]
        handler_ns: list[int] = []
        core_ns: list[int] = []
        floor_ns: list[int] = []
        statuses: set[int] = set()
        bodies: set[str] = set()
        with _quiet_stdout():
            for r in range(rounds):
                for event in events[r * per_round : (r + 1) * per_round]:
                    start = time.perf_counter_ns()
                    response = app.lambda_handler(event, context)
                    handler_ns.append(time.perf_counter_ns() - start)
                    statuses.add(response["statusCode"])
                    bodies.add(response["body"])
                for event in core_events[r * per_round : (r + 1) * per_round]:
                    start = time.perf_counter_ns()
                    receiver.receive(request_from_event(event), "sinch_conversation", REGISTRATION)
                    core_ns.append(time.perf_counter_ns() - start)
                for _ in range(per_round):
                    start = time.perf_counter_ns()
                    digest = base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest())
                    hmac.compare_digest(digest, presented)
                    Callback.model_validate_json(body)
                    floor_ns.append(time.perf_counter_ns() - start)
    if statuses != {200} or bodies != {'{"accepted":1,"duplicates":0}'}:
        raise RuntimeError(f"warm run answered {statuses} {bodies}")
    handler_us = statistics.median(handler_ns) / 1000
    floor_us = statistics.median(floor_ns) / 1000
    return {
        "handler_us": round(handler_us, 1),
        "core_us": round(statistics.median(core_ns) / 1000, 1),
        "floor_us": round(floor_us, 1),
        "ratio": round(handler_us / floor_us, 2),
        "target": 3.0,
        "iterations": len(handler_ns),
    }


def warm_stages(iterations: int) -> dict[str, float]:
    """Median µs of each stage of the warm path, timed one at a time on fresh requests."""
    from hookgate import webhook_http
    from hookgate.apigw import json_response, request_from_event
    from hookgate.receive import Outcome
    from hookgate.webhook_metrics import WebhookMetrics

    with _in_process_receiver("bench_receiver_stages") as (app, receiver):
        provider = receiver.host.get("sinch_conversation")
        registration = receiver.config.get(REGISTRATION)
        grace = registration.previous_secret_grace_seconds
        metrics = WebhookMetrics()
        stages: dict[str, list[int]] = {
            "request_from_event": [],
            "secrets_from_cache": [],
            "verify (plugin)": [],
            "parse (plugin)": [],
            "claim + publish + complete (stand-ins)": [],
            "metrics record": [],
            "json_response": [],
            "logger context": [],
        }

        def timed(name: str, call: Any, *args: Any) -> Any:
            start = time.perf_counter_ns()
            result = call(*args)
            stages[name].append(time.perf_counter_ns() - start)
            return result

        wrapped = app.context_keys.inject(lambda event, context: None)  # what app.py applies
        secret_id = registration.secret_id
        with _quiet_stdout():
            for n in range(iterations):
                event = _event(_body(1 + n))
                request = timed("request_from_event", request_from_event, event)
                now = receiver.clock()
                secrets = timed("secrets_from_cache", receiver.secrets.versions, secret_id, grace)
                verdict = timed(
                    "verify (plugin)", provider.verify, request, registration, secrets, now
                )
                events = timed("parse (plugin)", provider.parse, request, registration)
                nonce = verdict.replay_guard.nonce if verdict.replay_guard else None
                names = {"provider": provider.name, "registration": registration.name}
                outcome = timed(
                    "claim + publish + complete (stand-ins)",
                    receiver._publish,
                    registration,
                    events,
                    "current",
                    names,
                    nonce,
                )
                assert isinstance(outcome, Outcome) and outcome.status == 200
                timed("metrics record", webhook_http.record, outcome, metrics)
                timed("json_response", json_response, 200, outcome.response_body)
                timed("logger context", wrapped, event, _BenchContext())
    return {name: round(statistics.median(ns) / 1000, 2) for name, ns in stages.items()}


def verify_only(iterations: int, rounds: int = 10) -> dict[str, Any]:
    """Median verify time: hookgate's Sinch plugin against standardwebhooks, same body."""
    import base64

    from standardwebhooks.webhooks import Webhook

    from hookgate.apigw import request_from_event
    from hookgate.config import load_config
    from hookgate.models import SecretStage
    from hookgate.plugins import get_plugin_host
    from hookgate_dev.providers.hookgate_sinch_conversation.samples import TEST_SECRET
    from hookgate_dev.testing.kit import secret_versions

    body = _body()
    with tempfile.TemporaryDirectory() as tmp:
        host = get_plugin_host()
        registration = load_config(_config_file(Path(tmp)), host).get(REGISTRATION)
    provider = host.get("sinch_conversation")
    secrets = secret_versions((SecretStage.CURRENT, TEST_SECRET))
    now = datetime.now(UTC)
    request = request_from_event(_event(body), now=now)
    key = TEST_SECRET["webhook_secret"].encode()
    standard = Webhook("whsec_" + base64.b64encode(key).decode())
    text = body.decode()
    standard_headers = {
        "webhook-id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": standard.sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", now, text),
    }
    if not provider.verify(request, registration, secrets, now).ok:
        raise RuntimeError("hookgate did not verify its own signed request")
    standard.verify(body, standard_headers, json_parse=False)
    ours: list[int] = []
    theirs: list[int] = []
    per_round = max(1, iterations // rounds)
    for _ in range(rounds):
        for _ in range(per_round):
            start = time.perf_counter_ns()
            provider.verify(request, registration, secrets, now)
            ours.append(time.perf_counter_ns() - start)
        for _ in range(per_round):
            start = time.perf_counter_ns()
            standard.verify(body, standard_headers, json_parse=False)
            theirs.append(time.perf_counter_ns() - start)
    ours_us, theirs_us = statistics.median(ours) / 1000, statistics.median(theirs) / 1000
    return {
        "hookgate_us": round(ours_us, 2),
        "standardwebhooks_us": round(theirs_us, 2),
        "ratio": round(ours_us / theirs_us, 3),
        "target": 1.0,
        "iterations": len(ours),
    }


def secrets_manager_calls(webhooks: int = 10_000, step_seconds: float = 0.01) -> dict[str, Any]:
    """Secrets Manager calls for ``webhooks`` signed webhooks, a simulated clock between them."""

    from hookgate import aws
    from hookgate.secrets import SecretStore

    calls: list[str] = []
    clock = [1000.0]

    def counted_client() -> Any:
        client = aws.client("secretsmanager")
        client.meta.events.register(  # once per client, however often the store asks
            "before-call.secrets-manager.*",
            lambda model, **_: calls.append(model.name),
            unique_id="hookgate-bench-count",
        )
        return client

    ttl, refresh = 60.0, 30.0
    with _in_process_receiver("bench_receiver_sm") as (app, receiver):
        receiver.secrets = SecretStore(
            counted_client, ttl=ttl, refresh_interval=refresh, monotonic=lambda: clock[0]
        )
        body = _body()

        statuses: set[int] = set()
        with _quiet_stdout():
            for _ in range(webhooks):
                statuses.add(app.lambda_handler(_event(body), _BenchContext())["statusCode"])
                clock[0] += step_seconds
    if statuses != {200}:
        raise RuntimeError(f"Secrets Manager run answered {statuses}")
    simulated = webhooks * step_seconds
    periods = int(simulated // ttl) + 1
    refreshes = calls.count("ListSecretVersionIds")
    fetches = calls.count("GetSecretValue")
    return {
        "webhooks": webhooks,
        "simulated_seconds": simulated,
        "cache_periods": periods,
        "calls": len(calls),
        "refreshes": refreshes,
        "value_fetches": fetches,
        "calls_beyond_first_read_per_period": max(0, refreshes - periods) + max(0, fetches - 1),
        "target": 0,
    }


def layer_size() -> dict[str, Any]:
    """The built layer's size, unzipped and zipped (``make build`` writes .aws-sam/build)."""
    import zipfile

    layer = ROOT / ".aws-sam" / "build" / "HookgateLayer"
    if not layer.is_dir():
        return {"built": False, "hint": "run `make build` first"}
    files = [path for path in layer.rglob("*") if path.is_file()]
    unzipped = sum(path.stat().st_size for path in files)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "layer.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in files:
                bundle.write(path, path.relative_to(layer))
        zipped = archive.stat().st_size
    return {
        "built": True,
        "files": len(files),
        "unzipped_mb": round(unzipped / 1e6, 1),
        "zipped_mb": round(zipped / 1e6, 1),
        "lambda_limit_unzipped_mb": 250,
    }


def _provision_in_process() -> None:
    import boto3

    from hookgate_dev.providers.hookgate_sinch_conversation.samples import TEST_SECRET

    boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name=SECRET_NAME, SecretString=json.dumps(dict(TEST_SECRET))
    )


def main() -> None:
    """Run both measurements and print them side by side."""
    parser = argparse.ArgumentParser(description="hookgate receiver benchmark")
    parser.add_argument("--runs", type=int, default=9, help="cold-start runs of each child")
    parser.add_argument("--iterations", type=int, default=2000, help="warm handler calls")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--phases", action="store_true", help="also time each phase of hookgate's cold start"
    )
    args = parser.parse_args()
    results = {
        "cold_start": cold_start(args.runs, phases=args.phases),
        "warm": warm(args.iterations),
        "warm_stages": warm_stages(args.iterations),
        "verify_only": verify_only(args.iterations * 5),
        "secrets_manager": secrets_manager_calls(),
        "layer": layer_size(),
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    cold, hot = results["cold_start"], results["warm"]

    def verdict(ratio: float, target: float) -> str:
        return "PASS" if ratio <= target else "MISS"

    print("hookgate receiver benchmark (medians; ratios measured side by side in this run)")
    print(
        f"  cold start  hookgate {cold['hookgate_ms']:8.1f} ms   reference {cold['reference_ms']:8.1f} ms"
        f"   ratio {cold['ratio']:.2f}  (target <= {cold['target']})  {verdict(cold['ratio'], cold['target'])}"
    )
    if "phases_ms" in cold:
        print(
            "  cold start, hookgate by phase (medians, phase-timed children): "
            + ", ".join(f"{name} {ms:.1f} ms" for name, ms in cold["phases_ms"].items())
        )
    print(
        f"  warm        handler  {hot['handler_us']:8.1f} us   floor     {hot['floor_us']:8.1f} us"
        f"   ratio {hot['ratio']:.2f}  (target <= {hot['target']})  {verdict(hot['ratio'], hot['target'])}"
    )
    print(
        f"  warm, core pipeline only (no logger context, metrics or response): {hot['core_us']:.1f} us"
        f"   ratio {hot['core_us'] / hot['floor_us']:.2f}"
    )
    stages = results["warm_stages"]
    print(
        "  warm, by stage (medians, each timed alone): "
        + ", ".join(f"{name} {us:.1f} us" for name, us in stages.items())
        + f"; sum {sum(stages.values()):.1f} us"
    )
    ver, sm, layer = results["verify_only"], results["secrets_manager"], results["layer"]
    print(
        f"  verify only hookgate {ver['hookgate_us']:8.2f} us   standardwebhooks {ver['standardwebhooks_us']:6.2f} us"
        f"   ratio {ver['ratio']:.2f}  (target <= {ver['target']})  {verdict(ver['ratio'], ver['target'])}"
    )
    print(
        f"  Secrets Manager, {sm['webhooks']} webhooks over {sm['simulated_seconds']:.0f} simulated s"
        f" ({sm['cache_periods']} cache periods): {sm['calls']} calls ({sm['refreshes']} refreshes,"
        f" {sm['value_fetches']} value fetches); beyond the first read per period:"
        f" {sm['calls_beyond_first_read_per_period']}  (target 0)"
        f"  {'PASS' if sm['calls_beyond_first_read_per_period'] == 0 else 'MISS'}"
    )
    if layer["built"]:
        print(
            f"  layer       {layer['unzipped_mb']} MB unzipped ({layer['files']} files),"
            f" {layer['zipped_mb']} MB zipped  (Lambda limit: 250 MB unzipped)"
        )
    else:
        print(f"  layer       not built: {layer['hint']}")


if __name__ == "__main__":
    main()
