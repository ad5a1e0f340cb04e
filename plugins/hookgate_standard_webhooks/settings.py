"""Settings of a ``standard_webhooks`` registration (the ``settings:`` block in hookgate.yaml)."""

from __future__ import annotations

from pydantic import Field

from hookgate.plugin import GenericEventSettings


class StandardWebhooksSettings(GenericEventSettings):
    """How old a signed ``webhook-timestamp`` may be, and where the event's name is.

    The specification recommends a tolerance of five minutes; the default ``event_type_path``
    (``type``) is where the specification's payload structure puts the event name. The event is
    keyed by ``webhook-id``, which the specification keeps the same across retries.
    """

    timestamp_tolerance_seconds: int = Field(default=300, ge=1, le=3600)
