"""The receiver's HTTP side: event in, outcome counted and logged, HTTP answer out.

The early answers live here too: 400 when the event's body cannot be decoded, 503 when hookgate
is misconfigured (the provider retries), 500 when a plugin failed unexpectedly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from hookgate.apigw import BadEventBodyError, json_response, request_from_event, text_response
from hookgate.errors import ConfigError
from hookgate.receive import Outcome, Receiver
from hookgate.webhook_metrics import WebhookMetrics

logger = logging.getLogger(__name__)


def record(outcome: Outcome, metrics: WebhookMetrics) -> None:
    """Count ``outcome`` in the metrics and log it (a warning when refused or failed)."""
    counts = {"Webhooks": 1}
    if outcome.accepted:
        counts["EventsPublished"] = outcome.accepted
    if outcome.duplicates:
        counts["Duplicates"] = outcome.duplicates
    if outcome.stage and outcome.stage != "current":
        counts[f"VerifiedWith{outcome.stage.capitalize()}Secret"] = 1
    metrics.record(
        outcome.provider or "unknown", outcome.outcome, counts=counts, status=outcome.status
    )
    # Accepted webhooks are counted by the metrics; the log line is for the exceptions, and
    # carries the refusal's reason (the dashboard's per-reason view reads it from the logs).
    if outcome.status >= 400 or logger.isEnabledFor(logging.DEBUG):
        logger.log(
            logging.WARNING if outcome.status >= 400 else logging.DEBUG,
            "webhook " + outcome.outcome,
            extra={
                "status": outcome.status,
                "provider": outcome.provider,
                "registration": outcome.registration,
                "reason": outcome.reason,
                "secret_version": outcome.stage,
                "accepted": outcome.accepted,
                "duplicates": outcome.duplicates,
            },
        )


def _path_names(event: dict[str, Any]) -> tuple[str, str]:
    """Return the provider and registration the request's path names.

    Behind the HTTP API they are the route's path parameters; a Lambda function URL passes every
    path, so the receiver reads ``/webhooks/<provider>/<registration>`` itself (anything else
    names no webhook: a 404).
    """
    params = event.get("pathParameters")
    if params is not None:
        return params.get("provider", ""), params.get("registration", "")
    parts = str(event.get("rawPath", "")).split("/")
    if len(parts) == 4 and parts[:2] == ["", "webhooks"]:
        return parts[2], parts[3]
    return "", ""


def _outcome(event: dict[str, Any], receiver: Callable[[], Receiver]) -> Outcome:
    provider, registration = _path_names(event)
    try:
        request = request_from_event(event)
    except BadEventBodyError as exc:
        return Outcome(status=400, outcome="malformed", reason=str(exc), body={"message": str(exc)})
    if request.method not in {"GET", "POST"}:  # only through a function URL
        return Outcome(status=405, outcome="method_not_allowed", body={"message": "use POST"})
    try:
        pipeline = receiver()
    except ConfigError as exc:
        logger.critical("hookgate is misconfigured", extra={"error": str(exc)})
        return Outcome(
            status=503, outcome="misconfigured", body={"message": "temporarily unavailable"}
        )
    try:
        if request.method == "GET":
            return pipeline.handshake(request, provider, registration)
        return pipeline.receive(request, provider, registration)
    except Exception:
        logger.exception("unexpected failure", extra={"provider": provider})
        return Outcome(
            status=500, outcome="error", provider=provider, body={"message": "internal error"}
        )


def answer(
    event: dict[str, Any], receiver: Callable[[], Receiver], metrics: WebhookMetrics
) -> dict[str, Any]:
    """Run ``POST|GET /webhooks/{provider}/{registration}`` and return the HTTP answer."""
    outcome = _outcome(event, receiver)
    record(outcome, metrics)
    if outcome.text is not None:
        return text_response(outcome.status, outcome.text, outcome.content_type or "text/plain")
    return json_response(outcome.status, outcome.response_body)
