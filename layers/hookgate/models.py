"""The data that crosses the plugin contract: requests, secrets, verdicts and events.

Everything here is immutable: pydantic models, and two slotted dataclasses for the per-request
verdict. Secret material is held in :class:`pydantic.SecretStr`, so printing, logging or
serialising a model never reveals it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class InboundRequest(_Frozen):
    """One HTTP request as it reached hookgate, with the body as the exact bytes received.

    Header names are lower-cased. When a header arrived more than once, API Gateway joins the
    values with commas; hookgate keeps that joined value.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    query: Mapping[str, str] = Field(default_factory=dict)
    body: bytes
    received_at: datetime
    source_ip: str | None = None

    def header(self, name: str) -> str | None:
        """Return the header ``name`` (any case), or None when absent."""
        value = self.headers.get(name)  # names are stored lower-cased, as callers usually ask
        return value if value is not None else self.headers.get(name.lower())

    def bearer_token(self) -> str | None:
        """Return the token of an ``Authorization: Bearer <token>`` header (scheme in any case)."""
        scheme, _, token = (self.header("authorization") or "").strip().partition(" ")
        return (token.strip() or None) if scheme.lower() == "bearer" else None

    def body_sha256(self) -> str:
        """Return the hex SHA-256 of the raw body (a stable key when a payload has no id)."""
        return hashlib.sha256(self.body).hexdigest()


class SecretStage(StrEnum):
    """The Secrets Manager staging label a secret version carries."""

    CURRENT = "AWSCURRENT"
    PENDING = "AWSPENDING"
    PREVIOUS = "AWSPREVIOUS"

    @property
    def short(self) -> str:
        """Return the lower-case name used in metrics and logs: current, pending, previous."""
        return self.value.removeprefix("AWS").lower()


class SecretVersion(_Frozen):
    """One version of a registration's secret: its stage and its key/value pairs."""

    stage: SecretStage
    version_id: str
    values: Mapping[str, SecretStr]

    def get(self, key: str) -> str | None:
        """Return the secret value under ``key``, or None when this version lacks it."""
        value = self.values.get(key)
        return value.get_secret_value() if value is not None else None


class SecretVersions(_Frozen):
    """The versions of a registration's secret that may verify a request, best first.

    Order is current, pending, then previous (only while inside its grace window), so a
    verifier that tries them in order finds the usual case first.
    """

    secret_id: str
    versions: tuple[SecretVersion, ...] = ()

    def candidates(self, key: str) -> list[tuple[SecretVersion, str]]:
        """Return each version that holds a non-empty value for ``key``, with that value."""
        found: list[tuple[SecretVersion, str]] = []
        for version in self.versions:
            value = version.get(key)
            if value:
                found.append((version, value))
        return found


