"""How many events a delivered body must become, counted from docs/events.md, not the parsers.

The audit of the local stack takes the events it expects from the plugins' own parsers, so a
parser that drops an item would agree with itself. This count is a second opinion written from
the documented rules: Sinch callbacks carry one event each; Meta's envelope gives one event per
``messages[]``, ``statuses[]`` and ``errors[]`` item of a ``messages`` change (one ``messages``
event when the change has no item list), one per item of ``smb_message_echoes``
(``message_echoes[]``), ``calls`` (``calls[]`` and ``statuses[]``) and ``user_preferences``
(``user_preferences[]``) changes that have their list, and one per change of any other field;
360dialog's
On-Premise shape one per item; Insider's own shapes one per accepted message or error item,
none for an empty body or ``{}``, and anything else one event.
"""

from __future__ import annotations

import json
from typing import Any

ITEM_LISTS = ("messages", "statuses", "errors")
FIELD_LISTS = {
    "smb_message_echoes": ("message_echoes",),
    "calls": ("calls", "statuses"),
    "user_preferences": ("user_preferences",),
}


def _envelope_count(body: dict[str, Any]) -> int:
    count = 0
    for entry in body["entry"]:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            lists = FIELD_LISTS.get(change.get("field"), ())
            if any(isinstance(value.get(k), list) for k in lists):
                count += sum(len(value.get(k) or []) for k in lists)
            elif change.get("field") != "messages":
                count += 1
            elif any(isinstance(value.get(k), list) for k in ITEM_LISTS):
                count += sum(len(value.get(k) or []) for k in ITEM_LISTS)
            else:
                count += 1
    return count


def documented_event_count(provider: str, body_text: str) -> int:
    """Return how many events ``provider``'s delivery of ``body_text`` must publish."""
    if provider in {"sinch_conversation", "sinch_provisioning"}:
        return 1
    body: Any = json.loads(body_text) if body_text.strip() else {}
    if provider == "insider_one" and body == {}:
        return 0
    if isinstance(body.get("entry"), list):
        return _envelope_count(body)
    if provider == "insider_one":
        if isinstance(body.get("error"), dict):
            return 1
        if isinstance(body.get("errors"), list):
            return len(body["errors"])
        if isinstance(body.get("messages"), list) and "contacts" in body:
            return len(body["messages"])
        return 1
    lists = [k for k in ITEM_LISTS if isinstance(body.get(k), list)]
    return sum(len(body[k]) for k in lists) if lists else 1
