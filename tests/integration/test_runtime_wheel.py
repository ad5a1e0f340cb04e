"""The runtime wheel, which the Lambda layer installs, imports nothing of the development tools.

The ``hookgate`` wheel is built from the checkout and installed (no dependencies) into a fresh
directory. A second directory holds links to the distributions it depends on at run time (its
requirements without extras, followed through, plus boto3, which the Lambda runtime has), taken
from this environment. Then a fresh interpreter with only those two directories and the standard
library on its path (``-I -S``: no site-packages, no editable checkout) imports every module of
the wheel. hookgate-dev and the local stack's libraries (starlette, moto, pytest) are not there,
as they are not in Lambda: a runtime module that imports one fails here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from importlib.metadata import distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.integration.test_layer_plugins import DEV_ONLY, DEV_ONLY_MODULES

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
LAMBDA_RUNTIME = ("boto3",)

IMPORT_ALL = """
import importlib, importlib.util, json, pkgutil, sys
site, deps, packages = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path[:0] = [site, deps]
imported = []
for top in packages:
    package = importlib.import_module(top)
    imported.append(top)
    for found in pkgutil.walk_packages(package.__path__, top + "."):
        importlib.import_module(found.name)
        imported.append(found.name)
absent = [name for name in ("hookgate_dev", "starlette", "moto", "pytest")
          if importlib.util.find_spec(name) is None]
print(json.dumps({"imported": imported, "hookgate": sys.modules["hookgate"].__file__,
                  "absent": absent}))
"""


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure() -> set[str]:
    """Return the distributions hookgate needs at run time (no extras), boto3's included."""
    todo: list[str] = [*LAMBDA_RUNTIME, *(distribution("hookgate").requires or [])]
    seen: set[str] = set()
    while todo:
        requirement = Requirement(todo.pop())
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = _key(requirement.name)
        if name not in seen:
            seen.add(name)
            todo += distribution(name).requires or []
    return seen


def link_distributions(names: set[str], into: Path) -> None:
    """Link each distribution's top-level packages, modules and dist-info into ``into``."""
    into.mkdir()
    for name in sorted(names):
        dist = distribution(name)
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in sorted(tops - {"__pycache__"}):
            link = into / top
            if not link.exists():
                link.symlink_to(Path(str(dist.locate_file(top))))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the runtime wheel from the checkout, as layers/Makefile does (no index needed)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(  # noqa: S603 - our own interpreter and paths
        [
            sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
            "--no-deps", "--no-build-isolation", "--no-index", "--wheel-dir", str(out), str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    (built,) = out.glob("hookgate-*.whl")
    return built


def test_the_wheel_holds_the_runtime_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "hookgate/receive.py" in names
    assert "hookgate_360dialog/plugin.py" in names
    assert [n for n in names if n.startswith(DEV_ONLY) or n.endswith(DEV_ONLY_MODULES)] == []
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    groups = re.findall(r"^\[(.+)\]$", zipfile.ZipFile(wheel).read(entry_points).decode(), re.M)
    assert groups == ["hookgate"]


def test_every_runtime_module_imports_without_the_development_tools(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    subprocess.run(  # noqa: S603 - our own interpreter and paths
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--no-deps", "--no-index", "--target", str(site), str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    closure = runtime_closure()
    assert {"pydantic", "pluggy", "aws-lambda-powertools", "boto3"} <= closure
    assert {"hookgate-dev", "starlette", "moto", "pytest"}.isdisjoint(closure)
    link_distributions(closure, tmp_path / "deps")
    packages = sorted(
        p.name for p in site.iterdir() if p.is_dir() and (p / "__init__.py").is_file()
    )
    # the core, the shared Sinch code and the 7 built-in plugins
    assert packages[0] == "hookgate" and len(packages) == 9
    assert "hookgate_sinch" in packages
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [
            sys.executable, "-I", "-S", "-c", IMPORT_ALL,
            str(site), str(tmp_path / "deps"), json.dumps(packages),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert "hookgate.receive" in report["imported"]
    assert "hookgate_sinch_conversation.plugin" in report["imported"]
    assert report["hookgate"] == str(site / "hookgate" / "__init__.py")  # not the checkout's
    # What Lambda lacks was not importable: a runtime module needing it failed above.
    assert report["absent"] == ["hookgate_dev", "starlette", "moto", "pytest"]
