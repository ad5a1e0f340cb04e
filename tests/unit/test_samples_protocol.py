"""Every samples module the repository ships has the shape ProviderSamples declares.

The assignments below are checked by mypy (a module against the protocol); the test checks the
same at run time, and that a module missing a name is not taken for one.
"""

from __future__ import annotations

import types

import pytest

import hookgate_dev.providers.hookgate_360dialog.samples
import hookgate_dev.providers.hookgate_hmac.samples
import hookgate_dev.providers.hookgate_insider_one.samples
import hookgate_dev.providers.hookgate_meta_whatsapp.samples
import hookgate_dev.providers.hookgate_sinch_conversation.samples
import hookgate_dev.providers.hookgate_sinch_provisioning.samples
import hookgate_dev.providers.hookgate_standard_webhooks.samples
from hookgate_dev.testing import ProviderSamples

SAMPLES: dict[str, ProviderSamples] = {
    "360dialog": hookgate_dev.providers.hookgate_360dialog.samples,
    "hmac": hookgate_dev.providers.hookgate_hmac.samples,
    "insider_one": hookgate_dev.providers.hookgate_insider_one.samples,
    "meta_whatsapp": hookgate_dev.providers.hookgate_meta_whatsapp.samples,
    "sinch_conversation": hookgate_dev.providers.hookgate_sinch_conversation.samples,
    "sinch_provisioning": hookgate_dev.providers.hookgate_sinch_provisioning.samples,
    "standard_webhooks": hookgate_dev.providers.hookgate_standard_webhooks.samples,
}


@pytest.mark.parametrize("provider", sorted(SAMPLES))
def test_a_built_in_samples_module_is_a_provider_samples(provider: str) -> None:
    samples = SAMPLES[provider]
    assert isinstance(samples, ProviderSamples)
    assert set(samples.EXPECTED_TYPES) <= set(samples.SAMPLE_PAYLOADS)
    assert samples.TEST_SECRET


@pytest.mark.parametrize(
    "missing", ["TEST_SECRET", "SAMPLE_PAYLOADS", "EXPECTED_TYPES", "signed_headers"]
)
def test_a_module_without_one_of_the_names_is_not_one(missing: str) -> None:
    partial = types.ModuleType("partial")
    for name in ("TEST_SECRET", "SAMPLE_PAYLOADS", "EXPECTED_TYPES", "signed_headers"):
        if name != missing:
            setattr(partial, name, getattr(hookgate_dev.providers.hookgate_hmac.samples, name))
    assert not isinstance(partial, ProviderSamples)
