"""A small toolkit the contract tests (and a plugin's own tests) drive a provider with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import SecretStr

from hookgate.models import (
    InboundRequest,
    NormalisedEvent,
    Registration,
    SecretStage,
    SecretVersion,
    SecretVersions,
    Verdict,
)
from hookgate.plugins import ProviderHandle
from hookgate_dev.testing.requests import api_gateway_request

SignHeaders = Callable[[bytes, Mapping[str, str], datetime], dict[str, str]]
"""``signed_headers(body, secret, now)``: the authentication headers for ``body``."""


def secret_versions(*versions: tuple[SecretStage, Mapping[str, str]]) -> SecretVersions:
    """Build :class:`SecretVersions` from (stage, key → value) pairs, in the order given."""
    return SecretVersions(
        secret_id="hookgate/contract",  # noqa: S106 - a name, not a secret
        versions=tuple(
            SecretVersion(
                stage=stage,
                version_id=f"v-{index}-{stage.short}",
                values={key: SecretStr(value) for key, value in values.items()},
            )
            for index, (stage, values) in enumerate(versions)
        ),
    )


def other_secret(secret: Mapping[str, str]) -> dict[str, str]:
    """Return a secret with the same keys and different values (a wrong or an older one)."""
    return {key: f"{value}-other" for key, value in secret.items()}


@dataclass(frozen=True)
class ContractKit:
    """The provider under test with its registration, test secret, signer and clock."""

    provider: ProviderHandle
    registration: Registration
    secret: Mapping[str, str]
    sign: SignHeaders
    now: datetime

    def request(
        self,
        body: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        secret: Mapping[str, str] | None = None,
        signed_at: datetime | None = None,
        base64_body: bool | None = None,
        header_case: Callable[[str], str] | None = None,
    ) -> InboundRequest:
        """Return ``body`` as the receiver would get it, signed unless ``headers`` are given."""
        if headers is None:
            headers = self.sign(body, secret or self.secret, signed_at or self.now)
        return api_gateway_request(
            self.provider.name,
            self.registration.name,
            body,
            headers,
            self.now,
            base64_body=base64_body,
            header_case=header_case,
        )

    def current(self, secret: Mapping[str, str] | None = None) -> SecretVersions:
        """Return secrets holding ``secret`` (default: the test secret) as AWSCURRENT."""
        return secret_versions((SecretStage.CURRENT, secret or self.secret))

    def verify(self, request: InboundRequest, secrets: SecretVersions | None = None) -> Verdict:
        """Run the provider's verify at the kit's clock (default secrets: :meth:`current`)."""
        return self.provider.verify(
            request, self.registration, secrets if secrets is not None else self.current(), self.now
        )

    def parse(self, request: InboundRequest) -> list[NormalisedEvent]:
        """Run the provider's parse."""
        return self.provider.parse(request, self.registration)

    def parse_body(self, body: bytes) -> list[NormalisedEvent]:
        """Sign, deliver and parse ``body``."""
        return self.parse(self.request(body))
