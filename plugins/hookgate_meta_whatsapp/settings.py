"""Settings of a ``meta_whatsapp`` registration (the ``settings:`` block in hookgate.yaml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MetaWhatsAppSettings(BaseModel):
    """Optional facts about the Meta app; verification needs none of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The Meta app the webhook belongs to, for people reading hookgate.yaml.
    app_id: str | None = Field(default=None, pattern=r"^[0-9]{1,32}$")
