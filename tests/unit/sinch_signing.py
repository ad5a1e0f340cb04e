"""A Sinch Conversation request builder for tests: sign for real, then change one part."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from hookgate.apigw import build_event, request_from_event
from hookgate.models import InboundRequest
from hookgate_sinch_conversation.samples import SAMPLE_PAYLOADS, TEST_SECRET
from hookgate_sinch_conversation.signature import sign

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
