"""The Lambda layer as sam build makes it: the runtime wheel, its dependencies, listed plugins.

The layer recipe runs once, as sam build runs it (ARTIFACTS_DIR set, the repository root as
working directory), with a plugins file naming the example plugin of docs/plugins.md. The layer
holds arm64 wheels, so its contents are checked on disk, not imported
(test_runtime_wheel.py imports the same wheel for this machine).
"""

from __future__ import annotations

import configparser
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# What only a developer's machine runs: the distribution hookgate-dev, and (before it was split
# off) the same code inside hookgate's own packages.
DEV_ONLY = ("hookgate_dev/", "hookgate/local/", "hookgate/sandbox/", "hookgate/testing/")
DEV_ONLY_MODULES = ("sandbox.py", "samples.py", "seed_samples.py", "cli.py", "send.py")


@dataclass(frozen=True)
class Layer:
    """A layer built by layers/Makefile: its directory and what the build printed."""

    root: Path
    stdout: str

    @property
    def site(self) -> Path:
        """Return the layer's ``python/`` directory (on sys.path in Lambda)."""
        return self.root / "python"


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Layer:
    """Build the layer once, with the example plugin listed in its plugins file."""
    work = tmp_path_factory.mktemp("layer-build")
    plugins = work / "plugins.txt"
    plugins.write_text("# the example plugin\n./examples/hookgate-example   # a path\n\n")
    make = shutil.which("make")
    assert make is not None
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [
            make,
            "--no-print-directory",
            "-f",
            "layers/Makefile",
            "build-HookgateLayer",
            f"ARTIFACTS_DIR={work / 'layer'}",
            f"PYTHON={sys.executable}",
            f"PLUGINS_FILE={plugins}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return Layer(work / "layer", done.stdout)


def installed_files(site: Path, dist_info: Path) -> list[Path]:
    """Return the files a distribution's RECORD lists, where pip --target put them."""
    files = []
    for line in (dist_info / "RECORD").read_text(encoding="utf-8").splitlines():
        path = line.rsplit(",", 2)[0]
        # console scripts are recorded beside the scheme's lib/python/, moved with it to bin/
        files.append(site / path.removeprefix("../../"))
    return files


def test_a_listed_plugin_is_installed_with_its_entry_point(layer: Layer) -> None:
    site = layer.site
    assert (site / "hookgate_example" / "plugin.py").is_file()
    (entry_points,) = site.glob("hookgate_example-*.dist-info/entry_points.txt")
    parser = configparser.ConfigParser()
    parser.read(entry_points)
    assert dict(parser["hookgate"]) == {"example": "hookgate_example.plugin"}
    assert (
        "providers: 360dialog hmac insider_one meta_whatsapp sinch_conversation "
        "sinch_provisioning standard_webhooks example" in layer.stdout
    )
    # The functions read hookgate.yaml as JSON (HOOKGATE_CONFIG=/opt/hookgate.json).
    shipped = yaml.safe_load((ROOT / "hookgate.yaml").read_text(encoding="utf-8"))
    assert json.loads((layer.root / "hookgate.json").read_text(encoding="utf-8")) == shipped
    # One hookgate only: the plugin's dependency on it is the repository's own wheel.
    assert len(list(site.glob("hookgate-*.dist-info"))) == 1


def test_the_layer_holds_hookgate_and_no_development_code(layer: Layer) -> None:
    site = layer.site
    (hookgate,) = site.glob("hookgate-*.dist-info")
    shipped = [p.relative_to(site).as_posix() for p in installed_files(site, hookgate)]
    assert "hookgate/receive.py" in shipped
    assert "hookgate_sinch_conversation/plugin.py" in shipped
    assert [p for p in shipped if p.startswith(DEV_ONLY) or p.endswith(DEV_ONLY_MODULES)] == []
    assert not (site / "hookgate_dev").exists()
    assert list(site.glob("hookgate_dev-*.dist-info")) == []
    entry_points = configparser.ConfigParser()
    entry_points.read(hookgate / "entry_points.txt")
    assert entry_points.sections() == ["hookgate"]  # no console script, no hookgate.dev


def test_the_layer_is_the_installed_distributions_and_nothing_else(layer: Layer) -> None:
    """Nothing is removed after installing, and nothing is there that pip did not install."""
    site = layer.site
    recorded: set[Path] = set()
    for dist_info in site.glob("*.dist-info"):
        files = installed_files(site, dist_info)
        missing = [f.relative_to(site).as_posix() for f in files if not f.is_file()]
        assert missing == [], f"{dist_info.name}: removed after installing"
        recorded.update(files)
    unrecorded = [
        path.relative_to(site).as_posix()
        for path in site.rglob("*")
        if path.is_file() and path not in recorded and path.parent.name != "__pycache__"
    ]
    assert unrecorded == []
    # botocore (an aws-xray-sdk dependency) is left to the Lambda runtime: never installed.
    names = {p.name.split("-")[0].lower() for p in site.glob("*.dist-info")}
    assert "aws_xray_sdk" in names
    assert {"botocore", "boto3"}.isdisjoint(names)
    assert not (site / "botocore").exists()


def test_the_shipped_plugins_file_lists_nothing() -> None:
    lines = (ROOT / "layers" / "plugins.txt").read_text().splitlines()
    assert all(not line.strip() or line.lstrip().startswith("#") for line in lines)
