"""Keep Insider One's V2 OAuth2 webhook as hookgate.yaml declares it; push rotated credentials.

hookgate owns the V2 webhooks whose ``webhookUrl`` is the registration's URL. Insider lists
client secrets masked (``partner-whatsa********``): they are never compared and never written
back; updates send the secret from hookgate's own secret.

V1 has no read API (seed 004), so drift cannot be seen: the change is ``unmanaged`` (never
counted as drift), and an apply writes the declared settings (URL, ``isActive``, and the key
the provider must hold, ``versions[0]``); Insider saves them only after the webhook answered a
call carrying that key. Rotation re-saves them with the new key. The ``transactional`` V1 path is
[GUESS] (seed 004 shows the conversational one only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hookgate.plugin import (
    ConfigError,
    PlannedChange,
    ProviderWebhooks,
    Registration,
    SecretVersion,
    SecretVersions,
    WebhookPage,
    WebhookSync,
    using,
)
from hookgate_insider_one.client import InsiderClient
from hookgate_insider_one.settings import InsiderOneSettings

PROVIDER = "insider_one"
EVENTS = {"sent", "delivered", "read", "reply", "failed"}


def _settings(registration: Registration) -> InsiderOneSettings:
    return registration.settings_as(InsiderOneSettings)


def client_for(registration: Registration, credentials: SecretVersion | None) -> InsiderClient:
    """Return a client from the registration's settings and its API credentials."""
    if credentials is None:
        raise ConfigError(f"registration {registration.name!r}: api_secret is required for sync")
    settings = _settings(registration)
    values = {k: credentials.get(k) or "" for k in ("client_id", "client_secret", "ins_auth_key")}
    return InsiderClient(
        gateway_url=settings.gateway_url, v1_url=settings.v1_url, credentials=values
    )


def desired_webhook(
    registration: Registration, webhook_url: str, current: SecretVersion
) -> dict[str, Any]:
    """Return the V2 webhook body hookgate wants (camelCase, as Insider's CRUD takes it)."""
    settings = _settings(registration)
    oauth2 = registration.oauth2
    if oauth2 is None or settings.auth != "v2":
        raise ConfigError(
            f"registration {registration.name!r}: sync manages Insider V2 (oauth2) only"
        )
    events = sorted(registration.events)
    unknown = sorted(set(events) - EVENTS)
    if unknown or not events:
        raise ConfigError(
            f"registration {registration.name!r}: events must be among {sorted(EVENTS)}"
        )
    if settings.sub_product == "conversational" and "reply" not in events:
        raise ConfigError(
            f"registration {registration.name!r}: conversational webhooks need 'reply'"
        )
    return {
        "authType": "oauth2",
        "subProduct": settings.sub_product,
        "webhookUrl": webhook_url,
        "events": events,
        "oauth2": {
            "grantType": "client_credentials",
            "tokenUrl": webhook_url.split("/webhooks/", 1)[0] + "/oauth2/token",
            "clientId": registration.client_id,
            "clientSecret": current.get("client_secret"),
            "scopes": list(oauth2.scopes),
            "expiresIn": oauth2.expires_in,
        },
    }


