"""The inspector's record of webhook requests: each one the front answered, in full.

:class:`ExchangeRecorder` wraps the front's ASGI app and records every request to a webhook
route: its exact headers and body (kept in memory for a byte-for-byte replay, never served as
they are), the answer, how long it took, and the receive pipeline's :class:`Outcome` (its
verdict, the internal reason of a refusal, the secret version that verified it, the events it
published). The Outcome is read through :func:`outcomes_tapped`, which wraps
``Receiver.receive`` and ``Receiver.handshake`` for the stack's lifetime in this process: the
wrapper hands each Outcome to the request being recorded (a context variable, which
``asyncio.to_thread`` carries into the handler's thread) and changes no answer.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hookgate.receive import Outcome, Receiver

WEBHOOKS_PREFIX = "webhooks"
_OUTCOMES: ContextVar[list[Outcome] | None] = ContextVar("hookgate_inspector", default=None)


@contextmanager
def outcomes_tapped() -> Iterator[None]:
    """Hand each Outcome of the receive pipeline to the request being recorded, for a while."""
    original_receive = Receiver.receive
    original_handshake = Receiver.handshake

    def receive(self: Receiver, request: Any, provider: str, registration: str) -> Outcome:
        outcome = original_receive(self, request, provider, registration)
        _hand_over(outcome)
        return outcome

    def handshake(self: Receiver, request: Any, provider: str, registration: str) -> Outcome:
        outcome = original_handshake(self, request, provider, registration)
        _hand_over(outcome)
        return outcome

    setattr(Receiver, "receive", receive)  # noqa: B010 - a method put back on exit
    setattr(Receiver, "handshake", handshake)  # noqa: B010
    try:
        yield
    finally:
        setattr(Receiver, "receive", original_receive)  # noqa: B010
        setattr(Receiver, "handshake", original_handshake)  # noqa: B010


def _hand_over(outcome: Outcome) -> None:
    sink = _OUTCOMES.get()
    if sink is not None:
        sink.append(outcome)


def webhook_route(path: str) -> tuple[str, str] | None:
    """Return ``(provider, registration)`` when ``path`` is a webhook route, else None."""
    parts = path.strip("/").split("/")
    if len(parts) == 3 and parts[0] == WEBHOOKS_PREFIX and parts[1] and parts[2]:
        return parts[1], parts[2]
    return None


@dataclass
class Exchange:
    """One webhook request and its answer. ``headers`` and ``body`` are never served as is."""

    id: int
    at: datetime
    method: str
    path: str
    query: str
    provider: str
    registration: str
    headers: list[tuple[str, str]] = field(repr=False)
    body: bytes = field(repr=False)
    status: int = 0
    answer: bytes = b""
    seconds: float = 0.0
    outcome: Outcome | None = None
    origin: str = ""
    replay_of: int | None = None
    seq: int = 0

    @property
    def event_ids(self) -> list[str]:
        """Return the ids of the events this request published."""
        return [event.event_id for event in self.outcome.events] if self.outcome else []


@dataclass(eq=False)
class Label:
    """What to call the next exchange with this path and body (one the inspector sends)."""

    path: str
    body: bytes = field(repr=False)
    origin: str
    replay_of: int | None = None
    taken: int | None = None  # the id of the exchange that took it


class ExchangeLog:
    """The last ``limit`` exchanges, the bus events they produced, and a change counter."""

    def __init__(self, limit: int = 500, bus_limit: int = 5000) -> None:
        """Keep at most ``limit`` exchanges and ``bus_limit`` bus events."""
        self._limit, self._bus_limit = limit, bus_limit
        self._lock = threading.Lock()
        self._exchanges: OrderedDict[int, Exchange] = OrderedDict()
        self._bus: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._producer: dict[str, int] = {}
        self._labels: list[Label] = []
        self._next_id = 0
        self._seq = 0

    def expect(self, path: str, body: bytes, origin: str, replay_of: int | None = None) -> Label:
        """Label the next exchange with this path and body; return the label."""
        label = Label(path, body, origin, replay_of)
        with self._lock:
            self._labels.append(label)
        return label

    def forget(self, label: Label) -> None:
        """Drop a label no exchange took (its request never reached the front)."""
        with self._lock:
            if label in self._labels:
                self._labels.remove(label)

    def add(self, exchange: Exchange) -> Exchange:
        """Keep ``exchange``: number it, and label it when the inspector sent it."""
        with self._lock:
            self._next_id += 1
            self._seq += 1
            exchange.id, exchange.seq = self._next_id, self._seq
            for label in self._labels:
                if (label.path, label.body) == (exchange.path, exchange.body):
                    exchange.origin, exchange.replay_of = label.origin, label.replay_of
                    label.taken = exchange.id
                    self._labels.remove(label)
                    break
            self._exchanges[exchange.id] = exchange
            for event_id in exchange.event_ids:
                self._producer[event_id] = exchange.id
            while len(self._exchanges) > self._limit:
                self._exchanges.popitem(last=False)
            return exchange

    def get(self, exchange_id: int) -> Exchange | None:
        """Return the exchange numbered ``exchange_id``, if still kept."""
        with self._lock:
            return self._exchanges.get(exchange_id)

    def changed_since(self, seq: int) -> list[Exchange]:
        """Return the exchanges added or changed after change number ``seq``, oldest first."""
        with self._lock:
            return sorted((e for e in self._exchanges.values() if e.seq > seq), key=lambda e: e.seq)

    def saw_on_bus(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Keep the bus's events by event_id; mark the exchanges that produced them changed."""
        with self._lock:
            for event in events:
                detail = event.get("detail")
                event_id = detail.get("event_id") if isinstance(detail, Mapping) else None
                if not isinstance(event_id, str):
                    continue
                self._bus[event_id] = dict(event)
                while len(self._bus) > self._bus_limit:
                    self._bus.popitem(last=False)
                producer = self._exchanges.get(self._producer.get(event_id, 0))
                if producer is not None:
                    self._seq += 1
                    producer.seq = self._seq

    def on_bus(self, event_id: str) -> dict[str, Any] | None:
        """Return the event with ``event_id`` as the bus delivered it, if it was seen."""
        with self._lock:
            return self._bus.get(event_id)


