"""hookgate.yaml validation: mistakes are reported with file, registration and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookgate.config import load_config, parse_config
from hookgate.errors import ConfigError, UnknownRegistrationError
from hookgate.plugins import load_plugins
from hookgate.runtime import check_grace_windows

ROOT = Path(__file__).resolve().parents[2]
GOOD = """
version: 1
registrations:
  - name: sinch-demo
    provider: sinch_conversation
    secret: hookgate/sinch-demo
    events: [MESSAGE_DELIVERY]
    settings: {project_id: p, app_id: a}
"""


@pytest.fixture(scope="module")
def host():  # type: ignore[no-untyped-def]
    return load_plugins()


def test_valid_file_loads_with_typed_settings(host) -> None:  # type: ignore[no-untyped-def]
    config = parse_config(GOOD, "hookgate.yaml", host)
    registration = config.get("sinch-demo")
    assert registration.provider == "sinch_conversation"
    assert registration.secret_id == "hookgate/sinch-demo"
    assert registration.settings.app_id == "a"  # type: ignore[attr-defined]
    with pytest.raises(UnknownRegistrationError, match="declared: sinch-demo"):
        config.get("other")


def test_the_shipped_hookgate_yaml_is_valid(host) -> None:  # type: ignore[no-untyped-def]
    config = load_config(ROOT / "hookgate.yaml", host)
    assert config.registrations


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace("app_id: a", "app_idd: a"),
            r"hookgate.yaml: registration 'sinch-demo': settings\.app_id",
        ),
        (
            GOOD.replace("provider: sinch_conversation", "provider: nosuch"),
            r"registration 'sinch-demo': provider: unknown provider 'nosuch'; "
            r"loaded providers: .*sinch_conversation",
        ),
        (
            GOOD.replace("name: sinch-demo", "name: Sinch Demo"),
            r"registration 'Sinch Demo': name: String should match",
        ),
        (GOOD.replace("version: 1", "version: 2"), r"hookgate.yaml: version: Input should be 1"),
        (
            GOOD.replace("    secret: hookgate/sinch-demo\n", ""),
            r"registration 'sinch-demo': secret: Field required",
        ),
        (
            GOOD + GOOD.split("registrations:\n")[1],
            r"registration 'sinch-demo': name: declared twice",
        ),
        ("version: 1\nregistrations: [\n", r"hookgate.yaml: not valid YAML"),
    ],
)
def test_mistakes_name_file_registration_and_field(host, text: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=message):
        parse_config(text, "hookgate.yaml", host)


def test_missing_file_is_a_config_error(tmp_path: Path, host) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(tmp_path / "absent.yaml", host)


def test_a_grace_window_shorter_than_the_secret_cache_is_refused() -> None:
    host = load_plugins()
    text = (ROOT / "hookgate.yaml").read_text(encoding="utf-8")
    config = parse_config(text, "hookgate.yaml", host)
    check_grace_windows(config, 60.0)
    short = parse_config(
        text.replace("previous_secret_grace_seconds: 3600", "previous_secret_grace_seconds: 30"),
        "hookgate.yaml",
        host,
    )
    with pytest.raises(ConfigError, match=r"'sinch-demo': previous_secret_grace_seconds \(30\)"):
        check_grace_windows(short, 60.0)
    never = text.replace("previous_secret_grace_seconds: 3600", "previous_secret_grace_seconds: 0")
    check_grace_windows(parse_config(never, "hookgate.yaml", host), 60.0)
