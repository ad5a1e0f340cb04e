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

from urllib.parse import urlsplit

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


def _waba_coverage(
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
    if url and url != webhook_url:
        raise ConfigError(
            f"registration {registration.name!r}: the {channel} webhook points elsewhere; "
            "hookgate does not own it (clear it, or use channel: multi)"
        )
    changed, note = ("", "")
    if channel == "waba":
        changed, note = _waba_coverage(registration, webhook_url, client)
    if url == webhook_url and not changed:
        reason = f"matches; {note}" if note else "matches"
        return PlannedChange(action="unchanged", remote_id=channel, reason=reason, **base)
    if url == webhook_url:
        change = PlannedChange(
            action="update", remote_id=channel, changed_fields=(changed,), reason=note, **base
        )
    else:
        reason = "no webhook is set" + (f"; {note}" if note else "")
        change = PlannedChange(action="create", remote_id=channel, reason=reason, **base)
    if channel == "waba":
        change = change.model_copy(
            update={"reason": f"{change.reason} (360dialog applies it within 15-20 seconds)"}
        )
    if apply:
        _set_single(registration, client, webhook_url, _headers(registration, current))
        change = change.model_copy(update={"applied": True})
    return change


def _main_webhook_host(registration: Registration, client: Dialog360Client) -> str:
    """Return the host of the main webhook the destinations depend on; refuse when none."""
    main = str(client.phone_webhook().get("url") or "") or str(
        client.waba_webhook().get("url") or ""
    )
    if not main:
        raise ConfigError(
            f"registration {registration.name!r}: the number has no main webhook; 360dialog "
            "sends extra destinations a copy only after the main webhook answered 200, so this "
            "destination would receive nothing (set the phone or WABA webhook first)"
        )
    return urlsplit(main).hostname or "?"


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
    if ours is None and len(destinations) >= MAX_DESTINATIONS:
        raise ConfigError(
            f"registration {registration.name!r}: {len(destinations)} destinations already "
            f"(360dialog allows {MAX_DESTINATIONS})"
        )
    served = (
        f"served while the main webhook ({_main_webhook_host(registration, client)}) answers 200"
    )
    if ours is None:
        change = PlannedChange(
            action="create", remote_id=name, reason=f"no destination of ours; {served}", **base
        )
        if apply:
            client.add_destination(name, webhook_url, _headers(registration, current))
            change = change.model_copy(update={"applied": True})
        return [change]
    if ours.get("url") == webhook_url:
        return [
            PlannedChange(action="unchanged", remote_id=name, reason=f"matches; {served}", **base)
        ]
    change = PlannedChange(
        action="update",
        remote_id=name,
        changed_fields=("url",),
        reason=f"differs from hookgate.yaml; {served}",
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
