"""Keep a Sinch Provisioning project's webhook as hookgate.yaml declares it.

hookgate owns exactly the webhooks whose ``target`` is the registration's URL. The project limit
of 15 webhooks (seed 001) is checked before anything is created. Responses never include the
secret (seeds 000/001), so sync sets it on create and rotation PATCHes it; sync never rewrites it.
"""

from __future__ import annotations

from hookgate.errors import ConfigError
from hookgate.models import Registration, SecretVersion, SecretVersions
from hookgate.sync_models import PlannedChange
from hookgate.targeted_webhooks import TargetedWebhooks
from hookgate_sinch_provisioning.client import SinchProvisioningClient
from hookgate_sinch_provisioning.settings import SinchProvisioningSettings

MAX_WEBHOOKS_PER_PROJECT = 15
PROVIDER = "sinch_provisioning"


def client_for(
    registration: Registration, credentials: SecretVersion | None
) -> SinchProvisioningClient:
    """Return an API client from the registration's settings and its API credentials."""
    settings = registration.settings
    if not isinstance(settings, SinchProvisioningSettings):
        raise TypeError(f"registration {registration.name!r} has no Sinch Provisioning settings")
    key_id = credentials.get("key_id") if credentials else None
    key_secret = credentials.get("key_secret") if credentials else None
    if not key_id or not key_secret:
        raise ConfigError(
            f"registration {registration.name!r}: api_secret must hold key_id and key_secret"
        )
    return SinchProvisioningClient(
        api_url=settings.api_base_url,
        auth_url=settings.auth_url,
        key_id=key_id,
        key_secret=key_secret,
        project_id=settings.project_id,
    )


def _triggers(registration: Registration) -> list[str]:
    return sorted(registration.events) or ["ALL"]


def _webhooks(
    registration: Registration, webhook_url: str, client: SinchProvisioningClient
) -> TargetedWebhooks:
    return TargetedWebhooks(
        api=client,
        registration=registration,
        provider=PROVIDER,
        webhook_url=webhook_url,
        title="Sinch",
        limit=MAX_WEBHOOKS_PER_PROJECT,
        scope=f"project {client.project_id}",
    )


def reconcile(
    registration: Registration,
    webhook_url: str,
    secrets: SecretVersions,
    credentials: SecretVersion | None,
    apply: bool,
    *,
    client: SinchProvisioningClient | None = None,
) -> list[PlannedChange]:
    """Plan (and with ``apply``, make) the changes that bring the project's webhook in line."""
    if client is None:
        with client_for(registration, credentials) as owned_client:
            return reconcile(
                registration, webhook_url, secrets, credentials, apply, client=owned_client
            )
    secret = secrets.versions[0].get("webhook_secret") if secrets.versions else None
    triggers = _triggers(registration)
    api = client
    return _webhooks(registration, webhook_url, api).reconcile(
        differences=lambda remote: (
            {} if sorted(remote.get("triggers") or []) == triggers else {"triggers": triggers}
        ),
        create=lambda: api.create_webhook(webhook_url, secret or "", triggers),
        apply=apply,
        create_problem=None if secret else "no webhook_secret to set",
    )


def push_secret(
    registration: Registration,
    webhook_url: str,
    new_secret: SecretVersion,
    credentials: SecretVersion | None,
    *,
    client: SinchProvisioningClient | None = None,
) -> bool:
    """PATCH the new secret onto every webhook hookgate owns (providers.md §2.3)."""
    if client is None:
        with client_for(registration, credentials) as owned_client:
            return push_secret(
                registration, webhook_url, new_secret, credentials, client=owned_client
            )
    value = new_secret.get("webhook_secret")
    if not value:
        return False
    return _webhooks(registration, webhook_url, client).push({"secret": value})
