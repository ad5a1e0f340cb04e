"""What the inspector may show of a request: secret-bearing values replaced by a fixed mask.

Two layers, both applied to everything the inspector serves:

1. By name. A header (or query parameter) is secret-bearing when its name is on its provider's
   list (:data:`PROVIDER_HEADERS`, plus any header a registration's settings name, such as
   360dialog's ``auth_header``), or contains one of :data:`GENERIC_WORDS` (authorization,
   signature, token, key, cookie, ...). Its value is shown as :data:`MASK`, whatever it was.
2. By value. Every string served is searched for the secret values the local stack holds (each
   version of each secret, the sandboxes' API keys); any found is replaced by :data:`MASK`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

MASK = "••••••••"
# A value shorter than this is not searched for: masking "1" everywhere would hide the page.
MIN_SECRET_LENGTH = 8

GENERIC_WORDS = (
    "authorization",
    "signature",
    "token",
    "key",
    "cookie",
    "secret",
    "hmac",
    "password",
    "credential",
)
"""A header or query parameter whose name contains one of these carries a credential."""

PROVIDER_HEADERS: Mapping[str, tuple[str, ...]] = {
    "sinch_conversation": ("x-sinch-webhook-signature",),
    "sinch_provisioning": ("x-sinch-webhook-signature",),
    "360dialog": ("x-360dialog-signature",),  # and the registration's auth_header
    "insider_one": ("authorization",),
    "meta_whatsapp": ("x-hub-signature", "x-hub-signature-256"),
    "standard_webhooks": ("webhook-signature",),
    "hmac": (),  # the registration's signature_header
}
"""Each built-in provider's secret-bearing headers (a provider not listed: the generic rule)."""


def headers_named_by(settings: Mapping[str, Any]) -> set[str]:
    """Return the header names a registration's settings declare (``auth_header`` and the like)."""
    return {
        str(value).lower()
        for key, value in settings.items()
        if key.endswith("_header") and isinstance(value, str) and value
    }


def secret_bearing(name: str, listed: Collection[str] = ()) -> bool:
    """Return whether a header or parameter called ``name`` may carry a credential."""
    lowered = name.lower()
    return lowered in listed or any(word in lowered for word in GENERIC_WORDS)


def listed_headers(provider: str | None, settings: Mapping[str, Any]) -> set[str]:
    """Return the secret-bearing header names of ``provider`` with these registration settings."""
    return set(PROVIDER_HEADERS.get(provider or "", ())) | headers_named_by(settings)


def redact_pairs(
    pairs: Iterable[tuple[str, str]], listed: Collection[str] = ()
) -> list[dict[str, Any]]:
    """Return ``pairs`` as ``{name, value, redacted}`` rows, secret-bearing values masked."""
    rows = []
    for name, value in pairs:
        hidden = secret_bearing(name, listed)
        rows.append({"name": name, "value": MASK if hidden else value, "redacted": hidden})
    return rows


class SecretGuard:
    """Replaces every known secret value in data about to be served."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        """Guard against ``values`` (those shorter than MIN_SECRET_LENGTH are ignored)."""
        self._values: tuple[str, ...] = ()
        self.update(values)

    def update(self, values: Iterable[str]) -> None:
        """Replace the values guarded against; the longest are replaced first."""
        kept = {v for v in values if len(v) >= MIN_SECRET_LENGTH}
        self._values = tuple(sorted(kept, key=len, reverse=True))

    def clean(self, data: Any) -> Any:
        """Return ``data`` (JSON-ready: dicts, lists, strings, numbers) with secrets masked."""
        if isinstance(data, str):
            for value in self._values:
                if value in data:
                    data = data.replace(value, MASK)
            return data
        if isinstance(data, Mapping):
            return {self.clean(str(k)): self.clean(v) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.clean(item) for item in data]
        return data
