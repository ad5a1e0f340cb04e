"""Keep the Meta app's WhatsApp webhook subscription pointed at hookgate (``sync_subscription``).

An app has at most one subscription per object; WhatsApp's is ``whatsapp_business_account``.
hookgate owns it when its ``callback_url`` is the registration's URL: then sync keeps its
``fields`` as the registration's ``events`` declare (``messages`` when none are). One pointing
elsewhere is never touched: sync refuses rather than take it over. Subscriptions of other
objects are not looked at. Meta never returns the verify token, so it is not compared; a create
or update sends the current ``verify_token`` and Meta checks it at once with its verification
request, which the registration's handshake answers. The app access token is made from the
current ``app_secret`` (``{app-id}|{app-secret}``), so no ``api_secret`` is needed.

Whether a POST for an existing subscription drops fields it does not list is [NOT FOUND] in
Meta's text; the sandbox replaces the list, and sync always sends the whole list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from hookgate.plugin import (
    ConfigError,
    PlannedChange,
    ProviderWebhooks,
    Registration,
    SecretVersion,
    SecretVersions,
    WebhookPage,
    WebhookSync,
)
from hookgate_meta_whatsapp.client import PROVIDER, GraphSubscriptionsClient
from hookgate_meta_whatsapp.settings import MetaWhatsAppSettings

OBJECT: Final = "whatsapp_business_account"
DEFAULT_FIELDS: Final = ("messages",)


def _settings(registration: Registration) -> MetaWhatsAppSettings:
    return registration.settings_as(MetaWhatsAppSettings)


def _current(registration: Registration, secret: SecretVersion | None, key: str) -> str:
    value = secret.get(key) if secret else None
    if not value:
        raise ConfigError(f"registration {registration.name!r}: its secret has no {key}")
    return value


def client_for(registration: Registration, secrets: SecretVersions) -> GraphSubscriptionsClient:
    """Return a client authenticated with the app access token of the current app secret."""
    settings = _settings(registration)
    current = secrets.versions[0] if secrets.versions else None
    return GraphSubscriptionsClient(
        api_url=settings.graph_api_url,
        app_id=settings.app_id or "",
        app_secret=_current(registration, current, "app_secret"),
    )


class AppSubscription(ProviderWebhooks[GraphSubscriptionsClient]):
    """The app's ``whatsapp_business_account`` subscription, as the sync engine drives it."""

    provider = PROVIDER
    title = "Meta"
    target_field = "callback_url"

    def prepare(self) -> None:
        """Subscribe the declared events (``messages`` when none are); the secret's token."""
        self.fields = sorted(self.declared.events) or list(DEFAULT_FIELDS)

    def page(self, token: str | None) -> WebhookPage:
        """Return the subscription of the WhatsApp object, if the app has one."""
        return WebhookPage([s for s in self.client.subscriptions() if s.get("object") == OBJECT])

    def remote_id(self, webhook: Mapping[str, Any]) -> str | None:
        """Return the object name: a subscription has no other id."""
        return OBJECT

    def planned_id(self) -> str | None:
        """Return the object name the created subscription will carry."""
        return OBJECT

    def refusal(self, existing: list[dict[str, Any]]) -> str | None:
        """Refuse to take over another callback's subscription, or to create without a token.

        Meta's verification request carries the verify token: without one it cannot pass.
        """
        if existing:
            return (
                f"the app's {OBJECT} subscription delivers to another callback URL; hookgate "
                "does not own it (remove it in the App Dashboard, or point it here by hand)"
            )
        if not (self.secret and self.secret.get("verify_token")):
            return "its secret has no verify_token"
        return None

    def differences(self, webhook: Mapping[str, Any]) -> Mapping[str, Any]:
        """Return ``fields`` when the subscribed field names differ from the declared ones."""
        listed = webhook.get("fields") or []
        names = sorted(str(f.get("name")) for f in listed if isinstance(f, Mapping))
        return {} if names == self.fields else {"fields": self.fields}

    def create(self) -> str | None:
        """Subscribe the app's WhatsApp object to hookgate's URL."""
        self.write()
        return OBJECT

    def update(self, webhook: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
        """Post the subscription again with the declared fields."""
        self.write()

    def write(self) -> None:
        """POST the subscription: Meta verifies the callback with the current verify token."""
        token = _current(self.declared, self.secret, "verify_token")
        self.client.subscribe(OBJECT, self.webhook_url, self.fields, token)


def unmanaged(registration: Registration, webhook_url: str) -> PlannedChange:
    """Return the plan for a registration whose subscription is set by hand."""
    return PlannedChange(
        registration=registration.name,
        provider=PROVIDER,
        action="unmanaged",
        target=webhook_url,
        reason="settings.sync_subscription is false: the app's subscription is set by hand",
    )


def reconcile(
    registration: Registration,
    webhook_url: str,
    secrets: SecretVersions,
    apply: bool,
    *,
    client: GraphSubscriptionsClient | None = None,
) -> list[PlannedChange]:
    """Plan (and with ``apply``, make) the change that points the subscription at hookgate."""
    if not _settings(registration).sync_subscription:
        return [unmanaged(registration, webhook_url)]
    sync = WebhookSync(lambda declared, _: client_for(declared, secrets), AppSubscription)
    return sync.reconcile(registration, webhook_url, secrets, None, apply, client=client)


def push_secret(
    registration: Registration,
    webhook_url: str,
    new_secret: SecretVersion,
    secrets: SecretVersions,
    *,
    client: GraphSubscriptionsClient | None = None,
) -> bool:
    """Post hookgate's subscription with ``new_secret``'s verify token (rotation's setSecret).

    Meta verifies the callback with the new token before it keeps the subscription, so this
    returns only once the token is in use; False when the app has no subscription of
    hookgate's (the token then matters only at the next subscription, which sync makes with
    it). Raises ConfigError when the subscription is set by hand: the token cannot be changed
    at Meta from here, and the rotation must not finish as if it had been.
    """
    if not _settings(registration).sync_subscription:
        raise ConfigError(
            f"registration {registration.name!r}: the verify token is set by hand in the App "
            "Dashboard (settings.sync_subscription is false), so hookgate cannot rotate it"
        )
    sync = WebhookSync(lambda declared, _: client_for(declared, secrets), AppSubscription)
    return sync.push_secret(registration, webhook_url, new_secret, None, client=client)
