"""Sync Lambda: on a schedule, after every deploy, or on demand, reconcile provider webhooks.

Event: a scheduled or CloudFormation event (plan, or apply when ``HOOKGATE_SYNC_APPLY`` is
``true``), or ``{"apply": true|false, "registrations": ["name", ...]}`` invoked by hand. Drift is
published to the bus (``hookgate.sync`` / ``registration.drift``) and counted as a metric.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from hookgate import aws
from hookgate.observe import traced
from hookgate.runtime import event_bus_name, get_sync_engine, webhook_base_url
from hookgate.sync import publish_drift, render

logger = Logger(service="hookgate")
metrics = Metrics(namespace="hookgate", service="hookgate")


def _wants_apply(event: dict[str, Any]) -> bool:
    if isinstance(event.get("apply"), bool):
        return bool(event["apply"])
    return os.environ.get("HOOKGATE_SYNC_APPLY", "false").lower() == "true"


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@traced
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Plan or apply every registration (or the ones named) and report drift."""
    only = event.get("registrations") or None
    report = get_sync_engine().run(webhook_base_url(), apply=_wants_apply(event), only=only)
    for change in report.drift:
        logger.warning(
            "webhook drift",
            extra={
                "registration": change.registration,
                "provider": change.provider,
                "action": change.action,
                "fields": list(change.changed_fields),
                "applied": change.applied,
            },
        )
    metrics.add_metric(name="Drift", unit=MetricUnit.Count, value=len(report.drift))
    failed = len(report.errors) + len(report.unavailable)  # unavailable: its plugin did not load
    metrics.add_metric(name="SyncErrors", unit=MetricUnit.Count, value=failed)
    publish_drift(report, event_bus_name(), aws.client("events"))
    logger.info("sync finished", extra={"plan": render(report)})
    result = report.to_json()
    result["exit_code"] = report.exit_code()
    return result
