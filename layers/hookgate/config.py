"""hookgate.yaml: the declared registrations, validated before anything starts.

A mistake is reported with the file, the registration and the field, for example::

    hookgate.yaml: registration 'sinch-demo': settings.app_id: Field required

A mistake in the document itself (YAML, the schema, a name declared twice) stops everything. A
registration whose provider did not load (its plugin failed or is disabled) or whose settings
its plugin refuses is *unavailable* instead: it is kept aside with the reason, its requests are
answered 503, and every other registration keeps working (DESIGN.md: blast radius).
``hookgate check`` refuses a file with any unavailable registration
(:meth:`HookgateConfig.require_all`).

The Lambda layer carries the same document as JSON (``/opt/hookgate.json``, written by the
layer build): a file named ``*.json`` is read with the standard library, which spares every
cold start the YAML parser's import.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hookgate.errors import (
    ConfigError,
    RegistrationUnavailableError,
    UnknownProviderError,
    UnknownRegistrationError,
)
from hookgate.models import OAuth2Settings, ProviderInfo, Registration
from hookgate.plugins import ALLOW_ENV, BLOCK_ENV, PluginHost, get_plugin_host

logger = logging.getLogger(__name__)

CONFIG_ENV = "HOOKGATE_CONFIG"
DEFAULT_CONFIG_PATH = "hookgate.yaml"


class RegistrationDeclaration(BaseModel):
    """One entry of ``registrations:`` as written in hookgate.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    provider: str = Field(min_length=1)
    secret: str = Field(min_length=1, description="Secrets Manager secret id (name or ARN)")
    api_secret: str | None = Field(
        default=None, min_length=1, description="secret with the provider's API credentials"
    )
    events: tuple[str, ...] = ()
    settings: dict[str, Any] = Field(default_factory=dict)
    previous_secret_grace_seconds: int = Field(default=3600, ge=0, le=7 * 24 * 3600)
    oauth2: OAuth2Settings | None = None


