"""One JSON webhook body → one normalised event, for the generic providers (any sender).

The ``standard_webhooks`` and ``hmac`` providers serve senders hookgate knows nothing about, so
the event's name comes from where the registration says it is: a dotted JSON path into the body
(``type``, ``data.event``, ``events.0.kind``) or a request header. The name is published as its
own type when it is in hookgate's taxonomy, as the registration's mapping says when it is
mapped there, and as ``unknown`` otherwise, always with the raw payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hookgate import safe_json
from hookgate.errors import MalformedPayloadError
from hookgate.models import InboundRequest, NormalisedEvent, Registration
from hookgate.taxonomy import UNKNOWN, is_known

MAX_NAME_LENGTH: Final = 200


class GenericEventSettings(BaseModel):
    """Where a generic provider finds an event's name and id, and how names map to types."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    # Dotted path to the event name in the JSON body; list items by index ("events.0.type").
    event_type_path: str = Field(default="type", min_length=1, max_length=200)
    # When set, the event name is this request header instead (GitHub's x-github-event).
    event_type_header: str | None = Field(default=None, min_length=1, max_length=128)
    # Dotted path to the sender's event id; without one, the body's digest keys the event.
    event_id_path: str | None = Field(default="id", min_length=1, max_length=200)
    # Sender's event name → a taxonomy type; a name that is itself a taxonomy type needs none.
    event_types: dict[str, str] = Field(default_factory=dict)

    @field_validator("event_type_header")
    @classmethod
    def _lower_header(cls, value: str | None) -> str | None:
        return value.strip().lower() if value is not None else None

    @field_validator("event_types")
    @classmethod
    def _known_types(cls, value: dict[str, str]) -> dict[str, str]:
        strays = sorted(t for t in value.values() if not is_known(t))
        if strays:
            raise ValueError(f"not hookgate event types: {', '.join(strays)}")
        return value


def at_path(document: Any, path: str) -> Any:
    """Return the value at dotted ``path`` in ``document``, or None when it is not there."""
    current = document
    for part in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def _name(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text[:MAX_NAME_LENGTH] or None


def event_type_for(name: str | None, settings: GenericEventSettings) -> str:
    """Return the taxonomy type of the sender's event ``name`` (``unknown`` when unmapped)."""
    if name is None:
        return UNKNOWN
    if name in settings.event_types:
        return settings.event_types[name]
    return name if is_known(name) else UNKNOWN


def _occurred_at(payload: Any) -> datetime | None:
    value = at_path(payload, "timestamp")
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)


def parse_generic(
    request: InboundRequest,
    registration: Registration,
    settings: GenericEventSettings,
    *,
    provider: str,
    event_id: str | None = None,
) -> list[NormalisedEvent]:
    """Return the one event a generic JSON webhook carries.

    ``event_id`` (a sender's delivery id from a header) keys the event when given; otherwise the
    id at ``settings.event_id_path``, otherwise the body's digest. Raises MalformedPayloadError
    when the body is not a JSON object or array that :mod:`hookgate.safe_json` accepts.
    """
    payload = safe_json.loads(request.body)
    if not isinstance(payload, dict | list):
        raise MalformedPayloadError("body is not a JSON object or array")
    if settings.event_type_header is not None:
        name = _name(request.header(settings.event_type_header))
    else:
        name = _name(at_path(payload, settings.event_type_path))
    found_id = event_id or (
        _name(at_path(payload, settings.event_id_path)) if settings.event_id_path else None
    )
    key = f"id:{found_id}" if found_id else f"body:{request.body_sha256()}"
    return [
        NormalisedEvent(
            type=event_type_for(name, settings),
            provider=provider,
            registration=registration.name,
            provider_event=name or UNKNOWN,
            dedupe_key=key,
            received_at=request.received_at,
            occurred_at=_occurred_at(payload),
            raw=payload,
        )
    ]
