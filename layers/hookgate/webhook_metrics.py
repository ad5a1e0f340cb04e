"""The receiver's CloudWatch metrics: one EMF record per webhook, as few series as needed.

CloudWatch bills every (metric, dimension values) pair that receives data, $0.30 a month each,
so the series are the ones the alarms and the dashboard's metric charts read, whatever the
number of providers:

* ``Webhooks`` by ``service, outcome`` — what the alarms read (an alarm cannot aggregate over a
  dimension) and the dashboard's outcome chart;
* ``EventsPublished``, ``Duplicates``, ``VerifiedWithPendingSecret`` and
  ``VerifiedWithPreviousSecret`` by ``service`` alone (a webhook verified with the current
  secret, the usual case, is not counted apart: it is every other one).

Each record also carries ``provider`` as a plain property, not a dimension: the dashboard counts
webhooks per provider and outcome with Logs Insights over these records, and refusals per
provider and reason over the receiver's warning lines. With four providers that is 6 series where
a provider and a reason dimension made about 40.

The record is written here rather than through Powertools' ``Metrics`` (about 40 µs of
validation and serialisation per webhook, and its import at cold start): the directive of each
shape is built once and reused; each record fills in the timestamp and the values.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from hookgate.observe import SERVICE

NAMESPACE = "hookgate"
OUTCOME_METRIC = "Webhooks"
RECEIVER_METRICS = frozenset(
    {
        OUTCOME_METRIC,
        "EventsPublished",
        "Duplicates",
        "VerifiedWithPendingSecret",
        "VerifiedWithPreviousSecret",
    }
)
OUTCOME_DIMENSIONS = (["service", "outcome"],)
TOTAL_DIMENSIONS = (["service"],)
# Past this many shapes (never, with six metrics), directives are built afresh.
MAX_SHAPES = 256


def metrics_disabled() -> bool:
    """Return True when ``POWERTOOLS_METRICS_DISABLED`` turns metrics off (the local stack)."""
    return os.environ.get("POWERTOOLS_METRICS_DISABLED", "").strip().lower() in {"1", "true"}


class WebhookMetrics:
    """Writes one EMF record per webhook to stdout, where Lambda hands it to CloudWatch."""

    def __init__(self, namespace: str = NAMESPACE, service: str = SERVICE) -> None:
        """Count under ``namespace`` with the ``service`` dimension."""
        self._namespace = namespace
        self._service = service
        self._directives: dict[tuple[str, ...], list[dict[str, Any]]] = {}

    def record(
        self,
        provider: str,
        outcome: str,
        *,
        counts: Mapping[str, float],
        stream: TextIO | None = None,
    ) -> None:
        """Emit ``counts`` (metric name → value; ``Webhooks`` first) for one webhook."""
        if metrics_disabled():
            return
        shape = tuple(counts)
        directives = self._directives.get(shape)
        if directives is None:
            directives = self._directives_for(counts)
            if len(self._directives) < MAX_SHAPES:
                self._directives[shape] = directives
        record: dict[str, Any] = {
            "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": directives},
            "service": self._service,
            "outcome": outcome,
            "provider": provider,
        }
        for name, value in counts.items():
            record[name] = float(value)
        out = stream or sys.stdout
        out.write(json.dumps(record, separators=(",", ":")) + "\n")

    def _directives_for(self, counts: Mapping[str, float]) -> list[dict[str, Any]]:
        def metric(name: str) -> dict[str, str]:
            return {"Name": name, "Unit": "Count"}

        directives = []
        if OUTCOME_METRIC in counts:
            directives.append(
                {
                    "Namespace": self._namespace,
                    "Dimensions": [list(d) for d in OUTCOME_DIMENSIONS],
                    "Metrics": [metric(OUTCOME_METRIC)],
                }
            )
        totals = [metric(name) for name in counts if name != OUTCOME_METRIC]
        if totals:
            directives.append(
                {
                    "Namespace": self._namespace,
                    "Dimensions": [list(d) for d in TOTAL_DIMENSIONS],
                    "Metrics": totals,
                }
            )
        return directives
