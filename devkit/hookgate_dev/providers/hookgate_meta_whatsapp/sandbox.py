"""A Meta sandbox: the app's webhook subscription, the verification request, signed deliveries.

``POST /{app-id}/subscriptions`` takes the form fields Meta's Graph API documents (``object``,
``callback_url``, ``fields``, ``verify_token``, and an app access token ``{app-id}|{app-secret}``
as ``access_token``, or as an RFC 6750 bearer header; none: Graph's error 104). As Meta does,
the sandbox first sends the verification request
(``GET callback_url?hub.mode=subscribe&hub.challenge=...&hub.verify_token=...``) and keeps the
subscription only when the answer is 200 with the challenge as its body; otherwise it answers
a Graph error (code 2200). The app secret is the one in the first accepted access token (the
app "is created" with it); later calls must present the same. ``GET /{app-id}/subscriptions``
lists subscriptions without tokens. Deliveries carry ``X-Hub-Signature-256: sha256=<hex>``, the
HMAC-SHA256 of the body keyed with the app secret, written from Meta's documentation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as random_source
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hookgate_dev.providers.hookgate_meta_whatsapp.samples import SAMPLE_PAYLOADS
from hookgate_dev.sandbox.core import (
    Deliverer,
    FaultInjector,
    LocalWiring,
    Sandbox,
    Target,
    build_sandbox_app,
)

APP_ID = "100000000000001"  # made up
OBJECT = "whatsapp_business_account"


def hub_signature(app_secret: str, body: bytes) -> dict[str, str]:
    """Sign ``body`` as Meta does: ``sha256=`` and the hex HMAC-SHA256 keyed with the secret."""
    mac = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256)
    return {"X-Hub-Signature-256": f"sha256={mac.hexdigest()}"}


def _graph_error(status: int, message: str, code: int) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": "OAuthException", "code": code}}, status
    )


@dataclass
class _State:
    app_secret: str | None = None
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    verifications: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def build_sandbox(*, key_id: str, key_secret: str) -> Sandbox:
    """Return a Meta sandbox for one app (``APP_ID``); the API credentials are not used."""
    del key_id, key_secret  # Meta authenticates with the app access token instead
    state = _State()
    faults = FaultInjector()
    deliverer = Deliverer(faults)

    def authorised(token: str) -> bool:
        app_id, _, secret = token.partition("|")
        if app_id != APP_ID or not secret:
            return False
        with state.lock:
            if state.app_secret is None:
                state.app_secret = secret
            return hmac.compare_digest(state.app_secret, secret)

    async def verify_callback(url: str, verify_token: str) -> bool:
        challenge = str(random_source.randbelow(10**9))
        params = {
            "hub.mode": "subscribe",
            "hub.challenge": challenge,
            "hub.verify_token": verify_token,
        }
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                answer = await client.get(url, params=params)
        except httpx.HTTPError:
            return False
        ok = answer.status_code == 200 and answer.text == challenge
        with state.lock:
            state.verifications.append({"url": url, "status": answer.status_code, "ok": ok})
        return ok

    async def subscriptions(request: Request) -> Response:
        if request.path_params["app_id"] != APP_ID:
            return _graph_error(400, "Unsupported request: unknown app", 100)
        form = (
            {
                k: v[-1]
                for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()
            }
            if request.method == "POST"
            else {}
        )
        bearer = request.headers.get("authorization", "")
        token = str(
            form.get("access_token")
            or request.query_params.get("access_token")
            or (bearer[7:] if bearer[:7].lower() == "bearer " else "")
        )
        if not token:
            return _graph_error(400, "An access token is required to request this resource.", 104)
        if not authorised(token):
            return _graph_error(400, "Invalid OAuth access token", 190)
        if request.method == "GET":
            with state.lock:
                listed = [
                    {k: v for k, v in sub.items() if k != "verify_token"}
                    for sub in state.subscriptions.values()
                ]
            return JSONResponse({"data": listed})
        url, verify_token = str(form.get("callback_url", "")), str(form.get("verify_token", ""))
        if form.get("object") != OBJECT or not url.startswith(("http://", "https://")):
            return _graph_error(400, "(#100) object and callback_url are required", 100)
        if not await verify_callback(url, verify_token):
            return _graph_error(400, "(#2200) Callback verification failed", 2200)
        fields = [f for f in str(form.get("fields", "messages")).split(",") if f]
        with state.lock:
            state.subscriptions[OBJECT] = {
                "object": OBJECT,
                "callback_url": url,
                "active": True,
                "fields": [{"name": name, "version": "v21.0"} for name in fields],
            }
        return JSONResponse({"success": True})

    def targets() -> list[Target]:
        with state.lock:
            secret, subs = state.app_secret, list(state.subscriptions.values())
        if secret is None:
            return []
        return [
            Target(sub["object"], sub["callback_url"], lambda body: hub_signature(secret, body))
            for sub in subs
        ]

    def show() -> dict[str, Any]:
        with state.lock:
            return {
                "subscriptions": [
                    {"object": s["object"], "callback_url": s["callback_url"]}
                    for s in state.subscriptions.values()
                ],
                "verifications": list(state.verifications),
            }

    return build_sandbox_app(
        "meta_whatsapp",
        [Route("/{app_id}/subscriptions", subscriptions, methods=["GET", "POST"])],
        faults=faults,
        deliverer=deliverer,
        targets=targets,
        samples=SAMPLE_PAYLOADS,
        state=show,
    )


def local_wiring(url: str, key_id: str, key_secret: str) -> LocalWiring:
    """Return the wiring: the app id, and sync of its subscription against this sandbox.

    Meta needs no separate API key: sync's app access token comes from the app secret.
    """
    settings = {"app_id": APP_ID, "sync_subscription": "true", "graph_api_url": url}
    return LocalWiring(settings=settings, credentials={"api_key": key_secret})


def subscribe(
    sandbox_url: str,
    webhook_url: str,
    secret: Mapping[str, str],
    credentials: Mapping[str, str],
    settings: Mapping[str, Any],
) -> None:
    """Subscribe the app to WhatsApp webhooks at ``webhook_url``, as its owner would."""
    del credentials, settings
    answer = httpx.post(
        f"{sandbox_url}/{APP_ID}/subscriptions",
        data={
            "object": OBJECT,
            "callback_url": webhook_url,
            "fields": "messages,message_template_status_update",
            "verify_token": secret["verify_token"],
            "access_token": f"{APP_ID}|{secret['app_secret']}",
        },
        timeout=30,
    )
    answer.raise_for_status()


def delivery_headers(
    body: bytes, secret: Mapping[str, str], settings: Any, now: datetime
) -> dict[str, str]:
    """Return the headers Meta sends with ``body``: its X-Hub-Signature-256 with the app secret.

    ``hookgate send`` builds on this.
    """
    del settings, now
    return hub_signature(secret["app_secret"], body) if secret.get("app_secret") else {}
