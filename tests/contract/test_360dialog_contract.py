"""The hookgate provider contract, run against the built-in ``360dialog`` plugin.

Twice: with the registered custom header token alone (the body is not signed), and with a
partner secret as well, when the ``x-360dialog-signature`` HMAC covers the body.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

import pytest

from hookgate.testing import ProviderContract
from hookgate_360dialog import samples

pytest_plugins = ["hookgate.testing"]


@pytest.fixture
def provider_name() -> str:
    return "360dialog"


@pytest.fixture
def provider_samples() -> ModuleType:
    return samples


class Test360dialogHeaderTokenContract(ProviderContract):
    @pytest.fixture
    def provider_signs_body(self) -> bool:
        return False  # a static header token: the body is not signed


class Test360dialogPartnerSignatureContract(ProviderContract):
    @pytest.fixture
    def provider_secret(self) -> Mapping[str, str]:
        return {**samples.TEST_SECRET, "partner_secret": "test-only-360dialog-partner-secret"}
