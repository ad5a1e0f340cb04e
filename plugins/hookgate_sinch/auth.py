"""Sinch API authentication: an OAuth2 client-credentials token from Sinch's auth host.

Shared by every Sinch API client (Conversation, Provisioning): ``POST {auth}/oauth2/token``
with the API key id and secret as HTTP Basic (providers.md §1.1, §2.1), cached until a minute
before it expires.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import httpx

from hookgate.plugin import (
    ConfigError,
    ErrorParser,
    Registration,
    SecretVersion,
    default_error_parser,
    send,
)


class SinchAuth:
    """Fetches and caches the bearer token for one Sinch API key."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        auth_url: str,
        key_id: str,
        key_secret: str,
        provider: str,
        parse_error: ErrorParser = default_error_parser,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Prepare to authenticate ``key_id`` against ``auth_url``."""
        self._http = http
        self._url = f"{auth_url.rstrip('/')}/oauth2/token"
        self._key = (key_id, key_secret)
        self._provider = provider
        self._parse_error = parse_error
        self._clock = clock
        self._sleep = sleep
        self._token: tuple[str, float] | None = None

    def bearer(self) -> str:
        """Return a valid access token, fetching a new one when the cached one is near expiry."""
        if self._token and self._token[1] > self._clock():
            return self._token[0]
        response = send(
            self._http,
            "POST",
            self._url,
            provider=self._provider,
            operation="get an access token",
            parse_error=self._parse_error,
            sleep=self._sleep,
            data={"grant_type": "client_credentials"},
            auth=self._key,
        )
        body = response.json()
        lifetime = float(body.get("expires_in", 3600))
        if not math.isfinite(lifetime):  # Infinity would keep the token forever: do not cache
            lifetime = 0.0
        self._token = (str(body["access_token"]), self._clock() + max(0.0, lifetime - 60))
        return self._token[0]


def access_key(registration: Registration, credentials: SecretVersion | None) -> tuple[str, str]:
    """Return the Sinch access key (key id, key secret) from a registration's ``api_secret``."""
    key_id = credentials.get("key_id") if credentials else None
    key_secret = credentials.get("key_secret") if credentials else None
    if not key_id or not key_secret:
        raise ConfigError(
            f"registration {registration.name!r}: api_secret must hold key_id and key_secret"
        )
    return key_id, key_secret
