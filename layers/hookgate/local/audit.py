"""An audit of a local run: did every delivered webhook reach the bus exactly once.

The sandboxes log each delivery with its body and every attempt's answer. Parsing each delivered
body with its provider's plugin gives the events hookgate must have published (their ids are
deterministic); the bus's events, collected by the local stack's queue, are what it did publish.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from hookgate.config import HookgateConfig
from hookgate.models import InboundRequest
from hookgate.plugins import PluginHost
from hookgate.sandbox.core import Delivery


@dataclass
class DeliveryAudit:
    """Counts of one run: deliveries, rejections, and how the bus's events compare."""

    deliveries: int = 0
    delivered: int = 0
    rejected_attempts: int = 0
    lost: int = 0
    expected_events: int = 0
    published_events: int = 0
    duplicated: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    verified_with: Counter[str] = field(default_factory=Counter)
    rejections: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Return True when nothing was rejected, lost, duplicated, missing or unexpected."""
        return not (
            self.rejected_attempts
            or self.lost
            or self.duplicated
            or self.missing
            or self.unexpected
        )

    def summary(self) -> str:
        """Return the counts on one line."""
        stages = ", ".join(f"{k} {v}" for k, v in sorted(self.verified_with.items())) or "-"
        return (
            f"deliveries {self.deliveries} (delivered {self.delivered}, lost {self.lost}, "
            f"rejected attempts {self.rejected_attempts}); events expected "
            f"{self.expected_events}, on the bus {self.published_events} (duplicated "
            f"{len(self.duplicated)}, missing {len(self.missing)}, unexpected "
            f"{len(self.unexpected)}); verified with: {stages}"
        )


def _registration_of(target: str) -> str | None:
    parts = urlsplit(target).path.rstrip("/").split("/")
    return parts[-1] if len(parts) >= 3 and parts[-3] == "webhooks" else None


def expected_event_ids(delivery: Delivery, config: HookgateConfig, host: PluginHost) -> list[str]:
    """Return the ids of the events hookgate must publish for one delivered body."""
    name = _registration_of(delivery.target)
    if name is None or name not in config.registrations:
        return []
    registration = config.get(name)
    request = InboundRequest(
        method="POST",
        path=urlsplit(delivery.target).path,
        headers={"content-type": "application/json", **delivery.headers},
        body=delivery.body.encode(),
        received_at=datetime.now(UTC),
    )
    events = host.get(registration.provider).parse(request, registration)
    return [event.event_id for event in events]


def audit(
    deliveries: Iterable[Delivery],
    bus_events: Iterable[Mapping[str, Any]],
    config: HookgateConfig,
    host: PluginHost,
) -> DeliveryAudit:
    """Compare what the sandboxes delivered with what reached the bus."""
    report = DeliveryAudit()
    expected: set[str] = set()
    for delivery in deliveries:
        report.deliveries += 1
        for attempt in delivery.rejected:
            report.rejected_attempts += 1
            report.rejections.append(f"{attempt.status} {delivery.target}: {attempt.answer}")
        if not delivery.delivered:
            report.lost += 1
            continue
        report.delivered += 1
        expected.update(expected_event_ids(delivery, config, host))
    published: Counter[str] = Counter()
    for event in bus_events:
        detail = event.get("detail") or {}
        if not detail.get("event_id"):
            continue  # not a webhook's event (a drift report, say)
        published[str(detail["event_id"])] += 1
        report.verified_with[str(detail.get("verified_with", "-"))] += 1
    report.expected_events = len(expected)
    report.published_events = sum(published.values())
    report.duplicated = sorted(key for key, count in published.items() if count > 1)
    report.missing = sorted(expected - set(published))
    report.unexpected = sorted(set(published) - expected)
    return report
