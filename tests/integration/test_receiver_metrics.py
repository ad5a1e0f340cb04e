"""The receiver's CloudWatch metrics (EMF records on stdout) count by result and name provider
and outcome as properties; the refusal's reason is in the log line, not a metric dimension."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

from hookgate.apigw import webhook_event
from hookgate.webhook_metrics import RECEIVER_METRICS
from hookgate_dev.providers.hookgate_sinch_conversation.samples import SAMPLE_PAYLOADS

from .conftest import Account, LambdaContext
from .test_receiver import signed


def emf_records(out: str) -> list[dict[str, Any]]:
    records = []
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            record = json.loads(line)
            if "CloudWatchMetrics" in record["_aws"]:
                records.append(record)
    return records


def views(record: dict[str, Any], metric: str) -> list[dict[str, str]]:
    """Each dimension set ``metric`` is published under, with the record's values."""
    (directive,) = [
        d
        for d in record["_aws"]["CloudWatchMetrics"]
        if metric in {m["Name"] for m in d["Metrics"]}
    ]
    return [{name: record[name] for name in dims} for dims in directive["Dimensions"]]


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)


def deliver(app: ModuleType, body: bytes, headers: dict[str, str], provider: str) -> int:
    event = webhook_event(provider, "sinch-demo", body, headers)
    return int(app.lambda_handler(event, LambdaContext())["statusCode"])


def test_accepted_webhook_counts_per_provider_and_per_outcome_and_secret_version(
    sinch_account: Account,
    receiver_app: ModuleType,
    metrics_on: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    body = next(iter(SAMPLE_PAYLOADS.values()))
    assert deliver(receiver_app, body, signed(body), "sinch_conversation") == 200
    (record,) = emf_records(capsys.readouterr().out)
    assert views(record, "Webhooks") == [{"service": "hookgate", "result": "accepted"}]
    assert record["outcome"] == "accepted"
    assert views(record, "EventsPublished") == [{"service": "hookgate"}]
    assert record["provider"] == "sinch_conversation"  # for Logs Insights, not a dimension
    assert record["Webhooks"] == 1.0
    assert record["EventsPublished"] == 1.0
    assert "VerifiedWithCurrentSecret" not in record  # the usual case is not counted apart
    names = {m["Name"] for d in record["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    assert names <= RECEIVER_METRICS


def test_a_refused_webhook_is_counted_by_outcome_and_logged_with_its_reason(
    sinch_account: Account,
    receiver_app: ModuleType,
    metrics_on: None,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = next(iter(SAMPLE_PAYLOADS.values()))
    forged = {**signed(body), "x-sinch-webhook-signature": "AAAA"}
    assert deliver(receiver_app, body, forged, "sinch_conversation") == 401
    (record,) = emf_records(capsys.readouterr().out)
    assert views(record, "Webhooks") == [{"service": "hookgate", "result": "refused"}]
    assert record["outcome"] == "rejected"
    assert record["provider"] == "sinch_conversation"
    assert "reason" not in record
    (line,) = [r for r in caplog.records if r.getMessage() == "webhook rejected"]
    assert (line.levelname, line.provider, line.reason) == (  # type: ignore[attr-defined]
        "WARNING",
        "sinch_conversation",
        "signature mismatch",
    )
    assert "VerifiedWithCurrentSecret" not in record


def test_an_unknown_provider_in_the_path_never_becomes_a_dimension_value(
    sinch_account: Account,
    receiver_app: ModuleType,
    metrics_on: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    body = b"{}"
    assert deliver(receiver_app, body, {}, "attacker-chosen-name") == 404
    out = capsys.readouterr().out
    (record,) = emf_records(out)
    assert "attacker-chosen-name" not in json.dumps(record)
    assert record["provider"] == "unknown"
