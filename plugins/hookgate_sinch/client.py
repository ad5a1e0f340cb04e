"""The base of the Sinch API clients: a bearer token from Sinch's auth host on every call."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from hookgate.plugin import DEFAULT_TIMEOUT, ProviderClient
from hookgate_sinch.auth import SinchAuth


class SinchClient(ProviderClient):
    """A :class:`ProviderClient` that authenticates with one Sinch API key (key id, secret)."""

    def __init__(
        self,
        *,
        auth_url: str,
        key_id: str,
        key_secret: str,
        http: httpx.Client | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Prepare the token cache for ``key_id``; the token is fetched on the first call."""
        super().__init__(http=http, timeout=timeout, sleep=sleep)
        self._auth = SinchAuth(
            self._http,
            auth_url=auth_url,
            key_id=key_id,
            key_secret=key_secret,
            provider=self.provider,
            parse_error=self.parse_error,
            clock=clock,
            sleep=sleep,
        )

    def auth_headers(self) -> dict[str, str]:
        """Return the bearer token header (fetching a token when the cached one is near expiry)."""
        return {"authorization": f"Bearer {self._auth.bearer()}"}
