"""hookgate's contract suite for provider plugins: a pytest plugin plus a reusable test class.

Use it from any plugin's tests, once hookgate is installed::

    pytest_plugins = ["hookgate.testing"]          # or: pytest -p hookgate.testing

    from hookgate.testing import ProviderContract

    class TestMyProviderContract(ProviderContract):
        pass

then override the fixtures documented in :mod:`hookgate.testing.fixtures` (at least
``provider_name`` and ``provider_samples``). The suite proves: a good request verifies; a
tampered body, a wrong secret or a missing header does not; header-name case and base64 bodies
are handled; the pending and previous secrets verify during a rotation and are named; no
secret means rejection; unknown events are delivered as ``unknown``; every sample parses to its
expected types from the taxonomy; and no secret reaches a reason, an event or a log record.

This package imports pytest: it is for tests only, never for a Lambda handler. It holds no
``assert`` statement, so pytest need not rewrite it; the marker PYTEST_DONT_REWRITE stops pytest
warning when a test module imports it before naming it in ``pytest_plugins``.
"""

from hookgate.testing.contract import ProviderContract, assert_event_types
from hookgate.testing.fixtures import (
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
from hookgate.testing.kit import ContractKit, other_secret, secret_versions
from hookgate.testing.requests import api_gateway_request
from hookgate.testing.samples import ProviderSamples

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
