"""Run an ASGI app (a sandbox, the local front) with uvicorn in a background thread."""

from __future__ import annotations

import threading
import time
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp


def bound_port(server: uvicorn.Server) -> int:
    """Return the TCP port a started uvicorn server listens on."""
    for listening in server.servers:
        for sock in listening.sockets:
            port: int = sock.getsockname()[1]
            return port
    raise RuntimeError("the server listens on no socket")


class BackgroundServer:
    """A uvicorn server on loopback in a daemon thread; a context manager that stops it.

    Without a ``port``, uvicorn binds port 0 and the server reads back the port the system
    gave it, so no other process can take the port between choosing and binding it.
    """

    def __init__(self, app: ASGIApp, *, host: str = "127.0.0.1", port: int | None = None) -> None:
        """Prepare to serve ``app`` on ``host:port`` (a port the system picks when none)."""
        self.host = host
        self.port = port or 0
        config = uvicorn.Config(
            app, host=host, port=self.port, log_level="warning", lifespan="off", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        """Return the server's base URL (known once it has started)."""
        if not self.port:
            raise RuntimeError("the server has not started: its port is not known yet")
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Start serving; return once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on {self.host}:{self.port} did not start")
            time.sleep(0.01)
        self.port = bound_port(self._server)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        """Start on entry."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on exit."""
        self.stop()
