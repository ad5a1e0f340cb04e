"""Settings of an Insider One registration (the ``settings:`` block in hookgate.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class InsiderOneSettings(BaseModel):
    """Which Insider One webhook API the registration uses."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    # v1: Insider calls with "Authorization: Bearer <apiKey>"; v2: with an OAuth2 access token
    # fetched from hookgate's token endpoint.
    auth: Literal["v1", "v2"] = "v1"
    sub_product: Literal["conversational", "transactional"] = "conversational"
    phone_number: str | None = None
    # V1 only: the settings' ``isActive`` (seed 004: "Option to turn on ... message sending").
    active: bool = True
    # Management API hosts (sync, rotation); settings so the same client talks to the sandbox.
    gateway_url: str = "https://gw.useinsider.com"
    v1_url: str = "https://whatsapp.useinsider.com"
