"""Sample deliveries from Meta's WhatsApp Cloud API, made-up test secrets and Meta's header.

``TEST_SECRET`` values are made up for tests; never use them for a real registration. Bodies are
the Cloud API envelope as Meta sends it (one inbound message of every type, the statuses, a
template status update, a field hookgate does not know, a JSON object that is no envelope).
``EXPECTED_TYPES`` is the golden data: the types parse must return, in order.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from hookgate_dev.meta_samples import (
    INBOUND_CONTENT,
    INBOUND_TYPES,
    METADATA,
    envelope,
    inbound,
    status,
)

TEST_SECRET: Final[Mapping[str, str]] = {
    "app_secret": "test-only-meta-app-secret",
    "verify_token": "test-only-meta-verify-token",
}

SAMPLE_PAYLOADS: Final[Mapping[str, bytes]] = {
    **{
        f"inbound_{kind}": inbound(kind, content, index=index)
        for index, (kind, content) in enumerate(sorted(INBOUND_CONTENT.items()), start=1)
    },
    "statuses": status("sent", "delivered", "read"),
    "failed": status("failed"),
    "template_approved": envelope(
        {
            "event": "APPROVED",
            "message_template_id": 1234567890,
            "message_template_name": "order_update",
            "message_template_language": "en_US",
            "reason": "NONE",
        },
        field="message_template_status_update",
    ),
    "new_field": envelope({"metadata": METADATA, "detail": "new"}, field="some_future_field"),
    "not_an_envelope": b'{"object":"page","note":"not a WhatsApp envelope"}',
}

EXPECTED_TYPES: Final[Mapping[str, tuple[str, ...]]] = {
    **{f"inbound_{kind}": (INBOUND_TYPES[kind],) for kind in INBOUND_CONTENT},
    "statuses": ("message.sent", "message.delivered", "message.read"),
    "failed": ("message.failed",),
    "template_approved": ("template.approved",),
    "new_field": ("unknown",),
    "not_an_envelope": ("unknown",),
}


def signed_headers(body: bytes, secret: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Return the header Meta sends: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of body>``.

    Written from Meta's documentation, not with the plugin's code (Meta signs no time).
    """
    digest = hmac.new(secret["app_secret"].encode("utf-8"), body, hashlib.sha256).hexdigest()
    return {"x-hub-signature-256": "sha256=" + digest}
