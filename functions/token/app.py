"""Token Lambda: ``POST /oauth2/token`` for providers that call back with client credentials."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from hookgate.apigw import BadEventBodyError, json_response, request_from_event
from hookgate.errors import ConfigError, SecretUnavailableError
from hookgate.observe import traced_quietly
from hookgate.runtime import get_token_endpoint

logger = Logger(service="hookgate")
metrics = Metrics(namespace="hookgate", service="hookgate")

NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}


def _unavailable() -> dict[str, Any]:
    body = {"error": "temporarily_unavailable", "error_description": "try again later"}
    return json_response(503, body, NO_STORE)


def _answer(event: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Return the HTTP answer and the outcome to count."""
    try:
        request = request_from_event(event)
    except BadEventBodyError as exc:
        body = {"error": "invalid_request", "error_description": str(exc)}
        return json_response(400, body, NO_STORE), "invalid_request"
    try:
        response = get_token_endpoint().handle(request)
    except ConfigError as exc:
        logger.critical("token endpoint is misconfigured", extra={"error": str(exc)})
        return _unavailable(), "misconfigured"
    except SecretUnavailableError as exc:
        logger.error("secrets unavailable", extra={"error": str(exc)})
        return _unavailable(), "secret_unavailable"
    except Exception:
        logger.exception("unexpected failure")
        body = {"error": "server_error", "error_description": "internal error"}
        return json_response(500, body, NO_STORE), "error"
    if response.status >= 400:
        logger.warning(
            "token request refused", extra={"status": response.status, "error": response.outcome}
        )
    return json_response(response.status, response.body, response.headers), response.outcome


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@traced_quietly  # the response carries the access token: never in a trace
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Issue an access token or answer with an RFC 6749 error; never log a credential."""
    metrics.clear_metrics()
    answer, outcome = _answer(event)
    metrics.add_dimension(name="outcome", value=outcome)
    metrics.add_metric(name="TokenRequests", unit=MetricUnit.Count, value=1)
    return answer
