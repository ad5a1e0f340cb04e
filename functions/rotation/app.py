"""Rotation Lambda: Secrets Manager calls it four times per rotation (one step per call)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from hookgate.observe import traced
from hookgate.runtime import get_rotation_engine

logger = Logger(service="hookgate")
metrics = Metrics(namespace="hookgate", service="hookgate")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@traced
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    """Run ``event["Step"]`` for ``event["SecretId"]`` and ``event["ClientRequestToken"]``."""
    step = str(event.get("Step", ""))
    metrics.clear_metrics()
    metrics.add_dimension(name="step", value=step or "missing")
    try:
        get_rotation_engine().handle(
            str(event.get("SecretId", "")), str(event.get("ClientRequestToken", "")), step
        )
    except Exception:
        metrics.add_metric(name="RotationStepFailed", unit=MetricUnit.Count, value=1)
        logger.exception("rotation step failed", extra={"step": step})
        raise
    metrics.add_metric(name="RotationStepSucceeded", unit=MetricUnit.Count, value=1)
