"""The shared Meta WhatsApp parser: one event per item, distinct keys, robust to any JSON."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookgate.errors import MalformedPayloadError
from hookgate.meta_whatsapp import (
    MAX_DEPTH,
    META_EVENT_TYPES,
    epoch_time,
    load_object,
    parse_envelope,
)
from hookgate.models import NormalisedEvent
from hookgate.taxonomy import EVENT_TYPES
from hookgate_dev.meta_samples import BSUID, TEMPLATE_EVENTS
from hookgate_dev.providers.hookgate_360dialog.samples import EXPECTED_TYPES, SAMPLE_PAYLOADS

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def parse_body(body: bytes, extra: Mapping[str, Any] | None = None) -> list[NormalisedEvent]:
    return parse_envelope(
        load_object(body),
        provider="meta",
        registration="r",
        received_at=NOW,
        body_digest=hashlib.sha256(body).hexdigest(),
        type_map=META_EVENT_TYPES,
        extra=extra,
    )


def parse(name: str, extra: Mapping[str, Any] | None = None) -> list[NormalisedEvent]:
    return parse_body(SAMPLE_PAYLOADS[name], extra)


def test_every_mapped_type_is_in_the_taxonomy() -> None:
    assert set(META_EVENT_TYPES.values()) <= set(EVENT_TYPES)


@pytest.mark.parametrize("name", sorted(n for n in SAMPLE_PAYLOADS if n != "not_whatsapp"))
def test_every_meta_sample_gives_its_golden_types_with_distinct_ids(name: str) -> None:
    events = parse(name)
    assert tuple(e.type for e in events) == EXPECTED_TYPES[name]
    assert len({e.dedupe_key for e in events}) == len(events)
    assert len({e.event_id for e in events}) == len(events)
    assert all(e.channel == "WHATSAPP" and e.received_at == NOW for e in events)
    assert [e.dedupe_key for e in parse(name)] == [e.dedupe_key for e in events]  # retry-stable


def test_statuses_out_of_order_keep_their_order_times_errors_and_pricing() -> None:
    events = parse("statuses_out_of_order", extra={"key": "whatsapp-1"})
    assert [e.status for e in events] == ["read", "failed", "delivered", "sent"]
    assert [e.occurred_at for e in events] == [
        datetime.fromtimestamp(1731600100 + offset, UTC) for offset in range(4)
    ]
    wamid = "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
    assert [e.dedupe_key for e in events] == [
        f"status:{wamid}:{state}" for state in ("read", "failed", "delivered", "sent")
    ]
    failed = events[1]
    assert failed.error is not None
    assert (failed.error.code, failed.error.title, failed.error.detail) == (
        "130429",
        "Rate limit hit",
        "Message failed to send because of rate limits",
    )
    assert events[2].data["pricing"] == {
        "billable": True,
        "pricing_model": "CBP",
        "category": "utility",
    }
    assert events[2].data["conversation"]["origin"] == {"type": "utility"}
    for event in events:
        assert (event.message_id, event.contact_id) == (wamid, "16505551234")
        assert event.data["recipient_id"] == "16505551234"
        assert event.data["key"] == "whatsapp-1"
        assert event.data["phone_number_id"] == "106540352242922"
        assert event.data["waba_id"] == "102290129340398"


def test_inbound_messages_carry_sender_profile_and_content() -> None:
    (text,) = parse("inbound_text")
    assert (text.type, text.provider_event, text.contact_id) == (
        "message.received",
        "message:text",
        "16505551234",
    )
    assert (text.data["text"], text.data["profile_name"], text.data["from"]) == (
        "Hello there",
        "Kerry Fisher",
        "16505551234",
    )
    assert text.message_id and text.dedupe_key == f"message:{text.message_id}"
    assert text.occurred_at == datetime.fromtimestamp(1731600000, UTC)
    (button,) = parse("inbound_button")
    assert (button.data["button_text"], button.data["button_payload"]) == ("Confirm", "CONFIRM")
    assert button.data["reply_to"] == "wamid.ctx"
    (choice,) = parse("inbound_interactive_list_reply")
    assert (
        choice.data["interactive_type"],
        choice.data["reply_id"],
        choice.data["reply_title"],
        choice.data["reply_to"],
    ) == ("list_reply", "row-2", "Tomorrow", "wamid.list-menu")
    (reply,) = parse("inbound_interactive")
    assert (reply.data["interactive_type"], reply.data["reply_id"]) == ("button_reply", "b1")
    (image,) = parse("inbound_image")
    assert (image.data["media_id"], image.data["mime_type"]) == ("img-1", "image/jpeg")
    (reaction,) = parse("inbound_reaction")
    assert (reaction.data["reaction_emoji"], reaction.data["reaction_to"]) == ("👍", "wamid.x")


def test_unsupported_and_new_message_types_are_still_delivered() -> None:
    (unsupported,) = parse("inbound_unsupported")
    assert unsupported.type == "message.received"
    assert unsupported.error is not None and unsupported.error.code == "131051"
    (older,) = parse("inbound_type_unknown")
    assert (older.type, older.provider_event) == ("message.received", "message:unknown")
    (new,) = parse("inbound_brand_new_type")
    assert (new.type, new.provider_event) == ("unknown", "message:hologram")
    assert new.raw["hologram"] == {"id": "h-1"}


def test_a_batch_gives_one_event_per_item_with_its_own_context() -> None:
    events = parse("batch")
    assert [e.provider_event for e in events] == [
        "message:text",
        "message:text",
        "status:delivered",
        "status:read",
        "error",
        "message_template_status_update:REJECTED",
    ]
    first, second = events[0], events[1]
    assert (first.data["profile_name"], second.data["profile_name"]) == (
        "Kerry Fisher",
        "Ada Byron",
    )
    assert (first.data["text"], second.data["text"]) == ("first", "second")
    assert {e.data["waba_id"] for e in events[:4]} == {"102290129340398"}
    error, template = events[4], events[5]
    assert (error.data["waba_id"], error.data["phone_number_id"]) == (
        "102290129340399",
        "106540352242923",
    )
    assert error.error is not None and (error.error.code, error.error.detail) == ("130429", "…")
    assert template.occurred_at == datetime.fromtimestamp(1731600320, UTC)
    assert (template.data["event"], template.data["template_name"], template.data["reason"]) == (
        "REJECTED",
        "promo",
        "INCORRECT_CATEGORY",
    )
    assert len({e.dedupe_key for e in events}) == len(events)


def test_items_without_an_id_are_keyed_by_the_body_digest_and_position() -> None:
    body = SAMPLE_PAYLOADS["value_errors"]
    (error,) = parse("value_errors")
    assert error.dedupe_key == f"error:130429:{hashlib.sha256(body).hexdigest()}:0"
    value = {"errors": [{"code": 1}, {"code": 1}], "statuses": [{"status": "sent"}]}
    twice = json.dumps(value).encode()
    events = parse_body(twice)
    assert [e.provider_event for e in events] == ["status:sent", "error", "error"]
    assert len({e.dedupe_key for e in events}) == 3


def test_other_fields_are_typed_through_the_map_or_unknown() -> None:
    (approved,) = parse("template_approved")
    assert (approved.type, approved.provider_event) == (
        "template.approved",
        "message_template_status_update:APPROVED",
    )
    assert approved.data["template_id"] == "1" and approved.data["template_language"] == "en_US"
    (new_status,) = parse("template_new_status")
    assert (new_status.type, new_status.provider_event) == (
        "unknown",
        "message_template_status_update",
    )
    assert new_status.data["event"] == "SOMETHING_NEW"
    (quality,) = parse("quality_update")
    assert (quality.type, quality.provider_event) == (
        "sender.updated",
        "phone_number_quality_update",
    )
    (field,) = parse("unknown_field")
    assert (field.type, field.provider_event) == ("unknown", "brand_new_field")
    assert field.raw == {"value": {"something": "new"}, "field": "brand_new_field"}
    (nothing,) = parse("messages_without_items")
    assert (nothing.type, nothing.provider_event) == ("unknown", "messages")
    assert nothing.raw["value"]["calls"] == [{"id": "call-1"}]


def test_on_premise_shapes() -> None:
    (message,) = parse("on_premise_message")
    assert (message.type, message.message_id, message.data["profile_name"]) == (
        "message.received",
        "ABGGFlA5FpafAgo6EhzXg1rSWHKi",
        "Kerry Fisher",
    )
    (status,) = parse("on_premise_status")
    assert (status.type, status.dedupe_key) == (
        "message.read",
        "status:gBGGFlA5FpafAgkOuJbRq54qwbM:read",
    )
    (error,) = parse("on_premise_errors")
    assert error.error is not None
    assert (error.type, error.error.code, error.error.detail) == (
        "request.error",
        "1005",
        "Unable to download media",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1731600000", datetime(2024, 11, 14, 16, 0, tzinfo=UTC)),
        (1731600000, datetime(2024, 11, 14, 16, 0, tzinfo=UTC)),
        ("not a time", None),
        (None, None),
        (True, None),
        ("nan", None),
        ("1e400", None),
        (10**400, None),
        ({"seconds": 1}, None),
    ],
)
def test_epoch_time(value: Any, expected: datetime | None) -> None:
    got = epoch_time(value)
    assert got == expected
    assert got is None or got.utcoffset() is not None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not JSON"),
        (b"not json", "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b"null", "not a JSON object"),
        (b'"entry"', "not a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "nests deeper"),  # refused before decoding
        (b'{"a":' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}", "nests deeper"),
    ],
)
def test_load_object_refuses_what_is_not_a_json_object(body: bytes, message: str) -> None:
    with pytest.raises(MalformedPayloadError, match=message):
        load_object(body)


def test_load_object_accepts_many_brackets_when_shallow() -> None:
    wide: dict[str, Any] = {"entry": [{"changes": [{}] * 200}]}
    assert load_object(json.dumps(wide).encode()) == wide


_KEYS = st.sampled_from(
    [
        "entry",
        "changes",
        "value",
        "field",
        "messages",
        "statuses",
        "errors",
        "contacts",
        "metadata",
        "id",
        "type",
        "timestamp",
        "status",
        "wa_id",
        "profile",
        "name",
        "from",
        "code",
        "title",
        "event",
        "time",
        "text",
        "interactive",
        "context",
        "error_data",
        "key",
    ]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    # What hookgate.safe_json accepts: integers below 2**64 in magnitude, finite doubles.
    | st.integers(min_value=1 - 2**64, max_value=2**64 - 1)
    | st.integers(min_value=2**63, max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(["messages", "text", "interactive", "button_reply", "1731600000", "nan"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(_KEYS | st.text(), inner, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_any_json_value_parses_or_is_malformed_never_raises_otherwise(value: Any) -> None:
    body = json.dumps(value).encode()
    try:
        events = parse_body(body)
    except MalformedPayloadError:
        assert not isinstance(value, dict)
        return
    assert all(e.type in EVENT_TYPES and e.dedupe_key for e in events)
    assert all(e.occurred_at is None or e.occurred_at.tzinfo is UTC for e in events)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_parse_or_are_malformed(body: bytes) -> None:
    with contextlib.suppress(MalformedPayloadError):
        assert all(e.type in EVENT_TYPES for e in parse_body(body))


# -- issue 17: newer kinds and typed fields --------------------------------------------------


def test_a_sender_known_only_by_bsuid_keeps_its_id_and_profile_name() -> None:
    (message,) = parse("inbound_bsuid_only")
    assert (message.contact_id, message.data["from_user_id"]) == (BSUID, BSUID)
    assert message.data["profile_name"] == "Kerry"
    assert "from" not in message.data
    (status,) = parse("status_bsuid_only")
    assert (status.contact_id, status.data["recipient_user_id"]) == (BSUID, BSUID)


def test_a_lone_contact_fills_in_a_message_without_from() -> None:
    value = {
        "contacts": [{"profile": {"name": "Ada"}, "user_id": BSUID, "wa_id": "4915"}],
        "messages": [{"id": "wamid.1", "type": "text", "text": {"body": "x"}}],
    }
    (message,) = parse_body(json.dumps(value).encode())
    assert (message.contact_id, message.data["from"], message.data["from_user_id"]) == (
        "4915",
        "4915",
        BSUID,
    )
    assert message.data["profile_name"] == "Ada"
    two = {**value, "contacts": value["contacts"] * 2}  # ambiguous: no guess
    (message,) = parse_body(json.dumps(two).encode())
    assert message.contact_id is None and "profile_name" not in message.data


def test_referral_location_contacts_and_flow_replies_are_typed() -> None:
    (ad,) = parse("inbound_referral")
    assert ad.data["referral"] == {
        "source_url": "https://fb.me/ad-1",
        "source_id": "120201234",
        "source_type": "ad",
        "headline": "Winter sale",
        "body": "Up to 50% off",
        "media_type": "image",
        "media_url": "https://example.invalid/ad.jpg",
        "ctwa_clid": "ARAkL-clid",
    }
    (flow,) = parse("inbound_flow_reply")
    assert flow.data["interactive_type"] == "nfm_reply"
    assert flow.data["flow_response"] == {"flow_token": "t-1", "size": "M"}
    assert (flow.data["flow_name"], flow.data["flow_body"]) == ("flow", "Sent")
    assert flow.data["reply_to"] == "wamid.flow-message"
    (place,) = parse("inbound_location")
    assert (place.data["latitude"], place.data["longitude"]) == (52.52, 13.40)
    assert place.data["location_name"] == "Berlin"
    (card,) = parse("inbound_contacts")
    assert card.data["shared_contacts"] == [{"name": "Ada", "phones": ["+1"]}]


def test_a_flow_reply_that_is_not_json_is_kept_as_text() -> None:
    reply = {"type": "nfm_reply", "nfm_reply": {"response_json": "{not json"}}
    value = {"messages": [{"id": "w", "type": "interactive", "interactive": reply}]}
    (message,) = parse_body(json.dumps(value).encode())
    assert message.data["flow_response"] == "{not json"


def test_system_edit_and_revoke_messages_are_typed() -> None:
    (system,) = parse("inbound_system")
    assert (system.type, system.data["system_type"], system.data["new_wa_id"]) == (
        "contact.updated",
        "user_changed_number",
        "16505559999",
    )
    (edit,) = parse("inbound_edit")
    assert edit.type == "message.edited"
    assert edit.data["original_message_id"].startswith("wamid.")
    assert (edit.data["edited_type"], edit.data["text"]) == ("text", "Hello there, fixed")
    (revoke,) = parse("inbound_revoke")
    assert (revoke.type, revoke.data["original_message_id"]) == (
        "message.revoked",
        edit.data["original_message_id"],
    )


def test_echoes_calls_and_preferences_give_one_event_per_item() -> None:
    (echo,) = parse("smb_message_echoes")
    assert (echo.type, echo.contact_id, echo.data["text"]) == (
        "message.echoed",
        "16505551234",
        "Sent from the Business app",
    )
    assert echo.dedupe_key == f"echo:{echo.message_id}"
    connect, terminate = parse("calls")
    assert (connect.provider_event, terminate.provider_event) == (
        "calls:connect",
        "calls:terminate",
    )
    assert connect.contact_id == terminate.contact_id == "16505551234"
    assert (terminate.status, terminate.data["duration"]) == ("COMPLETED", "60")
    assert connect.dedupe_key != terminate.dedupe_key
    (ringing,) = parse("call_status")
    assert (ringing.provider_event, ringing.status) == ("call_status:RINGING", "RINGING")
    stop, resume = parse("user_preferences")
    assert (stop.data["preference"], resume.data["preference"]) == ("stop", "resume")
    assert stop.contact_id == "16505551234" and stop.data["category"] == "marketing_messages"
    assert stop.dedupe_key != resume.dedupe_key


def test_a_new_preference_value_or_a_list_field_without_its_list_is_unknown() -> None:
    body = json.dumps(
        {"entry": [{"changes": [{"field": "user_preferences", "value": {
            "user_preferences": [{"value": "snooze"}]}}]}]}
    ).encode()  # fmt: skip
    (event,) = parse_body(body)
    assert (event.type, event.provider_event) == ("unknown", "user_preferences")
    bare = b'{"entry":[{"changes":[{"field":"calls","value":{"other":1}}]}]}'
    (event,) = parse_body(bare)
    assert (event.type, event.provider_event) == ("unknown", "calls")


@pytest.mark.parametrize("event", sorted(TEMPLATE_EVENTS))
def test_every_template_status_meta_lists_is_typed(event: str) -> None:
    (template,) = parse(f"template_{event.lower()}")
    assert template.type == TEMPLATE_EVENTS[event] != "unknown"
    assert template.data["event"] == event
