"""What hookgate costs to run, computed from the AWS calls the local stack makes.

Brings up the local stack (moto server, every provider's sandbox, the front routing into the
real handlers), then, with the emulator recording every call it receives:

(a) Per provider: ``--per-target`` genuine webhooks to each registration, one at a time; the
    AWS calls each accepted webhook made, by API (target: at most 3 for every provider).
(b) A realistic mix: every registration in turn; after every 10th genuine delivery the
    provider's retry of it (the same body, signed again: a duplicate), after every 25th a
    replay of the exact signed request, and one forged request per 20 genuine ones. Every
    answer is checked (genuine 2xx, forged 401, a replay 401 or a duplicate) and the genuine
    deliveries are audited exactly-once against the bus.

It then prices the mix with ``benchmarks/prices.toml`` (each price with its source and date;
the few assumptions, such as an in-region call's round trip, are marked there and printed) and
prints the variable cost per million webhooks, the fixed monthly cost (secrets, Secrets
Manager reads, metric series measured through the receiver's own metrics code, alarms and the
dashboard counted in template.yaml) and the monthly cost at 1 and 10 million, each beside its
target, with the HTTP API and with a Lambda function URL in front.

    .venv/bin/python benchmarks/cost.py [--per-target 5] [--mix 400] [--handler-us US] [--json]

Exit status 1 when the exactly-once audit fails or an answer was not the expected one.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import math
import os
import sys
import tempfile
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PRICES = Path(__file__).with_name("prices.toml")
SECONDS_PER_MONTH = 30 * 24 * 3600
EVENT_CHUNK_BYTES = 64 * 1024
TARGET_CALLS = 3
TARGET_MONTHLY_AT_1M = 15.0
DYNAMODB_WRITES = ("PutItem", "DeleteItem", "UpdateItem")
DYNAMODB_READS = ("GetItem", "Query", "Scan")


@dataclass
class Sent:
    """One request of the mix: what it was and how it was answered."""

    kind: str  # genuine, retry, replay, forged
    provider: str
    status: int
    accepted: int = 0
    duplicates: int = 0


@dataclass
class Measurement:
    """What the local stack did: calls by provider, the mix's calls, answers and events."""

    per_provider: dict[str, dict[str, float]] = field(default_factory=dict)
    events_per_webhook: dict[str, float] = field(default_factory=dict)
    mix_calls: Counter[str] = field(default_factory=Counter)
    sent: list[Sent] = field(default_factory=list)
    event_bytes: list[int] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    exactly_once: bool = False
    audit: str = ""
    secrets_in_use: int = 0


def load_prices(path: Path = PRICES) -> dict[str, dict[str, Any]]:
    """Return the price table: name → ``{usd, per, unit, source, read}`` or ``{value, ...}``."""
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _api(service: str, action: str) -> str:
    short = {"dynamodb_20120810": "DynamoDB", "awsevents": "EventBridge"}.get(service, service)
    return f"{short}.{action}"


def _answer(response: Any) -> tuple[int, int, int]:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    return response.status_code, int(body.get("accepted", 0)), int(body.get("duplicates", 0))


def _expected(kind: str, nonce: bool, status: int, accepted: int, duplicates: int) -> bool:
    if kind == "genuine":  # a few samples carry no event, or repeat an id whatever the body
        return status == 200
    if kind == "retry":
        return status == 200 and accepted == 0 and duplicates >= 1
    if kind == "replay":  # refused when signed with a nonce, else a duplicate
        return status == 401 if nonce else (status == 200 and accepted == 0)
    return status == 401


