"""What every provider sandbox shares: faults on demand, deliveries, control routes.

Control routes (not part of any provider's API)::

    POST /_sandbox/faults       queue a failure: {"target": "api"|"delivery",
                                "kind": "status"|"timeout"|"retry_after", "status": 500,
                                "retry_after": 1, "count": 1, "delay": 30, "after": false,
                                "methods": ["PATCH", ...]}; a "timeout" hangs for "delay"
                                seconds or until the faults are cleared; "after": the API
                                call is applied first, then answered with the failure (or
                                not in time); "methods": only calls with these methods count
    DELETE /_sandbox/faults     clear every pending fault (and end the hangs under way)
    POST /_sandbox/deliver      {"sample": "<name>" | "*", "count": 1, "unique": false}:
                                deliver to every webhook; "*" takes the samples in turn, and
                                "unique" gives each delivery its own ids (see unique_body)
    GET  /_sandbox/deliveries   what was delivered, with each attempt's outcome
    GET  /_sandbox/state        the provider's stored webhooks (secrets masked)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

FaultTarget = Literal["api", "delivery"]
FaultKind = Literal["status", "timeout", "retry_after"]
CONTROL_PREFIX = "/_sandbox"


@dataclass
class Fault:
    """One injected failure, used up ``count`` times."""

    target: FaultTarget = "api"
    kind: FaultKind = "status"
    status: int = 500
    retry_after: float = 1.0
    count: int = 1
    delay: float = 0.0
    after: bool = False
    methods: tuple[str, ...] = ()


class FaultInjector:
    """Failures queued by a test, consumed by the next API calls or delivery attempts."""

    def __init__(self) -> None:
        """Start with no faults."""
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._clearings = 0

    def add(self, fault: Fault) -> None:
        """Queue ``fault``."""
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Drop every pending fault and end the hangs under way."""
        with self._lock:
            self._faults.clear()
            self._clearings += 1

    async def hang(self, seconds: float) -> None:
        """Wait ``seconds``, or until the faults are cleared, whichever comes first.

        A test makes the provider hang "for ever" (a bound well past any client timeout) and
        ends the hang by clearing the faults, without waiting the bound out.
        """
        with self._lock:
            clearings = self._clearings
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self._lock:
                if self._clearings != clearings:
                    return
            await asyncio.sleep(0.05)

    def take(self, target: FaultTarget, method: str | None = None) -> Fault | None:
        """Consume one use of the oldest fault aimed at ``target`` (and ``method``, if given)."""
        with self._lock:
            for fault in self._faults:
                wanted = not fault.methods or method is None or method in fault.methods
                if fault.target == target and fault.count > 0 and wanted:
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault
        return None


ID_KEYS: frozenset[str] = frozenset(
    {"id", "message_id", "event_id", "messageId", "eventId", "key", "wamid"}
)
"""JSON keys whose string values ``unique_body`` makes unique: the ids providers dedupe on."""


def unique_body(body: bytes, serial: int) -> bytes:
    """Return ``body`` made a new, distinct event: ``-<serial>`` appended to every id in it.

    A provider sends each event once with its own ids; replaying one sample would be (rightly)
    collapsed by hookgate's dedupe. A JSON object without any id gets a top-level
    ``sandbox_serial`` instead; a body that is not JSON is returned as it is.
    """
    try:
        document = json.loads(body)
    except ValueError:
        return body
    renamed = 0

    def rename(value: Any) -> Any:
        nonlocal renamed
        if isinstance(value, dict):
            fresh = {}
            for key, item in value.items():
                if key in ID_KEYS and isinstance(item, str):
                    fresh[key] = f"{item}-{serial}"
                    renamed += 1
                else:
                    fresh[key] = rename(item)
            return fresh
        if isinstance(value, list):
            return [rename(item) for item in value]
        return value

    document = rename(document)
    if not renamed and isinstance(document, dict):
        document["sandbox_serial"] = serial
    return json.dumps(document, separators=(",", ":")).encode()


