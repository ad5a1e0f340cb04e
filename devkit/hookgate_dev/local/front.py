"""The local HTTP front: routes requests exactly as template.yaml's HttpApi does.

Each request is matched against the template's HttpApi routes, turned into the API Gateway
payload 2.0 event API Gateway would send, and handed to the real Lambda handler (loaded from the
function's CodeUri) — one request at a time per function, like one warm Lambda container.
"""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hookgate.apigw import build_event
from hookgate_dev.local.template import HttpRoute
from hookgate_dev.sandbox.core import public_headers

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@dataclass
class LocalContext:
    """The Lambda context attributes handlers and Powertools read."""

    function_name: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"

    def __post_init__(self) -> None:
        """Derive the ARN and log group from the function name."""
        self.invoked_function_arn = (
            self.invoked_function_arn
            or f"arn:aws:lambda:local:000000000000:function:{self.function_name}"
        )
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        """Return a generous remaining time: local invocations have no hard limit."""
        return 30_000


def load_handler(repo_root: Path, code_uri: str, handler: str, label: str) -> Handler:
    """Import ``<CodeUri>/<module>.py`` by file, as the Lambda runtime does; return the handler."""
    module_name, _, function_name = handler.rpartition(".")
    path = repo_root / code_uri / f"{module_name.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(f"hookgate_local_{label}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    loaded: Handler = getattr(module, function_name)
    return loaded


@dataclass(frozen=True)
class FrontRequest:
    """One request the front routed to a handler, with the status the handler answered."""

    method: str
    path: str
    body: bytes
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)  # none that carry a credential


@dataclass
class _Function:
    handler: Handler
    lock: threading.Lock = field(default_factory=threading.Lock)

    def invoke(self, event: dict[str, Any], name: str) -> dict[str, Any]:
        with self.lock:
            return self.handler(event, LocalContext(function_name=name))


def _joined_headers(request: Request) -> dict[str, str]:
    # API Gateway joins repeated headers with commas and lower-cases their names.
    joined: dict[str, str] = {}
    for key, value in request.headers.items():
        name = key.lower()
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


def _response(result: dict[str, Any]) -> Response:
    body = result.get("body") or ""
    content = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    return Response(
        content=content,
        status_code=int(result.get("statusCode", 200)),
        headers={str(k): str(v) for k, v in (result.get("headers") or {}).items()},
    )


def build_front(
    routes: Sequence[HttpRoute],
    repo_root: Path,
    on_request: Callable[[FrontRequest], None] | None = None,
) -> Starlette:
    """Return the ASGI app that serves ``routes`` with their real handlers.

    ``on_request`` is told of every routed request once its handler has answered.
    """
    compiled = [(route, route.pattern()) for route in routes]
    loaded: dict[str, _Function] = {}
    load_lock = threading.Lock()

    def function_for(route: HttpRoute) -> _Function:
        with load_lock:
            if route.function not in loaded:
                handler = load_handler(repo_root, route.code_uri, route.handler, route.function)
                loaded[route.function] = _Function(handler)
            return loaded[route.function]

    async def dispatch(request: Request) -> Response:
        path = request.url.path
        for route, pattern in compiled:
            match = pattern.match(path)
            if match is None or route.method not in (request.method, "ANY"):
                continue
            event = build_event(
                method=request.method,
                path=path,
                route_key=route.route_key,
                path_parameters=match.groupdict(),
                headers=_joined_headers(request),
                body=await request.body(),
                query=dict(request.query_params),
                source_ip=request.client.host if request.client else "127.0.0.1",
            )
            function = function_for(route)
            result = await asyncio.to_thread(function.invoke, event, route.function)
            response = _response(result)
            if on_request is not None:
                body = await request.body()
                headers = public_headers(_joined_headers(request))
                on_request(FrontRequest(request.method, path, body, response.status_code, headers))
            return response
        return JSONResponse({"message": "Not Found"}, status_code=404)

    async def unrouted(request: Request, _: Exception) -> Response:
        # Starlette's own router refuses some paths (a decoded newline in a segment) that API
        # Gateway would still match against the routes: treat them the same way.
        return await dispatch(request)

    return Starlette(
        routes=[Route("/{path:path}", dispatch, methods=_METHODS)],
        exception_handlers={404: unrouted, 405: unrouted},
    )