def _per_provider(
    stack: Any, factory: Any, client: Any, per_target: int, result: Measurement
) -> None:
    """(a): the calls each registration's accepted webhooks make, by provider and API."""
    from hookgate_dev.local.load import EmulatorCallLog

    # (a) per provider: requests prepared (signed, tokens fetched) before recording,
    # and one webhook per registration first, so every secret is cached.
    by_target: dict[str, list[Any]] = {}
    targets = len(factory._sources)
    for _ in range(targets * (per_target + 1)):
        request = factory.genuine()
        by_target.setdefault(request.target.url, []).append(request)
    calls_by_provider: dict[str, Counter[str]] = {}
    accepted_by_provider: Counter[str] = Counter()
    events_by_provider: Counter[str] = Counter()
    for warm, *requests in by_target.values():
        client.post(warm.target.url, content=warm.body, headers=warm.headers)
        stack.events()
        with EmulatorCallLog(stack.account.endpoint) as log:
            for request in requests:
                status, accepted, _ = _answer(
                    client.post(request.target.url, content=request.body, headers=request.headers)
                )
                if status == 200 and accepted:
                    accepted_by_provider[request.provider] += 1
                else:
                    result.unexpected.append(f"{request.provider}: {status}")
        counter = calls_by_provider.setdefault(warm.provider, Counter())
        counter.update(_api(s, a) for s, a, _ in log.calls)
        time.sleep(0.2)
        events_by_provider[warm.provider] += len(stack.account.drain_events(wait_seconds=1))
    for provider, counter in sorted(calls_by_provider.items()):
        accepted = accepted_by_provider[provider] or 1
        result.per_provider[provider] = {
            api: count / accepted for api, count in sorted(counter.items())
        }
        result.events_per_webhook[provider] = events_by_provider[provider] / accepted


def _mix(stack: Any, factory: Any, client: Any, mix: int, result: Measurement) -> list[Any]:
    """(b): the mix, prepared first, then sent while recording; return the genuine deliveries."""
    from hookgate_dev.local.load import EmulatorCallLog
    from hookgate_dev.sandbox.core import Attempt, Delivery, public_headers

    nonce_providers = {"sinch_conversation", "sinch_provisioning"}
    # (b) the mix, prepared first, then sent while recording.
    plan: list[tuple[str, Any, dict[str, str]]] = []
    for number in range(1, mix + 1):
        request = factory.genuine()
        plan.append(("genuine", request, request.headers))
        if number % 10 == 0:
            resigned = {
                "content-type": "application/json",
                **request.target.headers_for(request.body),
            }
            plan.append(("retry", request, resigned))
        if number % 25 == 0:
            plan.append(("replay", request, request.headers))
        if number % 20 == 0:
            forged = factory.forged()
            plan.append(("forged", forged, forged.headers))
    deliveries = []
    with EmulatorCallLog(stack.account.endpoint) as log:
        for kind, request, headers in plan:
            status, accepted, duplicates = _answer(
                client.post(request.target.url, content=request.body, headers=headers)
            )
            result.sent.append(Sent(kind, request.provider, status, accepted, duplicates))
            nonce = request.provider in nonce_providers
            if not _expected(kind, nonce, status, accepted, duplicates):
                result.unexpected.append(f"{kind} {request.provider}: {status}")
            if kind == "genuine":
                deliveries.append(
                    Delivery(
                        webhook_id=request.target.webhook_id,
                        target=request.target.url,
                        sample=request.sample,
                        body=request.body.decode("utf-8", "replace"),
                        attempts=[Attempt(status=status, error=None)],
                        delivered=200 <= status < 300,
                        headers=public_headers(request.headers),
                    )
                )
    result.mix_calls.update(_api(s, a) for s, a, _ in log.calls)
    return deliveries


def _cache_seconds() -> float:
    """Return the receivers' secret cache period: the deployed default, hookgate's own."""
    from hookgate.secrets import DEFAULT_TTL_SECONDS

    return DEFAULT_TTL_SECONDS


