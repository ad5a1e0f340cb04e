"""A Sinch Conversation request builder for tests: sign for real, then change one part."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from hookgate.apigw import build_event, request_from_event
from hookgate.models import InboundRequest
from hookgate_dev.providers.hookgate_sinch_conversation.samples import SAMPLE_PAYLOADS, TEST_SECRET
from hookgate_sinch.signature import sign

VECTOR_TIME = datetime.fromtimestamp(1634579353, UTC)


@dataclass(frozen=True)
class SinchRequest:
    """What a Sinch delivery is made of; ``build`` signs it exactly as Sinch does."""

    body: bytes = SAMPLE_PAYLOADS["sdk_test_vector"]
    secret: str = TEST_SECRET["webhook_secret"]
    nonce: str = "01FJA8B4A7BM43YGWSG9GBV067"
    timestamp: str = "1634579353"
    algorithm: str | None = "HmacSHA256"
    signature: str | None = None  # None: computed
    tamper: bytes | None = None  # body delivered instead of the signed one
    drop: tuple[str, ...] = ()
    upper_case_names: bool = False
    base64_body: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def but(self, **changes: Any) -> SinchRequest:
        """Return a copy with ``changes``."""
        return replace(self, **changes)

    def headers(self) -> dict[str, str]:
        """Return the headers Sinch would send."""
        headers = {
            "x-sinch-webhook-signature": self.signature
            or sign(self.secret, self.body, self.nonce, self.timestamp),
            "x-sinch-webhook-signature-nonce": self.nonce,
            "x-sinch-webhook-signature-timestamp": self.timestamp,
            "content-type": "application/json",
            **self.extra,
        }
        if self.algorithm is not None:
            headers["x-sinch-webhook-signature-algorithm"] = self.algorithm
        headers = {
            k: v for k, v in headers.items() if k.removeprefix("x-sinch-webhook-") not in self.drop
        }
        if self.upper_case_names:
            headers = {k.upper(): v for k, v in headers.items()}
        return headers

    def build(self) -> InboundRequest:
        """Return the request as the receiver sees it, through an API Gateway v2 event."""
        event = build_event(
            method="POST",
            path="/webhooks/sinch_conversation/sinch-demo",
            route_key="POST /webhooks/{provider}/{registration}",
            path_parameters={"provider": "sinch_conversation", "registration": "sinch-demo"},
            headers=self.headers(),
            body=self.tamper if self.tamper is not None else self.body,
            base64_body=True if self.base64_body else None,
        )
        return request_from_event(event, now=VECTOR_TIME)


def near_misses(signature: str) -> dict[str, str]:
    """Return signatures that differ from the genuine ``signature`` in one small way each.

    One bit flipped in the first, a middle and the last digest byte; the digest cut to its
    first 8 or 31 bytes; one byte appended. Each must be refused: a verifier that compares
    only a prefix, or only as many bytes as were presented, accepts one of them.
    """
    digest = base64.b64decode(signature, validate=True)
    assert len(digest) == 32, "an HMAC-SHA256 digest"

    def flipped(index: int) -> bytes:
        return digest[:index] + bytes([digest[index] ^ 0x01]) + digest[index + 1 :]

    variants = {
        "first byte flipped": flipped(0),
        "middle byte flipped": flipped(16),
        "last byte flipped": flipped(31),
        "first 8 bytes only": digest[:8],
        "first 31 bytes only": digest[:31],
        "one byte appended": digest + b"\x00",
    }
    return {name: base64.b64encode(value).decode("ascii") for name, value in variants.items()}
