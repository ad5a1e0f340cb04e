"""The local stack for end-to-end tests, with the process state it changes put back after."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hookgate import runtime
from hookgate.local.stack import LocalStack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def isolated_process_state() -> Iterator[None]:
    """The local stack configures this process; put its environment and caches back after."""
    saved = dict(os.environ)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "HOOKGATE_CONFIG", "POWERTOOLS_LOG_LEVEL"):
        os.environ.pop(name, None)
    runtime.reset()
    yield
    os.environ.clear()
    os.environ.update(saved)
    runtime.reset()


@pytest.fixture
def stack(secret_values: set[str]) -> Iterator[LocalStack]:
    """The README's local stack on the repository's hookgate.yaml; its secrets are scanned for."""
    with LocalStack(ROOT, ROOT / "hookgate.yaml") as running:
        yield running
        secret_values.update(running.secret_values())
