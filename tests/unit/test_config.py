"""hookgate.yaml validation: mistakes are reported with file, registration and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookgate.config import load_config, parse_config
from hookgate.errors import ConfigError, RegistrationUnavailableError, UnknownRegistrationError
from hookgate.plugins import load_plugins
from hookgate.runtime import check_grace_windows, grace_window_problems

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
    # A registration's own mistake (provider, settings) leaves it unavailable; require_all (what
    # `hookgate check` uses) refuses it. Mistakes in the document refuse it outright.
    with pytest.raises(ConfigError, match=message):
        parse_config(text, "hookgate.yaml", host).require_all()


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


OTHER = """
  - name: dialog
    provider: 360dialog
    secret: hookgate/dialog
    settings: {auth_header: x-hookgate-token}
"""


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            GOOD.replace("app_id: a", "app_idd: a") + OTHER,
            "settings.app_id: Field required; settings.app_idd: Extra inputs are not permitted",
        ),
        (
            GOOD.replace("[MESSAGE_DELIVERY]", "[MESSAGE_DELIVERY, MESSAGE_DELIVERED]") + OTHER,
            "events: 'MESSAGE_DELIVERED' not known to Sinch Conversation API",
        ),
        (
            GOOD.replace("[MESSAGE_DELIVERY]", "[UNSPECIFIED_TRIGGER]") + OTHER,
            "events: 'UNSPECIFIED_TRIGGER' not known to Sinch Conversation API",
        ),
        (
            GOOD.replace("[MESSAGE_DELIVERY]", "[MESSAGE_DELIVERY, MESSAGE_DELIVERY]") + OTHER,
            "events: a name is listed twice",
        ),
        (
            GOOD.replace("events: [MESSAGE_DELIVERY]", "api_secret: hookgate/sinch-api") + OTHER,
            "events: empty, but sync must tell the provider which events to send",
        ),
        (
            GOOD.replace("provider: sinch_conversation", "provider: nosuch") + OTHER,
            "provider: unknown provider 'nosuch'; loaded providers: 360dialog, hmac, insider_one, "
            "meta_whatsapp, sinch_conversation, sinch_provisioning, standard_webhooks",
        ),
    ],
)
def test_one_registrations_mistake_leaves_the_others_available(  # type: ignore[no-untyped-def]
    host, text: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = parse_config(text, "hookgate.yaml", host)
    assert list(config.registrations) == ["dialog"]
    assert config.get("dialog").provider == "360dialog"
    (unavailable,) = config.unavailable.values()
    assert (unavailable.name, unavailable.reason) == ("sinch-demo", reason)
    with pytest.raises(RegistrationUnavailableError) as caught:
        config.get("sinch-demo")
    assert str(caught.value) == f"registration 'sinch-demo' is unavailable: {reason}"
    with pytest.raises(UnknownRegistrationError, match="declared: dialog"):
        config.get("other")
    assert config.problems() == [f"hookgate.yaml: registration 'sinch-demo': {reason}"]
    assert [r.getMessage() for r in caplog.records] == [f"registration unavailable: {reason}"]
    with pytest.raises(ConfigError, match="registration 'sinch-demo'"):
        config.require_all()
    assert parse_config(GOOD + OTHER, "hookgate.yaml", host).require_all().problems() == []


def test_a_plugin_that_failed_or_is_disabled_is_named_as_the_reason() -> None:
    failing = load_plugins(block={"sinch_conversation"})
    broken = type(failing)(
        providers=failing.providers, failures={"sinch_conversation": "import failed: boom"}
    )
    config = parse_config(GOOD + OTHER, "hookgate.yaml", broken)
    assert config.unavailable["sinch-demo"].reason == (
        "provider: plugin 'sinch_conversation' failed to load: import failed: boom"
    )
    config = parse_config(GOOD + OTHER, "hookgate.yaml", failing)
    assert failing.disabled == frozenset({"sinch_conversation"})
    assert config.unavailable["sinch-demo"].reason == (
        "provider: plugin 'sinch_conversation' is disabled "
        "(HOOKGATE_DISABLE_PLUGINS or HOOKGATE_PLUGINS)"
    )
    assert list(config.registrations) == ["dialog"]


def test_a_declared_name_twice_is_refused_even_when_the_first_is_unavailable(host) -> None:  # type: ignore[no-untyped-def]
    twice = (
        GOOD.replace("provider: sinch_conversation", "provider: nosuch")
        + GOOD.split("registrations:\n")[1]
    )
    with pytest.raises(ConfigError, match="'sinch-demo': name: declared twice"):
        parse_config(twice, "hookgate.yaml", host)


def test_a_short_grace_window_makes_only_that_registration_unavailable(host) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace(
        "secret: hookgate/sinch-demo",
        "secret: hookgate/sinch-demo\n    previous_secret_grace_seconds: 60",
    )
    config = parse_config(text + OTHER, "hookgate.yaml", host)
    problems = grace_window_problems(config, 60.0)
    assert problems == {
        "sinch-demo": "previous_secret_grace_seconds (60) must be longer than the secret cache "
        "TTL (60 s, HOOKGATE_SECRET_CACHE_SECONDS)"
    }
    assert grace_window_problems(config, 59.0) == {}
    narrowed = config.without(problems)
    assert list(narrowed.registrations) == ["dialog"]
    assert narrowed.unavailable["sinch-demo"].provider == "sinch_conversation"
    assert config.without({}) is config


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


def test_every_sinch_trigger_loads_and_empty_events_are_fine_when_sync_does_not_manage(  # type: ignore[no-untyped-def]
    host,
) -> None:
    from hookgate_sinch_conversation.event_types import TRIGGERS

    every = GOOD.replace("[MESSAGE_DELIVERY]", "[" + ", ".join(sorted(TRIGGERS)) + "]")
    assert parse_config(every, "hookgate.yaml", host).require_all().problems() == []
    unmanaged = GOOD.replace("    events: [MESSAGE_DELIVERY]\n", "")
    assert parse_config(unmanaged, "hookgate.yaml", host).require_all().problems() == []
    managed = GOOD.replace("secret: hookgate/sinch-demo", "secret: s\n    api_secret: a")
    assert parse_config(managed, "hookgate.yaml", host).require_all().problems() == []
