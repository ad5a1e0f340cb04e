"""The receiver's CloudWatch metrics: one EMF record per webhook, as few series as needed.

CloudWatch bills every (metric, dimension values) pair that receives data, $0.30 a month each,
so the series are the ones the alarms and the dashboard's metric charts read, whatever the
number of providers:

* ``Webhooks`` by ``service, result`` — what the alarms read (an alarm cannot aggregate over a
  dimension, and each metric an alarm reads is billed) and the dashboard's chart. The result is
  the outcome for an answered webhook (``accepted``, ``duplicate``, ``handshake``), ``refused``
  for every 4xx, and for a 5xx ``failed``, except ``publish_failed`` (its own alarm) and
  ``in_flight`` (another invocation is publishing the same event: no fault);
* ``EventsPublished``, ``Duplicates``, ``VerifiedWithPendingSecret`` and
  ``VerifiedWithPreviousSecret`` by ``service`` alone (a webhook verified with the current
  secret, the usual case, is not counted apart: it is every other one).

Each record also carries ``provider`` and the detailed ``outcome`` (``rejected``, ``not_found``,
``secret_unavailable``, ...) as plain properties, not dimensions: the dashboard counts webhooks
per provider and outcome with Logs Insights over these records, and refusals per provider and
reason over the receiver's warning lines. However many providers and refusal reasons, that is
at most 6 series in a month without a failure, where a provider, an outcome and a reason
dimension made about 40.

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
OUTCOME_DIMENSIONS = (["service", "result"],)
UNALARMED_FAILURES = frozenset({"publish_failed", "in_flight"})
TOTAL_DIMENSIONS = (["service"],)
# Past this many shapes (providers x outcomes x metric sets), records are built afresh.
MAX_SHAPES = 256


def metrics_disabled() -> bool:
    """Return True when ``POWERTOOLS_METRICS_DISABLED`` turns metrics off (the local stack)."""
    return os.environ.get("POWERTOOLS_METRICS_DISABLED", "").strip().lower() in {"1", "true"}


def result_of(outcome: str, status: int) -> str:
    """Return the ``result`` dimension's value for a webhook answered ``status``."""
    if status < 400:
        return outcome
    if status < 500:
        return "refused"
    return outcome if outcome in UNALARMED_FAILURES else "failed"


class WebhookMetrics:
    """Writes one EMF record per webhook to stdout, where Lambda hands it to CloudWatch."""

    def __init__(self, namespace: str = NAMESPACE, service: str = SERVICE) -> None:
        """Count under ``namespace`` with the ``service`` dimension."""
        self._namespace = namespace
        self._service = service
        self._heads: dict[tuple[str, str, int, tuple[str, ...]], str] = {}
        self._tails: dict[tuple[str, str, int, tuple[tuple[str, float], ...]], str] = {}

    def record(
        self,
        provider: str,
        outcome: str,
        *,
        counts: Mapping[str, float],
        status: int,
        stream: TextIO | None = None,
    ) -> None:
        """Emit ``counts`` (metric name → value; ``Webhooks`` first) for one webhook."""
        if metrics_disabled():
            return
        shape = (provider, outcome, status, tuple(counts.items()))  # all but the timestamp
        tail = self._tails.get(shape)
        if tail is None:
            tail = self._tail(provider, outcome, status, counts)
            if len(self._tails) < MAX_SHAPES:
                self._tails[shape] = tail
        out = stream or sys.stdout
        out.write(f'{{"_aws":{{"Timestamp":{int(time.time() * 1000)},{tail}')

    def _tail(self, provider: str, outcome: str, status: int, counts: Mapping[str, float]) -> str:
        """Return the record after its timestamp: the shape's head, then the values."""
        key = (provider, outcome, status, tuple(counts))
        head = self._heads.get(key)
        if head is None:
            head = self._head(provider, outcome, result_of(outcome, status), counts)
            if len(self._heads) < MAX_SHAPES:
                self._heads[key] = head
        values = "".join(f',"{name}":{float(value)!r}' for name, value in counts.items())
        return f"{head}{values}}}\n"

    def _head(self, provider: str, outcome: str, result: str, counts: Mapping[str, float]) -> str:
        """Return the record's constant part for this shape, after the timestamp."""
        directives = json.dumps(self._directives_for(counts), separators=(",", ":"))
        names = json.dumps(
            {"service": self._service, "result": result, "outcome": outcome, "provider": provider},
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
