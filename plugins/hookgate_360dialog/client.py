"""360dialog webhook configuration client (seed 003, providers.md §4.3).

Every call sends ``D360-API-KEY``; errors are ``{"error": "..."}`` bodies. The phone-number
webhook is ``/v1/configs/webhook``, the WABA-level one ``/waba_webhook``; extra destinations live
under ``/multi_webhook``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from hookgate.plugin import ProviderClient

PROVIDER = "360dialog"


class Dialog360Client(ProviderClient):
    """The webhook settings of one 360dialog API key (one phone number)."""

    provider = PROVIDER

    def __init__(
        self,
        *,
        api_url: str,
        api_key: str,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Create a client; ``http`` may be injected."""
        super().__init__(http=http, sleep=sleep)
        self._api = api_url.rstrip("/")
        self._api_key = api_key

    def auth_headers(self) -> dict[str, str]:
        """Return the ``D360-API-KEY`` header."""
        return {"D360-API-KEY": self._api_key}

    def error_fields(self, body: Mapping[str, Any], reason: str) -> tuple[str | None, str] | None:
        """Read 360dialog's ``{"error": "..."}`` (or ``{"message": "..."}``) error body."""
        return None, str(body.get("error") or body.get("message") or reason)

    def _call(self, method: str, path: str, operation: str, **kwargs: Any) -> Any:
        return self.call(method, f"{self._api}{path}", operation, **kwargs)

    def phone_webhook(self) -> dict[str, Any]:
        """Return the phone number's webhook (``{"url": ...}``)."""
        body: dict[str, Any] = self._call("GET", "/v1/configs/webhook", "read the webhook")
        return body

    def set_phone_webhook(self, url: str, headers: dict[str, str]) -> None:
        """Set the phone number's webhook URL and its custom headers."""
        self._call(
            "POST", "/v1/configs/webhook", "set the webhook", json={"url": url, "headers": headers}
        )

    def waba_webhook(self) -> dict[str, Any]:
        """Return the WABA-level webhook (``{"url": ..., "waba_id": ...}``)."""
        body: dict[str, Any] = self._call("GET", "/waba_webhook", "read the WABA webhook")
        return body

    def set_waba_webhook(self, url: str, headers: dict[str, str], *, override_all: bool) -> None:
        """Set the WABA-level webhook; 360dialog applies it within 15-20 seconds."""
        self._call(
            "POST",
            "/waba_webhook",
            "set the WABA webhook",
            json={"url": url, "headers": headers, "override_all": override_all},
        )

    def destinations(self) -> list[dict[str, Any]]:
        """Return the multi-webhook destinations."""
        body = self._call("GET", "/multi_webhook", "list destinations")
        return [d for d in body.get("destinations", []) if isinstance(d, dict)]

    def add_destination(self, name: str, url: str, headers: dict[str, str]) -> None:
        """Enable multi-webhook if needed and add a destination."""
        destination = {"name": name, "url": url, "headers": headers}
        if self._call("GET", "/multi_webhook", "read multi-webhook").get("enabled"):
            self._call(
                "PUT", "/multi_webhook", "add a destination", json={"destinations": [destination]}
            )
        else:
            self._call(
                "POST",
                "/multi_webhook",
                "enable multi-webhook",
                json={"enabled": True, "destinations": [destination]},
            )

    def update_destination(self, name: str, url: str, headers: dict[str, str]) -> None:
        """Change a destination's URL and headers."""
        self._call(
            "PATCH",
            "/multi_webhook",
            "update a destination",
            json={"name": name, "url": url, "headers": headers},
        )

    def delete_destination(self, name: str) -> None:
        """Delete the destination ``name`` (multi-webhook must be enabled)."""
        self._call("DELETE", f"/multi_webhook/{quote(name, safe='')}", "delete a destination")
