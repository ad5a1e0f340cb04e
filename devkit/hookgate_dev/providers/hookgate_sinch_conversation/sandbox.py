"""A Sinch Conversation sandbox: the webhook API as documented (seed 002, providers.md §1.2).

Serves Sinch's OAuth2 token endpoint (key id and secret, HTTP Basic) and the webhook CRUD
routes with their documented rules: 5 webhooks per app, ``target`` 1..742 characters, the
``conversation-api.*.sinch.com`` hosts forbidden, a duplicate target in an app refused with
400 INVALID_ARGUMENT, Sinch's ``{"error": {...}}`` bodies, secrets write-only (never echoed).
It delivers signed callbacks (and, for webhooks with ``client_credentials``, a bearer token
fetched from their token endpoint) to every registered target, retrying non-2xx answers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets as random_source
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hookgate_dev.providers.hookgate_sinch_conversation.samples import SAMPLE_PAYLOADS
from hookgate_dev.sandbox.core import (
    Deliverer,
    FaultInjector,
    LocalWiring,
    Sandbox,
    Target,
    build_sandbox_app,
)

MAX_WEBHOOKS_PER_APP = 5
MAX_TARGET = 742
FORBIDDEN_TARGET = re.compile(r"^https?://conversation-api\.[^/]*\.sinch\.com", re.IGNORECASE)
# The SDKs' WebhookTrigger enum (providers.md §1.5), written out here and not taken from the
# plugin, so a name misspelt on either side fails a test. SMART_CONVERSATION is the Java SDK's
# spelling, SMART_CONVERSATIONS the Node SDK's; UNSPECIFIED_TRIGGER "will cause errors".
TRIGGERS = frozenset(
    {
        "MESSAGE_DELIVERY",
        "MESSAGE_SUBMIT",
        "MESSAGE_INBOUND",
        "EVENT_DELIVERY",
        "EVENT_INBOUND",
        "SMART_CONVERSATION",
        "SMART_CONVERSATIONS",
        "MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION",
        "CONVERSATION_START",
        "CONVERSATION_STOP",
        "CONVERSATION_DELETE",
        "CONTACT_CREATE",
        "CONTACT_DELETE",
        "CONTACT_MERGE",
        "CONTACT_UPDATE",
        "CONTACT_IDENTITIES_DUPLICATION",
        "UNSUPPORTED",
        "OPT_IN",
        "OPT_OUT",
        "CHANNEL_EVENT",
        "CAPABILITY",
        "RECORD_NOTIFICATION",
    }
)


def sinch_signature_headers(secret: str, body: bytes, now: datetime) -> dict[str, str]:
    """Sign ``body`` as Sinch does (providers.md §1.3), independently of the plugin's verifier.

    ``base64(HMAC-SHA256(UTF-8(secret), body + "." + nonce + "." + timestamp))``, standard
    alphabet with padding; the timestamp in epoch seconds, a fresh 26-character nonce.
    """
    nonce = random_source.token_hex(13).upper()
    timestamp = str(int(now.timestamp()))
    signed = body + b"." + nonce.encode() + b"." + timestamp.encode()
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).digest()
    return {
        "x-sinch-webhook-signature": base64.b64encode(digest).decode("ascii"),
        "x-sinch-webhook-signature-nonce": nonce,
        "x-sinch-webhook-signature-timestamp": timestamp,
        "x-sinch-webhook-signature-algorithm": "HmacSHA256",
    }


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": status, "message": message, "status": code, "details": []}}, status
    )


@dataclass
class _State:
    key_id: str
    key_secret: str
    webhooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def public(self, webhook: Mapping[str, Any]) -> dict[str, Any]:
        shown = {k: v for k, v in webhook.items() if k != "secret"}
        if isinstance(shown.get("client_credentials"), dict):
            shown["client_credentials"] = {
                k: v for k, v in shown["client_credentials"].items() if k != "client_secret"
            }
        return shown


def _credentials_problem(credentials: Any) -> str | None:
    """Check the optional ``client_credentials``: client_id, client_secret and endpoint together.

    ``token_request_type`` is not checked: Sinch uses BASIC when it is "not set or unrecognized".
    """
    if credentials is None:
        return None
    trio = ("client_id", "client_secret", "endpoint")
    if not isinstance(credentials, dict) or not all(
        isinstance(credentials.get(key), str) and credentials[key] for key in trio
    ):
        return "client_credentials needs client_id, client_secret and endpoint"
    return None


def _validate(body: Any, state: _State, project_id: str, replacing: str | None) -> str | None:
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    target, triggers = body.get("target"), body.get("triggers")
    if not isinstance(body.get("app_id"), str) or not body["app_id"]:
        return "app_id is required"
    if body.get("target_type", "HTTP") not in {"HTTP", "DISMISS"}:
        return "target_type must be HTTP or DISMISS"
    if (problem := _credentials_problem(body.get("client_credentials"))) is not None:
        return problem
    if not isinstance(target, str) or not 1 <= len(target) <= MAX_TARGET:
        return f"target must be 1..{MAX_TARGET} characters"
    if FORBIDDEN_TARGET.match(target):
        return "targets on conversation-api.*.sinch.com are forbidden"
    if not isinstance(triggers, list) or not triggers:
        return "triggers must be a non-empty list"
    unknown = [t for t in triggers if t not in TRIGGERS]
    if unknown:
        return f"unknown triggers: {unknown}"
    app = body.get("app_id")
    same_app = [
        w
        for i, w in state.webhooks.items()
        if w["project_id"] == project_id and w["app_id"] == app and i != replacing
    ]
    if any(w["target"] == target for w in same_app):
        return "a webhook with this target already exists for the app"
    if replacing is None and len(same_app) >= MAX_WEBHOOKS_PER_APP:
        return f"an app can have at most {MAX_WEBHOOKS_PER_APP} webhooks"
    return None


# One closure per route, all over the same state: long, but each piece is a route.
def build_sandbox(*, key_id: str, key_secret: str) -> Sandbox:  # noqa: PLR0915
    """Return a sandbox that accepts the API key ``key_id`` / ``key_secret``."""
    state = _State(key_id, key_secret)
    faults = FaultInjector()
    deliverer = Deliverer(faults)

    def authorised(request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        with state.lock:
            return scheme.lower() == "bearer" and state.tokens.get(token, 0) > time.time()

    async def issue_token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        pair = f"{state.key_id}:{state.key_secret}".encode()
        auth = "Basic " + base64.b64encode(pair).decode()
        if (
            request.headers.get("authorization") != auth
            or form.get("grant_type") != "client_credentials"
        ):
            return JSONResponse({"error": "invalid_client"}, 401)
        token = random_source.token_urlsafe(24)
        with state.lock:
            state.tokens[token] = time.time() + 3600
        return JSONResponse(
            {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": ""}
        )

    async def list_webhooks(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "UNAUTHENTICATED", "invalid credentials")
        project, app = request.path_params["project"], request.path_params["app"]
        with state.lock:
            found = [
                state.public(w)
                for w in state.webhooks.values()
                if w["project_id"] == project and w["app_id"] == app
            ]
        return JSONResponse({"webhooks": found})

    async def create_webhook(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "UNAUTHENTICATED", "invalid credentials")
        project = request.path_params["project"]
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "INVALID_ARGUMENT", "Malformed request")
        with state.lock:
            problem = _validate(body, state, project, None)
            if problem:
                return _error(400, "INVALID_ARGUMENT", problem)
            webhook = {**body, "id": uuid.uuid4().hex[:26].upper(), "project_id": project}
            webhook.setdefault("target_type", "HTTP")
            state.webhooks[webhook["id"]] = webhook
            return JSONResponse(state.public(webhook))

    async def one_webhook(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "UNAUTHENTICATED", "invalid credentials")
        project, webhook_id = request.path_params["project"], request.path_params["webhook"]
        with state.lock:
            webhook = state.webhooks.get(webhook_id)
            if webhook is None or webhook["project_id"] != project:
                return _error(404, "NOT_FOUND", "webhook not found")
            if request.method == "GET":
                return JSONResponse(state.public(webhook))
            if request.method == "DELETE":
                del state.webhooks[webhook_id]
                return JSONResponse({})
        try:
            patch = await request.json()
        except ValueError:
            return _error(400, "INVALID_ARGUMENT", "Malformed request")
        if not isinstance(patch, dict):
            return _error(400, "INVALID_ARGUMENT", "Malformed request")
        mask = request.query_params.get("update_mask")
        fields = mask.split(",") if mask else list(patch)
        with state.lock:
            updated = {**webhook, **{k: patch[k] for k in fields if k in patch}}
            problem = _validate(updated, state, project, webhook_id)
            if problem:
                return _error(400, "INVALID_ARGUMENT", problem)
            state.webhooks[webhook_id] = updated
            return JSONResponse(state.public(updated))

    token_cache: dict[str, tuple[str, float]] = {}

    def bearer_for(credentials: Mapping[str, Any]) -> str | None:
        endpoint = str(credentials.get("endpoint", ""))
        cached = token_cache.get(endpoint)
        if cached and cached[1] > time.time():
            return cached[0]
        basic = credentials.get("token_request_type", "BASIC") != "FORM"
        data = {"grant_type": "client_credentials"}
        if not basic:
            data |= {
                "client_id": credentials["client_id"],
                "client_secret": credentials["client_secret"],
            }
        try:
            response = httpx.post(
                endpoint,
                data=data,
                timeout=5,
                auth=(credentials["client_id"], credentials["client_secret"]) if basic else None,
            )
            body = response.json() if response.is_success else {}
        except (httpx.HTTPError, ValueError):
            return None
        if "access_token" not in body:
            return None
        # Sinch keeps a token for expires_in (30..3600 s, providers.md §1.4).
        token_cache[endpoint] = (
            str(body["access_token"]),
            time.time() + float(body.get("expires_in", 30)) - 5,
        )
        return str(body["access_token"])

    def targets() -> list[Target]:
        with state.lock:
            hooks = [dict(w) for w in state.webhooks.values() if w.get("target_type") == "HTTP"]

        def headers_for(hook: Mapping[str, Any]) -> Any:
            def sign(body: bytes) -> dict[str, str]:
                headers: dict[str, str] = {}
                if hook.get("secret"):
                    headers |= sinch_signature_headers(hook["secret"], body, datetime.now(UTC))
                if isinstance(hook.get("client_credentials"), dict):
                    token = bearer_for(hook["client_credentials"])
                    if token:
                        headers["authorization"] = f"Bearer {token}"
                return headers

            return sign

        return [
            Target(webhook_id=h["id"], url=h["target"], headers_for=headers_for(h)) for h in hooks
        ]

    def show() -> dict[str, Any]:
        with state.lock:
            return {"webhooks": [state.public(w) for w in state.webhooks.values()]}

    routes = [
        Route("/oauth2/token", issue_token, methods=["POST"]),
        Route("/v1/projects/{project}/apps/{app}/webhooks", list_webhooks, methods=["GET"]),
        Route("/v1/projects/{project}/webhooks", create_webhook, methods=["POST"]),
        Route(
            "/v1/projects/{project}/webhooks/{webhook}",
            one_webhook,
            methods=["GET", "PATCH", "DELETE"],
        ),
    ]
    return build_sandbox_app(
        "sinch_conversation",
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
        settings={"api_base_url": url, "auth_url": url},
        credentials={"key_id": key_id, "key_secret": key_secret},
    )


def delivery_headers(
    body: bytes, secret: Mapping[str, str], settings: Any, now: datetime
) -> dict[str, str]:
    """Return the headers Sinch sends with ``body`` for a webhook whose secret is ``secret``.

    The signature when the webhook has a ``webhook_secret``; an OAuth2 bearer token (webhooks
    with ``client_credentials``) is the sender's to fetch. ``hookgate send`` builds on this.
    """
    if "webhook_secret" not in secret:
        return {}
    return sinch_signature_headers(secret["webhook_secret"], body, now)
