"""Receiver Lambda: API Gateway HTTP API → hookgate's receive pipeline → HTTP answer."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from hookgate import webhook_http
from hookgate.log_context import LambdaContextKeys
from hookgate.observe import traced
from hookgate.runtime import get_receiver
from hookgate.webhook_metrics import WebhookMetrics

logger = Logger(service="hookgate")
metrics = WebhookMetrics()
# Powertools' inject_lambda_context(clear_state=True), applied when a line is written (log_context).
context_keys = LambdaContextKeys(logger)


@context_keys.inject
@traced
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Handle ``POST|GET /webhooks/{provider}/{registration}``."""
    return webhook_http.answer(event, get_receiver, metrics)
