"""The provider contract for ``360dialog`` with a partner secret: the body is signed too."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

import pytest

from hookgate_dev.providers.hookgate_360dialog import samples
from hookgate_dev.testing import ProviderContract


@pytest.fixture
def provider_name() -> str:
    return "360dialog"


@pytest.fixture
def provider_samples() -> ModuleType:
    return samples


@pytest.fixture
def provider_secret() -> Mapping[str, str]:
    return {**samples.TEST_SECRET, "partner_secret": "test-only-360dialog-partner-secret"}


@pytest.fixture
def provider_settings() -> Mapping[str, object]:
    return {"auth_header": samples.DEFAULT_AUTH_HEADER, "require_partner_signature": True}


class TestDialog360PartnerContract(ProviderContract):
    pass
