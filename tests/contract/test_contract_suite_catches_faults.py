"""The contract suite itself: a correct plugin passes it, and each typical fault is caught.

A small provider ``mirror`` (hex HMAC-SHA256 over the raw body) is run through
:class:`hookgate_dev.testing.ProviderContract` in an inner pytest session, once correct and once per
injected fault; each fault must fail exactly the contract tests named for it.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

MIRROR_PLUGIN = """
import hashlib, hmac, json, logging, uuid

from pydantic import BaseModel

from hookgate import hookimpl, safe_json
from hookgate.errors import MalformedPayloadError
from hookgate.models import NormalisedEvent, ProviderInfo, SecretStage, Verdict

logger = logging.getLogger("mirror")
TEST_SECRET = {"signing_secret": "mirror-test-secret-not-real"}
SAMPLE_PAYLOADS = {
    "ping": b'{"event":"ping","id":"e-1"}',
    "pong": b'{"event":"pong","id":"e-2"}',
    "novel": b'{"event":"novel","id":"e-3"}',
}
EXPECTED_TYPES = {"ping": ("message.sent",), "pong": ("message.read",), "novel": ("unknown",)}
TYPES = {"ping": "message.sent", "pong": "message.read"}


def signed_headers(body, secret, now):
    digest = hmac.new(secret["signing_secret"].encode(), body, hashlib.sha256).hexdigest()
    return {"x-mirror-signature": digest}


def canonical(body):
    try:
        return json.dumps(json.loads(body), separators=(",", ":")).encode()
    except ValueError:
        return body


class Settings(BaseModel):
    pass


def make(fault):
    def verify(request, registration, secrets, now):
        if not isinstance(registration.settings, Settings):
            if fault == "raises_on_settings":
                raise TypeError("registration has no mirror settings")
            if fault == "settings_retryable":
                return Verdict.reject("registration settings are not mirror settings")
            if fault != "ignores_settings":
                return Verdict.settings_mismatch("mirror")
        submitted = request.header("x-mirror-signature")
        candidates = secrets.candidates("signing_secret")
        if not candidates:
            return Verdict.accept(None) if fault == "fails_open" else Verdict.reject("no secret")
        if not submitted:
            return Verdict.reject("missing signature")
        for version, secret in candidates:
            body = canonical(request.body) if fault == "reserialises" else request.body
            expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            if fault == "logs_secret":
                logger.debug("checking with %s", secret)
            if fault == "str_compare":
                same = hmac.compare_digest(expected, submitted)
            else:
                same = hmac.compare_digest(expected.encode(), submitted.encode())
            if fault == "ignores_secret" or same:
                stage = SecretStage.CURRENT if fault == "always_current" else version.stage
                return Verdict.accept(stage)
        if fault == "reason_leaks":
            return Verdict.reject(f"expected {expected}")
        return Verdict.reject("signature mismatch")

    def parse(request, registration):
        plain = fault in {"plain_json_loads", "crashes_on_garbage"}
        try:
            payload = json.loads(request.body) if plain else safe_json.loads(request.body)
        except ValueError:
            if fault == "crashes_on_garbage":
                raise RuntimeError("cannot parse")
            raise MalformedPayloadError("not JSON") from None
        if not isinstance(payload, dict):
            raise MalformedPayloadError("not an object")
        name = str(payload.get("event"))
        kind = TYPES.get(name, "mirror.custom" if fault == "invents_type" else "unknown")
        if kind == "unknown" and fault == "drops_unknown":
            return []
        key = str(uuid.uuid4()) if fault == "unstable_keys" else str(payload.get("id"))
        return [
            NormalisedEvent(
                type=kind,
                provider="mirror",
                registration=registration.name,
                provider_event=name,
                dedupe_key=key,
                received_at=request.received_at,
                raw=payload,
            )
        ]

    def provider():
        return ProviderInfo(
            name="mirror", title="Mirror", settings_model=Settings, secret_keys=("signing_secret",)
        )

    hooks = {
        "hookgate_provider": staticmethod(hookimpl(provider)),
        "hookgate_verify": staticmethod(hookimpl(verify)),
        "hookgate_parse": staticmethod(hookimpl(parse)),
    }
    return type(f"mirror_{fault}", (), hooks)()
