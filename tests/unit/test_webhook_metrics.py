"""The receiver's EMF records: valid embedded metric format, few series, shapes built once."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from hookgate import webhook_metrics
from hookgate.webhook_metrics import RECEIVER_METRICS, WebhookMetrics


@pytest.fixture(autouse=True)
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)


def emitted(metrics: WebhookMetrics, *args: Any, **kwargs: Any) -> dict[str, Any]:
    out = io.StringIO()
    metrics.record(*args, stream=out, **kwargs)
    (line,) = out.getvalue().splitlines()
    record: dict[str, Any] = json.loads(line)
    return record


def series(record: dict[str, Any]) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """The (metric, dimension values) pairs CloudWatch bills for one record, as EMF defines them."""
    found = set()
    for directive in record["_aws"]["CloudWatchMetrics"]:
        assert directive["Namespace"] == "hookgate"
        for metric in directive["Metrics"]:
            assert metric["Unit"] == "Count" and metric["Name"] in record
            for dimensions in directive["Dimensions"]:
                values = tuple((name, record[name]) for name in dimensions)
                found.add((metric["Name"], values))
    return found


def by_metric(record: dict[str, Any]) -> dict[str, list[list[str]]]:
    return {
        metric["Name"]: directive["Dimensions"]
        for directive in record["_aws"]["CloudWatchMetrics"]
        for metric in directive["Metrics"]
    }


def test_webhooks_by_result_the_rest_by_service_only_provider_and_outcome_properties() -> None:
    counts = {"Webhooks": 1, "EventsPublished": 3, "VerifiedWithPendingSecret": 1}
    record = emitted(WebhookMetrics(), "acme", "accepted", counts=counts, status=200)
    assert by_metric(record) == {
        "Webhooks": [["service", "result"]],
        "EventsPublished": [["service"]],
        "VerifiedWithPendingSecret": [["service"]],
    }
    assert (record["service"], record["result"], record["outcome"], record["provider"]) == (
        "hookgate",
        "accepted",
        "accepted",
        "acme",
    )
    assert record["EventsPublished"] == 3.0 and record["Webhooks"] == 1.0
    assert set(by_metric(record)) <= RECEIVER_METRICS
    assert "reason" not in record


def test_a_month_of_four_providers_touches_six_series_however_many_providers_and_refusals() -> None:
    metrics = WebhookMetrics()
    found: set[Any] = set()
    for provider in ("p1", "p2", "p3", "p4"):
        for outcome, status, counts in (
            ("accepted", 200, {"Webhooks": 1, "EventsPublished": 1}),
            (
                "accepted",
                200,
                {"Webhooks": 1, "EventsPublished": 1, "VerifiedWithPreviousSecret": 1},
            ),
            ("duplicate", 200, {"Webhooks": 1, "Duplicates": 1}),
            ("rejected", 401, {"Webhooks": 1}),
            ("malformed", 400, {"Webhooks": 1}),
            ("not_found", 404, {"Webhooks": 1}),
            ("too_large", 413, {"Webhooks": 1}),
        ):
            found |= series(emitted(metrics, provider, outcome, counts=counts, status=status))
    # Webhooks: accepted, duplicate, refused; EventsPublished, Duplicates, VerifiedWithPrevious
    assert len(found) == 6


@pytest.mark.parametrize(
    ("outcome", "status", "result"),
    [
        ("accepted", 200, "accepted"),
        ("duplicate", 200, "duplicate"),
        ("handshake", 200, "handshake"),
        ("rejected", 401, "refused"),
        ("malformed", 400, "refused"),
        ("too_large", 413, "refused"),
        ("handshake", 499, "refused"),
        ("secret_unavailable", 500, "failed"),
        ("store_unavailable", 503, "failed"),
        ("error", 500, "failed"),
        ("publish_failed", 503, "publish_failed"),
        ("in_flight", 503, "in_flight"),
        ("accepted", 399, "accepted"),
    ],
)
def test_the_result_is_the_outcome_when_answered_refused_for_4xx_failed_for_5xx(
    outcome: str, status: int, result: str
) -> None:
    record = emitted(WebhookMetrics(), "acme", outcome, counts={"Webhooks": 1}, status=status)
    assert (record["result"], record["outcome"]) == (result, outcome)
    assert webhook_metrics.result_of(outcome, status) == result


def test_each_shape_is_built_once_and_the_timestamp_is_fresh() -> None:
    metrics = WebhookMetrics()
    first = emitted(
        metrics, "a", "accepted", counts={"Webhooks": 1, "EventsPublished": 1}, status=200
    )
    second = emitted(
        metrics, "b", "accepted", counts={"Webhooks": 1, "EventsPublished": 2}, status=200
    )
    third = emitted(
        metrics, "b", "accepted", counts={"Webhooks": 1, "EventsPublished": 5}, status=200
    )
    again = emitted(
        metrics, "b", "accepted", counts={"Webhooks": 1, "EventsPublished": 2}, status=200
    )
    assert len(metrics._heads) == 2  # one per provider, outcome and metric names
    assert len(metrics._tails) == 3  # one per provider, outcome, metric names and values
    assert again == {**second, "_aws": {**second["_aws"], "Timestamp": again["_aws"]["Timestamp"]}}
    assert first["_aws"]["CloudWatchMetrics"] == second["_aws"]["CloudWatchMetrics"]
    assert second["provider"] == "b" and second["EventsPublished"] == 2.0
    assert third["EventsPublished"] == 5.0 and third["_aws"] == {
        **second["_aws"],
        "Timestamp": third["_aws"]["Timestamp"],
    }
    assert second["_aws"]["Timestamp"] >= first["_aws"]["Timestamp"] > 1_700_000_000_000


def test_shapes_past_the_bound_are_written_afresh_not_cached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(webhook_metrics, "MAX_SHAPES", 2)
    metrics = WebhookMetrics()
    for number in range(5):
        record = emitted(metrics, f"p{number}", "accepted", counts={"Webhooks": 1}, status=200)
        assert (record["provider"], record["Webhooks"]) == (f"p{number}", 1.0)
    assert len(metrics._heads) == 2 and len(metrics._tails) == 2


def test_names_that_need_escaping_stay_valid_json() -> None:
    record = emitted(WebhookMetrics(), 'we"ird\\', "accepted", counts={"Webhooks": 1}, status=200)
    assert record["provider"] == 'we"ird\\'


def test_a_record_without_webhooks_has_only_the_service_directive() -> None:
    record = emitted(WebhookMetrics(), "a", "accepted", counts={"Duplicates": 2}, status=200)
    assert by_metric(record) == {"Duplicates": [["service"]]}


def test_disabled_metrics_write_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    out = io.StringIO()
    WebhookMetrics().record("acme", "accepted", counts={"Webhooks": 1}, status=200, stream=out)
    assert out.getvalue() == ""


def test_one_outcome_answered_with_two_statuses_is_two_shapes() -> None:
    metrics = WebhookMetrics()
    answered = emitted(metrics, "meta", "handshake", counts={"Webhooks": 1}, status=200)
    refused = emitted(metrics, "meta", "handshake", counts={"Webhooks": 1}, status=403)
    assert (answered["result"], refused["result"]) == ("handshake", "refused")
