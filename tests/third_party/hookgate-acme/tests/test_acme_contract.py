"""Acme proves it honours hookgate's plugin contract, with hookgate's own contract suite."""

from __future__ import annotations

from types import ModuleType

import hookgate_acme.samples
import pytest

from hookgate_dev.testing import ProviderContract


@pytest.fixture
def provider_name() -> str:
    return "acme"


@pytest.fixture
def provider_samples() -> ModuleType:
    return hookgate_acme.samples


@pytest.fixture
def provider_signs_body() -> bool:
    return False  # a shared token: the body is not signed


class TestAcmeContract(ProviderContract):
    pass