"""

FAULTS: dict[str, set[str]] = {
    "good": set(),
    "fails_open": {"test_no_secret_configured_fails_closed"},
    # Its verify decodes the body with json.loads too: a body 100,000 deep crashes it.
    "reserialises": {"test_tampered_body_fails", "test_hostile_json_is_malformed_even_when_signed"},
    "str_compare": {"test_garbage_header_values_are_rejected_not_raised"},
    "ignores_secret": {
        "test_tampered_body_fails",
        "test_wrong_secret_fails",
        "test_garbage_header_values_are_rejected_not_raised",
        "test_rotation_accepts_pending_and_previous_and_names_them[AWSPENDING]",
        "test_rotation_accepts_pending_and_previous_and_names_them[AWSPREVIOUS]",
    },
    "always_current": {
        "test_rotation_accepts_pending_and_previous_and_names_them[AWSPENDING]",
        "test_rotation_accepts_pending_and_previous_and_names_them[AWSPREVIOUS]",
    },
    "logs_secret": {"test_no_secret_reaches_a_reason_an_event_or_a_log"},
    "reason_leaks": {"test_no_secret_reaches_a_reason_an_event_or_a_log"},
    "drops_unknown": {
        "test_every_sample_parses_to_its_expected_types",
        "test_unknown_event_type_is_delivered_as_unknown",
    },
    "invents_type": {
        "test_every_sample_parses_to_its_expected_types",
        "test_every_returned_type_is_in_the_taxonomy",
        "test_unknown_event_type_is_delivered_as_unknown",
    },
    "unstable_keys": {"test_events_are_attributed_and_keyed_stably"},
    "crashes_on_garbage": {
        "test_garbage_body_is_malformed_not_a_crash",
        "test_hostile_json_is_malformed_even_when_signed",
    },
    "plain_json_loads": {"test_hostile_json_is_malformed_even_when_signed"},
    "raises_on_settings": {"test_another_settings_model_is_rejected_not_raised"},
    "ignores_settings": {"test_another_settings_model_is_rejected_not_raised"},
    "settings_retryable": {"test_another_settings_model_is_rejected_not_raised"},
}


def _contract_module() -> str:
    classes = "\n".join(
        f"""
class TestFault_{fault}(ProviderContract):
    @pytest.fixture
    def provider_plugin(self):
        return mirror_plugin.make({fault!r})
"""
        for fault in FAULTS
    )
    return f"""
import pytest
import mirror_plugin
from hookgate_dev.testing import ProviderContract


@pytest.fixture
def provider_name():
    return "mirror"


@pytest.fixture
def provider_samples():
    return mirror_plugin
{classes}
"""


def test_contract_passes_a_correct_plugin_and_catches_each_fault(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(mirror_plugin=MIRROR_PLUGIN, test_mirror_contract=_contract_module())
    recorder = pytester.inline_run("-p", "no:cacheprovider", "-q", "--tb=no")
    failed: dict[str, set[str]] = defaultdict(set)
    skipped: dict[str, set[str]] = defaultdict(set)
    passed: dict[str, int] = defaultdict(int)
    for report in recorder.getreports("pytest_runtest_logreport"):
        _, cls, test = report.nodeid.split("::")
        fault = cls.removeprefix("TestFault_")
        if report.failed:
            failed[fault].add(test)
        elif report.skipped:
            skipped[fault].add(test)
        elif report.when == "call":
            passed[fault] += 1
    assert {fault: failed.get(fault, set()) for fault in FAULTS} == FAULTS
    # The correct plugin passes every test that applies to it: mirror signs no timestamp.
    assert skipped["good"] == {"test_timestamp_window"}
    assert passed["good"] >= 17