# Verdicts and replay guards are built on every request by typed code (mypy --strict), never
# from outside data, so they are plain slotted dataclasses: a pydantic model costs ~2 µs each.
@dataclass(frozen=True, slots=True)
class ReplayGuard:
    """A one-time value (a nonce) that must not be accepted twice before ``expires_at``.

    hookgate keeps it with the request's de-duplication records, which outlive ``expires_at``
    (the end of the signature's timestamp window) by days.
    """

    nonce: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a provider's ``verify`` concluded about one request.

    ``reason`` is a short, fixed phrase for logs and metrics ("signature mismatch",
    "stale timestamp"); it never contains secret material or the submitted signature.
    """

    ok: bool
    reason: str
    stage: SecretStage | None = None
    replay_guard: ReplayGuard | None = None
    retryable_with_fresh_secrets: bool = True

    @classmethod
    def accept(cls, stage: SecretStage | None, replay_guard: ReplayGuard | None = None) -> Verdict:
        """Build an accepting verdict; ``stage`` names the secret version that matched."""
        return cls(ok=True, reason="verified", stage=stage, replay_guard=replay_guard)

    @classmethod
    def reject(cls, reason: str, *, retryable_with_fresh_secrets: bool = True) -> Verdict:
        """Build a rejecting verdict.

        ``retryable_with_fresh_secrets`` says whether re-reading the secrets could change the
        outcome: a signature mismatch could (the secret may just have rotated); a missing
        header or a stale timestamp could not.
        """
        return cls(
            ok=False, reason=reason, retryable_with_fresh_secrets=retryable_with_fresh_secrets
        )

    @classmethod
    def settings_mismatch(cls, provider: str) -> Verdict:
        """Reject a registration whose settings are not ``provider``'s settings model.

        A configuration fault, not the caller's: verify rejects it (never raises, which would
        answer 500), and fresh secrets cannot change the outcome.
        """
        return cls.reject(
            f"registration settings are not {provider} settings", retryable_with_fresh_secrets=False
        )


class HandshakeResponse(_Frozen):
    """The answer to a provider's verification handshake on ``GET`` (e.g. Meta's challenge)."""

    status_code: int
    body: str = ""
    content_type: str = "text/plain"


class EventError(_Frozen):
    """A provider error attached to an event (a failed delivery, a rejected request)."""

    code: str | None = None
    title: str | None = None
    detail: str | None = None


class NormalisedEvent(_Frozen):
    """One event in hookgate's provider-independent schema (see docs/events.md).

    ``type`` comes from the taxonomy in :mod:`hookgate.taxonomy`; ``provider_event`` keeps the
    provider's own name for it. ``dedupe_key`` is stable across the provider's retries of the
    same event and distinct between different events in the same request.
    """

    type: str
    provider: str
    registration: str
    provider_event: str
    dedupe_key: str
    occurred_at: datetime | None = None
    received_at: datetime
    message_id: str | None = None
    conversation_id: str | None = None
    contact_id: str | None = None
    channel: str | None = None
    status: str | None = None
    error: EventError | None = None
    data: Mapping[str, Any] = Field(default_factory=dict)
    raw: Any = None

    @property
    def event_id(self) -> str:
        """Return a deterministic id for this event: the same event always gets the same id."""
        basis = f"{self.provider}\x00{self.registration}\x00{self.dedupe_key}"
        return hashlib.sha256(basis.encode()).hexdigest()[:32]


class OAuth2Settings(_Frozen):
    """A registration whose provider authenticates deliveries with OAuth2 bearer tokens.

    The provider fetches tokens from hookgate's ``POST /oauth2/token`` with the client
    id ``client_id`` and the ``client_secret`` (and ``refresh_token`` for that grant) kept in the
    registration's secret. ``client_id`` is declared here, not read from the secret, so the
    token endpoint finds a client's registration without reading anyone's secret; it defaults
    to the registration's name. ``expires_in`` is the token lifetime (Sinch accepts
    30..3600 s); ``scopes`` lists the scopes a client may ask for (none: no scope accepted).
    """

    client_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._~-]{1,128}$")
    expires_in: int = Field(default=3600, ge=30, le=3600)
    scopes: tuple[str, ...] = ()
    grants: tuple[Literal["client_credentials", "refresh_token"], ...] = ("client_credentials",)


class Registration(_Frozen):
    """One webhook registration declared in hookgate.yaml.

    ``settings`` is the provider's own settings model instance, validated at load time.
    ``secret_id`` names the secret the provider's deliveries are verified with;
    ``api_secret_id`` the one holding credentials for the provider's management API (sync).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str
    provider: str
    secret_id: str
    api_secret_id: str | None = None
    events: tuple[str, ...] = ()
    settings: BaseModel
    previous_secret_grace_seconds: int = 3600
    oauth2: OAuth2Settings | None = None

    def settings_as[M: BaseModel](self, model: type[M]) -> M:
        """Return the settings as ``model``; ConfigError when they are another provider's."""
        if not isinstance(self.settings, model):
            from hookgate.errors import ConfigError  # noqa: PLC0415 - errors stay import-light

            raise ConfigError(f"registration {self.name!r} has no {model.__name__}")
        return self.settings

    @property
    def client_id(self) -> str | None:
        """Return the OAuth2 client id: ``oauth2.client_id``, else the name; None without OAuth2."""
        if self.oauth2 is None:
            return None
        return self.oauth2.client_id or self.name


class ProviderInfo(_Frozen):
    """What a provider plugin says about itself through the ``hookgate_provider`` hook.

    ``secret_keys`` lists the keys the provider reads from a registration's secret (for example
    ``webhook_secret``); ``rotates`` lists those that hookgate rotates and pushes to the
    provider. ``api_credential_keys`` lists what the registration's ``api_secret`` must hold for
    sync and rotation to call the provider's management API; a registration of such a provider
    without an ``api_secret`` is left out of sync (reported as ``unmanaged``).
    ``event_names``, when set, lists the names a registration's ``events`` may hold (checked when
    hookgate.yaml is loaded); ``sync_needs_events`` refuses an empty ``events`` on a
    registration that sync manages (one with an ``api_secret``). ``rotates_when`` names a
    boolean setting without which hookgate cannot push a new secret (``meta_whatsapp``'s
    ``sync_subscription``); None when nothing but ``api_credential_keys`` is needed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str
    title: str
    settings_model: type[BaseModel]
    secret_keys: tuple[str, ...] = ()
    rotates: tuple[str, ...] = ()
    api_credential_keys: tuple[str, ...] = ()
    event_names: frozenset[str] | None = None
    sync_needs_events: bool = False
    supports_handshake: bool = False
    rotates_when: str | None = None

    def rotation_enabled(self, settings: BaseModel) -> bool:
        """Return whether a registration with ``settings`` lets hookgate push a new secret."""
        return self.rotates_when is None or getattr(settings, self.rotates_when, False) is True
