"""The hookgate provider contract, run against the built-in ``meta_whatsapp`` plugin."""

from __future__ import annotations

from types import ModuleType

import pytest

from hookgate_dev.providers.hookgate_meta_whatsapp import samples
from hookgate_dev.testing import ProviderContract


@pytest.fixture
def provider_name() -> str:
    return "meta_whatsapp"


@pytest.fixture
def provider_samples() -> ModuleType:
    return samples


class TestMetaWhatsAppContract(ProviderContract):
    pass
