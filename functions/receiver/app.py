"""Receiver Lambda: API Gateway HTTP API → hookgate's receive pipeline → HTTP answer.

The garbage collector is paused from the imports to the end of the first invocation, then the
objects of the cold start are frozen (:mod:`hookgate.coldstart`).
"""

from __future__ import annotations

from hookgate import coldstart

coldstart.pause()

from typing import Any  # noqa: E402 - imported with the collector paused (see above)

from aws_lambda_powertools import Logger  # noqa: E402
from aws_lambda_powertools.utilities.typing import LambdaContext  # noqa: E402

from hookgate import webhook_http  # noqa: E402
from hookgate.log_context import LambdaContextKeys  # noqa: E402
from hookgate.observe import traced  # noqa: E402
from hookgate.runtime import get_receiver  # noqa: E402
from hookgate.webhook_metrics import WebhookMetrics  # noqa: E402

logger = Logger(service="hookgate")
metrics = WebhookMetrics()
# Powertools' inject_lambda_context(clear_state=True), applied when a line is written (log_context).
context_keys = LambdaContextKeys(logger)


@context_keys.inject
@traced
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Handle ``POST|GET /webhooks/{provider}/{registration}``."""
    try:
        return webhook_http.answer(event, get_receiver, metrics)
    finally:
        coldstart.resume()  # after the first invocation: nothing to do
