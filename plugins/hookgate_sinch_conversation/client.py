"""Sinch Conversation webhook management API client (providers.md §1.1, §1.2; seed 002).

Authenticates with an OAuth2 client-credentials token from Sinch's auth host (key id and
secret, HTTP Basic), cached until shortly before it expires. Every call goes through
:func:`hookgate.provider_http.send`: timeouts, bounded retries on 429/5xx, typed errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from hookgate.provider_http import ProviderAPIError, send
from hookgate_sinch_conversation.auth import SinchAuth

PROVIDER = "sinch_conversation"


def sinch_error(response: httpx.Response) -> tuple[str | None, str]:
    """Read Sinch's ``{"error": {"code", "message", "status"}}`` error body."""
    try:
        body: Any = response.json()
    except ValueError:
        return None, response.reason_phrase or "error"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return (str(error["status"]) if error.get("status") else None), str(
            error.get("message", "")
        )
    return None, response.reason_phrase or "error"


class SinchConversationClient:
    """Webhook CRUD for one Sinch project and app."""

    def __init__(
        self,
        *,
        api_url: str,
        auth_url: str,
        key_id: str,
        key_secret: str,
        project_id: str,
        app_id: str,
        timeout: float = 10.0,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Create a client; ``http`` may be injected (its own timeouts are then the caller's)."""
        self._api = api_url.rstrip("/")
        self.project_id = project_id
        self.app_id = app_id
        self._http = http or httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)))
        self._sleep = sleep
        self._auth = SinchAuth(
            self._http,
            auth_url=auth_url,
            key_id=key_id,
            key_secret=key_secret,
            provider=PROVIDER,
            parse_error=sinch_error,
            clock=clock,
            sleep=sleep,
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> SinchConversationClient:
        """Use as a context manager that closes the client."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on exit."""
        self.close()

    def _call(self, method: str, path: str, operation: str, **kwargs: Any) -> Any:
        response = send(
            self._http,
            method,
            f"{self._api}{path}",
            provider=PROVIDER,
            operation=operation,
            parse_error=sinch_error,
            sleep=self._sleep,
            headers={"authorization": f"Bearer {self._auth.bearer()}"},
            **kwargs,
        )
        return response.json() if response.content else {}

    def list_webhooks(self) -> list[dict[str, Any]]:
        """Return the app's webhooks."""
        body = self._call(
            "GET", f"/v1/projects/{self.project_id}/apps/{self.app_id}/webhooks", "list webhooks"
        )
        return [w for w in body.get("webhooks", []) if isinstance(w, dict)]

    def create_webhook(self, webhook: dict[str, Any]) -> dict[str, Any]:
        """Create a webhook; return it (with its id)."""
        body: dict[str, Any] = self._call(
            "POST",
            f"/v1/projects/{self.project_id}/webhooks",
            "create webhook",
            json={**webhook, "app_id": self.app_id},
        )
        return body

    def update_webhook(self, webhook_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Patch the named fields of a webhook (``update_mask`` lists them)."""
        body: dict[str, Any] = self._call(
            "PATCH",
            f"/v1/projects/{self.project_id}/webhooks/{webhook_id}",
            "update webhook",
            params={"update_mask": ",".join(sorted(fields))},
            json=fields,
        )
        return body

    def delete_webhook(self, webhook_id: str) -> None:
        """Delete a webhook."""
        self._call(
            "DELETE", f"/v1/projects/{self.project_id}/webhooks/{webhook_id}", "delete webhook"
        )


__all__ = ["ProviderAPIError", "SinchConversationClient", "sinch_error"]
