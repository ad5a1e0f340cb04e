"""The hookgate provider contract, run against the built-in ``360dialog`` plugin.

Here with the registered custom header token alone (the body is not signed); the run with a
partner secret, when the ``x-360dialog-signature`` HMAC covers the body too, is
test_360dialog_partner_contract.py.
"""

from __future__ import annotations

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


class Test360dialogHeaderTokenContract(ProviderContract):
    @pytest.fixture
    def provider_signs_body(self) -> bool:
        return False  # a static header token: the body is not signed
