"""events/: every sample event is current, verifies with its documented test secret, and parses."""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path

import pytest
from pydantic import SecretStr
from scripts.make_sample_events import FIXED_TIME, PROVIDERS, write_events

from hookgate.apigw import request_from_event
from hookgate.config import parse_config
from hookgate.models import SecretStage, SecretVersion, SecretVersions
from hookgate.plugins import load_plugins

ROOT = Path(__file__).resolve().parents[2]
EVENTS = sorted(p for p in (ROOT / "events").glob("*/*.json") if p.parent.name != "token")
SETTINGS = {
    "sinch_conversation": {"project_id": "p", "app_id": "a"},
    "sinch_provisioning": {"project_id": "p"},
    "360dialog": {},
    "insider_one": {"auth": "v1"},
}


def test_the_files_match_the_generator(tmp_path: Path) -> None:
    fresh = {p.relative_to(tmp_path) for p in write_events(tmp_path, FIXED_TIME)}
    on_disk = {p.relative_to(ROOT / "events") for p in (ROOT / "events").glob("*/*.json")}
    assert fresh == on_disk, "run scripts/make_sample_events.py"
    for relative in fresh:
        if relative.parts[0] == "token":
            assert (tmp_path / relative).read_text() == (ROOT / "events" / relative).read_text()
            continue
        package = PROVIDERS[relative.parts[0]][0]
        signer = importlib.import_module(f"{package}.samples").signed_headers
        if "nonce" not in inspect.signature(signer).parameters:
            continue  # random nonces: the bodies are checked by the test below
        expected = (ROOT / "events" / relative).read_text()
        assert (tmp_path / relative).read_text() == expected, relative


@pytest.mark.parametrize("path", EVENTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_event_verifies_with_the_test_secret_and_parses(path: Path) -> None:
    event = json.loads(path.read_text())
    provider_name = event["pathParameters"]["provider"]
    package, registration_name = PROVIDERS[provider_name]
    samples = importlib.import_module(f"{package}.samples")
    host = load_plugins()
    provider = host.get(provider_name)
    settings = SETTINGS[provider_name]
    config = parse_config(
        json.dumps(
            {
                "version": 1,
                "registrations": [
                    {
                        "name": registration_name,
                        "provider": provider_name,
                        "secret": "s",
                        "settings": settings,
                    }
                ],
            }
        ),
        "test",
        host,
    )
    registration = config.get(registration_name)
    secrets = SecretVersions(
        secret_id="s",
        versions=(
            SecretVersion(
                stage=SecretStage.CURRENT,
                version_id="v",
                values={k: SecretStr(v) for k, v in samples.TEST_SECRET.items()},
            ),
        ),
    )
    request = request_from_event(event, now=FIXED_TIME)
    verdict = provider.verify(request, registration, secrets, FIXED_TIME)
    if path.stem == "bad_signature":
        assert not verdict.ok
        return
    assert verdict.ok, verdict.reason
    assert (
        tuple(e.type for e in provider.parse(request, registration))
        == samples.EXPECTED_TYPES[path.stem]
    )
