"""Sinch Provisioning webhook API client (providers.md §2.1-§2.4; seeds 000, 001).

Bearer token from Sinch's auth host (shared :class:`SinchAuth`); list follows
``nextPageToken`` until it is empty; errors are Sinch's PAPI body
``{"errorCode", "message", "resolution"}``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from hookgate.provider_http import send
from hookgate_sinch_conversation.auth import SinchAuth

PROVIDER = "sinch_provisioning"
PAGE_SIZE = 15


def papi_error(response: httpx.Response) -> tuple[str | None, str]:
    """Read the Provisioning API's ``{"errorCode", "message"}`` error body."""
    try:
        body: Any = response.json()
    except ValueError:
        return None, response.reason_phrase or "error"
    if isinstance(body, dict) and (body.get("errorCode") or body.get("message")):
        code = body.get("errorCode")
        return (str(code) if code else None), str(body.get("message", ""))
    return None, response.reason_phrase or "error"


class SinchProvisioningClient:
    """Webhook CRUD for one Sinch project."""

    def __init__(
        self,
        *,
        api_url: str,
        auth_url: str,
        key_id: str,
        key_secret: str,
        project_id: str,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        page_size: int = PAGE_SIZE,
    ) -> None:
        """Create a client; ``http`` may be injected; ``page_size`` is the list page (1..15)."""
        self._api = api_url.rstrip("/")
        self._page_size = page_size
        self.project_id = project_id
        self._http = http or httpx.Client(timeout=httpx.Timeout(10.0, connect=3.0))
        self._sleep = sleep
        self._auth = SinchAuth(
            self._http,
            auth_url=auth_url,
            key_id=key_id,
            key_secret=key_secret,
            provider=PROVIDER,
            parse_error=papi_error,
            sleep=sleep,
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> SinchProvisioningClient:
        """Use as a context manager that closes the client."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on exit."""
        self.close()

    def _call(self, method: str, path: str, operation: str, **kwargs: Any) -> Any:
        response = send(
            self._http,
            method,
            f"{self._api}/v1/projects/{self.project_id}{path}",
            provider=PROVIDER,
            operation=operation,
            parse_error=papi_error,
            sleep=self._sleep,
            headers={"authorization": f"Bearer {self._auth.bearer()}"},
            **kwargs,
        )
        return response.json() if response.content else {}

    def list_webhooks(self) -> list[dict[str, Any]]:
        """Return every webhook of the project, following the page tokens."""
        found: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(100):  # 15 webhooks at most: a loop guard, not a limit
            params: dict[str, Any] = {"pageSize": self._page_size}
            if token:
                params["pageToken"] = token
            body = self._call("GET", "/webhooks", "list webhooks", params=params)
            found.extend(w for w in body.get("webhooks", []) if isinstance(w, dict))
            token = body.get("nextPageToken") or None
            if not token:
                break
        return found

    def create_webhook(self, target: str, secret: str, triggers: list[str]) -> dict[str, Any]:
        """Create a webhook (all three fields are required)."""
        body: dict[str, Any] = self._call(
            "POST",
            "/webhooks",
            "create webhook",
            json={"target": target, "secret": secret, "triggers": triggers},
        )
        return body

    def update_webhook(self, webhook_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """PATCH some of ``target``, ``secret``, ``triggers``."""
        body: dict[str, Any] = self._call(
            "PATCH", f"/webhooks/{webhook_id}", "update webhook", json=fields
        )
        return body

    def delete_webhook(self, webhook_id: str) -> None:
        """Delete a webhook."""
        self._call("DELETE", f"/webhooks/{webhook_id}", "delete webhook")
