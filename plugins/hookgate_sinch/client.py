"""The base of the Sinch API clients: a bearer token from Sinch's auth host on every call."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NotRequired, TypedDict

import httpx

from hookgate.plugin import DEFAULT_TIMEOUT, ProviderClient, Registration, SecretVersion
from hookgate_sinch.auth import SinchAuth, access_key


class SinchOptions(TypedDict):
    """What every Sinch client is built from: its API, its key and its project."""

    api_url: str
    auth_url: str
    key_id: str
    key_secret: str
    project_id: str
    http: NotRequired[httpx.Client | None]
    clock: NotRequired[Callable[[], float]]
    sleep: NotRequired[Callable[[float], None]]


def sinch_options(
    registration: Registration,
    credentials: SecretVersion | None,
    *,
    api_url: str,
    auth_url: str,
    project_id: str,
) -> SinchOptions:
    """Return a client's options: the API, the project and the key from ``credentials``."""
    key_id, key_secret = access_key(registration, credentials)
    return SinchOptions(
        api_url=api_url,
        auth_url=auth_url,
        key_id=key_id,
        key_secret=key_secret,
        project_id=project_id,
    )


class SinchClient(ProviderClient):
    """A :class:`ProviderClient` for one Sinch project, authenticated with one API key."""

    def __init__(
        self,
        *,
        api_url: str,
        auth_url: str,
        key_id: str,
        key_secret: str,
        project_id: str,
        http: httpx.Client | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Prepare the token cache for ``key_id``; the token is fetched on the first call."""
        super().__init__(http=http, timeout=timeout, sleep=sleep)
        self._api = api_url.rstrip("/")
        self.project_id = project_id
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
