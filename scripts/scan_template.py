"""Scan template.yaml with checkov; fail on any finding not accepted in accepted-findings.yaml.

Usage: scan_template.py CHECKOV [TEMPLATE] [ACCEPTED]

Exit 0 when every failed check is listed for its resource with a reason, and every listed
acceptance still matches a finding; 1 otherwise, naming each unaccepted or stale entry.
"""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def run_checkov(checkov: str, template: Path) -> list[tuple[str, str]]:
    """Return the ``(check id, logical id)`` of every failed checkov check on ``template``."""
    completed = subprocess.run(  # noqa: S603 - a fixed tool path from the Makefile
        [
            checkov,
            "--file",
            str(template),
            "--framework",
            "cloudformation",
            "--output",
            "json",
            "--quiet",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode not in {0, 1}:
        raise RuntimeError(f"checkov failed (exit {completed.returncode}): {completed.stderr}")
    report: Any = json.loads(completed.stdout) if completed.stdout.strip() else {}
    reports = report if isinstance(report, list) else [report]
    return sorted(
        (check["check_id"], check["resource"].rsplit(".", 1)[-1])
        for item in reports
        for check in item.get("results", {}).get("failed_checks", [])
    )


def load_accepted(path: Path) -> dict[str, dict[str, Any]]:
    """Read the accepted findings; each needs ``resources`` and a non-empty ``reason``."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for check_id, entry in document.items():
        if not str(entry.get("reason", "")).strip():
            raise ValueError(f"{path.name}: {check_id} has no reason")
        if not entry.get("resources"):
            raise ValueError(f"{path.name}: {check_id} names no resources")
    return dict(document)


def judge(
    findings: Iterable[tuple[str, str]], accepted: dict[str, dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """Return (findings nobody accepted, accepted entries that no longer occur).

    An accepted resource may be a glob (``*Secret``: every registration secret, present and
    future); it is stale when it matches no finding of its check.
    """
    found = set(findings)

    def accepts(check_id: str, resource: str) -> bool:
        patterns = accepted.get(check_id, {}).get("resources", [])
        return any(fnmatch.fnmatchcase(resource, pattern) for pattern in patterns)

    unaccepted = [
        f"{check_id} on {resource}"
        for check_id, resource in sorted(found)
        if not accepts(check_id, resource)
    ]
    stale = [
        f"{check_id} on {pattern}"
        for check_id, entry in sorted(accepted.items())
        for pattern in entry["resources"]
        if not any(c == check_id and fnmatch.fnmatchcase(r, pattern) for c, r in found)
    ]
    return unaccepted, stale


def main(argv: list[str]) -> int:
    """Run the scan and print the verdict."""
    checkov = argv[1]
    template = Path(argv[2]) if len(argv) > 2 else ROOT / "template.yaml"
    accepted_path = Path(argv[3]) if len(argv) > 3 else ROOT / "scripts" / "accepted-findings.yaml"
    findings = run_checkov(checkov, template)
    unaccepted, stale = judge(findings, load_accepted(accepted_path))
    listing = accepted_path.name
    for line in unaccepted:
        print(f"checkov: {line} is not accepted; fix it, or list it with a reason in {listing}")
    for line in stale:
        print(f"checkov: {line} is accepted but no longer found; remove it from {listing}")
    print(
        f"checkov: {len(findings)} findings, all accepted with a reason"
        if not unaccepted and not stale
        else f"checkov: {len(unaccepted)} unaccepted, {len(stale)} stale"
    )
    return 1 if unaccepted or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
