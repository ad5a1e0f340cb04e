"""hookgate.plugin: every name it lists resolves, and loading the plugins stays free of httpx."""

from __future__ import annotations

import subprocess
import sys

import pytest

import hookgate.plugin


@pytest.mark.parametrize("name", hookgate.plugin.__all__)
def test_every_listed_name_resolves(name: str) -> None:
    assert getattr(hookgate.plugin, name) is not None
    assert name in dir(hookgate.plugin)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        _ = hookgate.plugin.nothing_here


def test_loading_every_plugin_imports_no_http_client() -> None:
    code = (
        "import sys\n"
        "from hookgate.plugins import load_plugins\n"
        "host = load_plugins()\n"
        "assert len(host.names()) >= 7, host.names()\n"
        "print(sorted(m for m in ('httpx', 'hookgate.webhook_sync', 'jwt') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.strip() == "[]"
