"""The fixtures of the contract suite: those a plugin author provides, and those derived.

Provide your plugin's facts by overriding fixtures of the same name in your ``conftest.py`` or
test module. The quickest way is ``provider_name``, ``provider_samples`` (a module of the
shape :class:`~hookgate_dev.testing.ProviderSamples` declares) and, when your settings have
required fields, ``provider_settings``. Any fixture you do not provide and cannot be derived raises
``NotImplementedError`` naming what to override.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hookgate.models import Registration
from hookgate.plugins import ProviderHandle, load_plugins
from hookgate.taxonomy import UNKNOWN
from hookgate_dev.testing.kit import ContractKit, SignHeaders
from hookgate_dev.testing.samples import ProviderSamples

CONTRACT_REGISTRATION = "contract-test"
CONTRACT_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _missing(fixture: str, hint: str = "") -> NotImplementedError:
    return NotImplementedError(
        f"hookgate contract suite: override the {fixture!r} fixture{hint} for your provider"
    )


def _samples_with(samples: ProviderSamples | None, attribute: str, fixture: str) -> ProviderSamples:
    """Return ``samples`` when it defines ``attribute`` (a samples module may be partial)."""
    if samples is None or not hasattr(samples, attribute):
        raise _missing(fixture, f" (or 'provider_samples' with {attribute})")
    return samples


@pytest.fixture
def provider_name() -> str:
    """Return the provider name under test, as its ``hookgate_provider`` hook reports it."""
    raise _missing("provider_name")


@pytest.fixture
def provider_samples() -> ProviderSamples | None:
    """Return (optionally) a samples module: see :class:`~hookgate_dev.testing.ProviderSamples`."""
    return None


@pytest.fixture
def provider_plugin() -> object | None:
    """Return (optionally) the plugin object to load; None loads it from its entry point."""
    return None


@pytest.fixture
def provider_secret(provider_samples: ProviderSamples | None) -> Mapping[str, str]:
    """Return the secret key → test value mapping that ``provider_signed_headers`` signs with."""
    return _samples_with(provider_samples, "TEST_SECRET", "provider_secret").TEST_SECRET


@pytest.fixture
def provider_signed_headers(provider_samples: ProviderSamples | None) -> SignHeaders:
    """Return the builder of authentication headers: ``(body, secret, now) -> headers``."""
    samples = _samples_with(provider_samples, "signed_headers", "provider_signed_headers")
    return samples.signed_headers


@pytest.fixture
def provider_sample_payloads(provider_samples: ProviderSamples | None) -> Mapping[str, bytes]:
    """Return sample name → exact body bytes, covering every shape the provider sends."""
    samples = _samples_with(provider_samples, "SAMPLE_PAYLOADS", "provider_sample_payloads")
    return samples.SAMPLE_PAYLOADS


@pytest.fixture
def provider_expected_types(
    provider_samples: ProviderSamples | None,
) -> Mapping[str, tuple[str, ...]]:
    """Return sample name → the normalised types parse must return, in order."""
    samples = _samples_with(provider_samples, "EXPECTED_TYPES", "provider_expected_types")
    return samples.EXPECTED_TYPES


@pytest.fixture
def provider_unknown_payload(
    provider_sample_payloads: Mapping[str, bytes],
    provider_expected_types: Mapping[str, tuple[str, ...]],
) -> bytes:
    """Return a body with an event type the plugin does not know (default: such a sample)."""
    for name, types in provider_expected_types.items():
        if UNKNOWN in types and name in provider_sample_payloads:
            return provider_sample_payloads[name]
    raise _missing("provider_unknown_payload", " (or add a sample whose expected type is unknown)")


@pytest.fixture
def provider_settings() -> Mapping[str, Any]:
    """Return the ``settings:`` block of a registration, as written in hookgate.yaml."""
    return {}


@pytest.fixture
def provider_signs_body() -> bool:
    """Return False when authentication does not cover the body (a static token)."""
    return True


@pytest.fixture
def provider_timestamp_tolerance() -> timedelta | None:
    """Return how old a signed timestamp may be; None when the scheme signs no time."""
    return None


@pytest.fixture
def provider_optional_auth_headers() -> frozenset[str]:
    """Return the headers of ``provider_signed_headers`` that may be absent on their own."""
    return frozenset()


@pytest.fixture
def contract_now() -> datetime:
    """Return the fixed "now" the contract signs and verifies at."""
    return CONTRACT_NOW


@pytest.fixture
def contract_provider(provider_name: str, provider_plugin: object | None) -> ProviderHandle:
    """Return the provider under test, loaded by the real plugin host."""
    if provider_plugin is None:
        host = load_plugins()
    else:
        host = load_plugins(use_entry_points=False, extra=[provider_plugin])
    if provider_name not in host.providers:
        failures = "; ".join(f"{name}: {why}" for name, why in sorted(host.failures.items()))
        pytest.fail(
            f"provider {provider_name!r} did not load (loaded: {', '.join(host.names()) or 'none'};"
            f" failures: {failures or 'none'})"
        )
    return host.get(provider_name)


@pytest.fixture
def contract_registration(
    contract_provider: ProviderHandle, provider_settings: Mapping[str, Any]
) -> Registration:
    """Return a registration of the provider under test, with ``provider_settings`` validated."""
    return Registration(
        name=CONTRACT_REGISTRATION,
        provider=contract_provider.name,
        secret_id=f"hookgate/{contract_provider.name}/{CONTRACT_REGISTRATION}",
        settings=contract_provider.info.settings_model.model_validate(dict(provider_settings)),
    )


@pytest.fixture
def contract_kit(
    contract_provider: ProviderHandle,
    contract_registration: Registration,
    provider_secret: Mapping[str, str],
    provider_signed_headers: SignHeaders,
    contract_now: datetime,
) -> ContractKit:
    """Return everything a contract test needs to sign, deliver, verify and parse a request."""
    return ContractKit(
        provider=contract_provider,
        registration=contract_registration,
        secret=provider_secret,
        sign=provider_signed_headers,
        now=contract_now,
    )
