"""Make chosen AWS calls fail at the boto3 client, the way a service error reaches hookgate.

A handler on the client's ``before-call.<service>.<operation>`` event answers instead of the
service (moto included) with an HTTP 500 and the service's error, so botocore raises the same
``ClientError`` it raises when AWS answers an error after the client's own retries. Only the
calls a predicate picks fail; every other call goes on to moto as usual.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders

Predicate = Callable[[dict[str, Any]], bool]


@dataclass
class Fault:
    """Which calls of one operation fail, and how many did."""

    operation: str
    when: Predicate
    code: str
    failed: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)


def _request_body(params: dict[str, Any]) -> dict[str, Any]:
    body = params.get("body") or b"{}"
    parsed = json.loads(body.decode() if isinstance(body, bytes) else body)
    return parsed if isinstance(parsed, dict) else {}


@contextmanager
def failing(
    client: Any, operation: str, when: Predicate = lambda _: True, code: str = "InternalServerError"
) -> Iterator[Fault]:
    """Make ``operation`` calls of ``client`` whose JSON request ``when`` picks fail with ``code``.

    ``when`` sees the request body as the service receives it (DynamoDB's and EventBridge's
    JSON protocol). The fault is removed on exit.
    """
    fault = Fault(operation, when, code)
    service = client.meta.service_model.service_id.hyphenize()
    event = f"before-call.{service}.{operation}"

    def answer(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        body = _request_body(params)
        fault.calls.append(body)
        if not when(body):
            return None
        fault.failed += 1
        response = AWSResponse(params.get("url", ""), 500, HTTPHeaders(), None)
        parsed = {
            "Error": {"Code": code, "Message": "injected by the test"},
            "ResponseMetadata": {"HTTPStatusCode": 500},
        }
        return response, parsed

    client.meta.events.register_first(event, answer, unique_id=f"fault-{id(fault)}")
    try:
        yield fault
    finally:
        client.meta.events.unregister(event, unique_id=f"fault-{id(fault)}")
