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
        (
            GOOD + GOOD.split("registrations:\n")[1].replace("name: sinch-demo", "name: other"),
            r"registration 'other': secret: 'hookgate/sinch-demo' is already used by "
            r"registration 'sinch-demo' \(secret\); every registration needs secrets of its own",
        ),
        (
            GOOD.replace("    events:", "    api_secret: hookgate/sinch-demo-api\n    events:")
            + GOOD.split("registrations:\n")[1]
            .replace("name: sinch-demo", "name: other")
            .replace("secret: hookgate/sinch-demo", "secret: hookgate/sinch-demo-api"),
            r"registration 'other': secret: 'hookgate/sinch-demo-api' is already used by "
            r"registration 'sinch-demo' \(api_secret\)",
        ),
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


def test_the_layers_json_copy_reads_the_same_without_yaml(host, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    import yaml

    copy = tmp_path / "hookgate.json"
    copy.write_text(json.dumps(yaml.safe_load((ROOT / "hookgate.yaml").read_text())))
    assert (
        load_config(copy, host).registrations
        == load_config(ROOT / "hookgate.yaml", host).registrations
    )
    copy.write_text("{not json")
    with pytest.raises(ConfigError, match=r"hookgate.json: not valid JSON"):
        load_config(copy, host)


def test_reading_a_json_config_does_not_import_yaml() -> None:
    import subprocess
    import sys

    code = (
        "import sys, json, pathlib, tempfile\n"
        "p = pathlib.Path(tempfile.mkdtemp()) / 'hookgate.json'\n"
        "p.write_text(json.dumps({'version': 1, 'registrations': []}))\n"
        "from hookgate.config import load_config\n"
        "load_config(p)\n"
        "print('yaml' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.strip() == "False"


OAUTH2_PAIR = """
version: 1
registrations:
  - name: insider-a
    provider: insider_one
    secret: hookgate/insider-a
    settings: {auth: v2}
    oauth2: {OPTIONS_A}
  - name: insider-b
    provider: insider_one
    secret: hookgate/insider-b
    settings: {auth: v2}
    oauth2: {OPTIONS_B}
  - name: insider-v1
    provider: insider_one
    secret: hookgate/insider-v1
    settings: {auth: v1}
"""


def _pair(options_a: str, options_b: str) -> str:
    return OAUTH2_PAIR.replace("OPTIONS_A", options_a).replace("OPTIONS_B", options_b)


def test_the_oauth2_client_id_is_declared_or_the_registration_name(host) -> None:  # type: ignore[no-untyped-def]
    config = parse_config(_pair("expires_in: 600", "client_id: Partner.Id_9~x"), "h.yaml", host)
    assert config.get("insider-a").client_id == "insider-a"
    assert config.get("insider-b").client_id == "Partner.Id_9~x"
    assert config.get("insider-v1").client_id is None  # no OAuth2: no client


@pytest.mark.parametrize(
    ("options_a", "options_b", "message"),
    [
        ("client_id: shared", "client_id: shared", r"'insider-b': oauth2.client_id: 'shared' is "),
        (
            "client_id: insider-b",
            "expires_in: 600",
            r"'insider-b'.*already the client id of 'insider-a'",
        ),
        (
            "client_id: 'has space'",
            "expires_in: 600",
            r"'insider-a': oauth2.client_id: String should",
        ),
        ("client_id: 'a:b'", "expires_in: 600", r"'insider-a': oauth2.client_id: String should"),
        ("client_id: ''", "expires_in: 600", r"'insider-a': oauth2.client_id: String should"),
    ],
)
def test_a_client_id_names_one_registration(  # type: ignore[no-untyped-def]
    host, options_a: str, options_b: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(_pair(options_a, options_b), "h.yaml", host)
