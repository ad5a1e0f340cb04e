"""The Lambda context on a handler's log lines, paid for only when a line is written.

Powertools' ``inject_lambda_context(clear_state=True)`` resets the logger's keys and sets the
context's (``cold_start``, ``function_name``, ``function_memory_size``, ``function_arn``,
``function_request_id``) at the start of every invocation: about 9 µs, on a receiver that writes
no line for an accepted webhook. :class:`LambdaContextKeys` does the same reset with the same keys
(Powertools' own ``structure_logs`` and ``build_lambda_context_model``), but when the invocation's
first line reaches the Powertools handler, so a line carries exactly the keys it carried before.

It holds back only when none of the decorator's other per-invocation work is configured (a log
sampling rate, logging the event, a log buffer); otherwise the handler gets the decorator itself.
Keys appended during an invocation before its first log line would be reset by that line: the
handlers that use it append none.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging.lambda_context import build_lambda_context_model

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

# What Lambda sets for provisioned concurrency, whose environments Powertools never counts as cold.
_INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
_LOG_EVENT = "POWERTOOLS_LOGGER_LOG_EVENT"

type Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


# The running invocation's logger, context and cold-start flag, until its first log line. One
# slot per process: Lambda runs one invocation at a time in it (the local stack too).
_pending: list[tuple[Logger, Any, bool]] = []


def _apply_pending(record: logging.LogRecord) -> bool:
    """Set the running invocation's keys before its first line is formatted; never drop a line."""
    if _pending:
        logger, context, cold_start = _pending.pop()
        keys = build_lambda_context_model(context).__dict__
        logger.structure_logs(cold_start=cold_start, **keys)
    return True


class LambdaContextKeys:
    """Puts each invocation's Lambda context on the log lines it writes, when it writes one."""

    def __init__(self, logger: Logger) -> None:
        """Watch the Powertools handler of ``logger`` (Powertools' own formatter stays in place)."""
        self._logger = logger
        self._cold = os.environ.get(_INITIALIZATION_TYPE) != "provisioned-concurrency"

    def inject(self, handler: Handler) -> Handler:
        """Wrap ``handler`` so its invocations' log lines carry the Lambda context."""
        logger = self._logger
        log_event = os.environ.get(_LOG_EVENT, "false").strip().lower() in {"1", "true"}
        if logger.sampling_rate or log_event or getattr(logger, "_buffer_config", None):
            decorated: Handler = logger.inject_lambda_context(clear_state=True)(handler)
            return decorated
        logger.registered_handler.addFilter(_apply_pending)  # a filter it has is not added again

        @functools.wraps(handler)
        def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
            _pending[:] = [(logger, context, self._cold)]
            self._cold = False
            try:
                return handler(event, context)
            finally:
                _pending.clear()

        return invoke
