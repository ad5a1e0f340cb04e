"""Keep a Sinch Provisioning project's webhook as hookgate.yaml declares it.

hookgate owns exactly the webhooks whose ``target`` is the registration's URL. The project limit
of 15 webhooks (seed 001) is checked before anything is created. Responses never include the
secret (seeds 000/001), so sync sets it on create and rotation PATCHes it; sync never rewrites it.
"""

from __future__ import annotations

from hookgate.errors import ConfigError
from hookgate.models import Registration, SecretVersion, SecretVersions
from hookgate.provider_http import ProviderAPIError
from hookgate.sync_models import ApplyInterruptedError, PlannedChange
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
    existing = client.list_webhooks()
    owned = [w for w in existing if w.get("target") == webhook_url]
    base = {"registration": registration.name, "provider": PROVIDER, "target": webhook_url}
    applied: list[PlannedChange] = []
    changes: list[PlannedChange] = []
    try:
        if not owned:
            if len(existing) >= MAX_WEBHOOKS_PER_PROJECT:
                raise ConfigError(
                    f"registration {registration.name!r}: project {client.project_id} already has "
                    f"{len(existing)} webhooks (Sinch allows {MAX_WEBHOOKS_PER_PROJECT})"
                )
            secret = secrets.versions[0].get("webhook_secret") if secrets.versions else None
            if not secret:
                raise ConfigError(f"registration {registration.name!r}: no webhook_secret to set")
            change = PlannedChange(action="create", reason="no webhook targets this URL", **base)
            if apply:
                created = client.create_webhook(webhook_url, secret, _triggers(registration))
                change = change.model_copy(update={"applied": True, "remote_id": created.get("id")})
                applied.append(change)
            return [change]
        keep, *extra = owned
        if sorted(keep.get("triggers") or []) != _triggers(registration):
            change = PlannedChange(
                action="update",
                remote_id=keep.get("id"),
                changed_fields=("triggers",),
                reason="differs from hookgate.yaml",
                **base,
            )
            if apply:
                client.update_webhook(str(keep["id"]), {"triggers": _triggers(registration)})
                change = change.model_copy(update={"applied": True})
                applied.append(change)
        else:
            change = PlannedChange(
                action="unchanged", remote_id=keep.get("id"), reason="matches", **base
            )
        changes.append(change)
        for duplicate in extra:
            change = PlannedChange(
                action="delete",
                remote_id=duplicate.get("id"),
                reason="a second webhook targets this URL",
                **base,
            )
            if apply:
                client.delete_webhook(str(duplicate["id"]))
                change = change.model_copy(update={"applied": True})
                applied.append(change)
            changes.append(change)
    except ProviderAPIError as exc:
        if applied:
            raise ApplyInterruptedError(str(exc), applied) from exc
        raise
    return changes


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
    owned = [w for w in client.list_webhooks() if w.get("target") == webhook_url]
    if not owned or not value:
        return False
    for webhook in owned:
        client.update_webhook(str(webhook["id"]), {"secret": value})
    return True
