"""``hookgate send``: deliver one webhook to a registration exactly as its provider would.

The body is a file or one of the provider's samples (``samples.SAMPLE_PAYLOADS`` of its
``hookgate.dev`` entry point); the headers are what the provider sends, made by the provider side's
own code (``sandbox.delivery_headers``: Sinch's signature, 360dialog's custom header, Insider's V1
bearer key), with the registration's current secret read from Secrets Manager. A registration with
``oauth2`` first gets a token from the stack's token URL with its client credentials, as the
provider's OAuth2 client does. The same command serves the local stack and a deployed one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from hookgate.errors import HookgateError
from hookgate.models import Registration
from hookgate.plugins import PluginHost
from hookgate_dev.dev_modules import dev_modules

TokenFetcher = Callable[[str, str, str], str]  # (token URL, client id, client secret) -> token


@dataclass(frozen=True)
class WebhookRequest:
    """A request built as the provider builds it; its headers hold a secret (never print them)."""

    url: str
    body: bytes
    headers: Mapping[str, str] = field(repr=False)


def _provider_module(host: PluginHost, provider: str, name: str) -> ModuleType | None:
    host.get(provider)  # an unknown provider is named as such
    module: ModuleType | None = getattr(dev_modules(provider), name)
    return module


def samples_of(host: PluginHost, provider: str) -> Mapping[str, bytes]:
    """Return the provider's sample bodies by name (empty when its plugin ships none)."""
    module = _provider_module(host, provider, "samples")
    samples: Mapping[str, bytes] = getattr(module, "SAMPLE_PAYLOADS", {}) if module else {}
    return samples


def default_sample(host: PluginHost, provider: str) -> str | None:
    """Return the first sample that yields events (``EXPECTED_TYPES`` non-empty), if any."""
    module = _provider_module(host, provider, "samples")
    expected: Mapping[str, Any] = getattr(module, "EXPECTED_TYPES", {}) if module else {}
    return next((name for name in samples_of(host, provider) if expected.get(name)), None)


def token_url_for(webhook_url: str) -> str:
    """Return the stack's token URL beside a webhook URL (``…/webhooks/…`` → ``…/oauth2/token``)."""
    parts = urlsplit(webhook_url)
    prefix, found, _ = parts.path.partition("/webhooks/")
    if not found:
        raise HookgateError(f"{webhook_url}: not a hookgate webhook URL; give --token-url")
    return urlunsplit((parts.scheme, parts.netloc, f"{prefix}/oauth2/token", "", ""))


def build_request(
    host: PluginHost,
    registration: Registration,
    secret: Mapping[str, str],
    body: bytes,
    url: str,
    *,
    now: datetime,
    fetch_token: TokenFetcher,
    token_url: str | None = None,
) -> WebhookRequest:
    """Return the request ``registration``'s provider would send with ``body`` to ``url``."""
    signer = _provider_module(host, registration.provider, "sandbox")
    if signer is None or not hasattr(signer, "delivery_headers"):
        raise HookgateError(
            f"provider {registration.provider!r} has no sandbox.delivery_headers: "
            "hookgate send cannot build its requests"
        )
    headers = {"content-type": "application/json"}
    headers |= signer.delivery_headers(body, secret, registration.settings, now)
    client_id = registration.client_id
    if client_id is not None:
        if "client_secret" not in secret:
            raise HookgateError(f"secret {registration.secret_id} has no client_secret")
        where = token_url or token_url_for(url)
        headers["authorization"] = (
            f"Bearer {fetch_token(where, client_id, secret['client_secret'])}"
        )
    if len(headers) == 1:
        raise HookgateError(
            f"secret {registration.secret_id} holds none of the keys {registration.provider} "
            f"authenticates with (it has: {', '.join(sorted(secret)) or 'none'})"
        )
    return WebhookRequest(url=url, body=body, headers=headers)


def current_secret(secretsmanager: Any, secret_id: str) -> dict[str, str]:
    """Return the AWSCURRENT value of ``secret_id`` (a JSON object of strings)."""
    text = secretsmanager.get_secret_value(SecretId=secret_id)["SecretString"]
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise HookgateError(f"secret {secret_id}: the value is not a JSON object")
    return {str(key): str(value) for key, value in document.items()}


def deliver(request: WebhookRequest, timeout: float = 30.0) -> httpx.Response:
    """POST ``request`` and return the answer."""
    return httpx.post(
        request.url, content=request.body, headers=dict(request.headers), timeout=timeout
    )
