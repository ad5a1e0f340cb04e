"""The hookgate hooks of the Sinch Provisioning provider (``sinch_provisioning``).

Verification uses an ASSUMED scheme (see :mod:`hookgate_sinch_provisioning.schemes`): Sinch
does not publish how Provisioning callbacks are signed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from hookgate import hookimpl
from hookgate.models import (
    InboundRequest,
    NormalisedEvent,
    ProviderInfo,
    Registration,
    SecretVersions,
    Verdict,
)
from hookgate_sinch_provisioning.parse import PROVIDER, parse_request
from hookgate_sinch_provisioning.schemes import SCHEMES
from hookgate_sinch_provisioning.settings import SinchProvisioningSettings

SIGNING_KEY: Final = "webhook_secret"


@hookimpl
def hookgate_provider() -> ProviderInfo:
    """Describe the Sinch Provisioning provider."""
    return ProviderInfo(
        name=PROVIDER,
        title="Sinch Provisioning API",
        settings_model=SinchProvisioningSettings,
        secret_keys=(SIGNING_KEY,),
        rotates=(SIGNING_KEY,),
    )


@hookimpl
def hookgate_verify(
    request: InboundRequest, registration: Registration, secrets: SecretVersions, now: datetime
) -> Verdict:
    """Verify a Provisioning callback with the registration's signature scheme."""
    settings = registration.settings
    if not isinstance(settings, SinchProvisioningSettings):
        return Verdict.reject(
            "registration settings are not sinch_provisioning settings",
            retryable_with_fresh_secrets=False,
        )
    verifier = SCHEMES[settings.signature_scheme]
    tolerance = timedelta(seconds=settings.timestamp_tolerance_seconds)
    return verifier(request, secrets, SIGNING_KEY, tolerance, now)


@hookimpl
def hookgate_parse(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Parse a verified Provisioning callback into one normalised event."""
    return parse_request(request, registration)
