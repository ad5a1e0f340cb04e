"""A Sinch Provisioning sandbox: the webhook API as documented (seeds 000/001, providers.md §2).

Sinch's token endpoint (API key id and secret, HTTP Basic); the management calls take its bearer
token or, as Sinch allows for tests, the key as HTTP Basic. Webhook list with
``pageSize``/``pageToken`` pagination (alphabetical by target), create/get/PUT/PATCH/delete with
the documented rules: at most 15 webhooks per project, ``target`` an http(s) URL of 1..742
characters, ``secret`` 1..128, ``triggers`` non-empty, unique, ``ALL`` alone (PUT and PATCH may
leave ``triggers`` out: the seed's no-trigger body variant), one webhook per target (409 Conflict),
PAPI error bodies ``{"errorCode", "message", "resolution"}``, the secret never returned.
Deliveries are signed with the Conversation scheme, the same [GUESS] the verifier makes, by
the Conversation sandbox's own signer (never the plugins').
"""

from __future__ import annotations

import base64
import hmac
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hookgate_dev.providers.hookgate_sinch_conversation.sandbox import sinch_signature_headers
from hookgate_dev.providers.hookgate_sinch_provisioning.samples import SAMPLE_PAYLOADS
from hookgate_dev.sandbox.core import (
    Deliverer,
    FaultInjector,
    LocalWiring,
    Sandbox,
    Target,
    build_sandbox_app,
)

MAX_WEBHOOKS = 15
# The trigger enum of seeds 000/001 (Provisioning API 1.2.36) plus the newer values of
# providers.md §2.5, written out here and not taken from the plugin, so a name misspelt on
# either side fails a test.
SEED_TRIGGERS = frozenset(
    {
        "ALL",
        "BUNDLE_DONE",
        "WHATSAPP_SENDER_ACTIVE",
        "WHATSAPP_SENDER_COMMENT_ADDED",
        "WHATSAPP_SENDER_DAILY_LIMIT_CHANGED",
        "WHATSAPP_SENDER_ERROR",
        "WHATSAPP_SENDER_INACTIVE",
        "WHATSAPP_SENDER_PENDING_VERIFICATION",
        "WHATSAPP_SENDER_QUALITY_RATING_CHANGED",
        "WHATSAPP_SENDER_REJECTED",
        "WHATSAPP_TEMPLATE_APPROVED",
        "WHATSAPP_TEMPLATE_CATEGORY_FUTURE_UPDATE",
        "WHATSAPP_TEMPLATE_CATEGORY_UPDATED",
        "WHATSAPP_TEMPLATE_COMMENT_ADDED",
        "WHATSAPP_TEMPLATE_DELETED",
        "WHATSAPP_TEMPLATE_QUALITY_SCORE_UPDATED",
        "WHATSAPP_TEMPLATE_REJECTED",
        "WHATSAPP_TEMPLATE_STATUS_UPDATED",
        "WHATSAPP_ACCOUNT_COMMENT_ADDED",
        "WHATSAPP_ACCOUNT_ONBOARDED",
        "WHATSAPP_ACCOUNT_PENDING_VERIFICATION",
        "WHATSAPP_ACCOUNT_REJECTED",
        "WHATSAPP_WABA_ACCOUNT_CHANGED",
        "RCS_SENDER_COMMENT_ADDED",
        "RCS_SENDER_OPERATOR_STATUS_UPDATED",
        "RCS_SENDER_STATUS_UPDATED",
        "KAKAOTALK_SENDER_ACTIVE",
        "KAKAOTALK_SENDER_COMMENT_ADDED",
        "KAKAOTALK_SENDER_INACTIVE",
        "KAKAOTALK_SENDER_REJECTED",
        "KAKAOTALK_TEMPLATE_APPROVED",
        "KAKAOTALK_TEMPLATE_COMMENT_ADDED",
        "KAKAOTALK_TEMPLATE_REJECTED",
    }
)
NEWER_TRIGGERS = frozenset(
    {
        "WHATSAPP_ACCOUNT_DAILY_LIMIT_CHANGED",
        "WHATSAPP_SENDER_DELETED",
        "RCS_ACCOUNT_COMMENT_ADDED",
        "RCS_BRAND_REGISTRATION_PROCESS_STATUS_UPDATED",
        "WHATSAPP_SENDER_USERNAME_UPDATED",
    }
)
TRIGGERS = SEED_TRIGGERS | NEWER_TRIGGERS


