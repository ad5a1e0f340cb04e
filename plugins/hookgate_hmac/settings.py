"""Settings of an ``hmac`` registration: how the sender signs (the ``settings:`` block)."""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from hookgate.plugin import GenericEventSettings

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_HEADER_NAME = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$"


class HmacSettings(GenericEventSettings):
    """One sender's HMAC scheme: header, algorithm, encoding, prefix and what is signed.

    ``signed_payload`` is ``{body}`` (the raw body alone) or a template holding ``{body}`` once
    and optionally ``{timestamp}`` (the ``timestamp_header``'s value as sent), for example
    ``v0:{timestamp}:{body}``. A template with ``{timestamp}`` needs ``timestamp_header``; the
    timestamp (unix seconds) must then be within ``timestamp_tolerance_seconds`` of now.
    """

    signature_header: str = Field(pattern=_HEADER_NAME)
    algorithm: Literal["sha1", "sha256", "sha512"] = "sha256"
    encoding: Literal["hex", "base64"] = "hex"
    prefix: str = Field(default="", max_length=32)
    signed_payload: str = Field(default="{body}", min_length=6, max_length=200)
    timestamp_header: str | None = Field(default=None, pattern=_HEADER_NAME)
    timestamp_tolerance_seconds: int = Field(default=300, ge=1, le=3600)
    # Header holding the sender's delivery id (GitHub: x-github-delivery), to key the event.
    event_id_header: str | None = Field(default=None, pattern=_HEADER_NAME)

    @field_validator("signature_header", "timestamp_header", "event_id_header")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.lower() if value is not None else None

    @model_validator(mode="after")
    def _template(self) -> Self:
        names = _PLACEHOLDER.findall(self.signed_payload)
        strays = sorted(set(names) - {"body", "timestamp"})
        if strays:
            raise ValueError(f"signed_payload: unknown placeholder(s) {strays}")
        if names.count("body") != 1:
            raise ValueError("signed_payload must hold {body} exactly once")
        uses_timestamp = "timestamp" in names
        if uses_timestamp and self.timestamp_header is None:
            raise ValueError("signed_payload uses {timestamp}: set timestamp_header")
        if not uses_timestamp and self.timestamp_header is not None:
            raise ValueError("timestamp_header is set but signed_payload has no {timestamp}")
        return self

    @property
    def signs_timestamp(self) -> bool:
        """Return whether the signed payload includes the timestamp header."""
        return self.timestamp_header is not None
