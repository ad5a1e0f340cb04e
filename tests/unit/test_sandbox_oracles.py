"""The sandboxes are a second opinion, not a copy of the plugins.

A sandbox that signed with the plugin's signer, or took its trigger list from the plugin's event
map, would agree with the plugin whatever the plugin got wrong. So no sandbox module imports a
plugin's signer, verifier, parser or event map (checked on its source with ``ast``), each
sandbox signs with its own code, and its trigger lists, written from the seed documents, must
equal the plugin's: a name misspelt on either side fails here.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hookgate_dev.providers.hookgate_insider_one import sandbox as insider_sandbox
from hookgate_dev.providers.hookgate_sinch_conversation import sandbox as conversation_sandbox
from hookgate_dev.providers.hookgate_sinch_provisioning import sandbox as provisioning_sandbox
from hookgate_insider_one import register as insider_register
from hookgate_sinch_conversation.event_types import EVENT_TYPE_MAP as CONVERSATION_MAP
from hookgate_sinch_conversation.event_types import PAYLOAD_KEYS
from hookgate_sinch_provisioning.event_types import EVENT_TYPE_MAP as PROVISIONING_MAP

ROOT = Path(__file__).resolve().parents[2]
SANDBOX_MODULES = sorted(
    [
        *ROOT.glob("devkit/hookgate_dev/providers/*/sandbox.py"),
        *ROOT.glob("devkit/hookgate_dev/sandbox/*.py"),
    ]
)
FORBIDDEN_NAMES = {
    "sign",
    "signed_headers",
    "partner_signature",
    "matching",
    "EVENT_TYPE_MAP",
    "PAYLOAD_KEYS",
    "META_EVENT_TYPES",
}
ALLOWED_FROM_SAMPLES = {"SAMPLE_PAYLOADS"}
# Where the built-in providers' samples and sandboxes live.
DEV_PROVIDERS = "hookgate_dev.providers."


def imports_of(path: Path) -> list[tuple[str, str | None]]:
    """Return (module, name) for every import in ``path``, at any depth (name None: whole)."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found += [(node.module or "", alias.name) for alias in node.names]
    return found


def problems(path: Path) -> list[str]:
    """Return why ``path`` leans on plugin code, if it does."""
    found = []
    for module, name in imports_of(path):
        package, _, rest = module.partition(".")
        where = f"{module}{'.' + name if name else ''}"
        if name in FORBIDDEN_NAMES:
            found.append(f"imports {where}")
        elif module.startswith(DEV_PROVIDERS):
            kind = module.rpartition(".")[2]
            if kind == "samples" and name in ALLOWED_FROM_SAMPLES:
                continue
            if kind == "sandbox":
                continue
            found.append(f"imports {where} from a plugin")
        elif package == "hookgate_dev" and rest.startswith("sandbox"):
            continue
        elif package.startswith("hookgate_"):
            found.append(f"imports {where} from a plugin")
        elif package in {"hookgate", "hookgate_dev"}:
            found.append(f"imports {where} from hookgate's core")
    return found


def test_every_sandbox_module_is_checked() -> None:
    names = {f"{p.parent.name}/{p.name}" for p in SANDBOX_MODULES}
    assert {
        "hookgate_sinch_conversation/sandbox.py",
        "hookgate_sinch_provisioning/sandbox.py",
        "hookgate_360dialog/sandbox.py",
        "hookgate_insider_one/sandbox.py",
        "hookgate_meta_whatsapp/sandbox.py",
        "hookgate_standard_webhooks/sandbox.py",
        "hookgate_hmac/sandbox.py",
        "sandbox/core.py",
        "sandbox/server.py",
    } <= names


