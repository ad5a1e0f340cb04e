"""hookgate.runtime reads its numbers from the environment and refuses what is not one."""

from __future__ import annotations

from pathlib import Path

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


def test_a_short_grace_window_takes_out_only_its_registration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "hookgate.yaml"
    config.write_text(
        "version: 1\nregistrations:\n"
        "  - {name: dialog, provider: 360dialog, secret: s}\n"
        "  - {name: slow, provider: 360dialog, secret: u, previous_secret_grace_seconds: 30}\n"
    )
    for name, value in {"HOOKGATE_CONFIG": str(config), "HOOKGATE_TABLE": "t"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOOKGATE_EVENT_BUS", "b")
    monkeypatch.setenv(NAME, "60")
    runtime.reset()
    try:
        receiver = runtime.get_receiver()
        assert list(receiver.config.registrations) == ["dialog"]
        assert receiver.config.unavailable["slow"].reason.startswith(
            "previous_secret_grace_seconds (30) must be longer than the secret cache TTL (60 s"
        )
        monkeypatch.setenv(NAME, "29")
        runtime.reset()
        assert list(runtime.get_receiver().config.registrations) == ["dialog", "slow"]
    finally:
        runtime.reset()
