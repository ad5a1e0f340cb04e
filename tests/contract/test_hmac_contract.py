"""The hookgate provider contract, run against the built-in ``hmac`` plugin in three configurations.

GitHub's scheme (hex, ``sha256=`` prefix, the body), Shopify's (base64, the body) and Slack's
(a ``v0:{timestamp}:{body}`` template with a timestamp header and a 5-minute window).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest

from hookgate_dev.providers.hookgate_hmac import samples
from hookgate_dev.testing import ProviderContract
from hookgate_dev.testing.kit import SignHeaders


@pytest.fixture
def provider_name() -> str:
    return "hmac"


@pytest.fixture
def provider_samples() -> ModuleType:
    return samples


class TestGitHubSchemeContract(ProviderContract):
    @pytest.fixture
    def provider_settings(self) -> Mapping[str, Any]:
        return samples.GITHUB_SETTINGS


class TestShopifySchemeContract(ProviderContract):
    @pytest.fixture
    def provider_settings(self) -> Mapping[str, Any]:
        return samples.SHOPIFY_SETTINGS

    @pytest.fixture
    def provider_signed_headers(self) -> SignHeaders:
        return samples.shopify_signed_headers


class TestSlackSchemeContract(ProviderContract):
    @pytest.fixture
    def provider_settings(self) -> Mapping[str, Any]:
        return samples.SLACK_SETTINGS

    @pytest.fixture
    def provider_signed_headers(self) -> SignHeaders:
        return samples.slack_signed_headers

    @pytest.fixture
    def provider_timestamp_tolerance(self) -> timedelta:
        return timedelta(minutes=5)
