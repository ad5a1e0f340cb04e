"""The Graph API calls on an app's webhook subscriptions (``/{app-id}/subscriptions``).

Documented at https://developers.facebook.com/docs/graph-api/reference/app/subscriptions/ and
https://developers.facebook.com/docs/graph-api/webhooks/subscriptions-edge: ``GET`` lists the
app's subscriptions (``object``, ``callback_url``, ``active``, ``fields`` as
``{"name", "version"}``, never the verify token); ``POST`` with ``object``, ``callback_url``,
``fields`` and ``verify_token`` creates the subscription of that object or replaces it (one per
object), after Meta's verification request to the callback answered; the answer is
``{"success": true}``. Both need an app access token, ``{app-id}|{app-secret}``. It is sent as
an RFC 6750 bearer header rather than the ``access_token`` parameter, which would put it in a
URL that HTTP logging prints. Errors are Graph's ``{"error": {"message", "type", "code"}}``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from hookgate.plugin import ProviderClient

PROVIDER = "meta_whatsapp"
# Meta calls the callback URL before it answers a POST: allow for that round trip.
TIMEOUT = httpx.Timeout(20.0, connect=3.0)


class GraphSubscriptionsClient(ProviderClient):
    """The webhook subscriptions of one Meta app."""

    provider = PROVIDER

    def __init__(
        self,
        *,
        api_url: str,
        app_id: str,
        app_secret: str,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Prepare calls for ``app_id`` with its app access token; ``http`` may be injected."""
        super().__init__(http=http, timeout=TIMEOUT, sleep=sleep)
        self._url = f"{api_url.rstrip('/')}/{app_id}/subscriptions"
        self._token = f"{app_id}|{app_secret}"

    def auth_headers(self) -> dict[str, str]:
        """Return the app access token as a bearer header."""
        return {"authorization": f"Bearer {self._token}"}

    def subscriptions(self) -> list[dict[str, Any]]:
        """Return the app's subscriptions (one per object)."""
        body = self.call("GET", self._url, "list subscriptions")
        return [s for s in body.get("data", []) if isinstance(s, dict)]

    def subscribe(
        self, object_type: str, callback_url: str, fields: list[str], verify_token: str
    ) -> None:
        """Create or replace the subscription of ``object_type`` (Meta verifies the callback)."""
        self.call(
            "POST",
            self._url,
            "subscribe",
            data={
                "object": object_type,
                "callback_url": callback_url,
                "fields": ",".join(fields),
                "verify_token": verify_token,
            },
        )
