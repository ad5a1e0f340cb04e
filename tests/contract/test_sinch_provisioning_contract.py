"""The hookgate provider contract, run against the built-in ``sinch_provisioning`` plugin."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import ModuleType

import pytest

from hookgate_dev.providers.hookgate_sinch_provisioning import samples
from hookgate_dev.testing import ProviderContract


@pytest.fixture
def provider_name() -> str:
    return "sinch_provisioning"


@pytest.fixture
def provider_samples() -> ModuleType:
    return samples


@pytest.fixture
def provider_settings() -> Mapping[str, object]:
    return {"project_id": samples.PROJECT_ID}


@pytest.fixture
def provider_timestamp_tolerance() -> timedelta:
    return timedelta(seconds=300)


@pytest.fixture
def provider_optional_auth_headers() -> frozenset[str]:
    # The algorithm header only names the algorithm; a request without it is still signed.
    return frozenset({"x-sinch-webhook-signature-algorithm"})


class TestSinchProvisioningContract(ProviderContract):
    pass
