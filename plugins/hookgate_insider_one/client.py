"""Insider One webhook APIs (seed 004, providers.md §5.1, §5.3).

V2 (OAuth2 webhooks): a gateway token from ``POST /auth/token`` (JSON, snake_case; the response
shape is [NOT FOUND], ``access_token`` or ``token`` is read), then camelCase CRUD under
``/api/wa/v2/webhooks?phoneNumber=``. V1: ``POST /v1/<subProduct>/settings/update`` with
``X-INS-AUTH-KEY``; Insider calls the webhook URL with the new key and saves only on a 200.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from hookgate.plugin import ProviderClient

PROVIDER = "insider_one"
SCOPES = ["wa-webhook-read", "wa-webhook-manage", "wa-webhook-update", "wa-webhook-delete"]


class InsiderClient(ProviderClient):
    """Insider One's webhook management for one account."""

    provider = PROVIDER

    def __init__(
        self,
        *,
        gateway_url: str,
        v1_url: str,
        credentials: dict[str, str],
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Create a client from API credentials (client_id/client_secret for V2, api_key for V1)."""
        super().__init__(http=http, timeout=httpx.Timeout(15.0, connect=3.0), sleep=sleep)
        self._gateway = gateway_url.rstrip("/")
        self._v1 = v1_url.rstrip("/")
        self._credentials = credentials
        self._token: tuple[str, float] | None = None

    def error_fields(self, body: Mapping[str, Any], reason: str) -> tuple[str | None, str] | None:
        """Read Insider's ``{"message", "errorCode"}`` error body."""
        code = body.get("errorCode")
        return (str(code) if code else None), str(body.get("message") or reason)

    def _bearer(self) -> str:
        if self._token and self._token[1] > time.monotonic():
            return self._token[0]
        body = self.call(
            "POST",
            f"{self._gateway}/auth/token",
            "get a gateway token",
            json={
                "client_id": self._credentials.get("client_id", ""),
                "client_secret": self._credentials.get("client_secret", ""),
                "scopes": SCOPES,
            },
        )
        token = str(body.get("access_token") or body.get("token") or "")
        # Insider's tokens last "up to 90 minutes" [3P]; refresh well before that.
        self._token = (
            token,
            time.monotonic() + min(float(body.get("expires_in", 3600)), 3600) - 60,
        )
        return token

    def _v2(self, method: str, path: str, phone: str, operation: str, **kwargs: Any) -> Any:
        return self.call(
            method,
            f"{self._gateway}/api/wa/v2/webhooks{path}",
            operation,
            params={"phoneNumber": phone},
            headers={"authorization": f"Bearer {self._bearer()}"},
            **kwargs,
        )

    def list_webhooks(self, phone: str) -> list[dict[str, Any]]:
        """Return the phone number's OAuth2 webhooks (client secrets come back masked)."""
        body = self._v2("GET", "", phone, "list webhooks")
        return [w for w in body.get("webhooks", []) if isinstance(w, dict)]

    def create_webhook(self, phone: str, webhook: dict[str, Any]) -> Any:
        """Create a V2 webhook; the answer is ``{"status": true, "webhook": <id>}``."""
        return self._v2("POST", "", phone, "create webhook", json=webhook)

    def update_webhook(self, phone: str, webhook_id: str, webhook: dict[str, Any]) -> None:
        """Replace a V2 webhook (the create body without ``subProduct``)."""
        self._v2("PUT", f"/{webhook_id}", phone, "update webhook", json=webhook)

    def delete_webhook(self, phone: str, webhook_id: str) -> None:
        """Delete (soft) a V2 webhook."""
        self._v2("DELETE", f"/{webhook_id}", phone, "delete webhook")

    def update_v1_settings(
        self, sub_product: str, webhook_url: str, api_key: str, *, active: bool = True
    ) -> None:
        """Set the V1 webhook URL, ``isActive`` and bearer key; Insider checks the URL with the key.

        Seed 004 shows only ``/v1/conversational/settings/update``; the ``transactional`` path is
        [GUESS] by analogy (V2 has both sub-products).
        """
        self.call(
            "POST",
            f"{self._v1}/v1/{sub_product}/settings/update",
            "update V1 settings",
            headers={"x-ins-auth-key": self._credentials.get("ins_auth_key", "")},
            json={"isActive": active, "webhookUrl": webhook_url, "apiKey": api_key},
        )
