"""Everything a provider plugin needs, from one module: ``from hookgate.plugin import ...``.

The hooks themselves are documented in :mod:`hookgate.hookspecs`; docs/plugins.md walks
through a whole plugin. Grouped by what a plugin does:

* **declare**: :data:`hookimpl`, :class:`ProviderInfo`;
* **verify and parse**: :class:`InboundRequest`, :class:`Registration`, :class:`SecretVersions`
  (:class:`SecretVersion`, :class:`SecretStage`), :class:`Verdict` (:class:`ReplayGuard`),
  :class:`HandshakeResponse`, :class:`NormalisedEvent` (:class:`EventError`), :data:`UNKNOWN`
  and :data:`EVENT_TYPES` (the taxonomy), :func:`load_object` and :func:`load_json` (bounded
  JSON decoding), the shared Meta/WhatsApp Cloud envelope parser (:func:`parse_envelope`,
  :func:`is_envelope`, :data:`META_EVENT_TYPES`, :func:`epoch_time`, :func:`error_of`,
  :data:`WHATSAPP_CHANNEL`) and the generic JSON event parser (:func:`parse_generic`,
  :class:`GenericEventSettings`), :class:`BearerTokens` (OAuth2 bearer checks);
* **errors**: :class:`HookgateError`, :class:`ConfigError`, :class:`MalformedPayloadError`;
* **sync and rotation**: the provider HTTP helpers (:class:`ProviderClient`, :func:`send`,
  :class:`RetryPolicy`, :class:`ProviderAPIError`, :func:`using`, :data:`DEFAULT_TIMEOUT`,
  :data:`ErrorParser`, :func:`default_error_parser`) and the sync engine
  (:class:`ProviderWebhooks`, :class:`WebhookPage`, :class:`WebhookSync`, :func:`reconcile`,
  :func:`push`, :func:`all_pages`, and :func:`sync_hooks`, which writes a plugin's register and
  rotate hooks), with :class:`PlannedChange` and :class:`ApplyInterruptedError`.

The verify-and-parse names cost nothing to import. The sync, HTTP and OAuth2 ones pull in
httpx and JWT code, which a receiver's cold start does not need: they are imported on first
use (a plugin imports them in its ``register`` module, or inside its register hook).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hookgate.errors import ConfigError, HookgateError, MalformedPayloadError
from hookgate.hookspecs import hookimpl
from hookgate.models import (
    EventError,
    HandshakeResponse,
    InboundRequest,
    NormalisedEvent,
    ProviderInfo,
    Registration,
    ReplayGuard,
    SecretStage,
    SecretVersion,
    SecretVersions,
    Verdict,
)
from hookgate.safe_json import load_object
from hookgate.safe_json import loads as load_json
from hookgate.sync_hooks import sync_hooks
from hookgate.sync_models import Action, ApplyInterruptedError, PlannedChange
from hookgate.taxonomy import EVENT_TYPES, UNKNOWN

if TYPE_CHECKING:
    from hookgate.generic_events import GenericEventSettings, parse_generic
    from hookgate.meta_whatsapp import CHANNEL as WHATSAPP_CHANNEL
    from hookgate.meta_whatsapp import (
        META_EVENT_TYPES,
        epoch_time,
        error_of,
        is_envelope,
        parse_envelope,
    )
    from hookgate.oauth2.tokens import BearerTokens
    from hookgate.provider_http import (
        DEFAULT_TIMEOUT,
        ErrorParser,
        ProviderAPIError,
        ProviderClient,
        RetryPolicy,
        default_error_parser,
        send,
        using,
    )
    from hookgate.webhook_sync import (
        ProviderWebhooks,
        WebhookPage,
        WebhookSync,
        all_pages,
        push,
        reconcile,
    )

# Imported on first use: name -> the module that defines it (and its name there, if another).
_RENAMED = {"WHATSAPP_CHANNEL": "CHANNEL"}
_LAZY = {
    "WHATSAPP_CHANNEL": "hookgate.meta_whatsapp",
    "epoch_time": "hookgate.meta_whatsapp",
    "error_of": "hookgate.meta_whatsapp",
    "GenericEventSettings": "hookgate.generic_events",
    "parse_generic": "hookgate.generic_events",
    "META_EVENT_TYPES": "hookgate.meta_whatsapp",
    "is_envelope": "hookgate.meta_whatsapp",
    "parse_envelope": "hookgate.meta_whatsapp",
    "BearerTokens": "hookgate.oauth2.tokens",
    "DEFAULT_TIMEOUT": "hookgate.provider_http",
    "ErrorParser": "hookgate.provider_http",
    "default_error_parser": "hookgate.provider_http",
    "ProviderAPIError": "hookgate.provider_http",
    "ProviderClient": "hookgate.provider_http",
    "RetryPolicy": "hookgate.provider_http",
    "send": "hookgate.provider_http",
    "using": "hookgate.provider_http",
    "ProviderWebhooks": "hookgate.webhook_sync",
    "WebhookPage": "hookgate.webhook_sync",
    "WebhookSync": "hookgate.webhook_sync",
    "all_pages": "hookgate.webhook_sync",
    "push": "hookgate.webhook_sync",
    "reconcile": "hookgate.webhook_sync",
}


def __getattr__(name: str) -> Any:
    """Import a sync, HTTP or parser name on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'hookgate.plugin' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List every name of the surface, the lazy ones included."""
    return sorted(__all__)


__all__ = [
    "DEFAULT_TIMEOUT",
    "EVENT_TYPES",
    "META_EVENT_TYPES",
    "UNKNOWN",
    "WHATSAPP_CHANNEL",
    "Action",
    "ApplyInterruptedError",
    "BearerTokens",
    "ConfigError",
    "ErrorParser",
    "EventError",
    "GenericEventSettings",
    "HandshakeResponse",
    "HookgateError",
    "InboundRequest",
    "MalformedPayloadError",
    "NormalisedEvent",
    "PlannedChange",
    "ProviderAPIError",
    "ProviderClient",
    "ProviderInfo",
    "ProviderWebhooks",
    "Registration",
    "ReplayGuard",
    "RetryPolicy",
    "SecretStage",
    "SecretVersion",
    "SecretVersions",
    "Verdict",
    "WebhookPage",
    "WebhookSync",
    "all_pages",
    "default_error_parser",
    "epoch_time",
    "error_of",
    "hookimpl",
    "is_envelope",
    "load_json",
    "load_object",
    "parse_envelope",
    "parse_generic",
    "push",
    "reconcile",
    "send",
    "sync_hooks",
    "using",
]
