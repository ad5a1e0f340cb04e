"""API Gateway HTTP API (payload format 2.0) events in and responses out.

The same functions build events for tests, for the sample events in ``events/`` and for the
local stack's HTTP front, so every path into the handlers speaks one format.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from hookgate.models import InboundRequest

JSON_HEADERS: Mapping[str, str] = {"content-type": "application/json"}
# json.dumps(payload, separators=(",", ":")), without building the encoder on every call.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


class BadEventBodyError(ValueError):
    """The event's body cannot be the bytes a client sent (bad base64, impossible text)."""


def request_from_event(event: Mapping[str, Any], *, now: datetime | None = None) -> InboundRequest:
    """Build an :class:`InboundRequest` from an HTTP API payload 2.0 event.

    The body becomes the exact bytes the caller sent: base64-decoded when
    ``isBase64Encoded`` is true, else the UTF-8 encoding of the text API Gateway passed on.
    """
    http = event.get("requestContext", {}).get("http", {})
    raw_body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw_body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BadEventBodyError("body is marked base64 but is not valid base64") from exc
    else:
        try:
            body = raw_body.encode("utf-8", errors="surrogateescape")
        except UnicodeEncodeError as exc:  # a lone surrogate: text no client could have sent
            raise BadEventBodyError("body is not valid text") from exc
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    query = {str(k): str(v) for k, v in (event.get("queryStringParameters") or {}).items()}
    return InboundRequest(
        method=str(http.get("method", "POST")).upper(),
        path=str(event.get("rawPath") or http.get("path") or "/"),
        headers=headers,
        query=query,
        body=body,
        received_at=now or datetime.now(UTC),
        source_ip=http.get("sourceIp"),
    )


def build_event(
    *,
    method: str,
    path: str,
    route_key: str,
    path_parameters: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
    query: Mapping[str, str] | None = None,
    base64_body: bool | None = None,
    source_ip: str = "127.0.0.1",
    now: datetime | None = None,
) -> dict[str, Any]:
    """Build the payload 2.0 event API Gateway would send for this request.

    The body is sent as text when it is valid UTF-8 (as API Gateway does for text payloads)
    and base64-encoded otherwise, unless ``base64_body`` forces one or the other.
    """
    when = now or datetime.now(UTC)
    if base64_body is None:
        try:
            body.decode("utf-8")
            base64_body = False
        except UnicodeDecodeError:
            base64_body = True
    text = base64.b64encode(body).decode() if base64_body else body.decode("utf-8")
    query = dict(query or {})
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": urlencode(query),
        "headers": {k.lower(): v for k, v in headers.items()},
        "queryStringParameters": query or None,
        "pathParameters": dict(path_parameters),
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "localhost",
            "http": {
                "method": method.upper(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("user-agent", "hookgate"),
            },
            "requestId": f"local-{int(when.timestamp() * 1000)}",
            "routeKey": route_key,
            "stage": "$default",
            "time": when.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(when.timestamp() * 1000),
        },
        "body": text,
        "isBase64Encoded": base64_body,
    }


WEBHOOK_ROUTE = "POST /webhooks/{provider}/{registration}"


def webhook_event(
    provider: str,
    registration: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    base64_body: bool | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Build the event API Gateway sends for a provider's POST to a registration's URL."""
    return build_event(
        method="POST",
        path=f"/webhooks/{provider}/{registration}",
        route_key=WEBHOOK_ROUTE,
        path_parameters={"provider": provider, "registration": registration},
        headers=headers,
        body=body,
        base64_body=base64_body,
        now=now,
    )


def json_response(
    status: int, payload: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Return an HTTP API response with a JSON body."""
    return {
        "statusCode": status,
        "headers": {**JSON_HEADERS, **(headers or {})},
        "body": _COMPACT.encode(payload),
        "isBase64Encoded": False,
    }


def text_response(status: int, body: str, content_type: str = "text/plain") -> dict[str, Any]:
    """Return an HTTP API response with a plain-text body."""
    return {
        "statusCode": status,
        "headers": {"content-type": content_type},
        "body": body,
        "isBase64Encoded": False,
    }