@dataclass
class Attempt:
    """One try at delivering a webhook: the status, or the error, and the answer's start."""

    status: int | None
    error: str | None = None
    answer: str = ""


@dataclass
class Delivery:
    """One webhook delivered (or not) to one target, with every attempt."""

    webhook_id: str
    target: str
    sample: str
    body: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    delivered: bool = False
    # The last attempt's headers without credentials (signatures, tokens): ids and timestamps
    # some providers key events by (Standard Webhooks' webhook-id), for the run's audit.
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def rejected(self) -> list[Attempt]:
        """Return the attempts hookgate answered with a status other than 2xx."""
        return [a for a in self.attempts if a.status is not None and not 200 <= a.status < 300]


@dataclass
class Target:
    """A registered webhook a sandbox delivers to: its URL and the headers to sign with."""

    webhook_id: str
    url: str
    headers_for: Callable[[bytes], Mapping[str, str]]
    # Deliver only when the target with this webhook_id answered 200 to the same webhook
    # (360dialog clones to extra destinations only then).
    requires: str | None = None


_CREDENTIAL_WORDS = ("signature", "authorization", "token", "secret", "key", "hmac")


def public_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return ``headers`` (names lower-cased) without any that may carry a credential."""
    return {
        name.lower(): value
        for name, value in headers.items()
        if not any(word in name.lower() for word in _CREDENTIAL_WORDS)
    }


class Deliverer:
    """Posts webhooks to targets as a provider does: retrying while the answer is not 2xx."""

    def __init__(
        self,
        faults: FaultInjector,
        *,
        max_attempts: int = 5,
        backoff: float = 0.1,
        timeout: float = 5.0,
        client: httpx.Client | None = None,
    ) -> None:
        """Create a deliverer; a delivery is tried at most ``max_attempts`` times."""
        self._faults = faults
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._client = client
        self._timeout = timeout
        self.log: list[Delivery] = []
        self._lock = threading.Lock()

    def deliver(self, target: Target, sample: str, body: bytes) -> Delivery:
        """Deliver ``body`` to ``target``, signing every attempt afresh, and record it."""
        delivery = Delivery(
            webhook_id=target.webhook_id,
            target=target.url,
            sample=sample,
            body=body.decode("utf-8", "replace"),
        )
        for attempt in range(self._max_attempts):
            if attempt:
                time.sleep(self._backoff * 2 ** (attempt - 1))
            fault = self._faults.take("delivery")
            if fault is not None:
                delivery.attempts.append(Attempt(status=None, error=f"injected {fault.kind}"))
                continue
            headers = {"content-type": "application/json", **target.headers_for(body)}
            delivery.headers = public_headers(headers)
            try:
                response = self._post(target.url, body, headers)
            except httpx.HTTPError as exc:
                delivery.attempts.append(Attempt(status=None, error=type(exc).__name__))
                continue
            delivery.attempts.append(
                Attempt(status=response.status_code, answer=response.text[:200])
            )
            if response.is_success:
                delivery.delivered = True
                break
        self.record(delivery)
        return delivery

    def record(self, delivery: Delivery) -> None:
        """Add ``delivery`` to the log (also for calls a sandbox makes outside ``deliver``)."""
        with self._lock:
            self.log.append(delivery)

    def since(self, start: int) -> list[Delivery]:
        """Return the deliveries logged from position ``start`` on."""
        with self._lock:
            return self.log[start:]

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        if self._client is not None:
            return self._client.post(url, content=body, headers=headers)
        with httpx.Client(timeout=self._timeout) as client:
            return client.post(url, content=body, headers=headers)


class FaultMiddleware:
    """Applies queued ``api`` faults to the provider routes (never to the control routes)."""

    def __init__(self, app: ASGIApp, faults: FaultInjector) -> None:
        """Wrap ``app``."""
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer with the next queued fault, or pass the request on."""
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        fault = self.faults.take("api", str(scope.get("method", "")))
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.after:  # the call is applied; its answer is lost
            await self.app(scope, receive, _discard)
        response: Response
        if fault.kind == "timeout":
            await self.faults.hang(fault.delay or 30.0)
            response = JSONResponse({"error": "timeout"}, status_code=504)
        elif fault.kind == "retry_after":
            response = JSONResponse(
                {"error": "rate limited"},
                status_code=429,
                headers={"Retry-After": str(int(fault.retry_after))},
            )
        else:
            response = JSONResponse({"error": "injected failure"}, status_code=fault.status)
        await response(scope, receive, send)


