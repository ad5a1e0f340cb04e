"""An audit of a local run: did every delivered webhook reach the bus exactly once.

The sandboxes log each delivery with its body and every attempt's answer. Parsing each delivered
body with its provider's plugin gives the events hookgate must have published (their ids are
deterministic); the bus's events, collected by the local stack's queue, are what it did publish.
Requests the front received that no sandbox sent were sent by hand (``hookgate send``, curl):
their events are counted as the user's, and neither they nor a refusal of them fails the audit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from hookgate.config import HookgateConfig
from hookgate.errors import HookgateError
from hookgate.models import InboundRequest
from hookgate.plugins import PluginHost
from hookgate_dev.local.front import FrontRequest
from hookgate_dev.sandbox.core import Delivery


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
    sent_by_hand: int = 0
    refused_by_hand: int = 0
    by_hand_events: int = 0

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
            + (
                f"; sent by hand: {self.sent_by_hand} (refused {self.refused_by_hand}), "
                f"their events on the bus {self.by_hand_events}"
                if self.sent_by_hand
                else ""
            )
        )


def _registration_of(target: str) -> str | None:
    parts = urlsplit(target).path.rstrip("/").split("/")
    return parts[-1] if len(parts) >= 3 and parts[-3] == "webhooks" else None


def _event_ids(
    path: str,
    body: bytes,
    config: HookgateConfig,
    host: PluginHost,
    headers: Mapping[str, str] | None = None,
) -> list[str]:
    name = _registration_of(path)
    if name is None or name not in config.registrations:
        return []
    registration = config.get(name)
    request = InboundRequest(
        method="POST",
        path=path,
        headers={"content-type": "application/json", **(headers or {})},
        body=body,
        received_at=datetime.now(UTC),
    )
    events = host.get(registration.provider).parse(request, registration)
    return [event.event_id for event in events]


def expected_event_ids(delivery: Delivery, config: HookgateConfig, host: PluginHost) -> list[str]:
    """Return the ids of the events hookgate must publish for one delivered body."""
    path = urlsplit(delivery.target).path
    return _event_ids(path, delivery.body.encode(), config, host, delivery.headers)


def sent_by_hand(
    received: Iterable[FrontRequest], deliveries: Iterable[Delivery]
) -> list[FrontRequest]:
    """Return the webhook requests the front received that no sandbox attempt accounts for."""
    sandbox_sent: Counter[tuple[str, bytes]] = Counter()
    for delivery in deliveries:
        reached = sum(1 for attempt in delivery.attempts if attempt.status is not None)
        sandbox_sent[(urlsplit(delivery.target).path, delivery.body.encode())] += reached
    by_hand: list[FrontRequest] = []
    for request in received:
        if request.method != "POST" or _registration_of(request.path) is None:
            continue  # token requests, verification challenges
        key = (request.path, request.body)
        if sandbox_sent[key] > 0:
            sandbox_sent[key] -= 1
        else:
            by_hand.append(request)
    return by_hand


def audit(
    deliveries: Iterable[Delivery],
    bus_events: Iterable[Mapping[str, Any]],
    config: HookgateConfig,
    host: PluginHost,
    received: Iterable[FrontRequest] = (),
) -> DeliveryAudit:
    """Compare what the sandboxes delivered with what reached the bus.

    ``received`` is every request the front routed; those no sandbox sent are the user's.
    """
    report = DeliveryAudit()
    expected: set[str] = set()
    deliveries = list(deliveries)
    theirs: set[str] = set()
    for request in sent_by_hand(received, deliveries):
        report.sent_by_hand += 1
        if not 200 <= request.status < 300:
            report.refused_by_hand += 1
            continue
        try:
            theirs.update(_event_ids(request.path, request.body, config, host, request.headers))
        except HookgateError:
            continue  # accepted, yet not parseable here: its events count as unexpected
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
    report.by_hand_events = sum(count for key, count in published.items() if key in theirs)
    report.duplicated = sorted(key for key, count in published.items() if count > 1)
    report.missing = sorted(expected - set(published))
    report.unexpected = sorted(set(published) - expected - theirs)
    return report
