"""The shared Meta WhatsApp parser: one event per item, distinct keys, robust to any JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from hookgate.meta_whatsapp import parse_envelope
from hookgate.taxonomy import EVENT_TYPES
from hookgate_360dialog.event_types import EVENT_TYPE_MAP
from hookgate_360dialog.samples import SAMPLE_PAYLOADS

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def parse(name: str) -> list:  # type: ignore[type-arg]
    return parse_envelope(
        json.loads(SAMPLE_PAYLOADS[name]),
        provider="360dialog",
        registration="r",
        received_at=NOW,
        type_map=EVENT_TYPE_MAP,
        extra={"key": "whatsapp-1"},
    )


def test_statuses_out_of_order_keep_their_own_times_and_keys() -> None:
    events = parse("statuses_out_of_order")
    assert [e.status for e in events] == ["read", "failed", "delivered", "sent"]
    assert [int(e.occurred_at.timestamp()) for e in events] == [
        1731600100,
        1731600101,
        1731600102,
        1731600103,
    ]
    assert len({e.dedupe_key for e in events}) == 4
    failed = events[1]
    assert (
        failed.error is not None
        and failed.error.code == "130429"
        and failed.error.title == "Rate limit hit"
    )
    assert events[2].data["pricing"]["category"] == "utility"
    assert all(
        e.data["key"] == "whatsapp-1" and e.data["phone_number_id"] == "106540352242922"
        for e in events
    )


def test_inbound_text_carries_sender_profile_and_text() -> None:
    (event,) = parse("inbound_text")
    assert (event.type, event.contact_id, event.data["text"], event.data["profile_name"]) == (
        "message.received",
        "16505551234",
        "Hello there",
        "Kerry Fisher",
    )
    assert event.message_id and event.dedupe_key == f"message:{event.message_id}"
    (button,) = parse("inbound_button")
    assert button.data["button_text"] == "Confirm" and button.data["reply_to"] == "wamid.ctx"


def test_on_premise_errors_and_other_fields() -> None:
    assert [e.type for e in parse("on_premise_message")] == ["message.received"]
    (error,) = parse("value_errors")
    assert (
        error.type == "request.error" and error.error is not None and error.error.code == "131000"
    )
    assert [e.provider_event for e in parse("template_approved")] == [
        "message_template_status_update:APPROVED"
    ]
    assert [e.type for e in parse("unknown_field")] == ["unknown"]


def test_every_mapped_type_is_in_the_taxonomy() -> None:
    assert set(EVENT_TYPE_MAP.values()) <= set(EVENT_TYPES)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "entry",
                    "changes",
                    "value",
                    "field",
                    "messages",
                    "statuses",
                    "errors",
                    "id",
                    "type",
                    "timestamp",
                    "status",
                    "contacts",
                    "wa_id",
                    "profile",
                    "metadata",
                    "code",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["entry", "messages", "statuses", "errors", "object"]), _json, max_size=3
    )
)
def test_any_json_object_parses_without_raising(payload: dict) -> None:  # type: ignore[type-arg]
    events = parse_envelope(
        payload, provider="p", registration="r", received_at=NOW, type_map=EVENT_TYPE_MAP
    )
    assert all(e.type in EVENT_TYPES for e in events)
    assert all(e.dedupe_key and e.provider == "p" for e in events)
