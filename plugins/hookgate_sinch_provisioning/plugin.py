"""The hookgate hooks of the Sinch Provisioning provider (``sinch_provisioning``).

Verification uses an ASSUMED scheme (see :mod:`hookgate_sinch_provisioning.schemes`): Sinch
does not publish how Provisioning callbacks are signed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from hookgate.plugin import (
    InboundRequest,
    NormalisedEvent,
    ProviderInfo,
    Registration,
    SecretVersions,
    Verdict,
    hookimpl,
    sync_hooks,
)
from hookgate_sinch_provisioning.parse import PROVIDER, parse_request
from hookgate_sinch_provisioning.schemes import SCHEMES
from hookgate_sinch_provisioning.settings import SinchProvisioningSettings

if TYPE_CHECKING:
    pass

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
        api_credential_keys=("key_id", "key_secret"),
    )


@hookimpl
def hookgate_verify(
    request: InboundRequest, registration: Registration, secrets: SecretVersions, now: datetime
) -> Verdict:
    """Verify a Provisioning callback with the registration's signature scheme."""
    settings = registration.settings
    if not isinstance(settings, SinchProvisioningSettings):
        return Verdict.settings_mismatch(PROVIDER)
    verifier = SCHEMES[settings.signature_scheme]
    tolerance = timedelta(seconds=settings.timestamp_tolerance_seconds)
    return verifier(request, secrets, SIGNING_KEY, tolerance, now)


@hookimpl
def hookgate_parse(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Parse a verified Provisioning callback into one normalised event."""
    return parse_request(request, registration)


# register.py: the sync engine over the provider's webhook API (imported when sync runs).
hookgate_register, hookgate_rotate_secret = sync_hooks("hookgate_sinch_provisioning.register")
