"""The shape of a plugin's ``samples`` module, the quickest way to feed the contract suite."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol, runtime_checkable


@runtime_checkable
class ProviderSamples(Protocol):
    """A module (or object) holding a provider's test facts; give it as ``provider_samples``.

    A module satisfies it by defining the four names below at module level; mypy checks a
    module assigned to a variable of this type. A module may leave some out when the matching
    fixtures (``provider_secret``, ``provider_signed_headers``, ``provider_sample_payloads``,
    ``provider_expected_types``) are provided instead.
    """

    @property
    def TEST_SECRET(self) -> Mapping[str, str]:
        """Secret key → a made-up test value (never a real secret)."""
        ...

    @property
    def SAMPLE_PAYLOADS(self) -> Mapping[str, bytes]:
        """Sample name → exact body bytes, covering every shape the provider sends."""
        ...

    @property
    def EXPECTED_TYPES(self) -> Mapping[str, tuple[str, ...]]:
        """Sample name → the normalised types ``parse`` must return, in order."""
        ...

    def signed_headers(
        self, body: bytes, secret: Mapping[str, str], now: datetime
    ) -> dict[str, str]:
        """Return the authentication headers the provider would send with ``body``."""
        ...
