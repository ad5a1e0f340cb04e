"""The receiver's EMF records: Powertools' format, each shape serialised once, bounded cache."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

from hookgate import webhook_metrics
from hookgate.webhook_metrics import WebhookMetrics


@pytest.fixture(autouse=True)
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)


def emitted(metrics: WebhookMetrics, *args: Any, **kwargs: Any) -> dict[str, Any]:
    out = io.StringIO()
    metrics.record(*args, stream=out, **kwargs)
    (line,) = out.getvalue().splitlines()
    record: dict[str, Any] = json.loads(line)
    return record


def powertools_record(counts: dict[str, float], reason: str | None) -> dict[str, Any]:
    emf = AmazonCloudWatchEMFProvider(namespace="hookgate", service="hookgate")
    emf.add_dimension(name="provider", value="acme")
    emf.add_dimension(name="outcome", value="accepted")
    emf.add_dimensions(service="hookgate", outcome="accepted")
    if reason:
        emf.add_dimensions(service="hookgate", provider="acme", reason=reason)
    for name, value in counts.items():
        emf.add_metric(name=name, unit="Count", value=value)
    return dict(emf.serialize_metric_set())


def without_timestamp(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "_aws": {k: v for k, v in record["_aws"].items() if k != "Timestamp"}}


def test_a_reused_shape_gives_the_record_powertools_would_build_with_the_new_values() -> None:
    metrics = WebhookMetrics()
    emitted(metrics, "acme", "accepted", counts={"Webhooks": 1, "EventsPublished": 1})
    second = emitted(metrics, "acme", "accepted", counts={"Webhooks": 1, "EventsPublished": 3})
    expected = powertools_record({"Webhooks": 1, "EventsPublished": 3}, None)
    assert without_timestamp(second) == without_timestamp(expected)
    assert abs(second["_aws"]["Timestamp"] - expected["_aws"]["Timestamp"]) < 5_000


def test_a_refusal_reason_is_a_third_dimension_set_and_is_folded() -> None:
    record = emitted(
        WebhookMetrics(), "acme", "accepted", reason="Bad Sig!", counts={"Webhooks": 1}
    )
    assert without_timestamp(record) == without_timestamp(
        powertools_record({"Webhooks": 1}, "bad_sig")
    )


def test_shapes_past_the_bound_are_serialised_afresh_not_cached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(webhook_metrics, "MAX_SHAPES", 3)
    metrics = WebhookMetrics()
    for number in range(10):
        record = emitted(metrics, "acme", "rejected", reason=f"r{number}", counts={"Webhooks": 1})
        assert record["reason"] == f"r{number}"
    assert len(metrics._shapes) == 3


def test_disabled_metrics_write_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    out = io.StringIO()
    WebhookMetrics().record("acme", "accepted", counts={"Webhooks": 1}, stream=out)
    assert out.getvalue() == ""
