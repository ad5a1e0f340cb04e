"""A sender that signs with a configurable HMAC: endpoints, each with its secret and scheme.

There is no one sender behind the ``hmac`` provider, so the sandbox offers what such senders'
dashboards do: ``POST /endpoints`` ``{"url", "secret", "scheme"}`` adds (or replaces) an
endpoint, where ``scheme`` says how to sign (``signature_header``, ``algorithm``, ``encoding``,
``prefix``, ``signed_payload`` with ``{body}`` and ``{timestamp}``, ``timestamp_header``), as
hookgate.yaml's settings do. The signer is the sandbox's own, written from the senders' public
descriptions (GitHub, Shopify, Slack), not taken from the plugin.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hookgate_dev.providers.hookgate_hmac.samples import SAMPLE_PAYLOADS
from hookgate_dev.sandbox.core import (
    Deliverer,
    FaultInjector,
    LocalWiring,
    Sandbox,
    Target,
    build_sandbox_app,
)

SCHEME_KEYS = (
    "signature_header",
    "algorithm",
    "encoding",
    "prefix",
    "signed_payload",
    "timestamp_header",
)
HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def scheme_signer(secret: str, scheme: Mapping[str, Any]) -> Callable[[bytes], dict[str, str]]:
    """Return ``body -> headers`` signing as ``scheme`` describes, at the time of each call."""
    template = str(scheme.get("signed_payload") or "{body}")
    digest = HASHES[str(scheme.get("algorithm") or "sha256")]
    as_base64 = scheme.get("encoding") == "base64"
    prefix = str(scheme.get("prefix") or "")
    stamp_header = scheme.get("timestamp_header")

    def sign(body: bytes) -> dict[str, str]:
        stamp = str(int(time.time()))
        head, tail = template.split("{body}")
        message = (
            head.replace("{timestamp}", stamp).encode()
            + body
            + tail.replace("{timestamp}", stamp).encode()
        )
        mac = hmac.new(secret.encode(), message, digest).digest()
        value = base64.b64encode(mac).decode() if as_base64 else mac.hex()
        headers = {str(scheme["signature_header"]): prefix + value}
        if stamp_header:
            headers[str(stamp_header)] = stamp
        return headers

    return sign


def build_sandbox(*, key_id: str, key_secret: str) -> Sandbox:
    """Return a sender sandbox whose endpoint API accepts ``Authorization: Bearer key_secret``."""
    del key_id
    endpoints: dict[str, tuple[str, dict[str, Any]]] = {}
    lock = threading.Lock()
    faults = FaultInjector()
    deliverer = Deliverer(faults)

    async def manage(request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {key_secret}":
            return JSONResponse({"error": "unauthorized"}, 401)
        if request.method == "GET":
            with lock:
                shown = [{"url": u, "scheme": s} for u, (_, s) in endpoints.items()]
            return JSONResponse({"data": shown})
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "malformed JSON"}, 400)
        url, secret = body.get("url"), body.get("secret")
        scheme = {k: v for k, v in dict(body.get("scheme") or {}).items() if k in SCHEME_KEYS}
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return JSONResponse({"error": "url must be an http(s) URL"}, 422)
        if not isinstance(secret, str) or not secret:
            return JSONResponse({"error": "secret is required"}, 422)
        if not scheme.get("signature_header") or scheme.get("algorithm", "sha256") not in HASHES:
            return JSONResponse(
                {"error": "scheme needs signature_header and a known algorithm"}, 422
            )
        if str(scheme.get("signed_payload") or "{body}").count("{body}") != 1:
            return JSONResponse({"error": "signed_payload must hold {body} once"}, 422)
        with lock:
            endpoints[url] = (secret, scheme)
        return JSONResponse({"url": url}, 201)

    def targets() -> list[Target]:
        with lock:
            held = sorted(endpoints.items())
        return [
            Target(f"ep_{index}", url, scheme_signer(secret, scheme))
            for index, (url, (secret, scheme)) in enumerate(held)
        ]

    def show() -> dict[str, Any]:
        with lock:
            return {"endpoints": [{"url": u, "scheme": s} for u, (_, s) in endpoints.items()]}

    return build_sandbox_app(
        "hmac",
        [Route("/endpoints", manage, methods=["GET", "POST"])],
        faults=faults,
        deliverer=deliverer,
        targets=targets,
        samples=SAMPLE_PAYLOADS,
        state=show,
    )


def local_wiring(url: str, key_id: str, key_secret: str) -> LocalWiring:
    """Return what points a registration at this sandbox: its endpoint API key, no settings."""
    return LocalWiring(settings={}, credentials={"api_key": key_secret})


def subscribe(
    sandbox_url: str,
    webhook_url: str,
    secret: Mapping[str, str],
    credentials: Mapping[str, str],
    settings: Mapping[str, Any],
) -> None:
    """Add hookgate's endpoint at the sender with the registration's secret and scheme."""
    answer = httpx.post(
        f"{sandbox_url}/endpoints",
        json={
            "url": webhook_url,
            "secret": secret["signing_secret"],
            "scheme": {k: settings[k] for k in SCHEME_KEYS if settings.get(k) is not None},
        },
        headers={"authorization": f"Bearer {credentials['api_key']}"},
        timeout=10,
    )
    answer.raise_for_status()


def delivery_headers(
    body: bytes, secret: Mapping[str, str], settings: Any, now: datetime
) -> dict[str, str]:
    """Return the headers a sender of the registration's scheme sends with ``body``.

    ``hookgate send`` builds on this (the timestamp, where the scheme signs one, is the time of
    the call).
    """
    del now
    key = secret.get("signing_secret")
    if not key:
        return {}
    scheme = {k: v for k in SCHEME_KEYS if (v := getattr(settings, k, None)) is not None}
    return scheme_signer(key, scheme)(body)
