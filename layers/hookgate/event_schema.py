"""The published event's JSON Schema, generated from :class:`hookgate.models.NormalisedEvent`.

Consumers find it twice: checked in as ``docs/event.schema.json`` and in the stack's EventBridge
schema registry (``template.yaml``, ``AWS::EventSchemas::Schema``), from which AWS tooling
generates code bindings. Both hold :func:`eventbridge_schema`: JSON Schema draft 4 (the draft the
registry accepts) of the whole EventBridge event, whose ``detail`` is what
:func:`hookgate.publish.event_detail` publishes: the model's fields without the ``None`` ones,
plus ``event_id``, ``verified_with`` and, for an oversized event, ``payload_ref``.
``scripts/make_event_schema.py`` writes both; a test fails when either differs from the model.
"""

from __future__ import annotations

import json
from typing import Any, Final

from hookgate.models import NormalisedEvent
from hookgate.publish import SOURCE_PREFIX
from hookgate.taxonomy import EVENT_TYPES

SCHEMA_NAME: Final = "hookgate.Event"
DRAFT4: Final = "http://json-schema.org/draft-04/schema#"
_REF_PREFIX: Final = "#/definitions/"

_EXTRA_DETAIL: Final[dict[str, Any]] = {
    "event_id": {
        "type": "string",
        "pattern": "^[0-9a-f]{32}$",
        "description": "Deterministic id: the same provider event always gets the same id.",
    },
    "verified_with": {
        "type": "string",
        "enum": ["current", "pending", "previous"],
        "description": "The secret version that verified the request.",
    },
    "payload_ref": {
        "type": "object",
        "description": "Only for an event over the bus limit: where the full event is in S3.",
        "properties": {
            "bucket": {"type": "string"},
            "key": {"type": "string"},
            "size": {"type": "integer"},
        },
        "required": ["bucket", "key", "size"],
    },
}


def _draft4(node: Any) -> Any:
    """Rewrite pydantic's draft 2020-12 output as draft 4 without nulls.

    Published details leave ``None`` fields out, so ``anyOf: [X, null]`` becomes ``X``; ``$defs``
    references become ``definitions``; ``const`` (not in draft 4) becomes a one-value ``enum``;
    ``default: null`` and ``title`` (noise for code generators) are dropped.
    """
    if isinstance(node, list):
        return [_draft4(item) for item in node]
    if not isinstance(node, dict):
        return node
    options = node.get("anyOf")
    if isinstance(options, list):
        kept = [option for option in options if option != {"type": "null"}]
        if len(kept) == 1:
            rest = {k: v for k, v in node.items() if k not in {"anyOf", "default"}}
            return _draft4({**rest, **kept[0]})
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in {"title", "$defs"} or (key == "default" and value is None):
            continue
        if key == "properties" and isinstance(value, dict):
            result[key] = {name: _draft4(field) for name, field in value.items()}
        elif key == "const":
            result["enum"] = [value]
        elif key == "$ref" and isinstance(value, str):
            result[key] = _REF_PREFIX + value.rsplit("/", 1)[-1]
        else:
            result[key] = _draft4(value)
    return result


def detail_schema() -> dict[str, Any]:
    """Return the schema of one published event's ``detail`` (no ``definitions``)."""
    generated = NormalisedEvent.model_json_schema(mode="serialization")
    detail: dict[str, Any] = _draft4({k: v for k, v in generated.items() if k != "$defs"})
    detail["description"] = "A hookgate event: see docs/events.md."
    detail["properties"]["type"] = {
        "type": "string",
        "enum": sorted(EVENT_TYPES),
        "description": "The normalised type, from hookgate's taxonomy.",
    }
    detail["properties"].update(_EXTRA_DETAIL)
    required = [name for name in generated.get("required", []) if name in detail["properties"]]
    detail["required"] = sorted({*required, "event_id"})
    return detail


def eventbridge_schema() -> dict[str, Any]:
    """Return the draft 4 schema of a whole EventBridge event carrying a hookgate event."""
    generated = NormalisedEvent.model_json_schema(mode="serialization")
    definitions = {name: _draft4(node) for name, node in generated.get("$defs", {}).items()}
    definitions["HookgateEvent"] = detail_schema()
    return {
        "$schema": DRAFT4,
        "title": SCHEMA_NAME,
        "description": "An event hookgate published on its EventBridge bus.",
        "type": "object",
        "definitions": dict(sorted(definitions.items())),
        "properties": {
            "version": {"type": "string"},
            "id": {"type": "string"},
            "detail-type": {"type": "string", "enum": sorted(EVENT_TYPES)},
            "source": {"type": "string", "pattern": f"^{SOURCE_PREFIX.replace('.', '[.]')}"},
            "account": {"type": "string"},
            "time": {"type": "string", "format": "date-time"},
            "region": {"type": "string"},
            "resources": {"type": "array", "items": {"type": "string"}},
            "detail": {"$ref": _REF_PREFIX + "HookgateEvent"},
        },
        "required": ["detail-type", "source", "detail"],
    }


def render(schema: dict[str, Any]) -> str:
    """Return ``schema`` as the checked-in file holds it (sorted keys, two-space indent)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