def measure(per_target: int, mix: int) -> Measurement:
    """Run (a) and (b) on a fresh local stack."""
    os.environ.setdefault(
        "MOTO_RECORDER_FILEPATH", str(Path(tempfile.mkdtemp(prefix="hookgate-cost-")) / "calls")
    )
    import httpx

    from hookgate_dev.local.audit import audit
    from hookgate_dev.local.load import RequestFactory
    from hookgate_dev.local.stack import LocalStack

    environment = {
        "HOOKGATE_SECRET_CACHE_SECONDS": str(_cache_seconds()),
        "HOOKGATE_SECRET_REFRESH_SECONDS": "30",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
    }
    result = Measurement()
    with LocalStack(ROOT, ROOT / "hookgate.yaml", environment=environment) as stack:
        stack.events()
        factory = RequestFactory(stack)
        result.secrets_in_use = len({r.secret_id for r in stack.config.registrations.values()})
        with httpx.Client(timeout=30) as client:
            _per_provider(stack, factory, client, per_target, result)
            stack.events()
            deliveries = _mix(stack, factory, client, mix, result)
        time.sleep(0.5)  # the collector queue receives the bus's last events
        events = stack.account.drain_events(wait_seconds=1)
        result.event_bytes = [len(json.dumps(e, separators=(",", ":"))) for e in events]
        report = audit(deliveries, events, stack.config, stack.host)
        result.exactly_once, result.audit = report.clean, report.summary()
    return result


def _log_bytes(sent: list[Sent]) -> tuple[int, int, set[Any]]:
    """Bytes of EMF records and of warning lines the receiver writes for ``sent``, and series."""
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    from hookgate import webhook_http
    from hookgate.receive import Outcome
    from hookgate.webhook_metrics import WebhookMetrics

    metrics_out, log_out = io.StringIO(), io.StringIO()
    formatter = LambdaPowertoolsFormatter(service="hookgate")
    formatter.append_keys(  # what inject_lambda_context adds on Lambda
        cold_start=False,
        function_name="hookgate-ReceiverFunction-AbCdEfGhIjKl",
        function_memory_size=512,
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:hookgate-ReceiverFunction-AbCdEfGhIjKl",
        function_request_id="c6af9ac6-7b61-11e6-9a41-93e812345678",
    )
    handler = logging.StreamHandler(log_out)
    handler.setFormatter(formatter)
    logger = logging.getLogger(webhook_http.__name__)
    saved_level, saved_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    metrics = WebhookMetrics()
    saved = os.environ.pop("POWERTOOLS_METRICS_DISABLED", None)
    try:
        with contextlib.redirect_stdout(metrics_out):
            for item in sent:
                if item.status == 200:
                    name = "accepted" if item.accepted else "duplicate"
                    stage: str | None = "current"
                else:
                    name, stage = "rejected", None
                outcome = Outcome(
                    status=item.status,
                    outcome=name,
                    provider=item.provider,
                    registration=f"{item.provider}-demo",
                    reason="signature mismatch" if item.status == 401 else None,
                    stage=stage,
                    accepted=item.accepted,
                    duplicates=item.duplicates,
                )
                webhook_http.record(outcome, metrics)
    finally:
        if saved is not None:
            os.environ["POWERTOOLS_METRICS_DISABLED"] = saved
        logger.removeHandler(handler)
        logger.setLevel(saved_level)
        logger.propagate = saved_propagate
    series: set[Any] = set()
    for line in metrics_out.getvalue().splitlines():
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                for dimensions in directive["Dimensions"]:
                    values = tuple((name, record[name]) for name in dimensions)
                    series.add((metric["Name"], values))
    return len(metrics_out.getvalue()), len(log_out.getvalue()), series


@dataclass
class Declared:
    """What template.yaml declares that the bill depends on."""

    secrets: int
    alarm_metrics: int  # every alarm's, those that exist only under a condition included
    conditional_alarm_metrics: int
    dashboards: int
    access_log_bytes: int  # one HTTP API access-log line, typical values filled in
    platform_logs: bool  # Lambda's START/END/REPORT lines reach the receiver's log group


