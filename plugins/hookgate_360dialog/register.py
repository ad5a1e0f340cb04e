"""Keep a 360dialog webhook as hookgate.yaml declares it (phone webhook or a multi destination).

Ownership: the phone number's (or the WABA's) webhook is hookgate's when its URL is the
registration's URL; a multi-webhook destination is hookgate's when it carries hookgate's name
for the registration. A phone or WABA webhook pointing elsewhere is never overwritten. The
custom header value of a phone or WABA webhook cannot be read back (seed 003 shows none), so
sync sets it when it creates and rotation replaces it.

The plan says what 360dialog will actually deliver (seed 003, providers.md §4.3):

* ``channel: waba`` with ``override_all: false`` reaches only numbers without a phone webhook
  of their own. When the API key's number has one pointing elsewhere, nothing of that number
  would reach hookgate: sync refuses (an error, not an applied create).
* ``channel: waba`` with ``override_all: true`` replaces every number's phone webhook; a number
  whose phone webhook points elsewhere again is drift (``override_all``), fixed by re-applying.
* ``channel: multi``: 360dialog clones a notification to the extra destinations only after the
  main webhook (the phone webhook, else the WABA one) answered 200. Without a main webhook the
  destination receives nothing: sync refuses; otherwise the plan names the main webhook's host.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from hookgate.plugin import (
    Action,
    ConfigError,
    ProviderWebhooks,
    Registration,
    SecretVersion,
    WebhookPage,
    WebhookSync,
)
from hookgate_360dialog.client import Dialog360Client
from hookgate_360dialog.settings import Dialog360Settings

MAX_DESTINATIONS = 3
PROVIDER = "360dialog"


def _settings(registration: Registration) -> Dialog360Settings:
    return registration.settings_as(Dialog360Settings)


def client_for(registration: Registration, credentials: SecretVersion | None) -> Dialog360Client:
    """Return a client from the registration's settings and its API key (``api_key``)."""
    api_key = credentials.get("api_key") if credentials else None
    if not api_key:
        raise ConfigError(f"registration {registration.name!r}: api_secret must hold api_key")
    return Dialog360Client(api_url=_settings(registration).api_base_url, api_key=api_key)


def destination_name(registration: Registration) -> str:
    """Return the multi-webhook destination name hookgate uses for ``registration``."""
    return _settings(registration).destination_name or f"hookgate-{registration.name}"


def _headers(registration: Registration, secret: SecretVersion | None) -> dict[str, str]:
    token = secret.get("header_token") if secret else None
    if not token:
        raise ConfigError(f"registration {registration.name!r}: no header_token to set")
    return {_settings(registration).auth_header: token}


def _coverage(
    registration: Registration, webhook_url: str, client: Dialog360Client
) -> tuple[str, str]:
    """Return ``(changed field or "", note)``: what the WABA webhook does for this number.

    Raises ConfigError when, with ``override_all: false``, the number keeps a phone webhook
    pointing elsewhere: 360dialog would deliver nothing of it to hookgate.
    """
    phone_url = str(client.phone_webhook().get("url") or "")
    if _settings(registration).override_all:
        note = "override_all: every Cloud API number of the WABA delivers here"
        # [GUESS] a number's phone webhook reads back as the WABA URL once override_all applied.
        if phone_url and phone_url != webhook_url:
            return "override_all", f"{note}; this number's phone webhook points elsewhere"
        return "", note
    if phone_url and phone_url != webhook_url:
        raise ConfigError(
            f"registration {registration.name!r}: the number has its own phone webhook "
            "pointing elsewhere and override_all is false, so 360dialog keeps delivering there "
            "and nothing reaches hookgate (clear it, or set override_all: true)"
        )
    return "", "numbers without a phone webhook of their own deliver here"


class _Dialog360Webhooks(ProviderWebhooks[Dialog360Client]):
    provider = PROVIDER
    title = "360dialog"

    def prepare(self) -> None:
        """Read the channel and the destination name from the registration."""
        self.settings = _settings(self.declared)
        self.channel = self.settings.channel
        self.name = destination_name(self.declared)
        self._coverage: tuple[str, str] | None = None

    def headers(self) -> dict[str, str]:
        """Return the custom header 360dialog must send (the secret's ``header_token``)."""
        return _headers(self.declared, self.secret)

    def secret_fields(self) -> Mapping[str, Any] | None:
        """Check there is a header token to give (raising before any call); writes set it."""
        self.headers()
        return {}


