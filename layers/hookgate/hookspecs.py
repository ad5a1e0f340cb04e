"""The hooks a hookgate provider plugin implements. This module is the plugin author's manual.

A provider plugin is a module (or object) that implements some of the hooks below with
``@hookgate.hookimpl`` and is published under the entry-point group ``hookgate``::

    [project.entry-points.hookgate]
    acme = "hookgate_acme.plugin"

hookgate loads every entry point once per process, asks each plugin for its
:func:`hookgate_provider` record and keeps a map from provider name to plugin. A request for
``/webhooks/acme/...`` then calls only the ``acme`` plugin's hooks: there is no fan-out to other
plugins, so an implementation never needs to check whether a call is meant for it.

Rules every implementation follows:

* No network, no file reads and no heavy imports at module import time; do expensive set-up
  lazily and cache it.
* Never put secret material (secret values, submitted signatures, tokens) into a log line, an
  exception message, a returned reason, an event or a plan.
* Hooks may accept a subset of the arguments documented here (pluggy passes only those named),
  so new arguments can be added without breaking existing plugins.

Changelog for plugin authors:

* 0.1.0 — ``hookgate_verify`` gains ``tokens`` (OAuth2 bearer checks).
* 0.1.0 — ``hookgate_provider``, ``hookgate_verify``, ``hookgate_parse``, ``hookgate_handshake``,
  ``hookgate_register``, ``hookgate_rotate_secret``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from hookgate.models import (
        HandshakeResponse,
        InboundRequest,
        NormalisedEvent,
        ProviderInfo,
        Registration,
        SecretVersion,
        SecretVersions,
        Verdict,
    )
    from hookgate.oauth2.tokens import BearerTokens
    from hookgate.sync_models import PlannedChange

PROJECT = "hookgate"

_hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = [
    "PROJECT",
    "hookgate_handshake",
    "hookgate_parse",
    "hookgate_provider",
    "hookgate_register",
    "hookgate_rotate_secret",
    "hookgate_verify",
    "hookimpl",
]


@_hookspec(firstresult=True)
def hookgate_provider() -> ProviderInfo:
    """Describe the provider this plugin implements.

    Called once when the plugin is loaded. Return a :class:`~hookgate.models.ProviderInfo`:
    its ``name`` is the ``{provider}`` segment of the webhook URL and the ``provider`` field of
    a registration in hookgate.yaml; ``settings_model`` is a pydantic model that validates the
    registration's ``settings``; ``secret_keys`` names the keys this provider reads from the
    registration's secret; ``rotates`` names those hookgate may rotate.

    Two plugins returning the same name is a load error for the second one.

    .. versionadded:: 0.1.0
    """
    raise NotImplementedError


@_hookspec(firstresult=True)
def hookgate_verify(
    request: InboundRequest,
    registration: Registration,
    secrets: SecretVersions,
    now: datetime,
    tokens: BearerTokens | None,
) -> Verdict:
    """Decide whether ``request`` genuinely comes from the provider.

    :param request: the request exactly as received; ``request.body`` is the raw bytes (already
        base64-decoded when API Gateway encoded it) and must be verified as they are, never
        re-serialised. Header names are lower-case.
    :param registration: the registration the URL names, with its validated settings.
    :param secrets: the secret versions that may verify the request, in the order to try
        them (current, pending, previous). Try each and report which matched.
    :param now: the time to judge timestamps against (timezone-aware UTC).
    :param tokens: checks OAuth2 bearer tokens hookgate issued: when ``registration.oauth2`` is
        set, call ``tokens.check(request.bearer_token(), registration, now, secrets)`` and
        reject unless it accepts (a token verifies only while the client-secret version it was
        issued for is among ``secrets``). None when no token signing key is configured: then an
        OAuth2 registration must be rejected ("oauth2 not configured"), never accepted.
    :return: :meth:`Verdict.accept(stage) <hookgate.models.Verdict.accept>` naming the
        secret version that matched, or :meth:`Verdict.reject(reason)
        <hookgate.models.Verdict.reject>` with a short fixed reason. Return a
        ``ReplayGuard`` in an accepting verdict when the provider sends a one-time nonce;
        hookgate rejects a nonce it has already accepted.

    Compare secrets and signatures with :func:`hmac.compare_digest`. Fail closed: when no
    secret version holds the key you need, reject ("no secret configured"), never accept.
    Do not raise for a bad request; reject it. An exception means hookgate failed (5xx).

    .. versionadded:: 0.1.0
    """
    raise NotImplementedError


@_hookspec(firstresult=True)
def hookgate_parse(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Turn a verified request into normalised events.

    Called only after :func:`hookgate_verify` accepted the request. One request may carry
    several events (a batch); return one :class:`~hookgate.models.NormalisedEvent` per event,
    each with its own ``dedupe_key`` that stays the same when the provider retries.

    An event this plugin does not recognise is still returned, with type ``unknown`` and its
    raw payload: never drop an event. Raise :class:`hookgate.errors.MalformedPayloadError`
    when the body is not a payload of this provider at all (not JSON, wrong shape); the caller
    then gets 400.

    .. versionadded:: 0.1.0
    """
    raise NotImplementedError


