"""BackgroundServer and the emulator bind port 0 and report the port they were given."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from hookgate_dev.local.emulator import running_emulator
from hookgate_dev.sandbox.server import BackgroundServer


async def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


APP = Starlette(routes=[Route("/", hello)])


def test_the_port_is_the_one_the_server_was_given_and_is_unknown_before() -> None:
    server = BackgroundServer(APP)
    assert server.port == 0
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.url
    with server, BackgroundServer(APP) as other:
        assert server.port != 0 and other.port not in {0, server.port}
        assert httpx.get(server.url, timeout=5).text == "hello"
        assert httpx.get(other.url, timeout=5).text == "hello"
        with socket.socket() as probe, pytest.raises(OSError):
            probe.bind(("127.0.0.1", server.port))  # held by the running server


def test_the_emulator_endpoint_names_the_port_moto_was_given() -> None:
    with running_emulator() as endpoint:
        port = urlsplit(endpoint).port
        assert port not in {None, 0}
        assert httpx.get(f"{endpoint}/moto-api/data.json", timeout=10).status_code == 200
