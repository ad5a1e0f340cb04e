"""Settings of a ``meta_whatsapp`` registration (the ``settings:`` block in hookgate.yaml)."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class MetaWhatsAppSettings(BaseModel):
    """Facts about the Meta app; verification needs none of them, sync needs ``app_id``."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    # The Meta app the webhook belongs to.
    app_id: str | None = Field(default=None, pattern=r"^[0-9]{1,32}$")
    # true: sync keeps the app's whatsapp_business_account subscription pointed at hookgate
    # (Graph API /{app-id}/subscriptions); false: it is set by hand and sync reports unmanaged.
    sync_subscription: bool = False
    # Graph API base (with its version); a setting so the same client talks to the sandbox.
    graph_api_url: str = "https://graph.facebook.com/v21.0"

    @model_validator(mode="after")
    def _sync_needs_the_app(self) -> Self:
        if self.sync_subscription and not self.app_id:
            raise ValueError("sync_subscription needs app_id")
        return self
