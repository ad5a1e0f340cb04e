"""The receiver's HTTP side: what an outcome counts, and where a function URL's path points."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from typing import Any

import pytest

from hookgate import webhook_http
from hookgate.receive import Outcome
from hookgate.webhook_metrics import WebhookMetrics


@pytest.fixture(autouse=True)
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)


def counted(outcome: Outcome) -> dict[str, Any]:
    out = io.StringIO()
    with redirect_stdout(out):
        webhook_http.record(outcome, WebhookMetrics())
    record: dict[str, Any] = json.loads(out.getvalue())
    return {k: v for k, v in record.items() if k not in {"_aws", "service"}}


@pytest.mark.parametrize(
    ("stage", "extra"),
    [
        ("current", {}),
        ("pending", {"VerifiedWithPendingSecret": 1.0}),
        ("previous", {"VerifiedWithPreviousSecret": 1.0}),
        (None, {}),
    ],
)
def test_an_accepted_webhook_counts_events_and_only_an_unusual_secret_version(
    stage: str | None, extra: dict[str, float]
) -> None:
    outcome = Outcome(status=200, outcome="accepted", provider="p", stage=stage, accepted=2)
    assert counted(outcome) == {
        "result": "accepted",
        "outcome": "accepted",
        "provider": "p",
        "Webhooks": 1.0,
        "EventsPublished": 2.0,
        **extra,
    }


def test_a_duplicate_counts_its_duplicates_and_an_unknown_provider_is_named_so() -> None:
    assert counted(Outcome(status=200, outcome="duplicate", duplicates=3)) == {
        "result": "duplicate",
        "outcome": "duplicate",
        "provider": "unknown",
        "Webhooks": 1.0,
        "Duplicates": 3.0,
    }


def test_a_refusal_is_counted_by_its_status_class_and_named_in_full() -> None:
    refused = Outcome(status=401, outcome="rejected", provider="p", reason="bad signature")
    assert counted(refused) == {
        "result": "refused",
        "outcome": "rejected",
        "provider": "p",
        "Webhooks": 1.0,
    }


@pytest.mark.parametrize(
    ("event", "names"),
    [
        ({"pathParameters": {"provider": "a", "registration": "b"}, "rawPath": "/x"}, ("a", "b")),
        ({"pathParameters": {}, "rawPath": "/webhooks/a/b"}, ("", "")),
        ({"rawPath": "/webhooks/a/b"}, ("a", "b")),
        ({"rawPath": "/webhooks/a/b/"}, ("", "")),
        ({"rawPath": "/webhooks/a"}, ("", "")),
        ({"rawPath": "/hooks/a/b"}, ("", "")),
        ({"rawPath": "webhooks/a/b/c"}, ("", "")),
        ({}, ("", "")),
    ],
)
def test_the_path_names_the_webhook_behind_either_endpoint(
    event: dict[str, Any], names: tuple[str, str]
) -> None:
    assert webhook_http._path_names(event) == names


def test_a_method_other_than_get_or_post_is_answered_405_before_the_pipeline() -> None:
    from hookgate.apigw import build_event

    event = build_event(
        method="DELETE",
        path="/webhooks/a/b",
        route_key="$default",
        path_parameters={},
        headers={},
        body=b"",
    )
    event.pop("pathParameters", None)

    def no_pipeline() -> Any:
        raise AssertionError("the pipeline is not needed to refuse the method")

    response = webhook_http.answer(event, no_pipeline, WebhookMetrics())
    assert response["statusCode"] == 405
    assert json.loads(response["body"]) == {"message": "use POST"}
