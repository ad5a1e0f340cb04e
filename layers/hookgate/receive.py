"""The receive pipeline: find, verify, parse, de-duplicate, publish, answer.

Answers: 200 accepted (duplicates included), 401 verification failed (the reason goes to the
log and the metrics, never to the caller), 404 unknown provider or registration, 400 verified but
malformed, 413 body too large, 503 when hookgate could not read its secrets, its table or
publish, or cannot serve this one registration (its plugin did not load, its settings are
invalid; the provider retries), 500 when a plugin failed unexpectedly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hookgate.config import HookgateConfig
from hookgate.dedupe import DedupeStore
from hookgate.errors import (
    DedupeStoreError,
    InFlightError,
    MalformedPayloadError,
    RegistrationUnavailableError,
    SecretUnavailableError,
    UnknownProviderError,
    UnknownRegistrationError,
)
from hookgate.models import InboundRequest, NormalisedEvent, Registration, Verdict
from hookgate.plugins import PluginHost, ProviderHandle
from hookgate.publish import Publisher
from hookgate.secrets import SecretStore

if TYPE_CHECKING:
    from hookgate.oauth2.tokens import BearerTokens

logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024


@dataclass
class Outcome:
    """What happened to one request: the HTTP answer and what to log and count."""

    status: int
    outcome: str
    provider: str | None = None
    registration: str | None = None
    reason: str | None = None
    stage: str | None = None
    accepted: int = 0
    duplicates: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    text: str | None = None
    content_type: str | None = None
    events: list[NormalisedEvent] = field(default_factory=list)

    @property
    def response_body(self) -> dict[str, Any]:
        """Return the JSON body for the caller (never the internal reason of a 401)."""
        return self.body


def _answer(status: int, outcome: str, message: str, **fields: Any) -> Outcome:
    return Outcome(status=status, outcome=outcome, body={"message": message}, **fields)


@dataclass
class Receiver:
    """Everything the pipeline needs, built once per container."""

    host: PluginHost
    config: HookgateConfig
    secrets: SecretStore
    dedupe: DedupeStore
    publisher: Publisher
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    tokens: BearerTokens | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def _resolve(
        self, provider_name: str, registration_name: str
    ) -> tuple[ProviderHandle, Registration] | Outcome:
        unavailable = self.config.unavailable.get(registration_name)
        if unavailable is not None and unavailable.provider == provider_name:
            # hookgate cannot serve this registration (its plugin did not load, its settings
            # are invalid): the provider should retry. Every other registration is unaffected.
            names = {"provider": provider_name, "registration": registration_name}
            logger.error("registration unavailable", extra={**names, "reason": unavailable.reason})
            return _answer(
                503,
                "registration_unavailable",
                "temporarily unavailable",
                reason=unavailable.reason,
                **names,
            )
        try:
            provider = self.host.get(provider_name)
            registration = self.config.get(registration_name)
        except (
            UnknownProviderError,
            UnknownRegistrationError,
            RegistrationUnavailableError,
        ) as exc:
            # RegistrationUnavailableError here: the URL names another provider than declared.
            logger.info("unknown webhook path", extra={"reason": str(exc)})
            return _answer(404, "not_found", "no such webhook")
        if registration.provider != provider.name:
            logger.info(
                "registration belongs to another provider",
                extra={"registration": registration.name, "provider": provider_name},
            )
            return _answer(404, "not_found", "no such webhook")
        return provider, registration

    def receive(
        self, request: InboundRequest, provider_name: str, registration_name: str
    ) -> Outcome:
        """Run one POSTed webhook through the pipeline and return the answer."""
        resolved = self._resolve(provider_name, registration_name)
        if isinstance(resolved, Outcome):
            return resolved
        provider, registration = resolved
        names = {"provider": provider.name, "registration": registration.name}
        if len(request.body) > self.max_body_bytes:
            return _answer(413, "too_large", "payload too large", reason="body too large", **names)

        try:
            verdict = self._verify(provider, registration, request)
        except SecretUnavailableError as exc:
            logger.error("secret unavailable", extra={**names, "error": str(exc)})
            return _answer(503, "secret_unavailable", "temporarily unavailable", **names)
        if not verdict.ok:
            return _answer(401, "rejected", "unauthorized", reason=verdict.reason, **names)
        stage = verdict.stage.short if verdict.stage else None

        try:
            events = provider.parse(request, registration)
        except MalformedPayloadError as exc:
            return _answer(
                400, "malformed", str(exc), reason="malformed payload", stage=stage, **names
            )
        guard = verdict.replay_guard
        nonce = guard.nonce if guard is not None else None
        return self._publish(registration, events, stage, names, nonce)

    def handshake(
        self, request: InboundRequest, provider_name: str, registration_name: str
    ) -> Outcome:
        """Answer a GET on a webhook URL with the provider's handshake, or 405."""
        resolved = self._resolve(provider_name, registration_name)
        if isinstance(resolved, Outcome):
            return resolved
        provider, registration = resolved
        names = {"provider": provider.name, "registration": registration.name}
        try:
            secrets = self.secrets.versions(
                registration.secret_id, registration.previous_secret_grace_seconds
            )
        except SecretUnavailableError:
            return _answer(503, "secret_unavailable", "temporarily unavailable", **names)
        response = provider.handshake(request, registration, secrets)
        if response is None:
            return _answer(405, "method_not_allowed", "use POST", **names)
        return Outcome(
            status=response.status_code,
            outcome="handshake",
            text=response.body,
            content_type=response.content_type,
            provider=provider.name,
            registration=registration.name,
        )

    def _verify(
        self, provider: ProviderHandle, registration: Registration, request: InboundRequest
    ) -> Verdict:
        grace = registration.previous_secret_grace_seconds
        secrets = self.secrets.versions(registration.secret_id, grace)
        now = self.clock()
        verdict = provider.verify(request, registration, secrets, now, self.tokens)
        if not verdict.ok and verdict.retryable_with_fresh_secrets:
            fresh = self.secrets.refresh_after_miss(registration.secret_id, grace)
            if fresh is not None and fresh != secrets:
                verdict = provider.verify(request, registration, fresh, now, self.tokens)
        return verdict

    def _publish(
        self,
        registration: Registration,
        events: list[NormalisedEvent],
        stage: str | None,
        names: dict[str, str],
        nonce: str | None,
    ) -> Outcome:
        by_key = {event.dedupe_key: event for event in events}
        try:
            claim = self.dedupe.claim(registration.name, list(by_key), nonce)
        except InFlightError:
            return _answer(503, "in_flight", "retry later", stage=stage, **names)
        except DedupeStoreError as exc:
            logger.error("dedupe store unavailable", extra={**names, "error": str(exc)})
            return _answer(
                503, "store_unavailable", "temporarily unavailable", stage=stage, **names
            )

        if claim.is_replay:
            return _answer(
                401, "rejected", "unauthorized", reason="replayed nonce", stage=stage, **names
            )

        fresh = [by_key[key] for key in claim.to_publish]
        outcome = self.publisher.publish(fresh, stage)
        try:
            self.dedupe.complete(registration.name, outcome.published, nonce)
            self.dedupe.release(registration.name, outcome.failed)
        except DedupeStoreError as exc:
            # The events are on the bus; unfinished claims expire after the in-flight window.
            logger.error("dedupe bookkeeping failed", extra={**names, "error": str(exc)})
        if outcome.failed:
            logger.error("publishing failed", extra={**names, "failed": len(outcome.failed)})
            return Outcome(
                status=503,
                outcome="publish_failed",
                stage=stage,
                accepted=len(outcome.published),
                duplicates=len(claim.duplicates),
                body={"message": "temporarily unavailable"},
                provider=names["provider"],
                registration=names["registration"],
            )
        published = set(outcome.published)
        return Outcome(
            status=200,
            outcome="accepted" if fresh or not claim.duplicates else "duplicate",
            stage=stage,
            accepted=len(outcome.published),
            duplicates=len(claim.duplicates),
            body={"accepted": len(outcome.published), "duplicates": len(claim.duplicates)},
            events=[e for e in fresh if e.dedupe_key in published],
            provider=names["provider"],
            registration=names["registration"],
        )