@pytest.mark.parametrize("path", SANDBOX_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_sandbox_imports_a_plugin_signer_verifier_or_event_map(path: Path) -> None:
    assert problems(path) == []


def test_the_import_check_catches_what_it_is_for(tmp_path: Path) -> None:
    leaning = tmp_path / "sandbox.py"
    leaning.write_text(
        "from hookgate_dev.providers.hookgate_sinch_conversation.samples import (\n"
        "    SAMPLE_PAYLOADS, signed_headers,\n"
        ")\n"
        "from hookgate_sinch_provisioning.event_types import CHANNEL_PREFIXES\n"
        "from hookgate.taxonomy import UNKNOWN\n"
        "def later():\n"
        "    from hookgate_360dialog.plugin import partner_signature\n"
        "    import hookgate_insider_one.parse\n",
        encoding="utf-8",
    )
    assert problems(leaning) == [
        "imports hookgate_dev.providers.hookgate_sinch_conversation.samples.signed_headers",
        "imports hookgate_sinch_provisioning.event_types.CHANNEL_PREFIXES from a plugin",
        "imports hookgate.taxonomy.UNKNOWN from hookgate's core",
        "imports hookgate_360dialog.plugin.partner_signature",
        "imports hookgate_insider_one.parse from a plugin",
    ]


def test_conversation_triggers_equal_the_plugins_both_ways() -> None:
    plugin = {key.split(":")[0] for key in CONVERSATION_MAP} | set(PAYLOAD_KEYS.values())
    # The Node SDK's spelling of SMART_CONVERSATION is accepted but not one the plugin maps.
    assert conversation_sandbox.TRIGGERS - {"SMART_CONVERSATIONS"} == plugin
    assert "UNSPECIFIED_TRIGGER" not in conversation_sandbox.TRIGGERS


def test_provisioning_triggers_equal_the_plugins_both_ways() -> None:
    assert provisioning_sandbox.TRIGGERS - {"ALL"} == set(PROVISIONING_MAP)
    assert len(provisioning_sandbox.SEED_TRIGGERS) == 33  # seeds 000/001 list 33 values
    assert len(provisioning_sandbox.NEWER_TRIGGERS) == 5


def test_insider_events_equal_the_plugins() -> None:
    assert (
        insider_sandbox.EVENTS
        == insider_register.EVENTS
        == {
            "sent",
            "delivered",
            "read",
            "reply",
            "failed",
        }
    )


def test_the_sinch_sandbox_signs_the_published_test_vector() -> None:
    # providers.md §1.3: secret foo_secret1234, nonce 01FJA8B4A7BM43YGWSG9GBV067, timestamp
    # 1634579353 and this 322-byte body give Yc+3R1pIS78xLASybulhs8BsSo9BPB3Pr92QCUoczfk=.
    body = (
        b'{"app_id":"01EB37HMH1M6SV18BSNS3G135H","accepted_time":"2020-11-17T15:09:11.659Z",'
        b'"project_id":"c36f3d3d-1513-2edd-ae42-11995557ff61","message_delivery_report":'
        b'{"message_id":"01EQBC1A3BEK731GY4YXEN0C2R","conversation_id":"01EPYATA64TMNZ1FV02JKF12JF",'
        b'"status":"QUEUED_ON_CHANNEL","contact_id":"01EXA07N79THJ20WSN6AS30TMW"}}'
    )
    at = datetime.fromtimestamp(1634579353, UTC)
    headers = conversation_sandbox.sinch_signature_headers("foo_secret1234", body, at)
    assert headers["x-sinch-webhook-signature-timestamp"] == "1634579353"
    assert headers["x-sinch-webhook-signature-algorithm"] == "HmacSHA256"
    nonce = headers["x-sinch-webhook-signature-nonce"]
    assert len(nonce) == 26
    signed = body + b"." + nonce.encode() + b"." + b"1634579353"
    expected = hmac.new(b"foo_secret1234", signed, hashlib.sha256).digest()
    assert base64.b64decode(headers["x-sinch-webhook-signature"]) == expected
    vector = hmac.new(
        b"foo_secret1234", body + b".01FJA8B4A7BM43YGWSG9GBV067.1634579353", hashlib.sha256
    ).digest()
    assert base64.b64encode(vector) == b"Yc+3R1pIS78xLASybulhs8BsSo9BPB3Pr92QCUoczfk="
