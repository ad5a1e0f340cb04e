"""AWS clients, created lazily and once per process from one shared botocore session.

Nothing here runs at import: handlers stay cheap to import and tests can inject their own
clients. ``AWS_ENDPOINT_URL`` (honoured by botocore itself) points every client at a local
emulator such as moto server.

Clients come straight from a botocore session, not through boto3: a boto3 client is the same
botocore client (boto3 adds resources and S3's transfer methods, which hookgate does not use),
and not importing boto3 and s3transfer saves every cold start about 20 ms. The session's data
loader is :class:`hookgate.service_loader.ServiceLoader`, which spares the first client
botocore's listing of every service it knows.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.session import Session


def error_code(exc: BaseException) -> str | None:
    """Return the AWS error code a botocore ClientError carries (None for anything else)."""
    response: Any = getattr(exc, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


@cache
def _session() -> Session:
    # deferred to the first AWS use: importing botocore takes about 100 ms
    from botocore.session import get_session  # noqa: PLC0415

    from hookgate.service_loader import service_loader  # noqa: PLC0415

    session = get_session()
    session.register_component(
        "data_loader", service_loader(session.get_config_variable("data_path"))
    )
    return session


@cache
def client(service: str) -> Any:
    """Return the process-wide botocore client for ``service``."""
    from botocore.config import Config  # noqa: PLC0415

    config = Config(
        connect_timeout=2,
        read_timeout=5,
        retries={"max_attempts": 3, "mode": "standard"},
    )
    return _session().create_client(service, config=config)
