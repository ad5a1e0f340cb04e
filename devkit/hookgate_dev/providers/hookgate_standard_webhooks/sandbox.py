"""A Standard Webhooks sender: endpoints with their own ``whsec_`` secrets, signed deliveries.

The specification defines how a sender signs, not a management API, so the sandbox offers what
such a sender's dashboard does: ``POST /endpoints`` ``{"url": ..., "secret": "whsec_..."}``
adds (or replaces) an endpoint, and ``GET /endpoints`` lists them, secrets never shown. Every
delivery carries ``webhook-id`` (the same for retries of one message), ``webhook-timestamp``
(the attempt's time) and ``webhook-signature``. The signer is written from the specification
(https://www.standardwebhooks.com/, "Signature scheme"), not taken from the plugin.
"""

from __future__ import annotations

import base64
import binascii
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

from hookgate_dev.providers.hookgate_standard_webhooks.samples import SAMPLE_PAYLOADS
from hookgate_dev.sandbox.core import (
    Deliverer,
    FaultInjector,
    LocalWiring,
    Sandbox,
    Target,
    build_sandbox_app,
)

SECRET_KEY = "signing_secret"  # noqa: S105 - the key's name in hookgate's secret


def standard_signature_headers(secret: str, body: bytes, at: float) -> dict[str, str]:
    """Sign ``body`` as a Standard Webhooks sender does at unix time ``at``."""
    key = _key(secret)
    msg_id = "msg_" + hashlib.sha256(body).hexdigest()[:24]
    stamp = str(int(at))
    digest = hmac.new(key, msg_id.encode() + b"." + stamp.encode() + b"." + body, "sha256")
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": stamp,
        "webhook-signature": f"v1,{base64.b64encode(digest.digest()).decode()}",
    }


def _key(secret: str) -> bytes:
    """Decode a ``whsec_`` secret: base64, or its URL-safe alphabet when it uses ``-``/``_``."""
    text = secret.removeprefix("whsec_")
    url_safe = "-" in text or "_" in text
    return base64.b64decode(text, altchars=b"-_" if url_safe else None, validate=True)


def _valid_secret(secret: Any) -> bool:
    if not isinstance(secret, str) or not secret.startswith("whsec_"):
        return False
    try:
        return bool(_key(secret))
    except (binascii.Error, ValueError):
        return False


def _signer(secret: str) -> Callable[[bytes], dict[str, str]]:
    return lambda body: standard_signature_headers(secret, body, time.time())


def build_sandbox(*, key_id: str, key_secret: str) -> Sandbox:
    """Return a sender sandbox whose endpoint API accepts ``Authorization: Bearer key_secret``."""
    del key_id
    endpoints: dict[str, str] = {}
    lock = threading.Lock()
    faults = FaultInjector()
    deliverer = Deliverer(faults)

    async def manage(request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {key_secret}":
            return JSONResponse({"error": "unauthorized"}, 401)
        if request.method == "GET":
            with lock:
                return JSONResponse({"data": [{"url": url} for url in endpoints]})
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "malformed JSON"}, 400)
        url, secret = body.get("url"), body.get("secret")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return JSONResponse({"error": "url must be an http(s) URL"}, 422)
        if not _valid_secret(secret):
            return JSONResponse({"error": "secret must be whsec_ and base64"}, 422)
        with lock:
            endpoints[url] = secret
        return JSONResponse({"url": url}, 201)

    def targets() -> list[Target]:
        with lock:
            held = dict(endpoints)
        return [
            Target(f"ep_{index}", url, _signer(secret))
            for index, (url, secret) in enumerate(sorted(held.items()))
        ]

    def show() -> dict[str, Any]:
        with lock:
            return {"endpoints": [{"url": url} for url in sorted(endpoints)]}

    return build_sandbox_app(
        "standard_webhooks",
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
    """Add hookgate's endpoint at the sender with the registration's secret, as a user would."""
    del settings
    answer = httpx.post(
        f"{sandbox_url}/endpoints",
        json={"url": webhook_url, "secret": "whsec_" + secret[SECRET_KEY].removeprefix("whsec_")},
        headers={"authorization": f"Bearer {credentials['api_key']}"},
        timeout=10,
    )
    answer.raise_for_status()


def delivery_headers(
    body: bytes, secret: Mapping[str, str], settings: Any, now: datetime
) -> dict[str, str]:
    """Return a Standard Webhooks sender's headers for ``body`` at ``now``.

    ``hookgate send`` builds on this.
    """
    del settings
    key = secret.get(SECRET_KEY)
    return standard_signature_headers(key, body, now.timestamp()) if key else {}
