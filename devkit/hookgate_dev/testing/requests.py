"""Build requests the way API Gateway delivers them, for contract tests and plugin tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from hookgate.apigw import WEBHOOK_ROUTE, request_from_event, webhook_event
from hookgate.models import InboundRequest

ROUTE_KEY = WEBHOOK_ROUTE


def api_gateway_request(
    provider: str,
    registration: str,
    body: bytes,
    headers: Mapping[str, str],
    now: datetime,
    *,
    base64_body: bool | None = None,
    header_case: Callable[[str], str] | None = None,
) -> InboundRequest:
    """Return the :class:`InboundRequest` the receiver would see for this POST.

    The request goes through :func:`hookgate.apigw.build_event` and
    :func:`hookgate.apigw.request_from_event`, so the body arrives exactly as API Gateway
    passes it (base64-encoded when ``base64_body`` or when it is not UTF-8). ``header_case``
    rewrites the header names inside the event (``str.upper``, ``str.title``) to prove that the
    names are normalised before a plugin sees them.
    """
    event = webhook_event(
        provider,
        registration,
        body,
        {"content-type": "application/json", **headers},
        base64_body=base64_body,
        now=now,
    )
    if header_case is not None:
        event["headers"] = {header_case(name): value for name, value in event["headers"].items()}
    return request_from_event(event, now=now)