class ConfigDocument(BaseModel):
    """The whole hookgate.yaml document."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    registrations: tuple[RegistrationDeclaration, ...] = ()


@dataclass(frozen=True)
class UnavailableRegistration:
    """A declared registration that cannot serve, and why (never a secret in ``reason``)."""

    name: str
    provider: str
    reason: str
    client_id: str | None = None  # its OAuth2 client, which gets 503 (not 401) meanwhile


@dataclass(frozen=True)
class HookgateConfig:
    """The validated registrations by name, and those declared but unavailable."""

    source: str
    registrations: Mapping[str, Registration]
    unavailable: Mapping[str, UnavailableRegistration] = field(default_factory=dict)

    def get(self, name: str) -> Registration:
        """Return the registration ``name``.

        Raise RegistrationUnavailableError (with the reason) when it is declared but
        unavailable, UnknownRegistrationError (listing the others) when it is not declared.
        """
        try:
            return self.registrations[name]
        except KeyError:
            pass
        unavailable = self.unavailable.get(name)
        if unavailable is not None:
            raise RegistrationUnavailableError(name, unavailable.reason)
        raise UnknownRegistrationError(name, self.registrations)

    def problems(self) -> list[str]:
        """Return one line per unavailable registration: file, registration and reason."""
        return [
            f"{self.source}: registration {name!r}: {self.unavailable[name].reason}"
            for name in sorted(self.unavailable)
        ]

    def require_all(self) -> HookgateConfig:
        """Return self when every declared registration is available, else raise ConfigError."""
        problems = self.problems()
        if problems:
            raise ConfigError("; ".join(problems))
        return self

    def without(self, reasons: Mapping[str, str]) -> HookgateConfig:
        """Return a copy where the registrations named in ``reasons`` are unavailable."""
        if not reasons:
            return self
        moved = {
            name: UnavailableRegistration(
                name,
                self.registrations[name].provider,
                reason,
                self.registrations[name].client_id,
            )
            for name, reason in reasons.items()
            if name in self.registrations
        }
        return HookgateConfig(
            source=self.source,
            registrations={k: v for k, v in self.registrations.items() if k not in moved},
            unavailable={**self.unavailable, **moved},
        )


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(document)"


def _first_errors(exc: ValidationError, prefix: str = "") -> str:
    return "; ".join(
        f"{prefix}{_location(error['loc'])}: {error['msg']}" for error in exc.errors()[:5]
    )


def _registration_label(document: Any, index: int) -> str:
    try:
        return f"registration {document['registrations'][index]['name']!r}"
    except (KeyError, IndexError, TypeError):
        return f"registrations[{index}]"


def _document(text: str, source: str) -> Any:
    if source.endswith(".json"):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"{source}: not valid JSON: {exc}") from None
    import yaml  # noqa: PLC0415 - only for YAML files: the layer's copy is JSON

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader, C or pure
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None


def _claim_secrets(declared: RegistrationDeclaration, users: dict[str, str], where: str) -> None:
    """Refuse a secret named by two registrations: a rotation would reach one provider only."""
    fields = [("secret", declared.secret)]
    if declared.api_secret:
        fields.append(("api_secret", declared.api_secret))
    for key, secret in fields:
        other = users.get(secret)
        if other is not None:
            raise ConfigError(
                f"{where}: {key}: {secret!r} is already used by {other}; every registration "
                "needs secrets of its own (a rotation gives the new value to one provider only)"
            )
        users[secret] = f"registration {declared.name!r} ({key})"


def parse_config(text: str, source: str, host: PluginHost) -> HookgateConfig:
    """Validate hookgate.yaml text (JSON when ``source`` ends in .json) against the schema.

    Raise ConfigError for a mistake in the document; keep a registration whose provider did not
    load or whose settings are refused in :attr:`HookgateConfig.unavailable` (logged).
    """
    raw = _document(text, source)
    try:
        document = ConfigDocument.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = first["loc"]
        where = (
            _registration_label(raw, loc[1])
            if len(loc) >= 2 and loc[0] == "registrations" and isinstance(loc[1], int)
            else None
        )
        field = _location(loc[2:]) if where else _location(loc)
        raise ConfigError(
            f"{source}: {where + ': ' if where else ''}{field}: {first['msg']}"
        ) from None

    registrations: dict[str, Registration] = {}
    secret_users: dict[str, str] = {}
    unavailable: dict[str, UnavailableRegistration] = {}
    for declared in document.registrations:
        where = f"{source}: registration {declared.name!r}"
        if declared.name in registrations or declared.name in unavailable:
            raise ConfigError(f"{where}: name: declared twice")
        _claim_secrets(declared, secret_users, where)
        checked = _checked_settings(declared, host)
        if isinstance(checked, str):
            client_id = (declared.oauth2.client_id or declared.name) if declared.oauth2 else None
            unavailable[declared.name] = UnavailableRegistration(
                declared.name, declared.provider, checked, client_id
            )
            logger.error(
                "registration unavailable: %s",
                checked,
                extra={"registration": declared.name, "provider": declared.provider},
            )
            continue
        registrations[declared.name] = Registration(
            name=declared.name,
            provider=declared.provider,
            secret_id=declared.secret,
            api_secret_id=declared.api_secret,
            events=declared.events,
            settings=checked,
            previous_secret_grace_seconds=declared.previous_secret_grace_seconds,
            oauth2=declared.oauth2,
        )
    _refuse_shared_client_ids(registrations.values(), source)
    return HookgateConfig(source=source, registrations=registrations, unavailable=unavailable)


def _checked_settings(declared: RegistrationDeclaration, host: PluginHost) -> BaseModel | str:
    """Return the registration's validated settings, or why it cannot serve."""
    name = declared.provider
    try:
        provider = host.get(name)
    except UnknownProviderError as exc:
        if name in host.failures:
            return f"provider: plugin {name!r} failed to load: {host.failures[name]}"
        if name in host.disabled:
            return f"provider: plugin {name!r} is disabled ({BLOCK_ENV} or {ALLOW_ENV})"
        failed = ", ".join(sorted(host.failures))
        return f"provider: {exc}" + (f" (plugins that failed to load: {failed})" if failed else "")
    try:
        settings: BaseModel = provider.info.settings_model.model_validate(declared.settings)
    except ValidationError as exc:
        return _first_errors(exc, "settings.")
    return _events_problem(declared, provider.info) or settings


def _events_problem(declared: RegistrationDeclaration, info: ProviderInfo) -> str | None:
    """Return why the registration's ``events`` cannot be used with its provider, else None."""
    if len(set(declared.events)) != len(declared.events):
        return "events: a name is listed twice"
    if info.event_names is not None:
        unknown = sorted(set(declared.events) - info.event_names)
        if unknown:
            return f"events: {', '.join(map(repr, unknown))} not known to {info.title}"
    if info.sync_needs_events and declared.api_secret and not declared.events:
        return "events: empty, but sync must tell the provider which events to send"
    return None


def _refuse_shared_client_ids(registrations: Iterable[Registration], source: str) -> None:
    """One OAuth2 client id names one registration: the token endpoint finds it by the id."""
    owners: dict[str, str] = {}
    for registration in registrations:
        client_id = registration.client_id
        if client_id is None:
            continue
        if client_id in owners:
            raise ConfigError(
                f"{source}: registration {registration.name!r}: oauth2.client_id: "
                f"{client_id!r} is already the client id of {owners[client_id]!r}"
            )
        owners[client_id] = registration.name


def load_config(path: str | os.PathLike[str], host: PluginHost | None = None) -> HookgateConfig:
    """Read and validate the hookgate.yaml at ``path``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{file}: cannot be read: {exc.strerror}") from None
    return parse_config(text, str(file), host or get_plugin_host())


@cache
def get_config() -> HookgateConfig:
    """Return the process-wide configuration from ``$HOOKGATE_CONFIG`` (read once)."""
    return load_config(os.environ.get(CONFIG_ENV, DEFAULT_CONFIG_PATH))
