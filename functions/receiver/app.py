"""Receiver Lambda: API Gateway HTTP API → hookgate's receive pipeline → HTTP answer."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from hookgate.apigw import BadEventBodyError, json_response, request_from_event, text_response
from hookgate.errors import ConfigError
from hookgate.observe import traced
from hookgate.receive import Outcome
from hookgate.runtime import get_receiver
from hookgate.webhook_metrics import WebhookMetrics

logger = Logger(service="hookgate")
metrics = WebhookMetrics()


def _record(outcome: Outcome) -> None:
    counts = {"Webhooks": 1}
    if outcome.accepted:
        counts["EventsPublished"] = outcome.accepted
    if outcome.duplicates:
        counts["Duplicates"] = outcome.duplicates
    if outcome.stage:
        counts[f"VerifiedWith{outcome.stage.capitalize()}Secret"] = 1
    refused = 400 <= outcome.status < 500
    metrics.record(
        outcome.provider or "unknown",
        outcome.outcome,
        reason=(outcome.reason or outcome.outcome) if refused else None,
        counts=counts,
    )
    # Accepted webhooks are counted by the metrics; the log line is for the exceptions.
    log = logger.warning if outcome.status >= 400 else logger.debug
    log(
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


def _respond(outcome: Outcome) -> dict[str, Any]:
    _record(outcome)
    if outcome.text is not None:
        return text_response(outcome.status, outcome.text, outcome.content_type or "text/plain")
    return json_response(outcome.status, outcome.response_body)


@logger.inject_lambda_context(clear_state=True)
@traced
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Handle ``POST|GET /webhooks/{provider}/{registration}``."""
    params = event.get("pathParameters") or {}
    provider, registration = params.get("provider", ""), params.get("registration", "")
    try:
        request = request_from_event(event)
    except BadEventBodyError as exc:
        return _respond(
            Outcome(status=400, outcome="malformed", reason=str(exc), body={"message": str(exc)})
        )
    try:
        receiver = get_receiver()
    except ConfigError as exc:
        logger.critical("hookgate is misconfigured", extra={"error": str(exc)})
        return _respond(
            Outcome(
                status=503, outcome="misconfigured", body={"message": "temporarily unavailable"}
            )
        )
    try:
        if request.method == "GET":
            outcome = receiver.handshake(request, provider, registration)
        else:
            outcome = receiver.receive(request, provider, registration)
    except Exception:
        logger.exception("unexpected failure", extra={"provider": provider})
        outcome = Outcome(
            status=500, outcome="error", provider=provider, body={"message": "internal error"}
        )
    return _respond(outcome)
