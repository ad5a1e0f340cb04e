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

from typing import Any

from hookgate.errors import ConfigError
from hookgate.models import Registration, SecretVersion, SecretVersions
from hookgate.sync_models import PlannedChange
from hookgate_insider_one.client import InsiderClient
from hookgate_insider_one.settings import InsiderOneSettings

PROVIDER = "insider_one"
EVENTS = {"sent", "delivered", "read", "reply", "failed"}


def _settings(registration: Registration) -> InsiderOneSettings:
    settings = registration.settings
    if not isinstance(settings, InsiderOneSettings):
        raise TypeError(f"registration {registration.name!r} has no Insider One settings")
    return settings


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


def _differs(remote: dict[str, Any], want: dict[str, Any]) -> tuple[str, ...]:
    fields = []
    if sorted(remote.get("events") or []) != want["events"]:
        fields.append("events")
    theirs, ours = remote.get("oauth2") or {}, want["oauth2"]
    fields += [
        f"oauth2.{k}"
        for k in ("tokenUrl", "clientId", "scopes", "expiresIn")
        if theirs.get(k) != ours[k]
    ]
    return tuple(fields)


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
    if client is None:
        with client_for(registration, credentials) as owned_client:
            return _reconcile_v1(
                registration, webhook_url, secrets, credentials, True, client=owned_client
            )
    client.update_v1_settings(settings.sub_product, webhook_url, api_key, active=settings.active)
    return change.model_copy(update={"applied": True})


def reconcile(
    registration: Registration,
    webhook_url: str,
    secrets: SecretVersions,
    credentials: SecretVersion | None,
    apply: bool,
    *,
    client: InsiderClient | None = None,
) -> list[PlannedChange]:
    """Plan (and with ``apply``, make) the changes that bring the V2 webhook in line."""
    if _settings(registration).auth == "v1":
        return [
            _reconcile_v1(registration, webhook_url, secrets, credentials, apply, client=client)
        ]
    if not secrets.versions:
        raise ConfigError(f"registration {registration.name!r}: its secret has no current version")
    want = desired_webhook(registration, webhook_url, secrets.versions[0])
    phone = _settings(registration).phone_number
    if not phone:
        raise ConfigError(f"registration {registration.name!r}: settings.phone_number is required")
    if client is None:
        with client_for(registration, credentials) as owned_client:
            return reconcile(
                registration, webhook_url, secrets, credentials, apply, client=owned_client
            )
    base = {"registration": registration.name, "provider": PROVIDER, "target": webhook_url}
    owned = [w for w in client.list_webhooks(phone) if w.get("webhookUrl") == webhook_url]
    if not owned:
        change = PlannedChange(action="create", reason="no webhook targets this URL", **base)
        if apply:
            answer = client.create_webhook(phone, want)
            change = change.model_copy(
                update={"applied": True, "remote_id": str(answer.get("webhook"))}
            )
        return [change]
    remote = owned[0]
    remote_id = str(remote.get("id"))
    fields = _differs(remote, want)
    if not fields:
        return [PlannedChange(action="unchanged", remote_id=remote_id, reason="matches", **base)]
    change = PlannedChange(
        action="update",
        remote_id=remote_id,
        changed_fields=fields,
        reason="differs from hookgate.yaml",
        **base,
    )
    if apply:
        client.update_webhook(
            phone, remote_id, {k: v for k, v in want.items() if k != "subProduct"}
        )
        change = change.model_copy(update={"applied": True})
    return [change]


def push_secret(
    registration: Registration,
    webhook_url: str,
    new_secret: SecretVersion,
    credentials: SecretVersion | None,
    *,
    client: InsiderClient | None = None,
) -> bool:
    """V1: re-save the settings with the new bearer key. V2: PUT the new client secret."""
    if client is None:
        with client_for(registration, credentials) as owned_client:
            return push_secret(
                registration, webhook_url, new_secret, credentials, client=owned_client
            )
    settings = _settings(registration)
    if settings.auth == "v1":
        api_key = new_secret.get("api_key")
        if not api_key:
            return False
        client.update_v1_settings(
            settings.sub_product, webhook_url, api_key, active=settings.active
        )
        return True
    phone = settings.phone_number
    if not phone:
        raise ConfigError(f"registration {registration.name!r}: settings.phone_number is required")
    owned = [w for w in client.list_webhooks(phone) if w.get("webhookUrl") == webhook_url]
    if not owned:
        return False
    want = desired_webhook(registration, webhook_url, new_secret)
    client.update_webhook(
        phone, str(owned[0]["id"]), {k: v for k, v in want.items() if k != "subProduct"}
    )
    return True
