"""The hookgate provider contract, run against the built-in ``insider_one`` plugin (V1)."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

import pytest

from hookgate_dev.providers.hookgate_insider_one import samples
from hookgate_dev.testing import ProviderContract


@pytest.fixture
def provider_name() -> str:
    return "insider_one"


@pytest.fixture
def provider_samples() -> ModuleType:
    return samples


@pytest.fixture
def provider_settings() -> Mapping[str, object]:
    return {"auth": "v1"}


@pytest.fixture
def provider_signs_body() -> bool:
    # V1 authenticates with a static bearer key (seed 004); nothing signs the body.
    return False


class TestInsiderOneContract(ProviderContract):
    pass
