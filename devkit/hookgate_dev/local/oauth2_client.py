"""A provider's OAuth2 client (authlib, a development dependency), imported without noise.

authlib 1.x warns at import that its httpx integration will move to the ``httpx2`` package
(``AuthlibDeprecationWarning: The httpx module is deprecated; please use httpx2 instead.``), and
its ``authlib.deprecate`` module installs a process-wide ``always`` filter for its warnings, which
outranks a test run's ``error``. Both are confined here: exactly that message is ignored, and the
filter authlib installs is dropped again, so every other warning keeps the caller's filters.
"""

from __future__ import annotations

import warnings
from typing import Any

HTTPX_MOVE_WARNING = r"The httpx module is deprecated; please use httpx2 instead\."


def authlib_httpx() -> Any:
    """Return ``authlib.integrations.httpx_client`` (OAuth2Client, OAuthError)."""
    with warnings.catch_warnings():
        from authlib.deprecate import AuthlibDeprecationWarning  # noqa: PLC0415 - dev only

        warnings.filterwarnings(
            "ignore", message=HTTPX_MOVE_WARNING, category=AuthlibDeprecationWarning
        )
        from authlib.integrations import httpx_client  # noqa: PLC0415 - dev only
    return httpx_client


def fetch_client_credentials_token(token_url: str, client_id: str, client_secret: str) -> str:
    """Fetch an access token with the client_credentials grant, as a provider's client does.

    authlib's default client authentication is HTTP Basic (client_secret_basic). Raises
    ``OAuthError`` (from :func:`authlib_httpx`) when the server refuses, ``httpx.HTTPError``
    when it cannot be reached.
    """
    with authlib_httpx().OAuth2Client(client_id, client_secret, timeout=30) as client:
        token = client.fetch_token(token_url, grant_type="client_credentials")
    return str(token["access_token"])
