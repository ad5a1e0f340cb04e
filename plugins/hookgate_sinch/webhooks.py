"""What both Sinch webhook APIs share for the sync engine: update and delete by webhook id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from hookgate.plugin import ProviderWebhooks


class SinchWebhookCalls(Protocol):
    """The two webhook calls the Conversation and Provisioning clients make alike."""

    def update_webhook(self, webhook_id: str, fields: dict[str, Any]) -> Any:
        """PATCH ``fields`` of one webhook."""
        ...

    def delete_webhook(self, webhook_id: str) -> Any:
        """Delete one webhook."""
        ...


class SinchWebhooks[C: SinchWebhookCalls](ProviderWebhooks[C]):
    """A Sinch scope's webhooks, owned by ``target``; a subclass lists, diffs and creates."""

    title = "Sinch"

    def update(self, webhook: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
        """PATCH ``fields`` onto ``webhook``."""
        self.client.update_webhook(str(webhook["id"]), dict(fields))

    def delete(self, webhook: Mapping[str, Any]) -> None:
        """Delete a duplicate."""
        self.client.delete_webhook(str(webhook["id"]))