class ExchangeRecorder:
    """ASGI middleware: records each webhook request ``app`` answers into ``log``."""

    def __init__(self, app: ASGIApp, log: ExchangeLog) -> None:
        """Record what ``app`` answers."""
        self.app, self.log = app, log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request to the app; record it when it is a webhook request."""
        route = webhook_route(scope.get("path", "")) if scope["type"] == "http" else None
        if route is None:
            await self.app(scope, receive, send)
            return
        body, answer = bytearray(), bytearray()
        status = [0]
        outcomes: list[Outcome] = []
        at, started = datetime.now(UTC), time.perf_counter()
        recorded = [False]

        def record() -> None:
            # Before the last byte of the answer goes out: whoever sent the request (a replay
            # from the page) finds it recorded once the answer has arrived.
            recorded[0] = True
            self.log.add(
                Exchange(
                    id=0,
                    at=at,
                    method=str(scope.get("method", "")),
                    path=str(scope["path"]),
                    query=bytes(scope.get("query_string", b"")).decode("latin-1"),
                    provider=route[0],
                    registration=route[1],
                    headers=[
                        (name.decode("latin-1"), value.decode("latin-1"))
                        for name, value in scope.get("headers", [])
                    ],
                    body=bytes(body),
                    status=status[0],
                    answer=bytes(answer),
                    seconds=time.perf_counter() - started,
                    outcome=outcomes[-1] if outcomes else None,
                )
            )

        async def receive_tap() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
            return message

        async def send_tap(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            elif message["type"] == "http.response.body":
                answer.extend(message.get("body", b""))
                if not message.get("more_body", False) and not recorded[0]:
                    record()
            await send(message)

        token = _OUTCOMES.set(outcomes)
        try:
            await self.app(scope, receive_tap, send_tap)
        finally:
            _OUTCOMES.reset(token)
            if not recorded[0]:
                record()
