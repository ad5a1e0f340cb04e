"""layers/plugins.txt puts a third-party plugin into the Lambda layer beside hookgate.

The layer recipe runs as sam build runs it (ARTIFACTS_DIR set, the repository root as working
directory), with a plugins file naming the example plugin of docs/plugins.md. The layer holds
arm64 wheels, so its contents are checked on disk, not imported.
"""

from __future__ import annotations

import configparser
import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_a_listed_plugin_is_installed_with_its_entry_point(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins.txt"
    plugins.write_text("# the example plugin\n./examples/hookgate-example   # a path\n\n")
    layer = tmp_path / "layer"
    make = shutil.which("make")
    assert make is not None
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [
            make,
            "--no-print-directory",
            "-f",
            "layers/Makefile",
            "build-HookgateLayer",
            f"ARTIFACTS_DIR={layer}",
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
    site = layer / "python"
    assert (site / "hookgate_example" / "plugin.py").is_file()
    (entry_points,) = site.glob("hookgate_example-*.dist-info/entry_points.txt")
    parser = configparser.ConfigParser()
    parser.read(entry_points)
    assert dict(parser["hookgate"]) == {"example": "hookgate_example.plugin"}
    assert (
        "providers: 360dialog hmac insider_one meta_whatsapp sinch_conversation "
        "sinch_provisioning standard_webhooks example" in done.stdout
    )
    # The functions read hookgate.yaml as JSON (HOOKGATE_CONFIG=/opt/hookgate.json).
    shipped = yaml.safe_load((ROOT / "hookgate.yaml").read_text(encoding="utf-8"))
    assert json.loads((layer / "hookgate.json").read_text(encoding="utf-8")) == shipped
    # One hookgate only: the plugin's dependency on it is the repository's own wheel.
    assert len(list(site.glob("hookgate-*.dist-info"))) == 1


def test_the_shipped_plugins_file_lists_nothing() -> None:
    lines = (ROOT / "layers" / "plugins.txt").read_text().splitlines()
    assert all(not line.strip() or line.lstrip().startswith("#") for line in lines)
