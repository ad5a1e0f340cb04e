"""hookgate.safe_json: the bounded loader every parser and the token endpoint decode with."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookgate.errors import MalformedPayloadError
from hookgate.safe_json import MAX_BYTES, MAX_DEPTH, load_object, loads, nesting_depth
from hookgate_dev.testing.contract import HOSTILE_JSON, with_hostile_value


def nested(depth: int) -> bytes:
    """An object holding arrays, ``depth`` containers in all."""
    return b'{"a":' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def refusal(body: bytes, **limits: int) -> str:
    with pytest.raises(MalformedPayloadError) as caught:
        loads(body, **limits)
    return str(caught.value)


def test_depth_64_is_decoded_and_65_is_refused() -> None:
    assert MAX_DEPTH == 64
    assert nesting_depth(nested(64).decode()) == 64
    assert loads(nested(64))["a"] == json.loads(nested(64))["a"]
    assert refusal(nested(65)) == "body nests deeper than 64 levels"
    assert loads(b"[" * 64 + b"]" * 64) is not None
    assert "nests deeper" in refusal(b"[" * 65 + b"]" * 65)


@pytest.mark.parametrize("depth", [100, 100_000, 1_000_000])
def test_very_deep_bodies_are_refused_before_decoding(depth: int) -> None:
    # json.loads itself raises RecursionError on these (a 500 before the loader existed).
    assert "nests deeper" in refusal(b"[" * depth + b"]" * depth)
    assert "nests deeper" in refusal(b"[" * depth)  # unclosed: still no recursion


def test_the_depth_limit_is_a_parameter() -> None:
    assert loads(nested(3), max_depth=3) == {"a": [[]]}
    assert refusal(nested(4), max_depth=3) == "body nests deeper than 3 levels"


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("", 0),
        ("1", 0),
        ("{}", 1),
        ('{"a":[{"b":[]}]}', 4),
        ('["[[[[", "]]]"]', 1),  # brackets in strings do not count
        ('["\\"[[[[", {"k\\\\": []}]', 3),  # an escaped quote does not end the string
        ('"\\\\"[[', 2),  # an escaped backslash does: the brackets after it count
        ('"[[[[[', 0),  # an unterminated string runs to the end
        ("[]]]][[", 1),  # closing brackets never count below zero
    ],
)
def test_nesting_depth(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.text(alphabet='[]{}"\\ab'),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_nesting_depth_is_the_decoded_depth(value: Any) -> None:
    text = json.dumps(value)
    assert nesting_depth(text) == _depth(value)
    assert loads(text.encode(), max_depth=max(_depth(value), 1)) == value


def test_the_scan_is_linear_whatever_the_quotes() -> None:
    # A quote-by-quote rescan would be quadratic here (hours); the scan takes milliseconds.
    bodies = [b'"' + b'\\"[' * 400_000, b"[" * 100 + b'"\\' * 400_000, b'["' * 400_000]
    for body in bodies:
        started = time.perf_counter()
        with pytest.raises(MalformedPayloadError):
            loads(body)
        assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"a":NaN}', "body holds NaN, which JSON does not allow"),
        (b'{"a":[Infinity]}', "body holds Infinity, which JSON does not allow"),
        (b'{"a":-Infinity}', "body holds -Infinity, which JSON does not allow"),
        (b'{"a":1e400}', "body holds a number too large for a double"),
        (b'{"a":-1.5e309}', "body holds a number too large for a double"),
        (b'{"a":18446744073709551616}', "body holds an integer too large"),
        (b'{"a":-18446744073709551616}', "body holds an integer too large"),
        (b'{"a":' + b"9" * 5000 + b"}", "body holds an integer too large"),
        (b'{"a":' + b"1" * 21 + b"}", "body holds an integer too large"),
        (b'{"a":1,"a":1}', "body holds an object with a duplicate key"),
        (b'{"a":{"b":1,"c":2,"b":3}}', "body holds an object with a duplicate key"),
        (b"", "body is not JSON"),
        (b'{"a":1', "body is not JSON"),
        (b'{"a":"\xff"}', "body is not JSON (not UTF-8)"),
        ('{"a":1}'.encode("utf-16"), "body is not JSON (not UTF-8)"),
        (b'{"a":"\xed\xa0\x80"}', "body is not JSON (not UTF-8)"),  # a surrogate in UTF-8
    ],
)
def test_what_json_has_no_value_for_is_refused(body: bytes, message: str) -> None:
    assert refusal(body) == message


def test_the_largest_accepted_values() -> None:
    body = b'{"a":18446744073709551615,"b":-18446744073709551615,"c":1.7e308,"d":-0.0,"e":1e-400}'
    assert loads(body) == {"a": 2**64 - 1, "b": 1 - 2**64, "c": 1.7e308, "d": -0.0, "e": 0.0}
    assert loads(b'[{"a":1},{"a":2}]') == [{"a": 1}, {"a": 2}]  # one key per object is fine
    assert loads(b'\xef\xbb\xbf{"a":"\xc3\xa9"}') == {"a": "\u00e9"}  # a UTF-8 BOM is skipped


def test_only_one_leading_bom_is_skipped() -> None:
    bom = b"\xef\xbb\xbf"
    assert loads(bom + b'"\xef\xbb\xbfx"') == "\ufeffx"  # inside a string it is text
    assert loads(bom + b"[1]") == [1]
    for body in (bom + bom + b"[1]", b" " + bom + b"[1]", bom, b"[1]" + bom):
        assert refusal(body) == "body is not JSON"


def test_the_size_limit() -> None:
    assert MAX_BYTES == 6 * 1024 * 1024
    body = b'"' + b"x" * 98 + b'"'
    assert loads(body, max_bytes=100) == "x" * 98
    assert refusal(body + b" ", max_bytes=100) == "body is larger than 100 bytes"
    assert "larger than" in refusal(b" " * (MAX_BYTES + 1))


def test_messages_never_quote_the_body() -> None:
    for body in (
        b'{"s3cr3t-value":NaN}',
        b'{"s3cr3t-value":1,"s3cr3t-value":2}',
        b'{"s3cr3t-value"',
    ):
        assert "s3cr3t" not in refusal(body)


def test_load_object_wants_an_object() -> None:
    assert load_object(b'{"a":[1]}') == {"a": [1]}
    for body in (b"[]", b"null", b'"{}"', b"1"):
        with pytest.raises(MalformedPayloadError, match=r"^body is not a JSON object$"):
            load_object(body)
    with pytest.raises(MalformedPayloadError, match="nests deeper than 2 levels"):
        load_object(nested(3), max_depth=2)
    with pytest.raises(MalformedPayloadError, match=r"^body is larger than 8 bytes$"):
        load_object(b'{"a": 12}', max_bytes=8)
    assert load_object(b'{"a": 1}', max_bytes=8) == {"a": 1}


def test_hostile_values_go_first_into_objects_and_arrays() -> None:
    assert with_hostile_value(b' {"a":1}', b"NaN") == b'{"hookgate_probe":NaN,"a":1}'
    assert with_hostile_value(b"[1,2]", b"[[]]") == b"[[[]],1,2]"
    for value in HOSTILE_JSON.values():
        for sample in (b'{"a":{"b":[1]}}', b'[{"a":1}]'):
            with pytest.raises(MalformedPayloadError):
                loads(with_hostile_value(sample, value))
    assert loads(with_hostile_value(b'{"a":1}', b"[1e308]")) == {"hookgate_probe": [1e308], "a": 1}


@pytest.mark.parametrize(
    "text",
    [
        r'"\ud800"',
        r'"\udbff"',
        r'"\udc00"',
        r'"\udfff"',
        r'"\uDABCx"',
        r'"a\ud83d"',
        r'"\ude00\ud83d"',
        r'{"\ud800":1}',
        r'["ok", {"k": "\udc00"}]',
    ],
)
def test_a_lone_surrogate_escape_is_refused(text: str) -> None:
    # It decodes to no character UTF-8 can carry: the event could never be published (503 for
    # ever) had the loader let it through.
    assert refusal(text.encode()) == (
        "body holds a lone UTF-16 surrogate, which JSON text in UTF-8 cannot carry"
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (r'"\ud83d\ude00"', "\U0001f600"),
        (r'"\uD83D\uDE00"', "\U0001f600"),
        (r'"\ud7ff"', "\ud7ff"),
        (r'"\ue000"', "\ue000"),
        (r'"\\ud800"', "\\ud800"),
        (r'"\u0041"', "A"),
    ],
)
def test_a_surrogate_pair_and_neighbouring_escapes_are_decoded(text: str, value: str) -> None:
    assert loads(text.encode()) == value
