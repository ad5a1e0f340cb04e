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
validation and serialisation per webhook, and its import at cold start): everything but the
timestamp and the values is serialised once per shape (provider, outcome, metric names), and
everything but the timestamp once per shape and values (a webhook's counts are small numbers),
about 2 µs a record where ``json.dumps`` of the whole record took about 12 µs.
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
# Past this many shapes (providers x outcomes x metric sets), records are built afresh.
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
        self._heads: dict[tuple[str, str, tuple[str, ...]], str] = {}
        self._tails: dict[tuple[str, str, tuple[tuple[str, float], ...]], str] = {}

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
        shape = (provider, outcome, tuple(counts.items()))  # the record but for its timestamp
        tail = self._tails.get(shape)
        if tail is None:
            tail = self._tail(provider, outcome, counts)
            if len(self._tails) < MAX_SHAPES:
                self._tails[shape] = tail
        out = stream or sys.stdout
        out.write(f'{{"_aws":{{"Timestamp":{int(time.time() * 1000)},{tail}')

    def _tail(self, provider: str, outcome: str, counts: Mapping[str, float]) -> str:
        """Return the record after its timestamp: the shape's head, then the values."""
        key = (provider, outcome, tuple(counts))
        head = self._heads.get(key)
        if head is None:
            head = self._head(provider, outcome, counts)
            if len(self._heads) < MAX_SHAPES:
                self._heads[key] = head
        values = "".join(f',"{name}":{float(value)!r}' for name, value in counts.items())
        return f"{head}{values}}}\n"

    def _head(self, provider: str, outcome: str, counts: Mapping[str, float]) -> str:
        """Return the record's constant part for this shape, after the timestamp."""
        directives = json.dumps(self._directives_for(counts), separators=(",", ":"))
        names = json.dumps(
            {"service": self._service, "outcome": outcome, "provider": provider},
            separators=(",", ":"),
        )
        return f'"CloudWatchMetrics":{directives}}},{names[1:-1]}'

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