async def _discard(message: Any) -> None:
    """Drop what the app answers (an ASGI ``send``)."""


@dataclass(frozen=True)
class LocalWiring:
    """What points a registration at its provider's sandbox: settings and API credentials.

    Each sandbox module offers ``local_wiring(url, key_id, key_secret)`` returning one; the local
    stack merges ``settings`` into the registration and stores ``credentials`` as its api_secret.
    """

    settings: Mapping[str, str]
    credentials: Mapping[str, str]


@dataclass
class Sandbox:
    """A provider sandbox: its ASGI app plus the pieces tests reach into."""

    name: str
    app: ASGIApp
    faults: FaultInjector
    deliverer: Deliverer
    state: Callable[[], Any]
    # What the sandbox delivers, for in-process drivers (the load generator) that sign their
    # own requests exactly as the sandbox would.
    targets: Callable[[], Sequence[Target]] = tuple
    samples: Mapping[str, bytes] = field(default_factory=dict)


def build_sandbox_app(
    name: str,
    routes: Sequence[BaseRoute],
    *,
    faults: FaultInjector,
    deliverer: Deliverer,
    targets: Callable[[], Sequence[Target]],
    samples: Mapping[str, bytes],
    state: Callable[[], Any],
) -> Sandbox:
    """Assemble a sandbox: the provider's ``routes`` plus the shared control routes."""

    async def add_fault(request: Request) -> Response:
        body = await request.json()
        faults.add(Fault(**{**body, "methods": tuple(body.get("methods", ()))}))
        return JSONResponse({"queued": body})

    async def clear_faults(_: Request) -> Response:
        faults.clear()
        return JSONResponse({"cleared": True})

    serials, turns = itertools.count(1), itertools.count()

    async def deliver(request: Request) -> Response:
        body = await request.json()
        sample = str(body.get("sample", ""))
        if sample != "*" and sample not in samples:
            return JSONResponse(
                {"error": f"unknown sample {sample!r}", "samples": sorted(samples)}, status_code=400
            )
        names = sorted(samples) if sample == "*" else [sample]
        count, unique = int(body.get("count", 1)), bool(body.get("unique", False))

        def run() -> list[Delivery]:
            done = []
            for _ in range(count):
                name = names[next(turns) % len(names)]
                sent = unique_body(samples[name], next(serials)) if unique else samples[name]
                answered_200: set[str] = set()
                for target in targets():
                    if target.requires is not None and target.requires not in answered_200:
                        continue
                    delivery = deliverer.deliver(target, name, sent)
                    done.append(delivery)
                    if delivery.delivered and delivery.attempts[-1].status == 200:
                        answered_200.add(target.webhook_id)
            return done

        done = await asyncio.to_thread(run)
        return JSONResponse({"deliveries": [asdict(d) for d in done]})

    async def deliveries(_: Request) -> Response:
        return JSONResponse({"deliveries": [asdict(d) for d in deliverer.log]})

    async def show_state(_: Request) -> Response:
        return JSONResponse(state())

    control: list[BaseRoute] = [
        Route(f"{CONTROL_PREFIX}/faults", add_fault, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/faults", clear_faults, methods=["DELETE"]),
        Route(f"{CONTROL_PREFIX}/deliver", deliver, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/deliveries", deliveries, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/state", show_state, methods=["GET"]),
    ]
    app = Starlette(routes=[*control, *routes])
    return Sandbox(
        name=name,
        app=FaultMiddleware(app, faults),
        faults=faults,
        deliverer=deliverer,
        state=state,
        targets=targets,
        samples=samples,
    )


Handler = Callable[[Request], Awaitable[Response]]
