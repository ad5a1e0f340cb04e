"""The hookgate command line: exit codes and output a pipeline can rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hookgate import runtime
from hookgate.plugins import load_plugins
from hookgate_dev import cli
from hookgate_dev.cli import main

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events" / "sinch_conversation"
AT = "1793534400"  # the time the sample events were signed at


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.json"
    path.write_text(json.dumps({"webhook_secret": "foo_secret1234"}))
    return path


def test_providers_and_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers"]) == 0
    assert "sinch_conversation" in capsys.readouterr().out
    assert main(["check", "--config", str(ROOT / "hookgate.yaml")]) == 0
    assert "registration(s) valid" in capsys.readouterr().out


def test_check_refuses_a_rotation_schedule_hookgate_cannot_honour(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = (ROOT / "template.yaml").read_text(encoding="utf-8")
    (tmp_path / "hookgate.yaml").write_text(
        (ROOT / "hookgate.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    scheduled = template.replace(
        "  SigningKeySecretRotation:",
        "  SinchDemoSecretRotation:\n"
        "    Type: AWS::SecretsManager::RotationSchedule\n"
        "    Properties:\n"
        "      SecretId: !Ref SinchDemoSecret\n"
        "      RotationLambdaARN: !GetAtt RotationFunction.Arn\n\n"
        "  SigningKeySecretRotation:",
    )
    (tmp_path / "template.yaml").write_text(scheduled, encoding="utf-8")
    assert main(["check", "--config", str(tmp_path / "hookgate.yaml")]) == 1
    err = capsys.readouterr().err
    assert "registration 'sinch-demo': SinchDemoSecretRotation rotates SinchDemoSecret" in err
    assert "every rotation would fail and stay in progress" in err

    with_api = (
        (ROOT / "hookgate.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "    # api_secret: hookgate/sinch-demo-api", "    api_secret: hookgate/sinch-demo-api"
        )
    )
    (tmp_path / "hookgate.yaml").write_text(with_api, encoding="utf-8")
    assert main(["check", "--config", str(tmp_path / "hookgate.yaml")]) == 0
    (tmp_path / "template.yaml").write_text(template, encoding="utf-8")
    assert main(["check", "--config", str(tmp_path / "hookgate.yaml")]) == 1
    assert "schedules no rotation of SinchDemoSecret" in capsys.readouterr().err


def test_check_reports_an_invalid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "hookgate.yaml"
    bad.write_text("version: 1\nregistrations:\n  - {name: x, provider: nope, secret: s}\n")
    assert main(["check", "--config", str(bad)]) == 1
    assert "registration 'x': provider: unknown provider 'nope'" in capsys.readouterr().err


def test_check_stays_strict_about_what_serving_tolerates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The receiver serves the other registrations when one is unavailable; check refuses it.
    config = tmp_path / "hookgate.yaml"
    config.write_text(
        "version: 1\nregistrations:\n"
        "  - {name: dialog, provider: 360dialog, secret: s, settings: {auth_header: x-t}}\n"
        "  - {name: sinch, provider: sinch_conversation, secret: t, settings: {project_id: p}}\n"
        "  - {name: slow, provider: 360dialog, secret: u, previous_secret_grace_seconds: 30}\n"
    )
    assert main(["check", "--config", str(config)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"error: {config}: registration 'sinch': settings.app_id: Field required",
        f"error: {config}: registration 'slow': previous_secret_grace_seconds (30) must be "
        "longer than the secret cache TTL (120 s, HOOKGATE_SECRET_CACHE_SECONDS)",
        f"{config}: 2 problem(s)",
    ]
    monkeypatch.setenv("HOOKGATE_DISABLE_PLUGINS", "sinch_conversation")
    runtime.reset()
    try:
        assert main(["check", "--config", str(ROOT / "hookgate.yaml")]) == 1
        assert "plugin 'sinch_conversation' is disabled" in capsys.readouterr().err
    finally:
        monkeypatch.delenv("HOOKGATE_DISABLE_PLUGINS")
        runtime.reset()


def test_check_fails_when_a_plugin_failed_to_load(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    host = load_plugins()
    broken = type(host)(providers=host.providers, failures={"acme": "import failed: boom"})
    monkeypatch.setattr(cli, "get_plugin_host", lambda: broken)
    assert main(["check", "--config", str(ROOT / "hookgate.yaml")]) == 1
    assert capsys.readouterr().err.splitlines()[-2:] == [
        "error: plugin 'acme' failed to load: import failed: boom",
        f"{ROOT / 'hookgate.yaml'}: 1 problem(s)",
    ]


def test_verify_a_saved_request(secret_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(ROOT / "hookgate.yaml")
    args = ["--secret", str(secret_file), "--config", config, "--at", AT]
    assert main(["verify", str(EVENTS / "inbound_message.json"), *args]) == 0
    assert '"type": "message.received"' in capsys.readouterr().out
    assert main(["verify", str(EVENTS / "bad_signature.json"), *args]) == 1
    assert "refused: signature mismatch" in capsys.readouterr().out
    assert (
        main(
            [
                "verify",
                str(EVENTS / "inbound_message.json"),
                "--secret",
                str(secret_file),
                "--config",
                config,
            ]
        )
        == 1
    )  # judged now, the signature is stale
    assert "stale timestamp" in capsys.readouterr().out


def test_plan_needs_a_base_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HOOKGATE_WEBHOOK_BASE_URL", raising=False)
    assert main(["plan", "--config", str(ROOT / "hookgate.yaml")]) == 1
    assert "--base-url" in capsys.readouterr().err


def test_sandbox_loading(capsys: pytest.CaptureFixture[str]) -> None:
    import httpx

    from hookgate_dev.cli import load_sandbox
    from hookgate_dev.sandbox.server import BackgroundServer

    sandbox = load_sandbox("sinch_conversation", "kid", "ksecret-value-1")
    with BackgroundServer(sandbox.app) as server, httpx.Client(base_url=server.url) as client:
        assert client.get("/_sandbox/state").json() == {"webhooks": []}
        token = client.post(
            "/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=("kid", "ksecret-value-1"),
        )
        assert token.status_code == 200 and token.json()["token_type"] == "Bearer"
    assert main(["sandbox", "nope"]) == 1
    assert "unknown provider 'nope'" in capsys.readouterr().err


def test_an_aws_error_is_one_clear_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hookgate import runtime

    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    runtime.reset()
    config = str(Path(__file__).resolve().parents[2] / "hookgate.yaml")
    code = main(["rotate", "sinch-demo", "--config", config, "--base-url", "https://x/webhooks"])
    runtime.reset()
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: AWS: You must specify a region") and "Traceback" not in err