def _declared() -> Declared:
    """Count secrets, metrics read by alarms and dashboards; size the receiver's log lines."""
    from hookgate_dev.local.template import load_template

    template = load_template(ROOT / "template.yaml")
    resources = template["Resources"]
    alarm_metrics = conditional = 0
    for resource in resources.values():
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            properties = resource["Properties"]
            if "MetricName" in properties:
                metrics = 1
            else:
                metrics = sum("MetricStat" in q for q in properties["Metrics"])
            alarm_metrics += metrics
            conditional += metrics if "Condition" in resource else 0
    access = resources["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
    typical = {
        "requestId": "Jm5mBgcrIAMEPsg=",
        "identity.sourceIp": "203.0.113.17",
        "requestTimeEpoch": "1795986674384",
        "routeKey": "POST /webhooks/{provider}/{registration}",
        "path": "/webhooks/sinch_conversation/sinch-demo",
        "status": "200",
        "responseLength": "32",
        "integrationLatency": "14",
        "integrationErrorMessage": "-",
    }
    for name, value in typical.items():
        access = access.replace(f"$context.{name}", value)
    logging_config = resources["ReceiverFunction"]["Properties"].get("LoggingConfig", {})
    return Declared(
        secrets=sum(r["Type"] == "AWS::SecretsManager::Secret" for r in resources.values()),
        alarm_metrics=alarm_metrics,
        conditional_alarm_metrics=conditional,
        dashboards=sum(r["Type"] == "AWS::CloudWatch::Dashboard" for r in resources.values()),
        access_log_bytes=len(access) + 1,
        platform_logs=logging_config.get("SystemLogLevel", "INFO") in {"DEBUG", "INFO"},
    )


def price(prices: dict[str, dict[str, Any]], name: str, quantity: float) -> float:
    """Return the cost of ``quantity`` units of the price called ``name``."""
    entry = prices[name]
    return float(entry["usd"]) * quantity / float(entry["per"])


def compute(
    measured: Measurement, prices: dict[str, dict[str, Any]], handler_us: float
) -> dict[str, Any]:
    """Price the mix: variable cost per million webhooks, fixed cost a month, and totals."""

    def value(name: str) -> float:
        return float(prices[name]["value"])

    genuine = sum(s.kind == "genuine" for s in measured.sent) or 1
    requests = len(measured.sent)
    per_webhook = requests / genuine
    calls = measured.mix_calls
    ddb_writes = sum(n for api, n in calls.items() if api.split(".")[-1] in DYNAMODB_WRITES)
    ddb_reads = sum(n for api, n in calls.items() if api.split(".")[-1] in DYNAMODB_READS)
    batch_items = len(measured.event_bytes)  # one completion item per published event
    wru = (ddb_writes + batch_items) / genuine
    rru = ddb_reads / genuine
    aws_calls = sum(n for api, n in calls.items() if not api.startswith("secretsmanager"))
    cpu_ms = handler_us / 1000 * value("lambda_cpu_factor_512mb")
    io_ms = aws_calls / requests * value("aws_call_round_trip_ms")
    billed_ms = math.ceil(cpu_ms + io_ms) if cpu_ms + io_ms > 0 else 0
    init_ms = value("cold_starts_per_thousand") / 1000 * value("cold_start_init_ms")
    gb_seconds = (billed_ms + init_ms) / 1000 * value("lambda_memory_gb") * per_webhook
    events = len(measured.event_bytes) / genuine
    chunks = sum(math.ceil(b / EVENT_CHUNK_BYTES) for b in measured.event_bytes) / genuine
    archive_gb = sum(measured.event_bytes) / genuine / 1e9
    emf_bytes, warning_bytes, series = _log_bytes(measured.sent)
    declared = _declared()
    platform = value("lambda_platform_log_bytes") if declared.platform_logs else 0.0
    log_gb = ((emf_bytes + warning_bytes) / genuine + platform * per_webhook) / 1e9
    access_gb = declared.access_log_bytes * per_webhook / 1e9
    million = 1_000_000
    variable = {
        "api_gateway": price(prices, "api_gateway_http_request", per_webhook * million),
        "lambda_requests": price(prices, "lambda_request", per_webhook * million),
        "lambda_duration": price(prices, "lambda_gb_second_arm64", gb_seconds * million),
        "eventbridge_events": price(prices, "eventbridge_custom_event", chunks * million),
        "eventbridge_archive": price(prices, "eventbridge_archive_gb", archive_gb * million),
        "dynamodb_writes": price(prices, "dynamodb_write_request_unit", wru * million),
        "dynamodb_reads": price(prices, "dynamodb_read_request_unit", rru * million),
        "cloudwatch_logs": price(prices, "cloudwatch_logs_ingested_gb", log_gb * million),
        "api_access_log": price(prices, "cloudwatch_logs_ingested_gb", access_gb * million),
    }

    def fixed(webhooks_a_month: float) -> dict[str, float]:
        rate = webhooks_a_month * per_webhook / SECONDS_PER_MONTH
        busy = rate * value("busy_hour_factor") * (billed_ms / 1000)
        containers = max(1, math.ceil(busy))
        # One ListSecretVersionIds per secret per warm container per cache period, only while
        # the secret is used: never more reads than the secret's own webhooks.
        per_secret = min(
            webhooks_a_month * per_webhook / max(1, measured.secrets_in_use),
            containers * SECONDS_PER_MONTH / _cache_seconds(),
        )
        reads = per_secret * (measured.secrets_in_use + 1)  # + the token signing key
        return {
            "secrets": price(prices, "secrets_manager_secret_month", declared.secrets),
            "secrets_manager_reads": price(prices, "secrets_manager_api_call", reads),
            "metric_series": price(prices, "cloudwatch_metric_month", len(series)),
            "alarms": price(prices, "cloudwatch_alarm_metric_month", declared.alarm_metrics),
            "dashboard": price(prices, "cloudwatch_dashboard_month", declared.dashboards),
        }

    per_million = sum(variable.values())
    url_per_million = per_million - variable["api_gateway"] - variable["api_access_log"]
    totals = {}
    for volume in (1_000_000, 10_000_000):
        month = fixed(volume)
        totals[volume] = {
            "fixed": month,
            "fixed_total": sum(month.values()),
            "http_api": sum(month.values()) + per_million * volume / million,
            "function_url": sum(month.values()) + url_per_million * volume / million,
        }
    # What one accepted single-event webhook cannot do without, before any log or duration:
    # the front's request, Lambda's request, the event, and exactly-once's claim and completion.
    floor = {
        "api_gateway": price(prices, "api_gateway_http_request", million),
        "lambda_requests": price(prices, "lambda_request", million),
        "eventbridge_events": price(prices, "eventbridge_custom_event", million),
        "dynamodb_writes": price(prices, "dynamodb_write_request_unit", 2 * million),
    }
    return {
        "floor_http_api": floor,
        "requests_per_webhook": per_webhook,
        "events_per_webhook": events,
        "wru_per_webhook": wru,
        "rru_per_webhook": rru,
        "billed_ms": billed_ms,
        "metric_series": len(series),
        "alarm_metrics": declared.alarm_metrics,
        "conditional_alarm_metrics": declared.conditional_alarm_metrics,
        "secrets": declared.secrets,
        "platform_logs": declared.platform_logs,
        "variable": variable,
        "per_million_http_api": per_million,
        "per_million_function_url": url_per_million,
        "totals": totals,
    }


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(measured: Measurement, figures: dict[str, Any], prices: dict[str, Any]) -> None:
    """Print every figure beside its target."""
    hookdeck = float(prices["hookdeck_lowest_per_million"]["usd"])
    print("hookgate cost, from the local stack's recorded AWS calls and benchmarks/prices.toml")
    print(
        "AWS calls per accepted webhook, by provider (target <= 3; a webhook carrying n events"
        " makes one claim per event: n + 2)"
    )
    for provider, apis in measured.per_provider.items():
        total = sum(apis.values())
        events = measured.events_per_webhook.get(provider, 1.0)
        ok = total - max(0.0, events - 1) <= TARGET_CALLS
        detail = ", ".join(f"{api} {count:g}" for api, count in apis.items())
        print(
            f"  {provider:20} {total:4.2f} calls, {events:4.2f} events  {_verdict(ok)}  ({detail})"
        )
    kinds = Counter(s.kind for s in measured.sent)
    print(
        f"mix: {len(measured.sent)} requests ({', '.join(f'{n} {k}' for k, n in kinds.items())});"
        f" calls: {', '.join(f'{api} {n}' for api, n in sorted(measured.mix_calls.items()))}"
    )
    print(f"  exactly once: {measured.audit}")
    print(
        f"  per webhook: {figures['requests_per_webhook']:.3f} requests,"
        f" {figures['events_per_webhook']:.3f} events, {figures['wru_per_webhook']:.2f} WRU,"
        f" {figures['rru_per_webhook']:.2f} RRU, {figures['billed_ms']} ms billed;"
        f" {figures['metric_series']} metric series, {figures['alarm_metrics']} alarm metrics"
        f" ({figures['conditional_alarm_metrics']} only under a template condition such as"
        " Endpoint=FunctionUrl, counted for both fronts),"
        f" {figures['secrets']} secrets"
    )
    print("variable cost per million webhooks:")
    for item, usd in figures["variable"].items():
        print(f"  {item:22} ${usd:7.3f}")
    for label, key in (
        ("HTTP API", "per_million_http_api"),
        ("function URL", "per_million_function_url"),
    ):
        usd = figures[key]
        print(
            f"  total, {label:13} ${usd:7.2f}  (target <= ${hookdeck:.2f})  {_verdict(usd <= hookdeck)}"
        )
    floor = figures["floor_http_api"]
    parts = " + ".join(f"{name} ${usd:.2f}" for name, usd in floor.items())
    least = sum(floor.values())
    print(
        f"  least possible behind the HTTP API, exactly once: {parts} = ${least:.2f}"
        + (" (over the target whatever else is cut)" if least > hookdeck else "")
    )
    for volume, total in figures["totals"].items():
        fixed = ", ".join(f"{k} ${v:.2f}" for k, v in total["fixed"].items())
        print(
            f"a month at {volume // 1_000_000}M webhooks: fixed ${total['fixed_total']:.2f} ({fixed})"
        )
        for label, key in (("HTTP API", "http_api"), ("function URL", "function_url")):
            target = TARGET_MONTHLY_AT_1M if volume == 1_000_000 else None
            suffix = (
                f"  (target <= ${target:.0f})  {_verdict(total[key] <= target)}" if target else ""
            )
            print(f"  all-in, {label:13} ${total[key]:8.2f}{suffix}")
    assumed = [name for name, entry in prices.items() if entry.get("assumed")]
    print(f"assumptions (prices.toml): {', '.join(assumed)}")


def main() -> int:
    """Measure, price and print; exit 1 when an answer or the exactly-once audit is wrong."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--per-target", type=int, default=5, help="webhooks per registration (a)")
    parser.add_argument("--mix", type=int, default=400, help="genuine webhooks in the mix (b)")
    parser.add_argument(
        "--handler-us", type=float, default=None, help="warm handler µs (receiver_bench.py)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    prices = load_prices()
    handler_us = args.handler_us or float(prices["handler_cpu_us"]["value"])
    measured = measure(args.per_target, args.mix)
    figures = compute(measured, prices, handler_us)
    report(measured, figures, prices)
    for line in measured.unexpected[:10]:
        print(f"  unexpected: {line}")
    if args.json:
        print(json.dumps({"per_provider": measured.per_provider, **figures}, indent=2, default=str))
    return 0 if measured.exactly_once and not measured.unexpected else 1


if __name__ == "__main__":
    sys.exit(main())