@_hookspec(firstresult=True)
def hookgate_handshake(
    request: InboundRequest, registration: Registration, secrets: SecretVersions
) -> HandshakeResponse | None:
    """Answer a ``GET`` on the webhook URL (a provider's ownership check, e.g. a challenge).

    Return None when this provider has no handshake; hookgate then answers 405.

    .. versionadded:: 0.1.0
    """
    raise NotImplementedError


@_hookspec(firstresult=True)
def hookgate_register(
    registration: Registration,
    webhook_url: str,
    secrets: SecretVersions,
    api_credentials: SecretVersion | None,
    apply: bool,
) -> list[PlannedChange]:
    """Reconcile the provider's webhooks with the declared ``registration``.

    :param registration: the declared registration, with its validated settings (which hold the
        provider's API base URLs, so the same code talks to a sandbox).
    :param webhook_url: the URL the provider must deliver to; it also marks the webhooks
        hookgate owns.
    :param secrets: the registration's secret versions; the current one holds what the provider
        must be given (signing secret, header token, client credentials).
    :param api_credentials: the current version of the registration's ``api_secret``: the
        credentials for the provider's management API. None when none is declared; raise
        :class:`hookgate.errors.ConfigError` if the provider needs them.
    :param apply: False to plan only; True to make the changes, then return them with
        ``applied=True``.
    :return: one :class:`~hookgate.sync_models.PlannedChange` per webhook considered: create,
        update (with the names of the fields that differ), delete, or unchanged.

    Touch only webhooks that hookgate owns (their target is ``webhook_url``); never update or
    delete any other. Check the provider's documented limits before the first call and raise
    ConfigError when the plan would break one. A secret the provider does not echo back is not
    compared and not rewritten on every run; a masked secret read back is never written back.
    A plan never contains secret values. Raise
    :class:`hookgate.provider_http.ProviderAPIError` when the provider fails.

    .. versionadded:: 0.1.0
    """
    raise NotImplementedError


@_hookspec(firstresult=True)
def hookgate_rotate_secret(
    registration: Registration,
    webhook_url: str,
    new_secret: SecretVersion,
    secrets: SecretVersions,
    api_credentials: SecretVersion | None,
) -> bool:
    """Push a newly generated secret version to the provider (the rotation's setSecret step).

    ``new_secret`` is the AWSPENDING version; ``secrets`` holds the versions in force;
    ``api_credentials`` the current management-API credentials (``api_secret``). By the
    time this is called the receiver already accepts the pending secret, so the provider may
    start using it at once. Return True when the provider now uses it; raise to fail the step
    (the current secret stays in force and the rotation is retried).

    .. versionadded:: 0.1.0
    """
    raise NotImplementedError
