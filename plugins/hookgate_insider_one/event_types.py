"""Insider One deliveries → hookgate's normalised event types.

Insider forwards Meta's WhatsApp envelope, parsed by :mod:`hookgate.meta_whatsapp` (names
``message:<type>``, ``status:<status>``, ``error``, ``<field>:<event>``), plus shapes of its own
(seed 004):

* ``accepted`` — WhatsApp accepted the message Insider sent (``messages[].id``);
* ``send_error`` — WhatsApp refused the message: the Cloud API error ``{"error": …}`` or the
  On-Premise ``{"errors": […]}``. Typed ``message.failed``, not ``request.error``: seed 004
  sends them "if any error is received from WhatsApp related to your message", and the tracking
  ``key`` names that message;
* ``template_message`` — Insider sent a template message to Meta (its "Template Message
  Webhook Events"). Typed ``message.submitted``: it was handed to WhatsApp, not yet sent to
  the recipient (Meta's own ``status:sent`` follows).

``unrecognised`` (anything else) is not mapped: it is delivered as ``unknown``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from hookgate.plugin import META_EVENT_TYPES

EVENT_TYPE_MAP: Final[Mapping[str, str]] = {
    "accepted": "message.submitted",
    "send_error": "message.failed",
    "template_message": "message.submitted",
    **META_EVENT_TYPES,
}
