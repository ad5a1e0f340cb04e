"""``ProviderContract``: the tests every hookgate provider plugin must pass.

Subclass it in a test module (a class named ``Test*``) and provide the fixtures of
:mod:`hookgate_dev.testing.fixtures` (hookgate-dev registers them with pytest)::

    @pytest.fixture
    def provider_name() -> str:
        return "acme"

    @pytest.fixture
    def provider_samples() -> ModuleType:
        return hookgate_acme.samples

    class TestAcmeContract(ProviderContract):
        pass

The checks call :func:`pytest.fail` with a message rather than ``assert``, so they report
clearly whether or not pytest rewrote this module's assertions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from hookgate.errors import MalformedPayloadError
from hookgate.models import NormalisedEvent, SecretStage, Verdict
from hookgate.taxonomy import UNKNOWN, is_known
from hookgate_dev.testing.kit import ContractKit, other_secret, secret_versions


class _ForeignSettings(BaseModel):
    """Settings no provider declares: what a mix-up between registrations would hand verify."""


_SENSITIVE_HEADER_WORDS = ("signature", "authorization", "token", "secret", "key")
_PUBLIC_HEADER_WORDS = ("nonce", "timestamp", "algorithm")  # one-time or public values
_GARBAGE_HEADER_VALUES = ("", "not valid \u00e9\u00e8", "Bearer", "=" * 64, "9" * 40)
_GARBAGE_BODIES = (b"", b"not json", b"\xff\xfe\x00", b"[1, 2", b"null", b"[]", b"42")
_MIN_LEAK_LENGTH = 6
HOSTILE_JSON: Mapping[str, bytes] = {
    "nested 65 deep": b"[" * 64 + b"]" * 64,
    "nested 100 deep": b"[" * 99 + b"]" * 99,
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "NaN": b"NaN",
    "Infinity": b"[Infinity]",
    "-Infinity": b'{"v":-Infinity}',
    "a float beyond a double": b"1e400",
    "an integer of 5,000 digits": b"9" * 5000,
    "the integer 2**64": b"-18446744073709551616",
    "a duplicate key": b'{"k":1,"k":2}',
    "a duplicate key at the top": b'1,"hookgate_probe":2',
    "a lone high surrogate": b'"\\ud800"',
    "a surrogate pair reversed": b'{"\\uDC00\\uD83D":1}',
}
"""JSON values :mod:`hookgate.safe_json` refuses, by what they are: each is put into a genuine
sample as the value of a new first key ``hookgate_probe`` (see :func:`with_hostile_value`)."""


def with_hostile_value(sample: bytes, value: bytes) -> bytes:
    """Return the non-empty JSON object or array ``sample`` with ``value`` added first.

    In an object it becomes the key ``hookgate_probe``; in an array, the first item.
    """
    body = sample.lstrip()
    if body.startswith(b"["):
        return b"[" + value + b"," + body[1:]
    return b'{"hookgate_probe":' + value + b"," + body[1:]


def _expect(condition: object, message: str) -> None:
    if not condition:
        pytest.fail(message)


def _expect_equal(got: Any, expected: Any, what: str) -> None:
    if got != expected:
        pytest.fail(f"{what}:\n  got      {got!r}\n  expected {expected!r}")


def _first_payload(payloads: Mapping[str, bytes]) -> bytes:
    if not payloads:
        raise NotImplementedError("hookgate contract suite: provide at least one sample payload")
    return next(iter(payloads.values()))


def _json_sample(payloads: Mapping[str, bytes]) -> bytes | None:
    """Return the first sample that is a non-empty JSON object, else array, else None."""
    for opening, empty in ((b"{", b"{}"), (b"[", b"[]")):
        for body in payloads.values():
            if body.lstrip().startswith(opening) and b"".join(body.split()) != empty:
                return body
    return None


def _expect_rejected(verdict: Verdict, what: str) -> None:
    _expect(isinstance(verdict, Verdict), f"{what}: verify returned {verdict!r}, not a Verdict")
    _expect(not verdict.ok, f"{what}: accepted (stage {verdict.stage})")
    _expect(verdict.reason, f"{what}: rejected without a reason")


def _expect_accepted(verdict: Verdict, what: str, stage: SecretStage) -> None:
    _expect(isinstance(verdict, Verdict), f"{what}: verify returned {verdict!r}, not a Verdict")
    _expect(verdict.ok, f"{what}: rejected ({verdict.reason})")
    _expect_equal(verdict.stage, stage, f"{what}: matched secret stage")


def _is_credential_header(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SENSITIVE_HEADER_WORDS) and not any(
        word in lowered for word in _PUBLIC_HEADER_WORDS
    )


def _log_texts(records: Iterable[logging.LogRecord]) -> list[str]:
    texts: list[str] = []
    for record in records:
        texts.append(record.getMessage())
        texts.append(repr(record.__dict__))
    return texts


def assert_event_types(events: list[NormalisedEvent], *types: str) -> None:
    """Fail unless ``events`` have exactly ``types``, in order (a helper for plugin tests)."""
    _expect_equal([event.type for event in events], list(types), "event types")


class ProviderContract:
    """The provider contract, run against the provider named by the ``provider_name`` fixture."""

    # -- verify ---------------------------------------------------------------------------

    def test_good_request_verifies_with_the_current_secret(
        self, contract_kit: ContractKit, provider_sample_payloads: Mapping[str, bytes]
    ) -> None:
        """Each sample, correctly authenticated, is accepted and names AWSCURRENT."""
        for name, body in provider_sample_payloads.items():
            verdict = contract_kit.verify(contract_kit.request(body))
            _expect_accepted(verdict, f"sample {name!r}", SecretStage.CURRENT)

    def test_tampered_body_fails(
        self,
        contract_kit: ContractKit,
        provider_sample_payloads: Mapping[str, bytes],
        provider_signs_body: bool,
    ) -> None:
        """A body changed after signing (even by one trailing space) is rejected."""
        if not provider_signs_body:
            pytest.skip("this provider's authentication does not cover the body")
        body = _first_payload(provider_sample_payloads)
        headers = contract_kit.sign(body, contract_kit.secret, contract_kit.now)
        for tampered in (body + b" ", body[:-1], b"{}"):
            verdict = contract_kit.verify(contract_kit.request(tampered, headers=headers))
            _expect_rejected(verdict, f"body tampered to {tampered[-20:]!r}")

    def test_wrong_secret_fails(
        self, contract_kit: ContractKit, provider_sample_payloads: Mapping[str, bytes]
    ) -> None:
        """A request authenticated with another secret is rejected."""
        body = _first_payload(provider_sample_payloads)
        request = contract_kit.request(body, secret=other_secret(contract_kit.secret))
        _expect_rejected(contract_kit.verify(request), "request made with a wrong secret")

    def test_missing_auth_headers_fail(
        self,
        contract_kit: ContractKit,
        provider_sample_payloads: Mapping[str, bytes],
        provider_optional_auth_headers: frozenset[str],
    ) -> None:
        """No authentication headers, or any one required header left out, is rejected."""
        body = _first_payload(provider_sample_payloads)
        headers = contract_kit.sign(body, contract_kit.secret, contract_kit.now)
        _expect(headers, "signed_headers returned no headers")
        verdict = contract_kit.verify(contract_kit.request(body, headers={}))
        _expect_rejected(verdict, "request without authentication headers")
        for name in headers:
            if name.lower() in provider_optional_auth_headers:
                continue
            without = {k: v for k, v in headers.items() if k != name}
            verdict = contract_kit.verify(contract_kit.request(body, headers=without))
            _expect_rejected(verdict, f"request without header {name!r}")

    def test_garbage_header_values_are_rejected_not_raised(
        self,
        contract_kit: ContractKit,
        provider_sample_payloads: Mapping[str, bytes],
        provider_optional_auth_headers: frozenset[str],
    ) -> None:
        """A malformed authentication header yields a rejection, never an exception."""
        body = _first_payload(provider_sample_payloads)
        headers = contract_kit.sign(body, contract_kit.secret, contract_kit.now)
        for name in headers:
            for garbage in _GARBAGE_HEADER_VALUES:
                request = contract_kit.request(body, headers={**headers, name: garbage})
                verdict = contract_kit.verify(request)
                _expect(isinstance(verdict, Verdict), f"verify returned {verdict!r}")
                if name.lower() not in provider_optional_auth_headers:
                    _expect_rejected(verdict, f"header {name!r} set to {garbage!r}")

    def test_another_settings_model_is_rejected_not_raised(
        self, contract_kit: ContractKit, provider_sample_payloads: Mapping[str, bytes]
    ) -> None:
        """A registration whose settings are not the provider's model: a rejection, no raise.

        A raise would answer 500 and the provider would retry forever; fresh secrets cannot
        change the answer, so the rejection says so (``Verdict.settings_mismatch``).
        """
        foreign = contract_kit.registration.model_copy(update={"settings": _ForeignSettings()})
        request = contract_kit.request(_first_payload(provider_sample_payloads))
        try:
            verdict = contract_kit.provider.verify(
                request, foreign, contract_kit.current(), contract_kit.now
            )
        except Exception as exc:
            pytest.fail(f"verify raised {type(exc).__name__} for another settings model")
        _expect_rejected(verdict, "a registration with another settings model")
        _expect(
            not verdict.retryable_with_fresh_secrets,
            "a settings mismatch is rejected as retryable with fresh secrets",
        )

    @pytest.mark.parametrize("case", ["upper", "title"])
    def test_header_name_case_does_not_matter(
        self,
        contract_kit: ContractKit,
        provider_sample_payloads: Mapping[str, bytes],
        case: str,
    ) -> None:
        """Header names in any case verify: the API Gateway event is normalised first."""
        body = _first_payload(provider_sample_payloads)
        recase = str.upper if case == "upper" else str.title
        request = contract_kit.request(body, header_case=recase)
        _expect(
            all(name == name.lower() for name in request.headers),
            "request_from_event did not lower-case header names",
        )
        _expect_accepted(contract_kit.verify(request), f"{case}-case headers", SecretStage.CURRENT)

    def test_base64_encoded_body_verifies(
        self, contract_kit: ContractKit, provider_sample_payloads: Mapping[str, bytes]
    ) -> None:
        """A body API Gateway passed base64-encoded verifies on its decoded bytes."""
        body = _first_payload(provider_sample_payloads)
        for raw in (body, body + b"\xff\xfe"):
            request = contract_kit.request(raw, base64_body=True)
            _expect_equal(request.body, raw, "decoded body")
            _expect_accepted(contract_kit.verify(request), "base64 body", SecretStage.CURRENT)

    @pytest.mark.parametrize("stage", [SecretStage.PENDING, SecretStage.PREVIOUS])
    def test_rotation_accepts_pending_and_previous_and_names_them(
        self,
        contract_kit: ContractKit,
        provider_sample_payloads: Mapping[str, bytes],
        stage: SecretStage,
    ) -> None:
        """During a rotation a request signed with the pending or previous secret verifies."""
        body = _first_payload(provider_sample_payloads)
        secrets = secret_versions(
            (SecretStage.CURRENT, other_secret(contract_kit.secret)), (stage, contract_kit.secret)
        )
        verdict = contract_kit.verify(contract_kit.request(body), secrets)
        _expect_accepted(verdict, f"request signed with the {stage.short} secret", stage)

    def test_no_secret_configured_fails_closed(
        self, contract_kit: ContractKit, provider_sample_payloads: Mapping[str, bytes]
    ) -> None:
        """With no usable secret value, even a well-signed request is rejected."""
        request = contract_kit.request(_first_payload(provider_sample_payloads))
        cases = {
            "no secret versions": secret_versions(),
            "an empty secret": secret_versions((SecretStage.CURRENT, {})),
            "empty values": secret_versions(
                (SecretStage.CURRENT, dict.fromkeys(contract_kit.secret, ""))
            ),
            "only unrelated keys": secret_versions(
                (SecretStage.CURRENT, {"unrelated_key": "unrelated-value"})
            ),
        }
        for what, secrets in cases.items():
            _expect_rejected(contract_kit.verify(request, secrets), f"verify with {what}")

    def test_timestamp_window(
        self,
        contract_kit: ContractKit,
        provider_sample_payloads: Mapping[str, bytes],
        provider_timestamp_tolerance: timedelta | None,
    ) -> None:
        """When the scheme signs a time: inside the window passes, outside (either way) fails."""
        if provider_timestamp_tolerance is None:
            pytest.skip("this provider's scheme carries no timestamp")
        body = _first_payload(provider_sample_payloads)
        margin = timedelta(seconds=5)
        inside = contract_kit.now - provider_timestamp_tolerance + margin
        verdict = contract_kit.verify(contract_kit.request(body, signed_at=inside))
        _expect_accepted(verdict, "signature just inside the window", SecretStage.CURRENT)
        for outside in (
            contract_kit.now - provider_timestamp_tolerance - margin,
            contract_kit.now + provider_timestamp_tolerance + margin,
        ):
            verdict = contract_kit.verify(contract_kit.request(body, signed_at=outside))
            _expect_rejected(verdict, f"signature made at {outside.isoformat()}")
            _expect(
                not verdict.retryable_with_fresh_secrets,
                "a stale timestamp cannot be fixed by fresh secrets: retryable must be False",
            )

    # -- parse ----------------------------------------------------------------------------

    def test_every_sample_parses_to_its_expected_types(
        self,
        contract_kit: ContractKit,
        provider_sample_payloads: Mapping[str, bytes],
        provider_expected_types: Mapping[str, tuple[str, ...]],
    ) -> None:
        """The golden data: each sample's events have exactly the expected types, in order."""
        _expect_equal(
            sorted(provider_sample_payloads),
            sorted(provider_expected_types),
            "samples with expected types",
        )
        got = {
            name: tuple(event.type for event in contract_kit.parse_body(body))
            for name, body in provider_sample_payloads.items()
        }
        wrong = {
            name: types for name, types in got.items() if types != provider_expected_types[name]
        }
        _expect_equal(wrong, {}, "samples whose parsed types differ from EXPECTED_TYPES")

    def test_every_returned_type_is_in_the_taxonomy(
        self,
        contract_kit: ContractKit,
        provider_sample_payloads: Mapping[str, bytes],
        provider_unknown_payload: bytes,
    ) -> None:
        """Parse returns only types from :mod:`hookgate.taxonomy`."""
        bodies = [*provider_sample_payloads.values(), provider_unknown_payload]
        strays = {
            event.type
            for body in bodies
            for event in contract_kit.parse_body(body)
            if not is_known(event.type)
        }
        _expect_equal(sorted(strays), [], "types outside the taxonomy")

    def test_unknown_event_type_is_delivered_as_unknown(
        self, contract_kit: ContractKit, provider_unknown_payload: bytes
    ) -> None:
        """An event the plugin does not recognise is returned typed ``unknown``, with its raw."""
        events = contract_kit.parse_body(provider_unknown_payload)
        unknown = [event for event in events if event.type == UNKNOWN]
        _expect(unknown, f"no 'unknown' event returned (got {[e.type for e in events]})")
        _expect(
            all(event.raw not in (None, "", {}, []) for event in unknown),
            "an 'unknown' event lacks its raw payload",
        )

    def test_events_are_attributed_and_keyed_stably(
        self, contract_kit: ContractKit, provider_sample_payloads: Mapping[str, bytes]
    ) -> None:
        """Events name their provider and registration; dedupe keys survive a provider retry."""
        for name, body in provider_sample_payloads.items():
            first = contract_kit.parse_body(body)
            retry = contract_kit.parse(
                contract_kit.request(body, signed_at=contract_kit.now + timedelta(seconds=30))
            )
            keys = [event.dedupe_key for event in first]
            _expect_equal([e.dedupe_key for e in retry], keys, f"{name}: dedupe keys on retry")
            _expect(len(set(keys)) == len(keys), f"{name}: two events share a dedupe key")
            _expect(all(keys), f"{name}: an event has an empty dedupe key")
            for event in first:
                _expect_equal(event.provider, contract_kit.provider.name, f"{name}: provider")
                _expect_equal(
                    event.registration, contract_kit.registration.name, f"{name}: registration"
                )
                _expect_equal(event.received_at, contract_kit.now, f"{name}: received_at")
                _expect(
                    event.occurred_at is None or event.occurred_at.utcoffset() == timedelta(0),
                    f"{name}: occurred_at is not timezone-aware UTC",
                )

    def test_garbage_body_is_malformed_not_a_crash(self, contract_kit: ContractKit) -> None:
        """A body not in the provider's format is a MalformedPayloadError or ``unknown`` events.

        Any other exception would turn a caller's mistake into a 500.
        """
        for body in _GARBAGE_BODIES:
            try:
                events = contract_kit.parse_body(body)
            except MalformedPayloadError:
                continue
            _expect(
                all(is_known(event.type) for event in events),
                f"body {body!r} gave types outside the taxonomy",
            )

    def test_hostile_json_is_malformed_even_when_signed(
        self, contract_kit: ContractKit, provider_sample_payloads: Mapping[str, bytes]
    ) -> None:
        """Deep, NaN-laden, huge-numbered or duplicate-keyed JSON: MalformedPayloadError.

        Each body is a genuine sample with one hostile value added, correctly signed, so it
        passes verify and reaches parse, which must refuse it (the receiver answers 400): not
        crash (RecursionError is a 500 the provider retries forever), not return events.
        Decode with :func:`hookgate.safe_json.loads` to pass.
        """
        sample = _json_sample(provider_sample_payloads)
        if sample is None:
            pytest.skip("no sample is a JSON object or array")
        for what, value in HOSTILE_JSON.items():
            body = with_hostile_value(sample, value)
            request = contract_kit.request(body)
            _expect_accepted(contract_kit.verify(request), f"{what}: signed", SecretStage.CURRENT)
            try:
                events = contract_kit.parse(request)
            except MalformedPayloadError:
                continue
            except Exception as exc:  # any other exception is the failure
                pytest.fail(f"{what}: parse raised {type(exc).__name__}, not MalformedPayloadError")
            pytest.fail(f"{what}: parse returned {[e.type for e in events]}, not a refusal")

    # -- secrecy --------------------------------------------------------------------------

    def test_no_secret_reaches_a_reason_an_event_or_a_log(
        self,
        contract_kit: ContractKit,
        provider_sample_payloads: Mapping[str, bytes],
        provider_unknown_payload: bytes,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """Secret values and submitted credentials appear in no verdict, event or log record."""
        caplog.set_level(logging.DEBUG)
        wrong = other_secret(contract_kit.secret)
        body = _first_payload(provider_sample_payloads)
        sensitive = {*contract_kit.secret.values(), *wrong.values()}
        texts: list[str] = []
        for secret in (contract_kit.secret, wrong):
            headers = contract_kit.sign(body, secret, contract_kit.now)
            sensitive.update(v for name, v in headers.items() if _is_credential_header(name))
            for candidate in (body, body + b" "):
                request = contract_kit.request(candidate, headers=headers)
                for secrets in (contract_kit.current(), contract_kit.current(wrong)):
                    texts.append(repr(contract_kit.verify(request, secrets)))
        for payload in [*provider_sample_payloads.values(), provider_unknown_payload]:
            texts.extend(event.model_dump_json() for event in contract_kit.parse_body(payload))
        texts.extend(_log_texts(caplog.records))
        leaked = sum(
            1
            for value in sensitive
            if len(value) >= _MIN_LEAK_LENGTH and any(value in text for text in texts)
        )
        _expect(leaked == 0, f"{leaked} secret or credential value(s) leaked")
