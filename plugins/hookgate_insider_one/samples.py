"""Sample Insider One deliveries (every shape in seed 004), a test key, and Insider's headers.

``TEST_SECRET`` is made up for tests, never a real key. Seed 004's samples use placeholders
(``{{MESSAGE_ID}}``); the payloads below keep their shapes with concrete made-up values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from hookgate.meta_samples import INBOUND_CONTENT, inbound, status

TEST_SECRET: Final[Mapping[str, str]] = {"api_key": "test-only-insider-one-api-key"}
KEY: Final = "whatsapp-4b9f0c1e2d"


def signed_headers(body: bytes, secret: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Return the header Insider One (V1) sends: ``Authorization: Bearer <apiKey>``."""
    return {"authorization": f"Bearer {secret['api_key']}"}


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


SAMPLE_PAYLOADS: Final[Mapping[str, bytes]] = {
    "accepted": _json(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "+16505551234", "wa_id": "16505551234"}],
            "messages": [{"id": "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}],
            "key": KEY,
        }
    ),
    "cloud_api_error": _json(
        {
            "error": {
                "message": "(#130429) Rate limit hit",
                "type": "OAuthException",
                "code": 130429,
                "error_data": {"messaging_product": "whatsapp", "details": "Cloud API rate limit"},
                "fbtrace_id": "A1b2C3d4",
            },
            "key": KEY,
        }
    ),
    "on_premise_errors": _json(
        {
            "errors": [
                {
                    "code": 2000,
                    "title": "Template parameter mismatch",
                    "details": (
                        "Number of parameters provided does not match expected parameter count"
                    ),
                }
            ],
            "key": KEY,
        }
    ),
    "status_sent": status("sent", key=KEY),
    "status_delivered": status("delivered", key=KEY),
    "status_read": status("read", key=KEY),
    "status_failed": status("failed", key=KEY),
    "user_initiated_reply_empty_key": inbound("text", INBOUND_CONTENT["text"], 1, key=""),
    **{
        f"reply_{kind}": inbound(kind, INBOUND_CONTENT[kind], i, key=KEY)
        for i, kind in enumerate(("text", "sticker", "video", "image", "document", "button"), 2)
    },
    "template_message": _json(
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "16505551234",
            "type": "template",
            "template": {"name": "order_update", "language": {"code": "en"}},
            "timestamp": "1731600200",
            "content": "Your order A-1029 has shipped.",
            "key": KEY,
        }
    ),
    "validation_probe": b"{}",
    "unrecognised": _json({"something": "else", "key": KEY}),
}

EXPECTED_TYPES: Final[Mapping[str, tuple[str, ...]]] = {
    "accepted": ("message.submitted",),
    "cloud_api_error": ("message.failed",),
    "on_premise_errors": ("message.failed",),
    "status_sent": ("message.sent",),
    "status_delivered": ("message.delivered",),
    "status_read": ("message.read",),
    "status_failed": ("message.failed",),
    "user_initiated_reply_empty_key": ("message.received",),
    **{
        f"reply_{kind}": ("message.received",)
        for kind in ("text", "sticker", "video", "image", "document", "button")
    },
    "template_message": ("message.sent",),
    "validation_probe": (),
    "unrecognised": ("unknown",),
}