def _papi(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"errorCode": code, "message": message, "resolution": "", "additionalInformation": {}},
        status,
    )


def _bad_text(value: Any, longest: int) -> bool:
    return not isinstance(value, str) or not 1 <= len(value) <= longest


def _is_url(value: str) -> bool:
    """Return True for an absolute http(s) URL with a host (seed 001: ``string (url)``)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _problem(body: dict[str, Any], partial: bool, *, triggers_optional: bool = False) -> str | None:
    target, secret, triggers = body.get("target"), body.get("secret"), body.get("triggers")
    checked = {
        name: value is not None or not partial
        for name, value in (("target", target), ("secret", secret), ("triggers", triggers))
    }
    # The seed's PUT/PATCH variant without triggers (updateWebhookNoTriggerReq) keeps them.
    checked["triggers"] = checked["triggers"] and not (triggers_optional and triggers is None)
    if checked["target"] and _bad_text(target, 742):
        return "target must be 1..742 characters"
    if checked["target"] and not _is_url(str(target)):
        return "target must be an http(s) URL"
    if checked["secret"] and _bad_text(secret, 128):
        return "secret must be 1..128 characters"
    if not checked["triggers"]:
        return None
    if not isinstance(triggers, list) or not triggers or len(set(triggers)) != len(triggers):
        return "triggers must be a non-empty list of unique values"
    if any(t not in TRIGGERS for t in triggers):
        return "unknown trigger"
    if "ALL" in triggers and len(triggers) > 1:
        return "ALL must not be combined with other triggers"
    return None


@dataclass
class _State:
    basic: str
    webhooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def public(self, webhook: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in webhook.items() if k != "secret"}

    def authorised(self, request: Request) -> bool:
        """Accept a token from ``/oauth2/token`` or, as Sinch does for tests, the key as Basic."""
        header = request.headers.get("authorization", "")
        if hmac.compare_digest(header.encode(), self.basic.encode()):
            return True
        scheme, _, token = header.partition(" ")
        with self.lock:
            return scheme.lower() == "bearer" and self.tokens.get(token, 0) > time.time()


# One closure per route, all over the same state: long, but each piece is a route.
def build_sandbox(*, key_id: str, key_secret: str) -> Sandbox:  # noqa: PLR0915
    """Return a sandbox that accepts the API key ``key_id`` / ``key_secret``."""
    state = _State("Basic " + base64.b64encode(f"{key_id}:{key_secret}".encode()).decode())
    faults = FaultInjector()

    async def issue_token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        if (
            request.headers.get("authorization") != state.basic
            or form.get("grant_type") != "client_credentials"
        ):
            return JSONResponse({"error": "invalid_client"}, 401)
        token = uuid.uuid4().hex
        with state.lock:
            state.tokens[token] = time.time() + 3600
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    async def collection(request: Request) -> Response:
        if not state.authorised(request):
            return _papi(401, "UNAUTHORIZED", "invalid credentials")
        project = request.path_params["project"]
        if request.method == "GET":
            try:
                size = int(request.query_params.get("pageSize", MAX_WEBHOOKS))
                start = int(request.query_params.get("pageToken") or 0)
            except ValueError:
                return _papi(400, "BAD_REQUEST", "pageSize and pageToken must be numbers")
            if not 1 <= size <= MAX_WEBHOOKS:
                return _papi(400, "BAD_REQUEST", "pageSize must be 1..15")
            with state.lock:
                hooks = sorted(
                    (w for w in state.webhooks.values() if w["projectId"] == project),
                    key=lambda w: str(w["target"]),
                )
            page = hooks[start : start + size]
            body: dict[str, Any] = {
                "totalSize": len(hooks),
                "pageSize": size,
                "webhooks": [state.public(w) for w in page],
            }
            if start + size < len(hooks):
                body["nextPageToken"] = str(start + size)
            if start:
                body["previousPageToken"] = str(max(0, start - size))
            return JSONResponse(body)
        try:
            payload = await request.json()
        except ValueError:
            return _papi(400, "BAD_REQUEST", "malformed JSON")
        if not isinstance(payload, dict) or (problem := _problem(payload, partial=False)):
            return _papi(400, "BAD_REQUEST", problem or "the body must be a JSON object")
        with state.lock:
            hooks = [w for w in state.webhooks.values() if w["projectId"] == project]
            if any(w["target"] == payload["target"] for w in hooks):
                return _papi(409, "CONFLICT", "a webhook with this target already exists")
            if len(hooks) >= MAX_WEBHOOKS:
                return _papi(400, "BAD_REQUEST", f"at most {MAX_WEBHOOKS} webhooks per project")
            webhook = {
                "id": uuid.uuid4().hex,
                "projectId": project,
                "target": payload["target"],
                "triggers": payload["triggers"],
                "secret": payload["secret"],
            }
            state.webhooks[webhook["id"]] = webhook
            return JSONResponse(state.public(webhook))

    async def item(request: Request) -> Response:
        if not state.authorised(request):
            return _papi(401, "UNAUTHORIZED", "invalid credentials")
        project, webhook_id = request.path_params["project"], request.path_params["webhook"]
        with state.lock:
            webhook = state.webhooks.get(webhook_id)
            if webhook is None or webhook["projectId"] != project:
                return _papi(404, "NOT_FOUND", "webhook not found")
            if request.method == "GET":
                return JSONResponse(state.public(webhook))
            if request.method == "DELETE":
                del state.webhooks[webhook_id]
                return Response(status_code=204)
        try:
            payload = await request.json()
        except ValueError:
            return _papi(400, "BAD_REQUEST", "malformed JSON")
        partial = request.method == "PATCH"
        if not isinstance(payload, dict) or (
            problem := _problem(payload, partial=partial, triggers_optional=True)
        ):
            return _papi(400, "BAD_REQUEST", problem or "the body must be a JSON object")
        fields = {k: payload[k] for k in ("target", "secret", "triggers") if k in payload}
        with state.lock:
            clash = any(
                w["target"] == fields.get("target") and i != webhook_id
                for i, w in state.webhooks.items()
                if w["projectId"] == project
            )
            if clash:
                return _papi(409, "CONFLICT", "a webhook with this target already exists")
            webhook.update(fields)
            return JSONResponse(state.public(webhook))

    def targets() -> list[Target]:
        with state.lock:
            hooks = [dict(w) for w in state.webhooks.values()]

        def signer(secret: str) -> Any:
            return lambda body: sinch_signature_headers(secret, body, datetime.now(UTC))

        return [
            Target(webhook_id=h["id"], url=h["target"], headers_for=signer(h["secret"]))
            for h in hooks
        ]

    def show() -> dict[str, Any]:
        with state.lock:
            return {"webhooks": [state.public(w) for w in state.webhooks.values()]}

    routes = [
        Route("/oauth2/token", issue_token, methods=["POST"]),
        Route("/v1/projects/{project}/webhooks", collection, methods=["GET", "POST"]),
        Route(
            "/v1/projects/{project}/webhooks/{webhook}",
            item,
            methods=["GET", "PUT", "PATCH", "DELETE"],
        ),
    ]
    return build_sandbox_app(
        "sinch_provisioning",
        routes,
        faults=faults,
        deliverer=Deliverer(faults),
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
    """Return the headers a Provisioning callback carries: the Conversation-style signature."""
    if "webhook_secret" not in secret:
        return {}
    return sinch_signature_headers(secret["webhook_secret"], body, now)
