"""The hookgate provider contract, run against the built-in ``meta_whatsapp`` plugin."""

from __future__ import annotations

from types import ModuleType

import pytest

from hookgate.testing import ProviderContract
from hookgate_meta_whatsapp import samples

pytest_plugins = ["hookgate.testing"]


@pytest.fixture
def provider_name() -> str:
    return "meta_whatsapp"


@pytest.fixture
def provider_samples() -> ModuleType:
    return samples


class TestMetaWhatsAppContract(ProviderContract):
    pass
