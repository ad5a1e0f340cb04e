"""The receiver's log lines carry the Lambda context exactly as Powertools' decorator put it."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aws_lambda_powertools import Logger

from hookgate.log_context import LambdaContextKeys

type Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class Context:
    aws_request_id: str
    function_name: str = "hookgate-receiver"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:hookgate-receiver"


def new_logger() -> tuple[Logger, io.StringIO]:
    stream = io.StringIO()
    service = f"logctx-{uuid.uuid4().hex[:8]}"  # a logger of its own, shared with no other test
    return Logger(service=service, logger_handler=logging.StreamHandler(stream)), stream


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    found = [json.loads(line) for line in stream.getvalue().splitlines()]
    for line in found:  # when and where it was written, and each test's own service name
        del line["timestamp"], line["location"], line["service"]
    return found


def run(wrap: Callable[[Logger, Handler], Handler], requests: list[str]) -> list[dict[str, Any]]:
    """Three invocations: a warning from a child logger, a quiet one, an appended key, an error."""
    logger, stream = new_logger()
    child = logging.getLogger(f"{logger.name}.webhook_http")

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event["kind"] == "warn":
            child.warning("webhook rejected", extra={"status": 401, "reason": "stale"})
            logger.append_keys(left_over="from an earlier invocation")
        elif event["kind"] == "error":
            logger.error("publishing failed")
        return {"statusCode": 200}

    wrapped = wrap(logger, handler)
    for request_id, kind in zip(requests, ("quiet", "warn", "error"), strict=True):
        wrapped({"kind": kind}, Context(aws_request_id=request_id))
    return lines(stream)


def greeting(logger: Logger) -> Handler:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        logger.info("hello")
        return {"statusCode": 200}

    return handler


def powertools(logger: Logger, handler: Handler) -> Handler:
    wrapped: Handler = logger.inject_lambda_context(clear_state=True)(handler)
    return wrapped


def lazy(logger: Logger, handler: Handler) -> Handler:
    return LambdaContextKeys(logger).inject(handler)


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "POWERTOOLS_LOGGER_LOG_EVENT",
        "POWERTOOLS_LOGGER_SAMPLE_RATE",
    ):
        monkeypatch.delenv(name, raising=False)


def test_lines_carry_what_powertools_decorator_puts_on_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aws_lambda_powertools.logging import logger as powertools_logger

    requests = ["req-1", "req-2", "req-3"]
    ours = run(lazy, requests)
    monkeypatch.setattr(powertools_logger, "is_cold_start", True)  # a fresh container for it too
    theirs = run(powertools, requests)
    assert ours == theirs
    warning, error = ours
    assert warning["function_request_id"] == "req-2" and warning["reason"] == "stale"
    assert warning["cold_start"] is False  # the first invocation (req-1) wrote nothing
    assert error["function_request_id"] == "req-3" and "left_over" not in error
    assert error["function_name"] == "hookgate-receiver" and error["function_memory_size"] == 512


def test_first_invocation_is_the_cold_start_and_a_line_after_it_gets_no_stale_keys() -> None:
    logger, stream = new_logger()
    wrapped = lazy(logger, greeting(logger))
    wrapped({}, Context(aws_request_id="first"))
    wrapped({}, Context(aws_request_id="second"))
    logger.info("between invocations")
    first, second, between = lines(stream)
    assert (first["cold_start"], first["function_request_id"]) == (True, "first")
    assert (second["cold_start"], second["function_request_id"]) == (False, "second")
    assert between["function_request_id"] == "second"  # what Powertools leaves there too


def test_an_invocation_that_raised_leaves_nothing_pending() -> None:
    logger, stream = new_logger()

    def failing(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    wrapped = lazy(logger, failing)
    with pytest.raises(RuntimeError):
        wrapped({}, Context(aws_request_id="failed"))
    logger.append_keys(outside="kept")
    logger.info("after")
    (after,) = lines(stream)
    assert after["outside"] == "kept" and "function_request_id" not in after


def test_a_function_loaded_again_installs_one_filter_and_its_lines_stay_right() -> None:
    logger, stream = new_logger()
    first = lazy(logger, greeting(logger))
    second = lazy(logger, greeting(logger))  # the module executed again (tests, the local stack)
    assert len(logger.registered_handler.filters) == 1
    first({}, Context(aws_request_id="one"))
    second({}, Context(aws_request_id="two"))
    assert [line["function_request_id"] for line in lines(stream)] == ["one", "two"]


def test_provisioned_concurrency_is_never_a_cold_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency")
    logger, stream = new_logger()
    wrapped = lazy(logger, greeting(logger))
    wrapped({}, Context(aws_request_id="first"))
    (line,) = lines(stream)
    assert line["cold_start"] is False


@pytest.mark.parametrize(
    ("variable", "value"),
    [("POWERTOOLS_LOGGER_LOG_EVENT", "true"), ("POWERTOOLS_LOGGER_SAMPLE_RATE", "1")],
)
def test_powertools_decorator_is_used_when_it_has_more_to_do(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    logger, stream = new_logger()
    wrapped = lazy(logger, lambda event, context: {"statusCode": 200})
    wrapped({"marker": "event-body"}, Context(aws_request_id="first"))
    assert not logger.registered_handler.filters  # Powertools' decorator, not the lazy keys
    if variable == "POWERTOOLS_LOGGER_LOG_EVENT":
        assert [line["message"] for line in lines(stream)] == [{"marker": "event-body"}]
