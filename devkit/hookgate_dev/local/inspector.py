"""The inspector: a page on the local front (``/_hookgate/``) to see, open, replay and rotate.

Served by ``hookgate dev`` beside the HttpApi routes, from files in this package (no build step,
nothing fetched from the internet). What it offers:

* every webhook request the front answered, live (server-sent events): time, provider,
  registration, answer, the internal reason of a refusal, the secret version that verified
  it, latency, the events it published; one opened shows its headers (secret-bearing values
  masked, :mod:`hookgate_dev.local.inspector_redact`), its body, the verdict and each event as
  it landed on the bus;
* a byte-for-byte replay of a request, and a sample sent to a registration (as ``hookgate
  send`` builds it);
* per registration: the secret versions in force (ids and times, never a value), "rotate
  now", each rotation's four steps, the sync plan and a drift check.

Who may use it: clients on loopback only, through a Host header naming the front (a page
elsewhere that rebinds a DNS name to 127.0.0.1 is refused); every POST must carry the page's
token in ``X-Hookgate-CSRF`` and, when the browser sends one, the front's own Origin.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import httpx
from botocore.exceptions import BotoCoreError, ClientError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hookgate import runtime
from hookgate.errors import HookgateError
from hookgate.rotation import RotationError
from hookgate.sync import webhook_url
from hookgate_dev.local.inspector_log import (
    Exchange,
    ExchangeLog,
    ExchangeRecorder,
    outcomes_tapped,
)
from hookgate_dev.local.inspector_redact import SecretGuard, listed_headers, redact_pairs
from hookgate_dev.local.inspector_secrets import (
    created_dates,
    drift_of,
    rotation_timeline,
    sync_plan,
    versions_in_force,
)
from hookgate_dev.send import build_request, current_secret, default_sample, samples_of

if TYPE_CHECKING:
    from hookgate_dev.local.stack import LocalStack

PREFIX = "/_hookgate"
CSRF_HEADER = "x-hookgate-csrf"
LOOPBACK = frozenset({"127.0.0.1", "::1"})
STATIC = {"inspector.js": "text/javascript", "inspector.css": "text/css"}
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "cross-origin-resource-policy": "same-origin",
}
# Not copied into a replay: the HTTP client sets its own.
_HOP_HEADERS = frozenset(
    {"host", "content-length", "connection", "transfer-encoding", "keep-alive", "te", "upgrade"}
)
GUARD_REFRESH_SECONDS = 2.0
SNAPSHOT_SECONDS = 1.0
SNAPSHOT_SECONDS_ROTATING = 0.25
STREAM_TICK_SECONDS = 0.2


def _static(name: str) -> str:
    folder = resources.files(__name__.rpartition(".")[0]) / "inspector_static"
    return (folder / name).read_text(encoding="utf-8")


def _result(exchange: Exchange) -> str:
    """Return the filterable result: accepted, duplicate, refused, failed or answered."""
    outcome = exchange.outcome.outcome if exchange.outcome else None
    if outcome in ("accepted", "duplicate"):
        return outcome
    if 400 <= exchange.status < 500:
        return "refused"
    if exchange.status >= 500:
        return "failed"
    return "answered"


def _json_body(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


class _Denied(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Inspector:
    """The inspector of one running :class:`LocalStack`."""

    def __init__(self, stack: LocalStack) -> None:
        """Inspect ``stack`` (read lazily: the stack is still starting)."""
        self.stack = stack
        self.log = ExchangeLog()
        self.csrf_token = secrets.token_urlsafe(32)
        self.guard = SecretGuard()
        self._guard_at = 0.0
        self._values_seen: dict[tuple[str, str], frozenset[str]] = {}
        self._closed = threading.Event()
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._snapshot: dict[str, Any] | None = None
        self._snapshot_at = 0.0
        self._snapshot_lock = asyncio.Lock()
        self._first_seen: dict[str, datetime] = {}
        self._rotating: set[str] = set()
        self._rotate_errors: dict[str, str] = {}
        self._drift: dict[str, dict[str, Any]] = {}

    # -- wiring ------------------------------------------------------------------------------

    @contextmanager
    def serving(self, front: ASGIApp) -> Iterator[ASGIApp]:
        """Return ``front`` with the inspector beside it and its webhook requests recorded."""
        with outcomes_tapped():
            yield _Split(self._guarded(self._app()), ExchangeRecorder(front, self.log))

    def close(self) -> None:
        """End the live streams (the front waits for open connections when it stops)."""
        self._closed.set()

    def saw_on_bus(self, events: list[dict[str, Any]]) -> None:
        """Take note of events the bus delivered (to show them under their request)."""
        self.log.saw_on_bus(events)

    @property
    def url(self) -> str:
        """Return the page's URL."""
        return f"{self.stack.front_url}{PREFIX}/"

    # -- security ----------------------------------------------------------------------------

    def _check(self, scope: Scope) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        client = scope.get("client")
        if not client or client[0] not in LOOPBACK:
            raise _Denied(403, "the inspector answers loopback clients only")
        server = scope.get("server")
        port = server[1] if server else None
        hosts = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
        if headers.get("host") not in hosts:
            raise _Denied(403, "the inspector answers requests for 127.0.0.1 or localhost only")
        if scope.get("method") in ("GET", "HEAD"):
            return
        origin = headers.get("origin")
        if origin is not None and origin not in {f"http://{host}" for host in hosts}:
            raise _Denied(403, "cross-origin request refused")
        if headers.get("sec-fetch-site", "same-origin") != "same-origin":
            raise _Denied(403, "cross-site request refused")
        token = headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(token.encode(), self.csrf_token.encode()):
            raise _Denied(403, "missing or wrong X-Hookgate-CSRF token: reload the page")

    def _guarded(self, app: ASGIApp) -> ASGIApp:
        async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
            async def secured(message: Message) -> None:
                if message["type"] == "http.response.start":
                    extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
                await send(message)

            try:
                self._check(scope)
            except _Denied as denied:
                response = PlainTextResponse(str(denied), status_code=denied.status)
                await response(scope, receive, secured)
                return
            await app(scope, receive, secured)

        return guarded

    async def _served(self, data: Any, status: int = 200) -> JSONResponse:
        """Return ``data`` as JSON, every known secret value in it masked."""
        await self._refresh_guard()
        return JSONResponse(self.guard.clean(data), status_code=status)

    async def _refresh_guard(self) -> None:
        if time.monotonic() - self._guard_at < GUARD_REFRESH_SECONDS:
            return
        self._guard_at = time.monotonic()
        try:
            values = await asyncio.to_thread(self._secret_values)
        except (ClientError, BotoCoreError):
            return  # the guard keeps the values it had; redaction by name still holds
        self.guard.update(values)

    def _secret_values(self) -> set[str]:
        return self.stack.secret_values(self._values_seen, self._secretsmanager())

    # -- the HTTP app ------------------------------------------------------------------------

    def _app(self) -> Starlette:
        def route(
            path: str, endpoint: Callable[[Request], Awaitable[Response]], method: str = "GET"
        ) -> Route:
            return Route(f"{PREFIX}{path}", endpoint, methods=[method])

        async def moved(_: Request) -> Response:
            return Response(status_code=308, headers={"location": f"{PREFIX}/"})

        return Starlette(
            routes=[
                route("", moved),
                route("/", self._page),
                route("/static/{name}", self._file),
                route("/api/overview", self._overview),
                route("/api/requests/{id:int}", self._detail),
                route("/api/stream", self._stream),
                route("/api/secrets", self._secrets),
                route("/api/requests/{id:int}/replay", self._replay, "POST"),
                route("/api/send", self._send, "POST"),
                route("/api/rotate", self._rotate, "POST"),
                route("/api/drift", self._check_drift, "POST"),
            ]
        )

    async def _page(self, _: Request) -> Response:
        page = _static("index.html").replace("{{csrf}}", self.csrf_token)
        return Response(page, media_type="text/html; charset=utf-8")

    async def _file(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return PlainTextResponse("not found", status_code=404)
        return Response(_static(name), media_type=f"{STATIC[name]}; charset=utf-8")

    async def _overview(self, _: Request) -> Response:
        stack = self.stack
        registrations = []
        for registration in stack.config.registrations.values():
            registrations.append(
                {
                    "name": registration.name,
                    "provider": registration.provider,
                    "webhook_url": webhook_url(stack.webhook_base_url, registration),
                    "sample": default_sample(stack.host, registration.provider),
                    "rotatable": stack.rotatable(registration.name),
                    "rotate_blocked": self._why_not_rotatable(registration.name),
                }
            )
        return await self._served(
            {
                "front_url": stack.front_url,
                "inspector_url": self.url,
                "registrations": registrations,
                "unavailable": {n: u.reason for n, u in stack.config.unavailable.items()},
            }
        )

    def _why_not_rotatable(self, name: str) -> str | None:
        if self.stack.rotatable(name):
            return None
        registration = self.stack.config.get(name)
        provider = self.stack.host.get(registration.provider)
        if not provider.implements("hookgate_rotate_secret"):
            return "the provider has no API to set this secret: it is set by hand"
        if not provider.info.rotation_enabled(registration.settings):
            return f"settings.{provider.info.rotates_when} is false: the secret is set by hand"
        return "no sandbox holds API credentials for this registration here"

    # -- requests ----------------------------------------------------------------------------

    def summary(self, exchange: Exchange) -> dict[str, Any]:
        """Return the list row of ``exchange``."""
        outcome = exchange.outcome
        return {
            "id": exchange.id,
            "seq": exchange.seq,
            "at": exchange.at.isoformat(),
            "method": exchange.method,
            "provider": exchange.provider,
            "registration": exchange.registration,
            "status": exchange.status,
            "result": _result(exchange),
            "outcome": outcome.outcome if outcome else None,
            "reason": outcome.reason if outcome else None,
            "stage": outcome.stage if outcome else None,
            "latency_ms": round(exchange.seconds * 1000, 1),
            "events": [{"type": e.type, "event_id": e.event_id} for e in outcome.events]
            if outcome
            else [],
            "duplicates": outcome.duplicates if outcome else 0,
            "origin": exchange.origin,
            "replay_of": exchange.replay_of,
        }

    def detail(self, exchange: Exchange) -> dict[str, Any]:
        """Return everything the page shows of one opened request (secrets masked)."""
        declared = self.stack.config.registrations.get(exchange.registration)
        settings = declared.settings.model_dump() if declared else {}
        listed = listed_headers(exchange.provider, settings)
        outcome = exchange.outcome
        events = []
        for event in outcome.events if outcome else []:
            events.append(
                {
                    "event_id": event.event_id,
                    "dedupe_key": event.dedupe_key,
                    "type": event.type,
                    "on_bus": self.log.on_bus(event.event_id),
                }
            )
        return {
            "summary": self.summary(exchange),
            "path": exchange.path,
            "query": redact_pairs(parse_qsl(exchange.query, keep_blank_values=True), listed),
            "headers": redact_pairs(exchange.headers, listed),
            "body": {
                "size": len(exchange.body),
                "text": exchange.body.decode("utf-8", errors="replace"),
                "json": _json_body(exchange.body),
            },
            "answer": {
                "status": exchange.status,
                "text": exchange.answer.decode("utf-8", errors="replace"),
            },
            "verdict": {
                "outcome": outcome.outcome if outcome else None,
                "reason": outcome.reason if outcome else None,
                "stage": outcome.stage if outcome else None,
                "accepted": outcome.accepted if outcome else 0,
                "duplicates": outcome.duplicates if outcome else 0,
            },
            "events": events,
        }

    async def _detail(self, request: Request) -> Response:
        exchange = self.log.get(request.path_params["id"])
        if exchange is None:
            return await self._served(
                {"error": "no such request (only the last 500 are kept)"}, 404
            )
        return await self._served(self.detail(exchange))

    async def _replay(self, request: Request) -> Response:
        exchange = self.log.get(request.path_params["id"])
        if exchange is None:
            return await self._served(
                {"error": "no such request (only the last 500 are kept)"}, 404
            )
        url = f"{self.stack.front_url}{exchange.path}" + (
            f"?{exchange.query}" if exchange.query else ""
        )
        headers = [(k, v) for k, v in exchange.headers if k.lower() not in _HOP_HEADERS]
        label = self.log.expect(
            exchange.path, exchange.body, f"replay of #{exchange.id}", exchange.id
        )
        try:
            answer = await asyncio.to_thread(_request, exchange.method, url, exchange.body, headers)
        except httpx.HTTPError as exc:
            self.log.forget(label)
            return await self._served({"error": f"replay failed: {type(exc).__name__}"}, 502)
        return await self._served({"status": answer.status_code, "request": label.taken})

    async def _send(self, request: Request) -> Response:
        try:
            name = await self._registration_in(request)
            label, status = await asyncio.to_thread(self._send_sample, name)
        except _Denied as denied:
            return await self._served({"error": str(denied)}, denied.status)
        return await self._served({"status": status, "request": label})

    def _send_sample(self, name: str) -> tuple[int | None, int]:
        stack = self.stack
        registration = stack.config.get(name)
        sample = default_sample(stack.host, registration.provider)
        if sample is None:
            raise _Denied(409, f"{registration.provider} ships no sample that yields events")
        body = samples_of(stack.host, registration.provider)[sample]
        url = webhook_url(stack.webhook_base_url, registration)
        from hookgate_dev.local.oauth2_client import (  # noqa: PLC0415 - authlib: only when used
            fetch_client_credentials_token,
        )

        try:
            built = build_request(
                stack.host,
                registration,
                current_secret(self._secretsmanager(), registration.secret_id),
                body,
                url,
                now=datetime.now(UTC),
                fetch_token=fetch_client_credentials_token,
                token_url=f"{stack.front_url}/oauth2/token",
            )
        except (HookgateError, ClientError) as exc:
            raise _Denied(409, f"cannot build {name}'s request: {type(exc).__name__}") from None
        except Exception as exc:  # the token endpoint refused: said, never a traceback
            raise _Denied(502, f"cannot build {name}'s request: {type(exc).__name__}") from None
        path = url.removeprefix(stack.front_url)
        label = self.log.expect(path, body, f"sample {sample!r} sent from the inspector")
        try:
            answer = _request("POST", url, body, list(built.headers.items()))
        except httpx.HTTPError as exc:
            self.log.forget(label)
            raise _Denied(502, f"sending failed: {type(exc).__name__}") from None
        return label.taken, answer.status_code

    async def _registration_in(self, request: Request) -> str:
        try:
            document = json.loads(await request.body())
        except ValueError:
            raise _Denied(400, 'send JSON: {"registration": "<name>"}') from None
        name = document.get("registration") if isinstance(document, dict) else None
        if not isinstance(name, str) or name not in self.stack.config.registrations:
            raise _Denied(400, "no such registration")
        return name

    # -- secrets, rotation, sync -------------------------------------------------------------

    async def _rotate(self, request: Request) -> Response:
        try:
            name = await self._registration_in(request)
        except _Denied as denied:
            return await self._served({"error": str(denied)}, denied.status)
        blocked = self._why_not_rotatable(name)
        if blocked is not None:
            return await self._served({"error": f"{name} cannot be rotated here: {blocked}"}, 409)
        if name in self._rotating:
            return await self._served({"error": f"a rotation of {name} is under way"}, 409)
        self._rotating.add(name)
        self._rotate_errors.pop(name, None)
        self._snapshot_at = 0.0
        threading.Thread(target=self._rotate_now, args=(name,), daemon=True).start()
        return await self._served({"started": name}, 202)

    def _rotate_now(self, name: str) -> None:
        try:
            self.stack.rotate(name)
        except (RotationError, HookgateError, ClientError) as exc:
            self._rotate_errors[name] = str(exc)
        except Exception as exc:  # shown on the page; the stack goes on
            self._rotate_errors[name] = f"{type(exc).__name__}: the rotation did not start"
        finally:
            self._rotating.discard(name)
            self._snapshot_at = 0.0

    async def _check_drift(self, request: Request) -> Response:
        try:
            name = await self._registration_in(request)
        except _Denied as denied:
            return await self._served({"error": str(denied)}, denied.status)
        try:
            engine = runtime.get_sync_engine()
            report = await asyncio.to_thread(
                engine.run, self.stack.webhook_base_url, apply=False, only=[name]
            )
        except HookgateError as exc:
            return await self._served({"error": f"the drift check failed: {exc}"}, 502)
        self._drift[name] = {
            "at": datetime.now(UTC).isoformat(),
            "changes": drift_of(report, name),
            "error": report.errors.get(name),
            "plan": sync_plan(report, name),
        }
        self._snapshot_at = 0.0
        return await self._served(self._drift[name])

    async def _secrets(self, _: Request) -> Response:
        return await self._served(await self.secrets_snapshot())

    async def secrets_snapshot(self) -> dict[str, Any]:
        """Return the secrets view, recomputed at most every SNAPSHOT_SECONDS (or faster)."""
        async with self._snapshot_lock:
            every = SNAPSHOT_SECONDS_ROTATING if self._rotation_under_way() else SNAPSHOT_SECONDS
            if self._snapshot is None or time.monotonic() - self._snapshot_at >= every:
                self._snapshot = await asyncio.to_thread(self._compute_snapshot)
                self._snapshot_at = time.monotonic()
            return self._snapshot

    def _rotation_under_way(self) -> bool:
        return bool(self._rotating) or any(
            not run.done.is_set() for run in self.stack.rotations.runs
        )

    def _secretsmanager(self) -> Any:
        with self._client_lock:
            if self._client is None:
                self._client = self.stack.account.client("secretsmanager")
            return self._client

    def _compute_snapshot(self) -> dict[str, Any]:
        now = datetime.now(UTC)
        stack, sm = self.stack, self._secretsmanager()
        runs = list(stack.rotations.runs)
        for run in runs:
            self._first_seen.setdefault(run.token, now)
        registrations = []
        for registration in stack.config.registrations.values():
            entry: dict[str, Any] = {
                "registration": registration.name,
                "provider": registration.provider,
                "secret_id": registration.secret_id,
                "grace_seconds": registration.previous_secret_grace_seconds,
                "rotatable": stack.rotatable(registration.name),
                "rotate_blocked": self._why_not_rotatable(registration.name),
                "rotating": registration.name in self._rotating,
                "rotate_error": self._rotate_errors.get(registration.name),
                "rotations": [],
                "plan": sync_plan(stack.sync_report, registration.name),
                "drift": self._drift.get(registration.name),
                "versions": [],
                "error": None,
            }
            try:
                listing = sm.list_secret_version_ids(SecretId=registration.secret_id)["Versions"]
            except ClientError as exc:
                entry["error"] = f"Secrets Manager: {exc.response['Error']['Code']}"
                listing = []
            except BotoCoreError as exc:
                entry["error"] = f"Secrets Manager unreachable: {type(exc).__name__}"
                listing = []
            entry["versions"] = versions_in_force(
                listing, now, registration.previous_secret_grace_seconds
            )
            started = {**self._first_seen, **created_dates(listing)}
            entry["rotations"] = rotation_timeline(runs, registration.secret_id, started)
            registrations.append(entry)
        return {"registrations": registrations}

    # -- live --------------------------------------------------------------------------------

    async def _stream(self, request: Request) -> Response:
        try:
            last = int(request.headers.get("last-event-id") or 0)
        except ValueError:
            last = 0
        return StreamingResponse(
            self._events(last), media_type="text/event-stream", headers={"x-accel-buffering": "no"}
        )

    async def _events(self, last: int) -> AsyncIterator[str]:
        yield "retry: 1000\n\n"
        sent: dict[str, Any] | None = None
        beat = time.monotonic()
        while not self._closed.is_set():
            changed = self.log.changed_since(last)
            if changed:
                await self._refresh_guard()
            for exchange in changed:
                data = json.dumps(self.guard.clean(self.summary(exchange)))
                yield f"id: {exchange.seq}\nevent: request\ndata: {data}\n\n"
                last = exchange.seq
            snapshot = await self.secrets_snapshot()
            if snapshot != sent:
                await self._refresh_guard()
                yield f"event: secrets\ndata: {json.dumps(self.guard.clean(snapshot))}\n\n"
                sent = snapshot
            if time.monotonic() - beat > 10:
                yield ": still here\n\n"
                beat = time.monotonic()
            await asyncio.sleep(STREAM_TICK_SECONDS)


def _request(method: str, url: str, body: bytes, headers: list[tuple[str, str]]) -> httpx.Response:
    return httpx.request(method, url, content=body, headers=headers, timeout=30)


class _Split:
    """Sends ``/_hookgate`` to the inspector and every other path to the front."""

    def __init__(self, inspector: ASGIApp, front: ASGIApp) -> None:
        self.inspector, self.front = inspector, front

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == PREFIX or path.startswith(f"{PREFIX}/")):
            await self.inspector(scope, receive, send)
        else:
            await self.front(scope, receive, send)
