"""An Insider One sandbox: V2 OAuth2 webhooks and V1 settings, as seed 004 documents them.

Gateway token ``POST /auth/token`` (JSON, snake_case); V2 CRUD under ``/api/wa/v2/webhooks``
with its documented errors (``phoneNumber`` required, OAuth2 only, a duplicate URL per API type
refused, unknown phone number 404, ``reply`` required for conversational) and client secrets
listed masked; V1 ``/v1/<subProduct>/settings/update`` (``X-INS-AUTH-KEY``), which calls the
webhook URL with the new key and saves only when it answers 200 (else errorCode 2020).
Deliveries: V1 with ``Authorization: Bearer <apiKey>``; V2 with a token fetched from the
webhook's ``tokenUrl`` (form body, HTTP Basic: Insider's real format is [NOT FOUND]).
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hookgate_dev.providers.hookgate_insider_one.samples import SAMPLE_PAYLOADS
from hookgate_dev.sandbox.core import (
    Attempt,
    Deliverer,
    Delivery,
    FaultInjector,
    LocalWiring,
    Sandbox,
    Target,
    build_sandbox_app,
)

EVENTS = {"sent", "delivered", "read", "reply", "failed"}
PHONE_NUMBERS = {"15551234567"}


def _message(status: int, message: str, code: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": False, "message": message}
    if code:
        body["errorCode"] = code
    return JSONResponse(body, status)


def _mask(secret: Any) -> str:
    return f"{str(secret)[:14]}********"


@dataclass
class _State:
    client_id: str
    client_secret: str
    ins_auth_key: str
    webhooks: dict[int, dict[str, Any]] = field(default_factory=dict)
    v1: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)
    scopes: dict[str, frozenset[str]] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(84))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def shown(self, webhook: Mapping[str, Any]) -> dict[str, Any]:
        oauth2 = dict(webhook.get("oauth2") or {})
        oauth2["clientSecret"] = _mask(oauth2.get("clientSecret", ""))
        return {**webhook, "oauth2": oauth2}


def _webhook_problem(body: Any, creating: bool) -> str | None:
    if not isinstance(body, dict):
        return "body could not be decoded"
    if body.get("authType") != "oauth2":
        return "V2 API only supports OAuth2 authentication. Use V1 API for bearer token."
    events = body.get("events")
    if not isinstance(events, list) or not events or not set(events) <= EVENTS:
        return f"events must be among {sorted(EVENTS)}"
    if creating and body.get("subProduct") not in {"conversational", "transactional"}:
        return "subProduct must be transactional or conversational"
    if not creating and "subProduct" in body:
        return "subProduct must not be sent when updating a webhook"
    oauth2 = body.get("oauth2")
    if not isinstance(oauth2, dict) or not all(
        oauth2.get(k) for k in ("grantType", "tokenUrl", "clientId", "clientSecret", "expiresIn")
    ):
        return "oauth2 needs grantType, tokenUrl, clientId, clientSecret and expiresIn"
    if oauth2["grantType"] not in {"client_credentials", "refresh_token"}:
        return "grantType must be client_credentials or refresh_token"
    if oauth2["grantType"] == "refresh_token" and not oauth2.get("refreshToken"):
        return "refreshToken is required when grantType is refresh_token"
    return None


# Seed 004's gateway scopes, and the one each webhook call needs.
SCOPES = frozenset(
    {"wa-webhook-read", "wa-webhook-manage", "wa-webhook-update", "wa-webhook-delete"}
)
_SCOPE_OF = {
    "GET": "wa-webhook-read",
    "POST": "wa-webhook-manage",
    "PUT": "wa-webhook-update",
    "DELETE": "wa-webhook-delete",
}


# One closure per route, all over the same state: long, but each piece is a route.
def build_sandbox(*, key_id: str, key_secret: str, ins_auth_key: str = "") -> Sandbox:  # noqa: PLR0915
    """Return a sandbox for gateway client ``key_id`` / ``key_secret`` (and a V1 auth key)."""
    state = _State(key_id, key_secret, ins_auth_key or key_secret)
    faults = FaultInjector()
    deliverer = Deliverer(faults)

    async def issue_token(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _message(400, "body could not be decoded", "2010")
        if not isinstance(body, dict) or (body.get("client_id"), body.get("client_secret")) != (
            state.client_id,
            state.client_secret,
        ):
            return _message(401, "invalid client credentials")
        scopes = body.get("scopes")
        if not isinstance(scopes, list) or not scopes or not set(scopes) <= SCOPES:
            # [GUESS] status and text: seed 004 lists the scopes, not the refusal.
            return _message(400, f"scopes must be among {sorted(SCOPES)}")
        token = uuid.uuid4().hex
        with state.lock:
            state.tokens[token] = time.time() + 5400
            state.scopes[token] = frozenset(scopes)
        return JSONResponse({"access_token": token, "expires_in": 5400})

    def check(request: Request) -> Response | str:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        with state.lock:
            if scheme.lower() != "bearer" or state.tokens.get(token, 0) < time.time():
                return _message(401, "unauthorized")
            if _SCOPE_OF[request.method] not in state.scopes.get(token, frozenset()):
                return _message(403, f"the token lacks the {_SCOPE_OF[request.method]} scope")
        phone = request.query_params.get("phoneNumber")
        if not phone:
            return _message(400, "phoneNumber query parameter is required")
        if phone not in PHONE_NUMBERS:
            return _message(404, "Provider not found for the given phone number")
        return phone

    async def collection(request: Request) -> Response:
        phone = check(request)
        if isinstance(phone, Response):
            return phone
        if request.method == "GET":
            with state.lock:
                found = [state.shown(w) for w in state.webhooks.values() if w["phone"] == phone]
            return JSONResponse(
                {"webhooks": [{k: v for k, v in w.items() if k != "phone"} for w in found]}
            )
        try:
            body = await request.json()
        except ValueError:
            body = None
        if problem := _webhook_problem(body, creating=True):
            return _message(400, problem)
        if body["subProduct"] == "conversational" and "reply" not in body["events"]:
            return _message(400, "reply is required for conversational webhooks")
        with state.lock:
            if any(
                w["webhookUrl"] == body["webhookUrl"] and w["subProduct"] == body["subProduct"]
                for w in state.webhooks.values()
            ):
                return _message(400, "This webhook URL already exists for the selected API type")
            webhook_id = next(state.ids)
            state.webhooks[webhook_id] = {
                **body,
                "id": webhook_id,
                "phone": phone,
                "isActive": True,
            }
        return JSONResponse({"status": True, "webhook": webhook_id})

    async def item(request: Request) -> Response:
        phone = check(request)
        if isinstance(phone, Response):
            return phone
        try:
            webhook_id = int(request.path_params["webhook"])
        except ValueError:
            return _message(404, "webhook not found")
        with state.lock:
            webhook = state.webhooks.get(webhook_id)
            if webhook is None or webhook["phone"] != phone:
                return _message(404, "webhook not found")
            if request.method == "DELETE":
                del state.webhooks[webhook_id]
                return JSONResponse({"status": True})
        try:
            body = await request.json()
        except ValueError:
            body = None
        if problem := _webhook_problem(body, creating=False):
            return _message(400, problem)
        if webhook["subProduct"] == "conversational" and "reply" not in body["events"]:
            return _message(400, "reply is required for conversational webhooks")
        with state.lock:
            webhook.update(
                {k: body[k] for k in ("authType", "webhookUrl", "events", "oauth2") if k in body}
            )
        return JSONResponse({"status": True})

    async def v1_update(request: Request) -> Response:
        if request.headers.get("x-ins-auth-key") != state.ins_auth_key:
            return _message(401, "unauthorized")
        try:
            body = await request.json()
        except ValueError:
            return _message(400, "body could not be decoded", "2010")
        if not isinstance(body, dict) or not body.get("webhookUrl") or not body.get("apiKey"):
            return _message(400, "webhookUrl and apiKey are required", "2011")
        probe = Delivery(
            webhook_id="v1-settings", target=str(body["webhookUrl"]), sample="validation", body="{}"
        )
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                answer = await client.post(
                    body["webhookUrl"],
                    content=probe.body.encode(),
                    headers={
                        "authorization": f"Bearer {body['apiKey']}",
                        "content-type": "application/json",
                    },
                )
            probe.attempts.append(Attempt(status=answer.status_code, answer=answer.text[:200]))
        except httpx.HTTPError as exc:
            probe.attempts.append(Attempt(status=None, error=type(exc).__name__))
        probe.delivered = valid = probe.attempts[-1].status == 200
        deliverer.record(probe)
        if not valid:
            return _message(400, "failed to validate the webhook", "2020")
        with state.lock:
            state.v1[request.path_params["sub"]] = {
                "webhookUrl": body["webhookUrl"],
                "apiKey": body["apiKey"],
                "isActive": bool(body.get("isActive", True)),
            }
        return JSONResponse({"message": "Settings updated successfully"})

    tokens: dict[str, tuple[str, float]] = {}

    def oauth_bearer(oauth2: Mapping[str, Any]) -> str | None:
        url = str(oauth2.get("tokenUrl", ""))
        cached = tokens.get(url)
        if cached and cached[1] > time.time():
            return cached[0]
        try:
            answer = httpx.post(
                url,
                data={"grant_type": "client_credentials"},
                timeout=5,
                auth=(str(oauth2.get("clientId")), str(oauth2.get("clientSecret"))),
            )
            body = answer.json() if answer.is_success else {}
        except (httpx.HTTPError, ValueError):
            return None
        if "access_token" not in body:
            return None
        lifetime = min(float(body.get("expires_in", 60)), float(oauth2.get("expiresIn", 60)))
        tokens[url] = (str(body["access_token"]), time.time() + lifetime - 5)
        return str(body["access_token"])

    def targets() -> list[Target]:
        with state.lock:
            v2 = [dict(w) for w in state.webhooks.values() if w.get("isActive")]
            v1 = [dict(s) for s in state.v1.values() if s.get("isActive")]

        def v2_headers(oauth2: Mapping[str, Any]) -> Any:
            def headers(body: bytes) -> dict[str, str]:
                token = oauth_bearer(oauth2)
                return {"authorization": f"Bearer {token}"} if token else {}

            return headers

        def v1_headers(api_key: str) -> Any:
            return lambda body: {"authorization": f"Bearer {api_key}"}

        return [Target(str(w["id"]), w["webhookUrl"], v2_headers(w["oauth2"])) for w in v2] + [
            Target(f"v1-{i}", s["webhookUrl"], v1_headers(s["apiKey"])) for i, s in enumerate(v1)
        ]

    def show() -> dict[str, Any]:
        with state.lock:
            return {
                "webhooks": [state.shown(w) for w in state.webhooks.values()],
                "v1": {
                    sub: {"webhookUrl": v["webhookUrl"], "isActive": v["isActive"]}
                    for sub, v in state.v1.items()
                },
            }

    routes = [
        Route("/auth/token", issue_token, methods=["POST"]),
        Route("/api/wa/v2/webhooks", collection, methods=["GET", "POST"]),
        Route("/api/wa/v2/webhooks/{webhook}", item, methods=["PUT", "DELETE"]),
        Route("/v1/{sub}/settings/update", v1_update, methods=["POST"]),
    ]
    return build_sandbox_app(
        "insider_one",
        routes,
        faults=faults,
        deliverer=deliverer,
        targets=targets,
        samples=SAMPLE_PAYLOADS,
        state=show,
    )


def local_wiring(url: str, key_id: str, key_secret: str) -> LocalWiring:
    """Return the settings and API credentials that point a registration at this sandbox."""
    return LocalWiring(
        settings={"gateway_url": url, "v1_url": url},
        credentials={"client_id": key_id, "client_secret": key_secret, "ins_auth_key": key_secret},
    )


def delivery_headers(
    body: bytes, secret: Mapping[str, str], settings: Any, now: datetime
) -> dict[str, str]:
    """Return the header Insider One V1 sends: ``Authorization: Bearer <apiKey>``.

    V2 delivers with an OAuth2 bearer token, which is the sender's to fetch: nothing here.
    """
    if "api_key" not in secret:
        return {}
    return {"authorization": f"Bearer {secret['api_key']}"}
