"""The ``settings:`` block of a ``sinch_provisioning`` registration in hookgate.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SignatureScheme = Literal["sinch_conversation_hmac"]
"""How Provisioning callbacks are signed. One value today; see :mod:`.schemes`.

ASSUMPTION: Sinch does not publish how Provisioning callbacks are signed (providers.md §2.6,
[NOT FOUND]). ``sinch_conversation_hmac`` is the Conversation API scheme, the most plausible
guess. When the real scheme is known, add its name here and its verifier in :mod:`.schemes`.
"""


class SinchProvisioningSettings(BaseModel):
    """Settings of one Sinch Provisioning webhook registration.

    ``project_id`` is the Sinch project whose webhook this is.
    ``timestamp_tolerance_seconds`` bounds how old (or how far in the future) a signature's
    timestamp may be. ``signature_scheme`` picks the verifier (see :data:`SignatureScheme`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    project_id: str = Field(min_length=1, max_length=128)
    timestamp_tolerance_seconds: int = Field(default=300, ge=30, le=3600)
    signature_scheme: SignatureScheme = "sinch_conversation_hmac"
    # Management API hosts (sync); settings so the same client talks to the sandbox.
    api_base_url: str = "https://provisioning.api.sinch.com"
    auth_url: str = "https://auth.sinch.com"
