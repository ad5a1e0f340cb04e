"""events/: every sample event is current, verifies with its documented test secret, and parses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import json
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import SecretStr
from scripts.make_sample_events import FIXED_TIME, PROVIDERS, write_events

from hookgate.apigw import request_from_event
from hookgate.config import parse_config
from hookgate.models import SecretStage, SecretVersion, SecretVersions
from hookgate.plugins import load_plugins
from hookgate_dev.dev_modules import dev_modules

ROOT = Path(__file__).resolve().parents[2]
EVENTS = sorted(p for p in (ROOT / "events").glob("*/*.json") if p.parent.name != "token")
SETTINGS = {
    "sinch_conversation": {"project_id": "p", "app_id": "a"},
    "sinch_provisioning": {"project_id": "p"},
    "360dialog": {},
    "insider_one": {"auth": "v1"},
    "meta_whatsapp": {},
    "standard_webhooks": {},
    "hmac": {"signature_header": "x-hub-signature-256", "prefix": "sha256="},  # hookgate.yaml's
}


def _samples(provider: str) -> ModuleType:
    samples = dev_modules(provider).samples
    assert samples is not None, provider
    return samples


def test_the_files_match_the_generator(tmp_path: Path) -> None:
    fresh = {p.relative_to(tmp_path) for p in write_events(tmp_path, FIXED_TIME)}
    on_disk = {p.relative_to(ROOT / "events") for p in (ROOT / "events").glob("*/*.json")}
    assert fresh == on_disk, "run scripts/make_sample_events.py"
    for relative in fresh:
        if relative.parts[0] == "token":
            assert (tmp_path / relative).read_text() == (ROOT / "events" / relative).read_text()
            continue
        signer = _samples(relative.parts[0]).signed_headers
        if "nonce" not in inspect.signature(signer).parameters:
            continue  # random nonces: the bodies are checked by the test below
        expected = (ROOT / "events" / relative).read_text()
        assert (tmp_path / relative).read_text() == expected, relative


@pytest.mark.parametrize("path", EVENTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_event_verifies_with_the_test_secret_and_parses(path: Path) -> None:
    event = json.loads(path.read_text())
    provider_name = event["pathParameters"]["provider"]
    _, registration_name = PROVIDERS[provider_name]
    samples = _samples(provider_name)
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


# Written by hand from providers.md and docs/events.md, not from hookgate's code: the secrets
# the documents publish for tests, and what each sample must parse into.
DOCUMENTED_SECRETS = {
    "sinch_conversation": "foo_secret1234",
    "sinch_provisioning": "test-only-sinch-provisioning-secret",
}
HAND_CHECKED: dict[str, list[dict[str, object]]] = {
    "sinch_conversation/sdk_test_vector": [
        {
            "type": "message.queued",
            "provider_event": "MESSAGE_DELIVERY:QUEUED_ON_CHANNEL",
            "message_id": "01EQBC1A3BEK731GY4YXEN0C2R",
            "conversation_id": "01EPYATA64TMNZ1FV02JKF12JF",
            "contact_id": "01EXA07N79THJ20WSN6AS30TMW",
        }
    ],
    "sinch_conversation/delivered_report": [
        {
            "type": "message.delivered",
            "provider_event": "MESSAGE_DELIVERY:DELIVERED",
            "message_id": "01EQBC1A3BEK731GY4YXEN0C2R",
            "conversation_id": "01EPYATA64TMNZ1FV02JKF12JF",
            "contact_id": "01EXA07N79THJ20WSN6AS30TMW",
            "channel": "WHATSAPP",
        }
    ],
    "sinch_conversation/inbound_message": [
        {
            "type": "message.received",
            "provider_event": "MESSAGE_INBOUND",
            "message_id": "01EQ8235TD19N21XQTH12B145D",
            "conversation_id": "01EQ8172WMDB8008EFT4M30481",
            "contact_id": "01EQ4174TGGY5B1VPTPGHW19R0",
            "channel": "MESSENGER",
            "text": "Hi!",
        }
    ],
    "sinch_provisioning/whatsapp_template_approved": [
        {
            "type": "template.approved",
            "provider_event": "WHATSAPP_TEMPLATE_APPROVED",
            "channel": "WHATSAPP",
            "dedupe_key": "event:01JCPV8N4Q0ZK8Y3W2X6R5T7AB",
        }
    ],
    "360dialog/status_read": [
        {
            "type": "message.read",
            "provider_event": "status:read",
            "message_id": "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA",
            "channel": "WHATSAPP",
            "dedupe_key": "status:wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA:read",
        }
    ],
    "360dialog/inbound_text": [
        {
            "type": "message.received",
            "provider_event": "message:text",
            "message_id": "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA000",
            "channel": "WHATSAPP",
            "dedupe_key": (
                "message:wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA000"
            ),
            "text": "Hello there",
        }
    ],
    "insider_one/status_delivered": [
        {
            "type": "message.delivered",
            "provider_event": "status:delivered",
            "message_id": "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA",
            "channel": "WHATSAPP",
            "key": "whatsapp-4b9f0c1e2d",
        }
    ],
}


@pytest.mark.parametrize("name", sorted(HAND_CHECKED))
def test_samples_carry_hand_computed_signatures_and_parse_to_hand_written_events(
    name: str,
) -> None:
    event = json.loads((ROOT / "events" / f"{name}.json").read_text())
    provider_name = event["pathParameters"]["provider"]
    body = event["body"].encode()
    headers = event["headers"]
    if provider_name in DOCUMENTED_SECRETS:
        signed = b".".join(
            (
                body,
                headers["x-sinch-webhook-signature-nonce"].encode(),
                headers["x-sinch-webhook-signature-timestamp"].encode(),
            )
        )
        secret = DOCUMENTED_SECRETS[provider_name].encode()
        digest = hmac.new(secret, signed, hashlib.sha256).digest()
        assert headers["x-sinch-webhook-signature"] == base64.b64encode(digest).decode()
        assert headers["x-sinch-webhook-signature-timestamp"] == "1793534400"  # FIXED_TIME
    elif provider_name == "360dialog":
        assert headers["x-hookgate-token"] == "test-only-360dialog-header-token"
    else:
        assert headers["authorization"] == "Bearer test-only-insider-one-api-key"
    if name == "sinch_conversation/sdk_test_vector":
        assert len(body) == 322  # the published vector's body, byte for byte
    host = load_plugins()
    _, registration_name = PROVIDERS[provider_name]
    config = parse_config(
        json.dumps(
            {
                "version": 1,
                "registrations": [
                    {
                        "name": registration_name,
                        "provider": provider_name,
                        "secret": "s",
                        "settings": SETTINGS[provider_name],
                    }
                ],
            }
        ),
        "test",
        host,
    )
    events = host.get(provider_name).parse(
        request_from_event(event, now=FIXED_TIME), config.get(registration_name)
    )
    seen = []
    for parsed in events:
        shown: dict[str, object] = {
            "type": parsed.type,
            "provider_event": parsed.provider_event,
        }
        for field in ("message_id", "conversation_id", "contact_id", "channel", "dedupe_key"):
            shown[field] = getattr(parsed, field)
        for field in ("text", "key"):
            if field in parsed.data:
                shown[field] = parsed.data[field]
        seen.append(shown)
    expected = HAND_CHECKED[name]
    assert [{k: s[k] for k in e} for s, e in zip(seen, expected, strict=True)] == expected
