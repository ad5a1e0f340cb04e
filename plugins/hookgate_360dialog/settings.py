"""Settings of a 360dialog registration (the ``settings:`` block in hookgate.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Dialog360Settings(BaseModel):
    """How a 360dialog webhook is set up and authenticated."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    # The custom header the registration sets on the webhook (360dialog sends it verbatim).
    auth_header: str = Field(default="x-hookgate-token", min_length=1, max_length=128)
    channel: Literal["phone", "waba", "multi"] = "phone"
    destination_name: str | None = None
    waba_id: str | None = None
    # channel "waba" only: false sets the WABA webhook for numbers without a phone-number
    # webhook; true applies it to every Cloud API number of the WABA (seed 003).
    override_all: bool = False
    phone_number: str | None = None
    require_partner_signature: bool = False
    # Management API host (sync); a setting so the same client talks to the sandbox.
    api_base_url: str = "https://waba-v2.360dialog.io"

    @field_validator("auth_header")
    @classmethod
    def _lower_case(cls, value: str) -> str:
        return value.strip().lower()