class PhoneWebhooks(ProviderWebhooks[InsiderClient]):
    """A phone number's V2 OAuth2 webhooks, as the sync engine drives them.

    hookgate's is the first whose ``webhookUrl`` is the registration's URL; a second one was
    never deleted by hookgate and still is not (``removes_duplicates``).
    """

    provider = PROVIDER
    title = "Insider One"
    target_field = "webhookUrl"
    removes_duplicates = False

    def prepare(self) -> None:
        """Drive the phone number's webhooks towards :func:`desired_webhook` with the secret."""
        if self.secret is None:
            raise ConfigError(
                f"registration {self.registration!r}: its secret has no current version"
            )
        self.want = desired_webhook(self.declared, self.webhook_url, self.secret)
        self.phone = _phone(self.declared)

    def page(self, token: str | None) -> WebhookPage:
        """Return the phone number's webhooks (one page)."""
        return WebhookPage(self.client.list_webhooks(self.phone))

    def differences(self, webhook: Mapping[str, Any]) -> Mapping[str, Any]:
        """Return the names that differ (masked client secrets are never compared)."""
        names = []
        if sorted(webhook.get("events") or []) != self.want["events"]:
            names.append("events")
        theirs, ours = webhook.get("oauth2") or {}, self.want["oauth2"]
        names += [
            f"oauth2.{k}"
            for k in ("tokenUrl", "clientId", "scopes", "expiresIn")
            if theirs.get(k) != ours[k]
        ]
        return dict.fromkeys(names, True)

    def create(self) -> str | None:
        """Create the webhook; Insider answers its id as ``webhook``."""
        return str(self.client.create_webhook(self.phone, self.want).get("webhook"))

    def update(self, webhook: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
        """Replace the webhook with the desired body (Insider's PUT takes it whole)."""
        body = {k: v for k, v in self.want.items() if k != "subProduct"}
        self.client.update_webhook(self.phone, str(webhook["id"]), body)


V2 = WebhookSync(client_for, PhoneWebhooks)


def _reconcile_v1(
    registration: Registration,
    webhook_url: str,
    secrets: SecretVersions,
    credentials: SecretVersion | None,
    apply: bool,
    *,
    client: InsiderClient | None,
) -> PlannedChange:
    settings = _settings(registration)
    api_key = secrets.versions[0].get("api_key") if secrets.versions else None
    if not api_key:
        raise ConfigError(f"registration {registration.name!r}: its secret has no api_key")
    if credentials is None or not credentials.get("ins_auth_key"):
        raise ConfigError(f"registration {registration.name!r}: api_secret must hold ins_auth_key")
    change = PlannedChange(
        registration=registration.name,
        provider=PROVIDER,
        action="unmanaged",
        remote_id=f"v1/{settings.sub_product}",
        target=webhook_url,
        changed_fields=("webhookUrl", "isActive", "apiKey"),
        reason=(
            "Insider V1 settings have no read API, so drift cannot be seen; "
            "apply writes the declared settings"
        ),
    )
    if not apply:
        return change
    using(
        client,
        lambda: client_for(registration, credentials),
        lambda api: api.update_v1_settings(
            settings.sub_product, webhook_url, api_key, active=settings.active
        ),
    )
    return change.model_copy(update={"applied": True})


def _phone(registration: Registration) -> str:
    phone = _settings(registration).phone_number
    if not phone:
        raise ConfigError(f"registration {registration.name!r}: settings.phone_number is required")
    return phone


def reconcile(
    registration: Registration,
    webhook_url: str,
    secrets: SecretVersions,
    credentials: SecretVersion | None,
    apply: bool,
    *,
    client: InsiderClient | None = None,
) -> list[PlannedChange]:
    """Plan (and with ``apply``, make) the changes: V1 settings, or the V2 webhook."""
    if _settings(registration).auth == "v1":
        return [
            _reconcile_v1(registration, webhook_url, secrets, credentials, apply, client=client)
        ]
    return V2.reconcile(registration, webhook_url, secrets, credentials, apply, client=client)


def push_secret(
    registration: Registration,
    webhook_url: str,
    new_secret: SecretVersion,
    credentials: SecretVersion | None,
    *,
    client: InsiderClient | None = None,
) -> bool:
    """V1: re-save the settings with the new bearer key. V2: PUT the new client secret."""
    settings = _settings(registration)
    if settings.auth != "v1":
        return V2.push_secret(registration, webhook_url, new_secret, credentials, client=client)

    def resave(api: InsiderClient) -> bool:
        api_key = new_secret.get("api_key")
        if not api_key:
            return False
        api.update_v1_settings(settings.sub_product, webhook_url, api_key, active=settings.active)
        return True

    return using(client, lambda: client_for(registration, credentials), resave)