class SingleWebhook(_Dialog360Webhooks):
    """The phone number's (or the WABA's) one webhook, hookgate's when it targets its URL."""

    limit = None
    target_field = "url"
    missing_reason = "no webhook is set"

    def planned_id(self) -> str | None:
        """Return the channel (``phone`` or ``waba``): the webhook's only name."""
        return self.channel

    def coverage(self) -> tuple[str, str]:
        """Return (once) what the WABA webhook does for this number: see :func:`_coverage`."""
        if self.channel != "waba":
            return "", ""
        if self._coverage is None:
            self._coverage = _coverage(self.declared, self.webhook_url, self.client)
        return self._coverage

    def page(self, token: str | None) -> WebhookPage:
        """Return the one webhook (none when its URL is empty)."""
        if self.channel == "waba":
            url = str(self.client.waba_webhook().get("url") or "")
        else:
            url = str(self.client.phone_webhook().get("url") or "")
        return WebhookPage([{"id": self.channel, "url": url}] if url else [])

    def refusal(self, existing: list[dict[str, Any]]) -> str | None:
        """Refuse to overwrite a webhook that points elsewhere."""
        if not existing:
            return None
        return (
            f"the {self.channel} webhook points elsewhere; hookgate does not own it "
            "(clear it, or use channel: multi)"
        )

    def differences(self, webhook: Mapping[str, Any]) -> Mapping[str, Any]:
        """Return ``override_all`` when a number's phone webhook escapes the WABA webhook."""
        changed, _ = self.coverage()
        return {changed: True} if changed else {}

    def note(self, action: Action) -> str:
        """Say which numbers deliver here; a WABA write takes 360dialog 15-20 seconds."""
        _, note = self.coverage()
        if self.channel == "waba" and action in ("create", "update"):
            return f"{note} (360dialog applies it within 15-20 seconds)"
        return note

    def create(self) -> str | None:
        """Set the webhook to hookgate's URL with the custom header."""
        self.write()
        return self.channel

    def update(self, webhook: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
        """Set the webhook again (with ``override_all`` as declared, and the header)."""
        self.write()

    def write(self) -> None:
        """Set the phone or WABA webhook to hookgate's URL with the custom header."""
        if self.channel == "waba":
            self.client.set_waba_webhook(
                self.webhook_url, self.headers(), override_all=self.settings.override_all
            )
        else:
            self.client.set_phone_webhook(self.webhook_url, self.headers())


class Destinations(_Dialog360Webhooks):
    """The multi-webhook destinations; hookgate's is the one carrying its name."""

    limit = MAX_DESTINATIONS
    missing_reason = "no destination of ours"

    scope = "the number"

    def planned_id(self) -> str | None:
        """Return hookgate's destination name (:func:`destination_name`)."""
        return self.name

    def page(self, token: str | None) -> WebhookPage:
        """Return every destination."""
        return WebhookPage(self.client.destinations())

    def owns(self, webhook: Mapping[str, Any]) -> bool:
        """Return True for the destination carrying hookgate's name for the registration."""
        return webhook.get("name") == self.name

    def remote_id(self, webhook: Mapping[str, Any]) -> str | None:
        """Return the destination's name (360dialog has no other id)."""
        return self.name

    def differences(self, webhook: Mapping[str, Any]) -> Mapping[str, Any]:
        """Return the URL when the destination points elsewhere."""
        return {} if webhook.get("url") == self.webhook_url else {"url": self.webhook_url}

    def note(self, action: Action) -> str:
        """Name the main webhook the destination depends on; refuse when there is none."""
        main = str(self.client.phone_webhook().get("url") or "") or str(
            self.client.waba_webhook().get("url") or ""
        )
        if not main:
            raise ConfigError(
                f"registration {self.registration!r}: the number has no main webhook; 360dialog "
                "sends extra destinations a copy only after the main webhook answered 200, so "
                "this destination would receive nothing (set the phone or WABA webhook first)"
            )
        return f"served while the main webhook ({urlsplit(main).hostname or '?'}) answers 200"

    def create(self) -> str | None:
        """Add hookgate's destination (enabling multi-webhook when needed)."""
        self.client.add_destination(self.name, self.webhook_url, self.headers())
        return self.name

    def update(self, webhook: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
        """Set the destination's URL and header."""
        self.client.update_destination(self.name, self.webhook_url, self.headers())


def webhooks(
    client: Dialog360Client,
    registration: Registration,
    webhook_url: str,
    secret: SecretVersion | None,
) -> SingleWebhook | Destinations:
    """Return the webhook API the registration's ``channel`` uses."""
    if _settings(registration).channel in ("phone", "waba"):
        return SingleWebhook(client, registration, webhook_url, secret)
    return Destinations(client, registration, webhook_url, secret)


SYNC = WebhookSync(client_for, webhooks)
reconcile = SYNC.reconcile
push_secret = SYNC.push_secret
