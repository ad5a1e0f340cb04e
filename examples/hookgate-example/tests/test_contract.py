"""Example Co proves it honours hookgate's plugin contract, with hookgate's contract suite.

Run from the distribution's root once it is installed (``pip install -e .``): ``pytest tests``.
"""

from __future__ import annotations

from types import ModuleType

import hookgate_example.samples
import pytest

from hookgate_dev.testing import ProviderContract


@pytest.fixture
def provider_name() -> str:
    """Name the provider under test, as its ``hookgate_provider`` hook reports it."""
    return "example"


@pytest.fixture
def provider_samples() -> ModuleType:
    """Give the suite the test secret, signer, sample bodies and expected types."""
    return hookgate_example.samples


class TestExampleContract(ProviderContract):
    """Every check of the contract, run against the installed ``example`` provider."""
