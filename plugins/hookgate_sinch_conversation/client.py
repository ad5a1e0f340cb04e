"""Sinch Conversation webhook management API client (providers.md §1.1, §1.2; seed 002).

Authenticates with an OAuth2 client-credentials token from Sinch's auth host (key id and
secret, HTTP Basic), cached until shortly before it expires (:class:`hookgate_sinch.SinchClient`).
Errors are Sinch's ``{"error": {"code", "message", "status"}}`` body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

import httpx

from hookgate.plugin import ProviderAPIError
from hookgate_sinch.client import SinchClient, SinchOptions

PROVIDER = "sinch_conversation"


class SinchConversationClient(SinchClient):
    """Webhook CRUD for one Sinch project and app."""

    provider = PROVIDER

    def __init__(
        self, *, app_id: str, timeout: float = 10.0, **options: Unpack[SinchOptions]
    ) -> None:
        """Create a client; ``http`` may be injected (its own timeouts are then the caller's)."""
        super().__init__(timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)), **options)
        self.app_id = app_id

    def error_fields(self, body: Mapping[str, Any], reason: str) -> tuple[str | None, str] | None:
        """Read Sinch's ``{"error": {"code", "message", "status"}}`` error body."""
        error = body.get("error")
        if not isinstance(error, Mapping):
            return None
        status = error.get("status")
        return (str(status) if status else None), str(error.get("message", ""))

    def _call(self, method: str, path: str, operation: str, **kwargs: Any) -> Any:
        return self.call(
            method, f"{self._api}/v1/projects/{self.project_id}{path}", operation, **kwargs
        )

    def list_webhooks(self) -> list[dict[str, Any]]:
        """Return the app's webhooks."""
        body = self._call("GET", f"/apps/{self.app_id}/webhooks", "list webhooks")
        return [w for w in body.get("webhooks", []) if isinstance(w, dict)]

    def create_webhook(self, webhook: dict[str, Any]) -> dict[str, Any]:
        """Create a webhook; return it (with its id)."""
        body: dict[str, Any] = self._call(
            "POST", "/webhooks", "create webhook", json={**webhook, "app_id": self.app_id}
        )
        return body

    def update_webhook(self, webhook_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Patch the named fields of a webhook (``update_mask`` lists them)."""
        body: dict[str, Any] = self._call(
            "PATCH",
            f"/webhooks/{webhook_id}",
            "update webhook",
            params={"update_mask": ",".join(sorted(fields))},
            json=fields,
        )
        return body

    def delete_webhook(self, webhook_id: str) -> None:
        """Delete a webhook."""
        self._call("DELETE", f"/webhooks/{webhook_id}", "delete webhook")


__all__ = ["ProviderAPIError", "SinchConversationClient"]
