"""Keep a 360dialog webhook as hookgate.yaml declares it (phone webhook or a multi destination).

Ownership: the phone number's (or the WABA's) webhook is hookgate's when its URL is the
registration's URL; a multi-webhook destination is hookgate's when it carries hookgate's name
for the registration. A phone or WABA webhook pointing elsewhere is never overwritten. The
custom header value cannot be read back (seed 003 shows none), so sync sets it when it creates
and rotation replaces it.
"""

from __future__ import annotations

from hookgate.errors import ConfigError
from hookgate.models import Registration, SecretVersion, SecretVersions
from hookgate.sync_models import PlannedChange
from hookgate_360dialog.client import Dialog360Client
from hookgate_360dialog.settings import Dialog360Settings

MAX_DESTINATIONS = 3
PROVIDER = "360dialog"


def _settings(registration: Registration) -> Dialog360Settings:
    settings = registration.settings
    if not isinstance(settings, Dialog360Settings):
        raise TypeError(f"registration {registration.name!r} has no 360dialog settings")
    return settings


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


def _single_url(registration: Registration, client: Dialog360Client) -> str:
    """Return the URL of the phone number's or the WABA's webhook ("" when none is set)."""
    if _settings(registration).channel == "waba":
        return str(client.waba_webhook().get("url") or "")
    return str(client.phone_webhook().get("url") or "")


def _set_single(
    registration: Registration, client: Dialog360Client, url: str, headers: dict[str, str]
) -> None:
    settings = _settings(registration)
    if settings.channel == "waba":
        client.set_waba_webhook(url, headers, override_all=settings.override_all)
    else:
        client.set_phone_webhook(url, headers)


def _reconcile_single(
    registration: Registration,
    webhook_url: str,
    current: SecretVersion | None,
    apply: bool,
    client: Dialog360Client,
) -> PlannedChange:
    channel = _settings(registration).channel
    base = {"registration": registration.name, "provider": PROVIDER, "target": webhook_url}
    url = _single_url(registration, client)
    if url == webhook_url:
        return PlannedChange(action="unchanged", remote_id=channel, reason="matches", **base)
    if url:
        raise ConfigError(
            f"registration {registration.name!r}: the {channel} webhook points elsewhere; "
            "hookgate does not own it (clear it, or use channel: multi)"
        )
    change = PlannedChange(action="create", remote_id=channel, reason="no webhook is set", **base)
    if apply:
        _set_single(registration, client, webhook_url, _headers(registration, current))
        change = change.model_copy(update={"applied": True})
    return change


def reconcile(
    registration: Registration,
    webhook_url: str,
    secrets: SecretVersions,
    credentials: SecretVersion | None,
    apply: bool,
    *,
    client: Dialog360Client | None = None,
) -> list[PlannedChange]:
    """Plan (and with ``apply``, make) the change that points 360dialog at hookgate."""
    if client is None:
        with client_for(registration, credentials) as owned_client:
            return reconcile(
                registration, webhook_url, secrets, credentials, apply, client=owned_client
            )
    settings = _settings(registration)
    current = secrets.versions[0] if secrets.versions else None
    base = {"registration": registration.name, "provider": PROVIDER, "target": webhook_url}
    if settings.channel in ("phone", "waba"):
        return [_reconcile_single(registration, webhook_url, current, apply, client)]
    name = destination_name(registration)
    destinations = client.destinations()
    ours = next((d for d in destinations if d.get("name") == name), None)
    if ours is None:
        if len(destinations) >= MAX_DESTINATIONS:
            raise ConfigError(
                f"registration {registration.name!r}: {len(destinations)} destinations already "
                f"(360dialog allows {MAX_DESTINATIONS})"
            )
        change = PlannedChange(
            action="create", remote_id=name, reason="no destination of ours", **base
        )
        if apply:
            client.add_destination(name, webhook_url, _headers(registration, current))
            change = change.model_copy(update={"applied": True})
        return [change]
    if ours.get("url") == webhook_url:
        return [PlannedChange(action="unchanged", remote_id=name, reason="matches", **base)]
    change = PlannedChange(
        action="update",
        remote_id=name,
        changed_fields=("url",),
        reason="differs from hookgate.yaml",
        **base,
    )
    if apply:
        client.update_destination(name, webhook_url, _headers(registration, current))
        change = change.model_copy(update={"applied": True})
    return [change]


def push_secret(
    registration: Registration,
    webhook_url: str,
    new_secret: SecretVersion,
    credentials: SecretVersion | None,
    *,
    client: Dialog360Client | None = None,
) -> bool:
    """Give 360dialog the new header token on hookgate's webhook or destination."""
    if client is None:
        with client_for(registration, credentials) as owned_client:
            return push_secret(
                registration, webhook_url, new_secret, credentials, client=owned_client
            )
    headers = _headers(registration, new_secret)
    if _settings(registration).channel in ("phone", "waba"):
        if _single_url(registration, client) != webhook_url:
            return False
        _set_single(registration, client, webhook_url, headers)
        return True
    name = destination_name(registration)
    if not any(d.get("name") == name for d in client.destinations()):
        return False
    client.update_destination(name, webhook_url, headers)
    return True
