"""Keep a Sinch Conversation app's webhook as hookgate.yaml declares it.

hookgate owns exactly the webhooks whose ``target`` is the registration's webhook URL; every
other webhook of the app is left alone. The limit of 5 webhooks per app (seed 002) is checked
before anything is created. Whether Sinch echoes ``secret`` on reads is [NOT FOUND], so the
secret is set on create and by rotation, never compared or rewritten by sync.
"""

from __future__ import annotations

from typing import Any

from hookgate.errors import ConfigError
from hookgate.models import Registration, SecretVersion, SecretVersions
from hookgate.provider_http import ProviderAPIError
from hookgate.sync_models import ApplyInterruptedError, PlannedChange
from hookgate_sinch_conversation.client import SinchConversationClient
from hookgate_sinch_conversation.settings import SinchConversationSettings

MAX_WEBHOOKS_PER_APP = 5
PROVIDER = "sinch_conversation"


def client_for(
    registration: Registration, credentials: SecretVersion | None
) -> SinchConversationClient:
    """Return an API client from the registration's settings and its API credentials."""
    settings = registration.settings
    if not isinstance(settings, SinchConversationSettings):
        raise TypeError(f"registration {registration.name!r} has no Sinch Conversation settings")
    key_id = credentials.get("key_id") if credentials else None
    key_secret = credentials.get("key_secret") if credentials else None
    if not key_id or not key_secret:
        raise ConfigError(
            f"registration {registration.name!r}: api_secret must hold key_id and key_secret"
        )
    return SinchConversationClient(
        api_url=settings.api_url(),
        auth_url=settings.auth_url,
        key_id=key_id,
        key_secret=key_secret,
        project_id=settings.project_id,
        app_id=settings.app_id,
        timeout=settings.api_timeout_seconds,
    )


def _token_url(webhook_url: str) -> str:
    return webhook_url.split("/webhooks/", 1)[0] + "/oauth2/token"


def desired_webhook(
    registration: Registration, webhook_url: str, secrets: SecretVersions
) -> dict[str, Any]:
    """Return the webhook body hookgate wants (with the current secrets)."""
    current = secrets.versions[0] if secrets.versions else None
    webhook: dict[str, Any] = {
        "target": webhook_url,
        "target_type": "HTTP",
        "triggers": sorted(registration.events),
    }
    if current is not None and current.get("webhook_secret"):
        webhook["secret"] = current.get("webhook_secret")
    if registration.oauth2 is not None and current is not None:
        webhook["client_credentials"] = {
            "client_id": current.get("client_id"),
            "client_secret": current.get("client_secret"),
            "endpoint": _token_url(webhook_url),
            "token_request_type": "BASIC",
        }
    return webhook


def reconcile(  # noqa: PLR0912 - one branch per documented case
    registration: Registration,
    webhook_url: str,
    secrets: SecretVersions,
    credentials: SecretVersion | None,
    apply: bool,
    *,
    client: SinchConversationClient | None = None,
) -> list[PlannedChange]:
    """Plan (and with ``apply``, make) the changes that bring the app's webhook in line."""
    if client is None:
        with client_for(registration, credentials) as owned_client:
            return reconcile(
                registration, webhook_url, secrets, credentials, apply, client=owned_client
            )
    api = client
    existing = api.list_webhooks()
    owned = [w for w in existing if w.get("target") == webhook_url]
    want = desired_webhook(registration, webhook_url, secrets)
    base = {"registration": registration.name, "provider": PROVIDER, "target": webhook_url}
    changes: list[PlannedChange] = []
    applied: list[PlannedChange] = []
    try:
        if not owned:
            if len(existing) >= MAX_WEBHOOKS_PER_APP:
                raise ConfigError(
                    f"registration {registration.name!r}: app {api.app_id} already has "
                    f"{len(existing)} webhooks (Sinch allows {MAX_WEBHOOKS_PER_APP})"
                )
            change = PlannedChange(action="create", reason="no webhook targets this URL", **base)
            if apply:
                created = api.create_webhook(want)
                change = change.model_copy(update={"applied": True, "remote_id": created.get("id")})
                applied.append(change)
            return [change]
        keep, *extra = owned
        found: list[str] = []
        if sorted(keep.get("triggers") or []) != want["triggers"]:
            found.append("triggers")
        if keep.get("target_type", "HTTP") != "HTTP":
            found.append("target_type")
        differ = tuple(found)
        if differ:
            change = PlannedChange(
                action="update",
                remote_id=keep.get("id"),
                changed_fields=differ,
                reason="differs from hookgate.yaml",
                **base,
            )
            if apply:
                api.update_webhook(str(keep["id"]), {name: want[name] for name in differ})
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
                api.delete_webhook(str(duplicate["id"]))
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
    client: SinchConversationClient | None = None,
) -> bool:
    """PATCH the new webhook secret onto every webhook hookgate owns for the registration."""
    if client is None:
        with client_for(registration, credentials) as owned_client:
            return push_secret(
                registration, webhook_url, new_secret, credentials, client=owned_client
            )
    api = client
    owned = [w for w in api.list_webhooks() if w.get("target") == webhook_url]
    value = new_secret.get("webhook_secret")
    if not owned or not value:
        return False
    for webhook in owned:
        api.update_webhook(str(webhook["id"]), {"secret": value})
    return True
