r"""The one JSON loader for bodies hookgate did not write: bounded before it is decoded.

Every provider parser and the token endpoint decode a caller's JSON with :func:`loads` (or
:func:`load_object`). It raises :class:`~hookgate.errors.MalformedPayloadError`, which the
receiver answers with 400, for a body that is:

* larger than ``max_bytes`` (default :data:`MAX_BYTES`), or not UTF-8 (RFC 8259 section 8.1);
* nested deeper than ``max_depth`` (default :data:`MAX_DEPTH`). The depth is measured by one
  linear scan that skips strings *before* :func:`json.loads` runs, so no body can make the
  decoder recurse (a body of 100,000 ``[`` would otherwise raise RecursionError: a 500);
* carrying ``NaN``, ``Infinity`` or ``-Infinity``, or a number a double cannot hold (``1e400``
  reads as infinity): JSON has no such values and an event holding one cannot be serialised;
* carrying an integer of :data:`MAX_INTEGER` or more in magnitude (no provider sends one, and
  a consumer could not hold it exactly; a long digit string also costs quadratic time to read);
* carrying an object with the same key twice: RFC 8259 section 4 leaves its meaning open, so
  hookgate and a consumer could read different values from one signed body;
* carrying a lone UTF-16 surrogate escape (``\ud800`` without its pair): it decodes to no
  character UTF-8 can carry (RFC 8259 section 8.2; RFC 7493, I-JSON, forbids it), so the event
  could never be published and the provider would retry it for ever.

Messages say what is wrong, never what the body holds.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any, Final

from hookgate.errors import MalformedPayloadError

MAX_DEPTH: Final = 64  # providers' payloads nest about 10 deep; the publisher's encoder ~250
MAX_BYTES: Final = 6 * 1024 * 1024  # Lambda's request payload limit: no larger body arrives
MAX_INTEGER: Final = 2**64
_MAX_INTEGER_DIGITS: Final = len(str(MAX_INTEGER))

# A JSON string from its opening quote to its closing one, or to the end of an unterminated one
# (so a quote is never scanned twice: the scan stays linear whatever the body).
_STRING: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_A_BRACKET: Final = re.compile(r"[^\[\]{}]+")
# Only an escape in this range gives a decoded string a surrogate: the UTF-8 decode refuses an
# encoded one, and the decoder joins a high and a low escape into one character.
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")
_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text: str) -> int:
    """Return how deep the arrays and objects of JSON ``text`` nest, without decoding it.

    Brackets inside strings (escaped quotes included) do not count. For text that is not valid
    JSON the answer is an upper bound of what a decoder would reach before it fails.
    """
    if text.count("[") + text.count("{") == 0:
        return 0
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(0, max(accumulate(map(_STEP.__getitem__, brackets)), default=0))


def _refuse_constant(name: str) -> Any:
    raise MalformedPayloadError(f"body holds {name}, which JSON does not allow")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise MalformedPayloadError("body holds a number too large for a double")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INTEGER_DIGITS:
        raise MalformedPayloadError("body holds an integer too large")
    value = int(text)
    if abs(value) >= MAX_INTEGER:
        raise MalformedPayloadError("body holds an integer too large")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise MalformedPayloadError("body holds an object with a duplicate key")
    return document


# Built once: json.loads with these hooks would build the same decoder on every call (~2.5 µs).
_DECODER: Final = json.JSONDecoder(
    object_pairs_hook=_unique_keys,
    parse_float=_finite_float,
    parse_int=_bounded_int,
    parse_constant=_refuse_constant,
)
_BOM: Final = "\ufeff"


def loads(body: bytes, *, max_depth: int = MAX_DEPTH, max_bytes: int = MAX_BYTES) -> Any:
    """Decode ``body`` (UTF-8, an optional BOM skipped) or raise MalformedPayloadError."""
    if len(body) > max_bytes:
        raise MalformedPayloadError(f"body is larger than {max_bytes} bytes")
    try:
        # What the "utf-8-sig" codec does (one leading BOM skipped), at the C codec's speed.
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedPayloadError("body is not JSON (not UTF-8)") from None
    if text.startswith(_BOM):
        text = text[1:]
    if text.count("[") + text.count("{") > max_depth and nesting_depth(text) > max_depth:
        raise MalformedPayloadError(f"body nests deeper than {max_depth} levels")
    try:
        document = _DECODER.decode(text)
    except ValueError:
        raise MalformedPayloadError("body is not JSON") from None
    if "\\u" in text and _SURROGATE_ESCAPE.search(text) and not _utf8_encodable(document):
        raise MalformedPayloadError(
            "body holds a lone UTF-16 surrogate, which JSON text in UTF-8 cannot carry"
        )
    return document


def _utf8_encodable(document: Any) -> bool:
    try:
        json.dumps(document, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def load_object(
    body: bytes, *, max_depth: int = MAX_DEPTH, max_bytes: int = MAX_BYTES
) -> dict[str, Any]:
    """Decode ``body`` like :func:`loads`; raise MalformedPayloadError unless it is an object."""
    document = loads(body, max_depth=max_depth, max_bytes=max_bytes)
    if not isinstance(document, dict):
        raise MalformedPayloadError("body is not a JSON object")
    return document
