"""Registration.settings_as: a plugin reads its own settings model, or gets a ConfigError."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from hookgate.errors import ConfigError
from hookgate.models import Registration


class Mine(BaseModel):
    """The settings of the plugin asking."""

    region: str = "eu"


class Theirs(BaseModel):
    """Another provider's settings."""


def test_the_plugin_s_own_settings_come_back_as_they_are() -> None:
    settings = Mine(region="us")
    registration = Registration(name="r", provider="p", secret_id="s", settings=settings)
    assert registration.settings_as(Mine) is settings


def test_another_provider_s_settings_are_a_config_error_naming_both() -> None:
    registration = Registration(name="r", provider="p", secret_id="s", settings=Theirs())
    with pytest.raises(ConfigError, match=r"^registration 'r' has no Mine$"):
        registration.settings_as(Mine)
