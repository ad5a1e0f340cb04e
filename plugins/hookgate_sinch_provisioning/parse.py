"""Turn a verified Sinch Provisioning callback into a normalised event.

Sinch publishes no sample of a Provisioning callback (providers.md §2.7, [NOT FOUND]). The
only statement is that "webhook payloads contain the full JSON response as payload". So this
parser guesses nothing hard: it looks for the trigger name, the project id, resource ids, a
status and a time under the plausible field names below, at the top level and one level down
in a wrapper object. Whatever it cannot place is still delivered: an unknown trigger or shape
becomes one ``unknown`` event carrying the whole payload.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from hookgate.plugin import (
    UNKNOWN,
    InboundRequest,
    NormalisedEvent,
    Registration,
    load_json,
)
from hookgate_sinch_provisioning.event_types import EVENT_TYPE_MAP, channel_of

PROVIDER: Final = "sinch_provisioning"

# [GUESS] Every field name below is a guess (providers.md §2.7); order is preference.
_TRIGGER_FIELDS: Final = (
    "trigger",
    "triggerType",
    "trigger_type",
    "eventType",
    "event_type",
    "event",
    "type",
)
_WRAPPER_FIELDS: Final = ("event", "data", "payload", "notification", "webhook")
# A bare "id" is deliberately not an event id: it is as likely to be the resource's own id,
# and keying de-duplication on it would swallow the second event about the same resource.
_EVENT_ID_FIELDS: Final = ("eventId", "event_id", "notificationId", "notification_id")
_PROJECT_FIELDS: Final = ("projectId", "project_id")
_TIME_FIELDS: Final = (
    "timestamp",
    "eventTime",
    "event_time",
    "occurredAt",
    "occurred_at",
    "createdAt",
    "created_at",
    "time",
)
_STATUS_FIELDS: Final = ("status", "state")
_RESOURCE_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "sender_id": ("senderId", "sender_id"),
    "template_id": ("templateId", "template_id"),
    "bundle_id": ("bundleId", "bundle_id"),
    "account_id": ("accountId", "account_id"),
    "waba_id": ("wabaId", "waba_id"),
    "brand_id": ("brandId", "brand_id"),
    "resource_id": ("resourceId", "resource_id"),
    "resource_type": ("resourceType", "resource_type"),
}
_EPOCH_MILLIS_FROM: Final = 10**11


def parse_request(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Return the one normalised event a Provisioning callback carries.

    Raise :class:`MalformedPayloadError` when the body is not JSON at all, or is JSON that
    :mod:`hookgate.safe_json` refuses (too deep, NaN, huge numbers, duplicate keys).
    """
    payload: Any = load_json(request.body)
    if not isinstance(payload, dict):
        return [_unknown_shape(request, registration, payload)]

    trigger = _trigger(payload)
    event_id = _first_str(payload, _EVENT_ID_FIELDS)
    data: dict[str, Any] = {"project_id": _first_str(payload, _PROJECT_FIELDS)}
    for name, fields in _RESOURCE_FIELDS.items():
        data[name] = _first_str(payload, fields)
    return [
        NormalisedEvent(
            type=EVENT_TYPE_MAP.get(trigger, UNKNOWN) if trigger else UNKNOWN,
            provider=PROVIDER,
            registration=registration.name,
            provider_event=trigger or UNKNOWN,
            dedupe_key=_dedupe_key(event_id, request),
            occurred_at=_occurred_at(payload),
            received_at=request.received_at,
            channel=(channel_of(trigger) if trigger else None) or _first_str(payload, ("channel",)),
            status=_first_str(payload, _STATUS_FIELDS),
            data={key: value for key, value in data.items() if value is not None},
            raw=payload,
        )
    ]


def _unknown_shape(
    request: InboundRequest, registration: Registration, payload: Any
) -> NormalisedEvent:
    return NormalisedEvent(
        type=UNKNOWN,
        provider=PROVIDER,
        registration=registration.name,
        provider_event=UNKNOWN,
        dedupe_key=_dedupe_key(None, request),
        received_at=request.received_at,
        raw=payload,
    )


def _dedupe_key(event_id: str | None, request: InboundRequest) -> str:
    if event_id:
        return f"event:{event_id}"
    return f"body-sha256:{request.body_sha256()}"


def _scopes(payload: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Yield the payload, then each wrapper object directly inside it."""
    yield payload
    for field in _WRAPPER_FIELDS:
        inner = payload.get(field)
        if isinstance(inner, dict):
            yield inner


def _first_str(payload: Mapping[str, Any], fields: tuple[str, ...]) -> str | None:
    for scope in _scopes(payload):
        for field in fields:
            value = scope.get(field)
            if isinstance(value, str) and value:
                return value
    return None


def _trigger(payload: Mapping[str, Any]) -> str | None:
    """Return the trigger name: a known one wherever it is, else the first plausible string."""
    candidates = [
        value
        for scope in _scopes(payload)
        for field in _TRIGGER_FIELDS
        if isinstance(value := scope.get(field), str) and value
    ]
    for candidate in candidates:
        if candidate in EVENT_TYPE_MAP:
            return candidate
    return candidates[0] if candidates else None


def _occurred_at(payload: Mapping[str, Any]) -> datetime | None:
    for scope in _scopes(payload):
        for field in _TIME_FIELDS:
            when = _as_datetime(scope.get(field))
            if when is not None:
                return when
    return None


def _as_datetime(value: Any) -> datetime | None:
    """Read an ISO 8601 string or epoch seconds/milliseconds as aware UTC; None otherwise."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            seconds = value / 1000 if value >= _EPOCH_MILLIS_FROM else value
            return datetime.fromtimestamp(seconds, UTC)
        if isinstance(value, str) and value:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None
