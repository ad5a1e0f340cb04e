"""A 360dialog sandbox: the webhook configuration API as documented (seed 003, providers.md §4.3).

``D360-API-KEY`` on every call (401 ``{"error": ...}`` otherwise); ``/v1/configs/webhook`` (one
URL plus custom headers per phone number); ``/waba_webhook`` (the WABA-level webhook: used by a
number without a phone webhook, or by every number with ``override_all``; 360dialog takes 15-20
seconds to apply it, the sandbox applies it at once); ``/multi_webhook`` with at most 3 uniquely
named destinations (409 on a clash). Deliveries send the registered custom headers to the main
webhook, then to each destination only if the main webhook answered 200, as 360dialog does.
Header values are never shown back. The rule "no `:port` in the host" is not enforced: sandbox
targets live on loopback ports.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hookgate_dev.providers.hookgate_360dialog.samples import SAMPLE_PAYLOADS
from hookgate_dev.sandbox.core import (
    Deliverer,
    FaultInjector,
    LocalWiring,
    Sandbox,
    Target,
    build_sandbox_app,
)

MAX_DESTINATIONS = 3
WABA_ID = 123065260884961  # seed 003's example WABA
PHONE_NUMBER = "+4915123456789"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status)


def _bad_url(url: Any) -> str | None:
    if not isinstance(url, str) or urlsplit(url).scheme not in {"http", "https"}:
        return "url must be an http(s) URL"
    if "_" in (urlsplit(url).hostname or ""):
        return "no '_' allowed in the host"
    return None


@dataclass
class _State:
    api_key: str
    webhook: dict[str, Any] = field(default_factory=dict)
    waba: dict[str, Any] = field(default_factory=dict)
    multi_enabled: bool = False
    destinations: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _refuse_destinations(state: _State, added: Any) -> JSONResponse | None:
    """Return the error for destinations to add (nothing is added on any error), else None."""
    if not isinstance(added, list) or not all(
        isinstance(d, dict) and isinstance(d.get("name"), str) and d["name"] for d in added
    ):
        return _error(400, "every destination needs a name")
    names = [d["name"] for d in added]
    if len(state.destinations) + len(names) > MAX_DESTINATIONS:
        return _error(400, f"at most {MAX_DESTINATIONS} destinations")
    if len(set(names)) != len(names) or any(n in state.destinations for n in names):
        return JSONResponse({"message": "destination names must be unique"}, 409)
    for destination in added:
        if problem := _bad_url(destination.get("url")):
            return _error(400, problem)
    return None


def _static(headers: Mapping[str, str]) -> Any:
    return lambda body: dict(headers)


# One closure per route, all over the same state: long, but each piece is a route.
def build_sandbox(*, key_id: str, key_secret: str) -> Sandbox:  # noqa: PLR0915
    """Return a sandbox that accepts the API key ``key_secret`` (``key_id`` is unused)."""
    del key_id  # 360dialog keys are a single value
    state = _State(key_secret)
    faults = FaultInjector()
    deliverer = Deliverer(faults)

    def allowed(request: Request) -> bool:
        return request.headers.get("d360-api-key") == state.api_key

    async def body_of(request: Request) -> Any:
        try:
            return await request.json()
        except ValueError:
            return None

    async def webhook(request: Request) -> Response:
        if not allowed(request):
            return _error(401, "invalid api key")
        if request.method == "GET":
            with state.lock:
                return JSONResponse({"url": state.webhook.get("url", "")})
        body = await body_of(request)
        if not isinstance(body, dict):
            return _error(400, "malformed JSON")
        if problem := _bad_url(body.get("url")):
            return _error(400, problem)
        with state.lock:
            state.webhook = {"url": body["url"], "headers": dict(body.get("headers") or {})}
        return JSONResponse({"url": body["url"]})

    async def waba_webhook(request: Request) -> Response:
        if not allowed(request):
            return _error(401, "invalid api key")
        if request.method == "GET":
            with state.lock:
                return JSONResponse(
                    {
                        "url": state.waba.get("url", ""),
                        "waba_id": WABA_ID,
                        "numbers_on_this_waba": [PHONE_NUMBER],
                    }
                )
        body = await body_of(request)
        if not isinstance(body, dict):
            return _error(400, "malformed JSON")
        if problem := _bad_url(body.get("url")):
            return _error(400, problem)
        entry = {"url": body["url"], "headers": dict(body.get("headers") or {})}
        with state.lock:
            state.waba = entry
            if body.get("override_all"):
                state.webhook = dict(entry)
        return JSONResponse({"message": f"Webhook will be set for waba_id: {WABA_ID}"})

    async def multi(request: Request) -> Response:
        if not allowed(request):
            return _error(401, "invalid api key")
        if request.method == "GET":
            with state.lock:
                # Seed 003: "names, URLs, and custom headers".
                shown = [dict(d, headers=dict(d["headers"])) for d in state.destinations.values()]
                return JSONResponse({"enabled": state.multi_enabled, "destinations": shown})
        body = await body_of(request)
        if not isinstance(body, dict):
            return _error(400, "malformed JSON")
        with state.lock:
            if request.method in {"PUT", "PATCH"} and not state.multi_enabled:
                return _error(400, "multi-webhook is not enabled; use POST")
            if request.method == "PATCH":
                name = body.get("name")
                if name not in state.destinations:
                    return _error(404, "no destination with that name")
                if problem := _bad_url(body.get("url", state.destinations[name]["url"])):
                    return _error(400, problem)
                state.destinations[name] |= {k: body[k] for k in ("url", "headers") if k in body}
                return JSONResponse({"message": "Destination updated"})
            refused = _refuse_destinations(state, body.get("destinations") or [])
            if refused is not None:
                return refused
            if request.method == "POST":
                state.multi_enabled = bool(body.get("enabled"))
            for destination in body.get("destinations") or []:
                state.destinations[destination["name"]] = {
                    "name": destination["name"],
                    "url": destination["url"],
                    "headers": dict(destination.get("headers") or {}),
                }
            return JSONResponse({"message": "Operation started successfully"})

    async def drop_destination(request: Request) -> Response:
        if not allowed(request):
            return _error(401, "invalid api key")
        with state.lock:
            if not state.multi_enabled:
                return _error(400, "multi-webhook is not enabled; use POST")
            if state.destinations.pop(request.path_params["name"], None) is None:
                return _error(404, "no destination with that name")
        return JSONResponse({"message": "Destination deleted"})

    def targets() -> list[Target]:
        with state.lock:
            main = dict(state.webhook) if state.webhook.get("url") else dict(state.waba)
            extra = [dict(d) for d in state.destinations.values()] if state.multi_enabled else []
        if not main.get("url"):
            return []
        return [Target("main", main["url"], _static(main["headers"]))] + [
            Target(d["name"], d["url"], _static(d["headers"]), requires="main") for d in extra
        ]

    def show() -> dict[str, Any]:
        with state.lock:
            return {
                "webhook": {"url": state.webhook.get("url", "")},
                "waba_webhook": {"url": state.waba.get("url", "")},
                "destinations": [
                    {"name": d["name"], "url": d["url"]} for d in state.destinations.values()
                ],
            }

    routes = [
        Route("/v1/configs/webhook", webhook, methods=["GET", "POST"]),
        Route("/waba_webhook", waba_webhook, methods=["GET", "POST"]),
        Route("/multi_webhook", multi, methods=["GET", "POST", "PUT", "PATCH"]),
        Route("/multi_webhook/{name}", drop_destination, methods=["DELETE"]),
    ]
    return build_sandbox_app(
        "360dialog",
        routes,
        faults=faults,
        deliverer=deliverer,
        targets=targets,
        samples=SAMPLE_PAYLOADS,
        state=show,
    )


def local_wiring(url: str, key_id: str, key_secret: str) -> LocalWiring:
    """Return the settings and API credentials that point a registration at this sandbox."""
    return LocalWiring(settings={"api_base_url": url}, credentials={"api_key": key_secret})


def delivery_headers(
    body: bytes, secret: Mapping[str, str], settings: Any, now: datetime
) -> dict[str, str]:
    """Return the headers 360dialog sends: the custom header registered on the webhook.

    The header is the registration's ``auth_header`` carrying ``header_token`` (as sync registers
    it); with a ``partner_secret``, also the partner signature (hex HMAC-SHA256 of the body).
    """
    headers: dict[str, str] = {}
    if "header_token" in secret:
        headers[str(getattr(settings, "auth_header", "x-hookgate-token"))] = secret["header_token"]
    if partner_secret := secret.get("partner_secret"):
        digest = hmac.new(partner_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        headers["x-360dialog-signature"] = digest
    return headers
