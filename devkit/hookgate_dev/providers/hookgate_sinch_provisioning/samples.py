"""Documented test secrets, a request signer and sample payloads, for tests and sample events.

GUESSED SHAPES: Sinch publishes no Provisioning callback body (providers.md §2.7, [NOT FOUND]).
The payloads below are plausible envelopes (a trigger name, the project id, resource ids and the
resource JSON), written to exercise the tolerant parser: they are not copied from Sinch. The
signing headers follow the ASSUMED scheme of :mod:`hookgate_sinch_provisioning.schemes`.

``TEST_SECRET`` is an obviously fake value, published in the docs; never use it for real.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

from hookgate_sinch_provisioning.schemes import (
    ALGORITHM,
    ALGORITHM_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)

TEST_SECRET: Final[Mapping[str, str]] = MappingProxyType(
    {"webhook_secret": "test-only-sinch-provisioning-secret"}
)
PROJECT_ID: Final = "c36f3d3d-1513-2edd-ae42-11995557ff61"


def signed_headers(body: bytes, secret: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Return the headers a (Conversation-style) signed Provisioning callback would carry."""
    timestamp = str(int(now.timestamp()))
    nonce = secrets.token_hex(13).upper()
    return {
        SIGNATURE_HEADER: sign(secret["webhook_secret"], body, nonce, timestamp),
        NONCE_HEADER: nonce,
        TIMESTAMP_HEADER: timestamp,
        ALGORITHM_HEADER: ALGORITHM,
    }


def _body(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


_SENDER = {"senderId": "15550783881"}
_ACCOUNT = {"accountId": "102290129340398"}
_TEMPLATE = {"templateId": "order_confirmation"}
# sample name -> (trigger, type, resource ids); shapes GUESSED like every sample here.
_MORE_STATES: Final[Mapping[str, tuple[str, str, Mapping[str, str]]]] = MappingProxyType(
    {
        "whatsapp_sender_inactive": ("WHATSAPP_SENDER_INACTIVE", "sender.inactive", _SENDER),
        "whatsapp_sender_pending": (
            "WHATSAPP_SENDER_PENDING_VERIFICATION",
            "sender.pending",
            _SENDER,
        ),
        "whatsapp_sender_rejected": ("WHATSAPP_SENDER_REJECTED", "sender.rejected", _SENDER),
        "whatsapp_sender_error": ("WHATSAPP_SENDER_ERROR", "sender.error", _SENDER),
        "whatsapp_sender_deleted": ("WHATSAPP_SENDER_DELETED", "sender.deleted", _SENDER),
        "whatsapp_sender_comment": (
            "WHATSAPP_SENDER_COMMENT_ADDED",
            "sender.comment_added",
            _SENDER,
        ),
        "whatsapp_account_pending": (
            "WHATSAPP_ACCOUNT_PENDING_VERIFICATION",
            "account.pending",
            _ACCOUNT,
        ),
        "whatsapp_account_rejected": ("WHATSAPP_ACCOUNT_REJECTED", "account.rejected", _ACCOUNT),
        "whatsapp_account_comment": (
            "WHATSAPP_ACCOUNT_COMMENT_ADDED",
            "account.comment_added",
            _ACCOUNT,
        ),
        "whatsapp_template_comment": (
            "WHATSAPP_TEMPLATE_COMMENT_ADDED",
            "template.comment_added",
            _TEMPLATE,
        ),
    }
)

SAMPLE_PAYLOADS: Final[Mapping[str, bytes]] = MappingProxyType(
    {
        # An envelope with an event id, a trigger and the resource under "payload".
        "whatsapp_template_approved": _body(
            {
                "eventId": "01JCPV8N4Q0ZK8Y3W2X6R5T7AB",
                "trigger": "WHATSAPP_TEMPLATE_APPROVED",
                "projectId": PROJECT_ID,
                "timestamp": "2026-11-20T10:15:30.123Z",
                "payload": {
                    "templateId": "1234567890123456",
                    "name": "order_update",
                    "language": "en_US",
                    "category": "UTILITY",
                    "status": "APPROVED",
                },
            }
        ),
        # A flat shape with "eventType" and no event id (de-duplicated on the body hash).
        "whatsapp_sender_active": _body(
            {
                "eventType": "WHATSAPP_SENDER_ACTIVE",
                "projectId": PROJECT_ID,
                "senderId": "+46701234567",
                "status": "ACTIVE",
                "createdAt": 1763633730,
            }
        ),
        "whatsapp_sender_quality_rating_changed": _body(
            {
                "trigger": "WHATSAPP_SENDER_QUALITY_RATING_CHANGED",
                "projectId": PROJECT_ID,
                "data": {"senderId": "+46701234567", "qualityRating": "YELLOW"},
            }
        ),
        "whatsapp_account_onboarded": _body(
            {
                "event": "WHATSAPP_ACCOUNT_ONBOARDED",
                "project_id": PROJECT_ID,
                "wabaId": "102290129340398",
            }
        ),
        "bundle_done": _body(
            {
                "eventId": "01JCPVB2DS6M1C9H2E7F0QW3XY",
                "trigger": "BUNDLE_DONE",
                "projectId": PROJECT_ID,
                "bundleId": "01JCPV9ZK3R7S5T1V4W8X2Y6ZA",
                "status": "DONE",
                "timestamp": "2026-11-20T10:20:00Z",
            }
        ),
        "kakaotalk_template_rejected": _body(
            {
                "trigger": "KAKAOTALK_TEMPLATE_REJECTED",
                "projectId": PROJECT_ID,
                "templateId": "kakao-tpl-001",
            }
        ),
        "rcs_sender_status_updated": _body(
            {
                "trigger": "RCS_SENDER_STATUS_UPDATED",
                "projectId": PROJECT_ID,
                "senderId": "acme_rcs_agent",
                "status": "LAUNCHED",
            }
        ),
        # One per remaining state, so every type the taxonomy names has a sample event.
        **{
            name: _body({"trigger": trigger, "projectId": PROJECT_ID, **ids})
            for name, (trigger, _, ids) in _MORE_STATES.items()
        },
        # A trigger hookgate does not know yet: delivered as "unknown".
        "unknown_trigger": _body(
            {"trigger": "WHATSAPP_SENDER_SOMETHING_NEW", "projectId": PROJECT_ID}
        ),
        # No recognisable envelope at all: delivered as "unknown" with the whole payload.
        "unknown_shape": _body({"hello": "world", "projectId": PROJECT_ID}),
    }
)

EXPECTED_TYPES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "whatsapp_template_approved": ("template.approved",),
        "whatsapp_sender_active": ("sender.active",),
        "whatsapp_sender_quality_rating_changed": ("sender.updated",),
        "whatsapp_account_onboarded": ("account.onboarded",),
        "bundle_done": ("bundle.done",),
        "kakaotalk_template_rejected": ("template.rejected",),
        "rcs_sender_status_updated": ("sender.updated",),
        **{name: (kind,) for name, (_, kind, _) in _MORE_STATES.items()},
        "unknown_trigger": ("unknown",),
        "unknown_shape": ("unknown",),
    }
)
