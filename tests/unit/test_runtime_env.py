"""hookgate.runtime reads its numbers from the environment and refuses what is not one."""

from __future__ import annotations

import pytest

from hookgate import runtime
from hookgate.errors import ConfigError
from hookgate.secrets import DEFAULT_TTL_SECONDS

NAME = "HOOKGATE_SECRET_CACHE_SECONDS"


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "1e400"])
def test_a_number_that_is_not_finite_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ConfigError, match=f"{NAME} must be a finite number"):
        runtime.secret_store_from_env()


def test_finite_numbers_and_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, "12.5")
    assert runtime.secret_store_from_env().ttl == 12.5
    monkeypatch.setenv(NAME, "soon")
    with pytest.raises(ConfigError, match=f"{NAME} must be a number"):
        runtime.secret_store_from_env()
    monkeypatch.delenv(NAME)
    assert runtime.secret_store_from_env().ttl == DEFAULT_TTL_SECONDS
