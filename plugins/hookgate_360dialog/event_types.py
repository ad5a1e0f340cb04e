"""360dialog (Meta WhatsApp Cloud API payloads) → hookgate's normalised event types.

360dialog forwards Meta's payloads unchanged (providers.md §4.4), so the names are those of
:mod:`hookgate.meta_whatsapp` (``message:<type>``, ``status:<status>``, ``error``,
``<field>:<event>``) and the map is Meta's. A body that is no WhatsApp payload at all is
``unrecognised`` (not mapped: delivered as ``unknown``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from hookgate.plugin import META_EVENT_TYPES

EVENT_TYPE_MAP: Final[Mapping[str, str]] = dict(META_EVENT_TYPES)
