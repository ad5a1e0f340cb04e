"""Sinch Provisioning webhook API client (providers.md §2.1-§2.4; seeds 000, 001).

Bearer token from Sinch's auth host (:class:`hookgate_sinch.SinchClient`); one list call returns
one page (``nextPageToken`` names the next, the sync engine follows them); errors are Sinch's
PAPI body ``{"errorCode", "message", "resolution"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from hookgate.plugin import WebhookPage, all_pages
from hookgate_sinch.client import SinchClient, SinchOptions

PROVIDER = "sinch_provisioning"
PAGE_SIZE = 15


class SinchProvisioningClient(SinchClient):
    """Webhook CRUD for one Sinch project."""

    provider = PROVIDER

    def __init__(self, *, page_size: int = PAGE_SIZE, **options: Unpack[SinchOptions]) -> None:
        """Create a client; ``http`` may be injected; ``page_size`` is the list page (1..15)."""
        super().__init__(**options)
        self._page_size = page_size

    def error_fields(self, body: Mapping[str, Any], reason: str) -> tuple[str | None, str] | None:
        """Read the Provisioning API's ``{"errorCode", "message"}`` error body."""
        if not (body.get("errorCode") or body.get("message")):
            return None
        code = body.get("errorCode")
        return (str(code) if code else None), str(body.get("message", ""))

    def _call(self, method: str, path: str, operation: str, **kwargs: Any) -> Any:
        return self.call(
            method, f"{self._api}/v1/projects/{self.project_id}{path}", operation, **kwargs
        )

    def webhook_page(self, page_token: str | None) -> WebhookPage:
        """Return one page of the project's webhooks and the next page's token."""
        params: dict[str, Any] = {"pageSize": self._page_size}
        if page_token:
            params["pageToken"] = page_token
        body = self._call("GET", "/webhooks", "list webhooks", params=params)
        webhooks = [w for w in body.get("webhooks", []) if isinstance(w, dict)]
        return WebhookPage(webhooks, str(body.get("nextPageToken") or "") or None)

    def list_webhooks(self) -> list[dict[str, Any]]:
        """Return every webhook of the project, following the page tokens."""
        return all_pages(self.webhook_page)

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
