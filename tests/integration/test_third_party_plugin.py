"""A third-party provider plugin, installed for real, is found through its entry point.

``tests/third_party/hookgate-acme`` (a provider ``acme``) and ``hookgate-broken`` (a plugin
that raises on import) are built and installed with pip into a temporary directory. Each check
then runs in a fresh interpreter with that directory on PYTHONPATH, as a Lambda container with
a layer would: this process never imports them, edits ``sys.path`` or sets environment
variables for itself.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

THIRD_PARTY = Path(__file__).parents[1] / "third_party"
DRIVER = THIRD_PARTY / "driver.py"
BUILTIN_MODULES = {
    "sinch_conversation": "hookgate_sinch_conversation.plugin",
    "sinch_provisioning": "hookgate_sinch_provisioning.plugin",
    "360dialog": "hookgate_360dialog.plugin",
    "insider_one": "hookgate_insider_one.plugin",
    "meta_whatsapp": "hookgate_meta_whatsapp.plugin",
    "standard_webhooks": "hookgate_standard_webhooks.plugin",
    "hmac": "hookgate_hmac.plugin",
}
# Built-in plugins whose module exists (all of them once every built-in provider is written).
BUILTINS = {name for name, module in BUILTIN_MODULES.items() if importlib.util.find_spec(module)}
NOT_YET_WRITTEN = set(BUILTIN_MODULES) - BUILTINS
SETTINGS: dict[str, dict[str, str]] = {
    "acme": {},
    "sinch_provisioning": {"project_id": "third-party-check"},
    "sinch_conversation": {"project_id": "third-party-check", "app_id": "third-party-app"},
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install both distributions (no dependencies, no index) into a fresh directory."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(  # noqa: S603 - our own interpreter and paths
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--no-deps", "--no-build-isolation", "--no-index", "--target", str(target),
            str(THIRD_PARTY / "hookgate-acme"), str(THIRD_PARTY / "hookgate-broken"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    return target


def _env(site: Path, **variables: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "HOOKGATE_PLUGINS", "HOOKGATE_DISABLE_PLUGINS"}
    }
    return {**env, "PYTHONPATH": str(site), **variables}


def _drive(site: Path, **variables: str) -> tuple[dict[str, Any], str]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(DRIVER)],
        input=json.dumps({"settings": SETTINGS}),
        env=_env(site, **variables),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    report: dict[str, Any] = json.loads(done.stdout)
    return report, done.stderr


def test_the_distributions_installed_their_entry_points(site: Path) -> None:
    entry_points = sorted(site.glob("hookgate_*.dist-info/entry_points.txt"))
    texts = {path.parent.name.split("-")[0]: path.read_text() for path in entry_points}
    assert "acme = hookgate_acme.plugin" in texts["hookgate_acme"]
    assert "broken = hookgate_broken.plugin" in texts["hookgate_broken"]


def test_acme_is_discovered_and_serves_while_the_broken_plugin_is_skipped(site: Path) -> None:
    report, stderr = _drive(site)

    assert "acme" in report["providers"]
    acme = report["exercised"]["acme"]
    assert acme["plugin_module"] == "hookgate_acme.plugin"
    for name, outcome in acme["samples"].items():
        assert outcome["verified"] and outcome["stage"] == "AWSCURRENT", name
        assert outcome["forgery_refused"], name
        assert outcome["types"] == outcome["expected"], name
    assert acme["samples"]["delivered_and_read"]["types"] == ["message.delivered", "message.read"]

    assert set(report["failures"]) == {"broken"} | NOT_YET_WRITTEN
    assert report["failures"]["broken"] == (
        "import failed: RuntimeError: hookgate-broken fails on import on purpose"
    )
    assert "provider plugin 'broken' skipped" in stderr

    # The built-in providers keep loading and working beside both.
    assert set(report["providers"]) == BUILTINS | {"acme"}
    exercised_builtins = set(report["exercised"]) - {"acme"}
    assert exercised_builtins == BUILTINS & set(SETTINGS)
    for provider in exercised_builtins:
        outcomes = report["exercised"][provider]["samples"]
        assert outcomes, provider
        for name, o in outcomes.items():
            assert o["verified"] and o["forgery_refused"], f"{provider}/{name}"
            assert o["types"] == o["expected"], f"{provider}/{name}"


def test_the_block_list_disables_acme(site: Path) -> None:
    report, _ = _drive(site, HOOKGATE_DISABLE_PLUGINS="acme, broken")
    assert "acme" not in report["providers"]
    assert "acme" not in report["exercised"]
    assert set(report["failures"]) == NOT_YET_WRITTEN
    assert set(report["providers"]) == BUILTINS


def test_the_allow_list_loads_only_the_named_plugins(site: Path) -> None:
    report, _ = _drive(site, HOOKGATE_PLUGINS="acme,sinch_provisioning")
    assert report["providers"] == ["acme", "sinch_provisioning"]
    assert report["failures"] == {}  # the broken plugin was never imported
    assert report["exercised"]["acme"]["samples"]["something_new"]["types"] == ["unknown"]


def test_acme_passes_hookgate_contract_suite_in_its_own_project(site: Path, tmp_path: Path) -> None:
    """A plugin author runs the contract suite against an installed plugin, outside hookgate."""
    project = tmp_path / "acme-tests"
    shutil.copytree(THIRD_PARTY / "hookgate-acme" / "tests", project)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", "."],
        check=False,
        cwd=project,
        env=_env(site),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    # Everything passes but the body-tampering and timestamp checks: a shared token covers neither.
    summary = re.search(r"(\d+) passed, 2 skipped in", done.stdout)
    assert summary is not None and int(summary.group(1)) >= 16, done.stdout[-500:]
