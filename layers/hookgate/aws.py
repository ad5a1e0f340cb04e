"""AWS clients, created lazily and once per process from one shared botocore session.

Nothing here runs at import: handlers stay cheap to import and tests can inject their own
clients. ``AWS_ENDPOINT_URL`` (honoured by boto3 itself) points every client at a local
emulator such as moto server.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3


def error_code(exc: BaseException) -> str | None:
    """Return the AWS error code a botocore ClientError carries (None for anything else)."""
    response: Any = getattr(exc, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


@cache
def _session() -> boto3.Session:
    import boto3  # noqa: PLC0415 - deferred: ~200 ms, only paid on first AWS use

    return boto3.Session()


@cache
def client(service: str) -> Any:
    """Return the process-wide boto3 client for ``service``."""
    from botocore.config import Config  # noqa: PLC0415

    config = Config(
        connect_timeout=2,
        read_timeout=5,
        retries={"max_attempts": 3, "mode": "standard"},
    )
    return _session().client(service, config=config)  # type: ignore[call-overload]
