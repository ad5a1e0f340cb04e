"""Settings of a Sinch Conversation API registration (the ``settings:`` block in hookgate.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SinchConversationSettings(BaseModel):
    """Which Sinch app the webhook belongs to and how strictly deliveries are checked."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    project_id: str = Field(min_length=1)
    app_id: str = Field(min_length=1)
    region: Literal["us", "eu", "br"] = "eu"
    # Sinch documents no tolerance for the signature timestamp [NOT FOUND]; 300 s is the
    # common choice for HMAC callback schemes.
    timestamp_tolerance_seconds: int = Field(default=300, ge=1, le=3600)
    require_signature: bool = True
    # Management API hosts (sync); settings so the same client talks to the sandbox.
    api_base_url: str | None = None  # default: https://{region}.conversation.api.sinch.com
    auth_url: str = "https://auth.sinch.com"
    # Seconds each management API call may take before it counts as failed (and is retried).
    api_timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    def api_url(self) -> str:
        """Return the Conversation API base URL for this registration's region."""
        return (self.api_base_url or f"https://{self.region}.conversation.api.sinch.com").rstrip(
            "/"
        )
