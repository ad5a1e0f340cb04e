"""Powertools observability for the Lambda handlers, set up once per container.

The X-Ray SDK behind Powertools' Tracer costs about 100 ms of import at every cold start, so
the Tracer is applied only while tracing is on: ``POWERTOOLS_TRACE_DISABLED=true`` (the
Powertools setting, a template parameter) leaves it out entirely.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, cast

SERVICE = "hookgate"


def tracing_enabled() -> bool:
    """Return False when ``POWERTOOLS_TRACE_DISABLED`` says tracing is off."""
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "").strip().lower() not in {"1", "true"}


def traced[Handler: Callable[..., Any]](handler: Handler) -> Handler:
    """Wrap ``handler`` with Powertools' Tracer when tracing is on; return it unchanged if not."""
    if not tracing_enabled():
        return handler
    from aws_lambda_powertools import Tracer  # noqa: PLC0415 - only paid when tracing

    return cast(Handler, Tracer(service=SERVICE).capture_lambda_handler(handler))


def traced_quietly[Handler: Callable[..., Any]](handler: Handler) -> Handler:
    """Like :func:`traced`, but the handler's response and errors are never put in the trace.

    For a handler whose answer carries a credential (the token endpoint's access tokens): the
    Tracer would otherwise record the whole response as trace metadata. The template also sets
    ``POWERTOOLS_TRACER_CAPTURE_RESPONSE`` and ``POWERTOOLS_TRACER_CAPTURE_ERROR`` to false for
    that function; the arguments here win over any environment.
    """
    if not tracing_enabled():
        return handler
    from aws_lambda_powertools import Tracer  # noqa: PLC0415 - only paid when tracing

    tracer = Tracer(service=SERVICE)
    wrapped = tracer.capture_lambda_handler(handler, capture_response=False, capture_error=False)
    return cast(Handler, wrapped)
