"""The hookgate provider contract, run against the built-in ``standard_webhooks`` plugin."""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType

import pytest

from hookgate_dev.providers.hookgate_standard_webhooks import samples
from hookgate_dev.testing import ProviderContract


@pytest.fixture
def provider_name() -> str:
    return "standard_webhooks"


@pytest.fixture
def provider_samples() -> ModuleType:
    return samples


@pytest.fixture
def provider_timestamp_tolerance() -> timedelta:
    return timedelta(minutes=5)


class TestStandardWebhooksContract(ProviderContract):
    pass
