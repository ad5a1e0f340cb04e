"""Mutation-testing gate over hookgate's security-critical modules (``make mutate``).

mutmut names a mutant after its file's path, while hookgate's packages live under ``layers/``,
``plugins/`` and ``devkit/`` and are imported as ``hookgate``, ``hookgate_*`` and ``hookgate_dev``.
So the run happens in a staging copy (``.mutate/``) whose ``src/`` holds those packages under their
import names; the rest of the tree (tests, template, docs, events) is copied beside it so that tests
reading repository files find them. Modules are grouped with the test files that pin them; each
group is one mutmut run over those files only, and each mutant runs only the selected tests that
call the mutated function.

Every mutant must be killed or listed in ``scripts/equivalent-mutants.yaml`` with a one-line
reason; an unlisted survivor, a mutant no test reaches, a timeout, or a stale entry fails the run.
``--since REF`` checks only the modules changed since git REF (``make test`` passes main's last
release tag); with no tag it checks the bounded sample of modules given with ``--sample``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml
from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parents[1]
STAGE = ROOT / ".mutate"
EQUIVALENTS = ROOT / "scripts" / "equivalent-mutants.yaml"

# Groups of security-critical modules (repository paths) and the test files that pin their
# behaviour. Each group is one mutmut run whose test selection is those files only; within it,
# each mutant runs just the selected tests that call the mutated function.
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "sinch_conversation": (
        [
            "plugins/hookgate_sinch/signature.py",
            "plugins/hookgate_sinch_conversation/plugin.py",
        ],
        [
            "tests/unit/test_sinch_conversation.py",
            "tests/contract/test_sinch_conversation_contract.py",
        ],
    ),
    "sinch_provisioning": (
        [
            "plugins/hookgate_sinch_provisioning/plugin.py",
            "plugins/hookgate_sinch_provisioning/schemes.py",
        ],
        [
            "tests/unit/test_sinch_provisioning_verify.py",
            "tests/unit/test_sinch_provisioning_parse.py",
            "tests/contract/test_sinch_provisioning_contract.py",
        ],
    ),
    "360dialog": (
        ["plugins/hookgate_360dialog/plugin.py"],
        [
            "tests/unit/test_360dialog.py",
            "tests/contract/test_360dialog_contract.py",
            "tests/contract/test_360dialog_partner_contract.py",
        ],
    ),
    "insider_one": (
        ["plugins/hookgate_insider_one/plugin.py"],
        ["tests/unit/test_insider_one.py", "tests/contract/test_insider_one_contract.py"],
    ),
    "secrets": (
        [
            "layers/hookgate/secrets.py",
            "layers/hookgate/secret_lifecycle.py",
            "layers/hookgate/rotation.py",
            "layers/hookgate/leases.py",
        ],
        [
            "tests/unit/test_secret_store.py",
            "tests/unit/test_secret_store_edges.py",
            "tests/unit/test_secret_lifecycle_edges.py",
            "tests/unit/test_leases.py",
            "tests/unit/test_rotation.py",
            "tests/unit/test_rotation_edges.py",
        ],
    ),
    "receive": (
        ["layers/hookgate/dedupe.py", "layers/hookgate/receive.py"],
        [
            "tests/unit/test_publish_and_dedupe.py",
            "tests/integration/test_receiver.py",
            "tests/integration/test_receiver_store_failures.py",
            "tests/integration/test_receiver_handshake.py",
        ],
    ),
    "safe_json": (["layers/hookgate/safe_json.py"], ["tests/unit/test_safe_json.py"]),
    "oauth2": (
        [
            "layers/hookgate/oauth2/tokens.py",
            "layers/hookgate/oauth2/endpoint.py",
            "layers/hookgate/oauth2/backoff.py",
        ],
        [
            "tests/unit/test_oauth2_backoff.py",
            "tests/unit/test_oauth2_tokens.py",
            "tests/unit/test_oauth2_endpoint.py",
        ],
    ),
    "sync_ownership": (
        ["layers/hookgate/webhook_sync.py"],
        [
            "tests/unit/test_sync_engine.py",
            "tests/unit/test_webhook_sync.py",
            "tests/integration/test_insider_one_sync.py",
            "tests/integration/test_360dialog_sync.py",
            "tests/integration/test_sinch_provisioning_sync.py",
        ],
    ),
}
MODULES: list[str] = [module for modules, _ in GROUPS.values() for module in modules]

# Copied beside src/ so tests that read repository files find them.
ALSO_COPY = [
    "tests",
    "layers",
    "plugins",
    "devkit",
    "template.yaml",
    "hookgate.yaml",
    "events",
    "docs",
    "examples",
    "functions",
    "scripts",
    "benchmarks",
    "README.md",
]


def staged_path(repo_path: str) -> str:
    """Return where a repository module lives in a staging tree (``src/<package>/...``)."""
    parts = Path(repo_path).parts
    return str(Path("src", *parts[1:]))


def module_name(repo_path: str) -> str:
    """Return the dotted import name of a repository module, as mutmut prefixes its mutants."""
    return ".".join(Path(*Path(repo_path).parts[1:]).with_suffix("").parts)


def expose_verify(plugin: Path) -> None:
    """Let mutmut mutate a staged plugin's ``hookgate_verify``.

    mutmut leaves decorated functions alone, so in the staged copy only, the ``@hookimpl``
    decorator becomes the same call made after the module's last line.
    """
    source = plugin.read_text(encoding="utf-8")
    decorated = "@hookimpl\ndef hookgate_verify("
    if decorated not in source:
        raise SystemExit(f"mutate: {plugin} has no @hookimpl hookgate_verify to expose")
    source = source.replace(decorated, "def hookgate_verify(")
    plugin.write_text(source + "\n\nhookgate_verify = hookimpl(hookgate_verify)\n", "utf-8")


def stage(group: str) -> Path:
    """Lay out ``.mutate/<group>/``: packages under ``src/``, the rest copied, mutmut set up."""
    modules, tests = GROUPS[group]
    where = STAGE / group
    if where.exists():
        shutil.rmtree(where)
    (where / "src").mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    shutil.copytree(ROOT / "layers" / "hookgate", where / "src" / "hookgate", ignore=ignore)
    for plugin in sorted((ROOT / "plugins").glob("hookgate_*")):
        shutil.copytree(plugin, where / "src" / plugin.name, ignore=ignore)
    shutil.copytree(ROOT / "devkit" / "hookgate_dev", where / "src" / "hookgate_dev", ignore=ignore)
    for name in ALSO_COPY:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, where / name, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, where / name)
    for module in modules:
        if module.endswith("/plugin.py"):
            expose_verify(where / staged_path(module))
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config += "\n[tool.mutmut]\n" + "\n".join(
        [
            'source_paths = ["src"]',
            f"only_mutate = {json.dumps([staged_path(m) for m in modules])}",
            f"also_copy = {json.dumps(ALSO_COPY)}",
            f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
            # One fixed seed: a mutant is killed or not the same way on every run.
            'pytest_add_cli_args = ["-q", "--hypothesis-seed=0"]',
        ]
    )
    (where / "pyproject.toml").write_text(config + "\n", encoding="utf-8")
    return where


def run_mutmut(where: Path) -> None:
    """Run mutmut in a staging tree; its progress goes to ``mutmut.log`` there."""
    mutmut = Path(sys.executable).with_name("mutmut")
    log = where / "mutmut.log"
    with log.open("wb") as output:
        subprocess.run(  # noqa: S603 - our own venv's mutmut, fixed arguments
            [str(mutmut), "run", "--max-children", str(os.cpu_count() or 2)],
            cwd=where,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )


def results(where: Path) -> dict[str, str]:
    """Read every mutant's status from mutmut's per-file metadata."""
    found: dict[str, str] = {}
    for meta in (where / "mutants").rglob("*.py.meta"):
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, code in data.get("exit_code_by_key", {}).items():
            found[name] = status_by_exit_code[code]
    return found


def owning_module(mutant: str) -> str:
    """Return the repository module a mutant belongs to."""
    for repo_path in MODULES:
        if mutant.startswith(module_name(repo_path) + "."):
            return repo_path
    return "?"


def load_equivalents() -> dict[str, str]:
    """Read the accepted equivalent mutants: name -> one-line reason."""
    entries = yaml.safe_load(EQUIVALENTS.read_text(encoding="utf-8")) or []
    accepted: dict[str, str] = {}
    for entry in entries:
        reason = str(entry.get("reason", "")).strip()
        if not reason:
            raise SystemExit(f"{EQUIVALENTS.name}: {entry.get('mutant')} has no reason")
        accepted[str(entry["mutant"])] = reason
    return accepted


def changed_since(ref: str) -> list[str]:
    """Return the gate's modules whose source differs from git ``ref``."""
    changed = subprocess.run(  # noqa: S603 - git from PATH, like every make target
        ["git", "diff", "--name-only", ref, "--", *MODULES],  # noqa: S607
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return [m for m in MODULES if m in changed]


def choose_groups(args: argparse.Namespace) -> list[str]:
    """Pick the groups: all, those holding ``--module``s, or those changed since ``--since``."""
    chosen: list[str] = list(args.module)
    if args.since is not None:
        if not args.since:
            chosen = list(args.sample)
            print(f"mutate: no release tag, so the bounded sample: {' '.join(chosen)}")
        else:
            chosen = changed_since(args.since)
            print(f"mutate: changed since {args.since}: {' '.join(chosen) or 'none'}")
            if not chosen:
                return []
    unknown = [m for m in chosen if m not in MODULES]
    if unknown:
        raise SystemExit(f"mutate: not a module of the gate: {unknown}")
    return [g for g, (modules, _) in GROUPS.items() if not chosen or set(modules) & set(chosen)]


def main() -> int:
    """Stage, run, score per module, and fail on any unexplained survivor or stale entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", default=[], help="only this module's group")
    parser.add_argument(
        "--since",
        metavar="REF",
        help="only the groups changed since git REF; an empty REF means: the --sample modules",
    )
    parser.add_argument(
        "--sample", action="append", default=[], help="a module of the bounded sample"
    )
    args = parser.parse_args()
    groups = choose_groups(args)
    started = time.monotonic()
    status: dict[str, str] = {}
    for group in groups:
        group_start = time.monotonic()
        where = stage(group)
        run_mutmut(where)
        found = results(where)
        print(f"mutate: {group}: {len(found)} mutants in {time.monotonic() - group_start:.0f} s")
        status.update(found)
    modules = [m for g in groups for m in GROUPS[g][0]]
    accepted = load_equivalents()
    failures: list[str] = []
    per_module: dict[str, Counter[str]] = {m: Counter() for m in modules}
    for name, state in sorted(status.items()):
        counts = per_module.setdefault(owning_module(name), Counter())
        if state == "killed":
            counts["killed"] += 1
            if name in accepted:
                failures.append(f"stale entry (mutant is killed): {name}")
        elif state == "survived" and name in accepted:
            counts["equivalent"] += 1
        else:
            counts["open"] += 1
            failures.append(f"{state}: {name}")
    failures += [
        f"stale entry (no such mutant): {name}"
        for name in accepted
        if name not in status and owning_module(name) in modules
    ]
    print(f"\n{'module':50} {'mutants':>7} {'killed':>7} {'equiv':>6} {'open':>5} {'score':>7}")
    for module, counts in per_module.items():
        total = sum(counts.values())
        done = counts["killed"] + counts["equivalent"]
        score = f"{100 * done / total:.1f}%" if total else "-"
        print(
            f"{module:50} {total:7} {counts['killed']:7} {counts['equivalent']:6} "
            f"{counts['open']:5} {score:>7}"
        )
    print(f"\n{len(status)} mutants in {time.monotonic() - started:.0f} s")
    for line in failures:
        print(f"FAIL {line}")
    if failures:
        print(
            f"\n{len(failures)} problem(s): kill each survivor with a test, or list it in "
            f"{EQUIVALENTS.relative_to(ROOT)} with a one-line reason "
            "(`cd .mutate/GROUP && ../../.venv/bin/mutmut show NAME` prints its diff)."
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
