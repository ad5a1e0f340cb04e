"""hookgate's contract suite for provider plugins: a pytest plugin plus a reusable test class.

Installing hookgate-dev registers it with pytest (its ``pytest11`` entry point, named
``hookgate_dev.testing``; with plugin autoloading off: ``pytest -p hookgate_dev.testing``), so a
plugin's tests only subclass the suite::

    from hookgate_dev.testing import ProviderContract

    class TestMyProviderContract(ProviderContract):
        pass

then override the fixtures documented in :mod:`hookgate_dev.testing.fixtures` (at least
``provider_name`` and ``provider_samples``). The suite proves: a good request verifies; a
tampered body, a wrong secret or a missing header does not; header-name case and base64 bodies
are handled; the pending and previous secrets verify during a rotation and are named; no
secret means rejection; unknown events are delivered as ``unknown``; every sample parses to its
expected types from the taxonomy; and no secret reaches a reason, an event or a log record.

This package imports pytest: it is for tests only, never for a Lambda handler. It holds no
``assert`` statement, so pytest need not rewrite it; the marker PYTEST_DONT_REWRITE keeps pytest
from warning when something imported it before pytest could.
"""

from hookgate_dev.testing.contract import ProviderContract, assert_event_types
from hookgate_dev.testing.fixtures import (
    contract_kit,
    contract_now,
    contract_provider,
    contract_registration,
    provider_expected_types,
    provider_name,
    provider_optional_auth_headers,
    provider_plugin,
    provider_sample_payloads,
    provider_samples,
    provider_secret,
    provider_settings,
    provider_signed_headers,
    provider_signs_body,
    provider_timestamp_tolerance,
    provider_unknown_payload,
)
from hookgate_dev.testing.kit import ContractKit, other_secret, secret_versions
from hookgate_dev.testing.requests import api_gateway_request
from hookgate_dev.testing.samples import ProviderSamples

__all__ = [
    "ContractKit",
    "ProviderContract",
    "ProviderSamples",
    "api_gateway_request",
    "assert_event_types",
    "contract_kit",
    "contract_now",
    "contract_provider",
    "contract_registration",
    "other_secret",
    "provider_expected_types",
    "provider_name",
    "provider_optional_auth_headers",
    "provider_plugin",
    "provider_sample_payloads",
    "provider_samples",
    "provider_secret",
    "provider_settings",
    "provider_signed_headers",
    "provider_signs_body",
    "provider_timestamp_tolerance",
    "provider_unknown_payload",
    "secret_versions",
]
