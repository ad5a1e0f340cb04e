"""docs/plugins.md shows the example plugin's files exactly as they are in examples/.

Convention: a fenced code block that shows a file is preceded, on the line right before its
opening fence, by ``<!-- file: <path from the repository root> -->``. Each such block must equal
that file byte for byte (the text between the fences, plus the final newline), and every source
file of examples/hookgate-example must be shown at least once. The checker is itself tested on
altered copies of the guide. tests/integration/test_plugin_guide_example.py runs the example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
EXAMPLE = ROOT / "examples" / "hookgate-example"
MARKER = re.compile(r"^<!-- file: (?P<path>\S+) -->$")
FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})[\w+-]*$")
SHOWN_SUFFIXES = (".py", ".toml")
SKIPPED_PARTS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", "dist"}


@dataclass(frozen=True)
class ShownFile:
    """A code block of the guide that claims to be the file at ``path``."""

    path: str
    line: int
    text: str


def shown_files(guide: str) -> tuple[list[ShownFile], list[str]]:
    """Return the marked code blocks of ``guide`` and the problems with its markers."""
    lines = guide.split("\n")
    blocks: list[ShownFile] = []
    problems: list[str] = []
    for index, line in enumerate(lines):
        marker = MARKER.match(line)
        if marker is None:
            continue
        where = f"line {index + 1} ({marker['path']})"
        opening = FENCE.match(lines[index + 1]) if index + 1 < len(lines) else None
        if opening is None:
            problems.append(f"{where}: the marker is not followed by an opening fence")
            continue
        fence = opening["fence"]
        body: list[str] = []
        for candidate in lines[index + 2 :]:
            closing = candidate.strip()
            if closing and set(closing) == {fence[0]} and len(closing) >= len(fence):
                break
            body.append(candidate)
        else:
            problems.append(f"{where}: the code block is never closed")
            continue
        blocks.append(ShownFile(marker["path"], index + 1, "\n".join(body) + "\n"))
    return blocks, problems


def example_files(root: Path = ROOT) -> set[str]:
    """Return the example distribution's source files, as paths from the repository root."""
    return {
        path.relative_to(root).as_posix()
        for path in (root / EXAMPLE.relative_to(ROOT)).rglob("*")
        if path.is_file()
        and path.suffix in SHOWN_SUFFIXES
        and not SKIPPED_PARTS.intersection(path.parts)
        and not any(part.endswith(".egg-info") for part in path.parts)
    }


def guide_problems(guide: str, root: Path = ROOT) -> list[str]:
    """Return every way ``guide`` disagrees with the files it shows (empty when it agrees)."""
    blocks, problems = shown_files(guide)
    for block in blocks:
        file = (root / block.path).resolve()
        if root.resolve() not in file.parents or not file.is_file():
            problems.append(f"line {block.line}: {block.path} is not a file of the repository")
            continue
        actual = file.read_text(encoding="utf-8")
        if block.text != actual:
            differing = next(
                (
                    number
                    for number, (shown, real) in enumerate(
                        zip(block.text.split("\n"), actual.split("\n"), strict=False), start=1
                    )
                    if shown != real
                ),
                min(block.text.count("\n"), actual.count("\n")) + 1,
            )
            problems.append(
                f"line {block.line}: the block differs from {block.path} at its line {differing}"
            )
    missing = example_files(root) - {block.path for block in blocks}
    problems.extend(f"{path} is never shown in the guide" for path in sorted(missing))
    return problems


def test_the_guide_shows_every_example_file_exactly() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    assert guide_problems(guide) == []
    blocks, _ = shown_files(guide)
    assert {block.path for block in blocks} >= {
        "examples/hookgate-example/pyproject.toml",
        "examples/hookgate-example/hookgate_example/plugin.py",
        "examples/hookgate-example/hookgate_example/samples.py",
        "examples/hookgate-example/tests/test_contract.py",
    }


def test_the_checker_reports_an_edited_block() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    edited = guide.replace('SIGNATURE_HEADER: Final = "x-example-signature"', "SIG = 1", 1)
    assert edited != guide
    problems = guide_problems(edited)
    assert len(problems) == 1
    assert "examples/hookgate-example/hookgate_example/plugin.py at its line" in problems[0]


def test_the_checker_reports_a_trailing_line_and_a_dropped_line() -> None:
    blocks, _ = shown_files(GUIDE.read_text(encoding="utf-8"))
    block = next(b for b in blocks if b.path.endswith("samples.py"))
    text = block.text.rstrip("\n")
    for altered in (text + "\n# extra", text.rsplit("\n", 1)[0]):
        guide = f"<!-- file: {block.path} -->\n```python\n{altered}\n```\n"
        problems = guide_problems(guide)
        assert any(p.startswith("line 1: the block differs") for p in problems), problems


def test_the_checker_reports_markers_that_show_nothing_or_nothing_real() -> None:
    path = "examples/hookgate-example/pyproject.toml"
    content = (ROOT / path).read_text(encoding="utf-8")
    cases = {
        f"<!-- file: {path} -->\n\nprose\n": "not followed by an opening fence",
        f"<!-- file: {path} -->\n```toml\n{content}": "never closed",
        "<!-- file: examples/nowhere.py -->\n```python\npass\n```\n": "not a file",
        "<!-- file: ../outside.py -->\n```python\npass\n```\n": "not a file",
    }
    for guide, expected in cases.items():
        problems = guide_problems(guide)
        assert any(expected in p for p in problems), (guide, problems)


def test_the_checker_reports_an_example_file_the_guide_leaves_out(tmp_path: Path) -> None:
    (tmp_path / "examples" / "hookgate-example" / "pkg").mkdir(parents=True)
    (tmp_path / "examples" / "hookgate-example" / "pkg" / "extra.py").write_text("x = 1\n")
    (tmp_path / "examples" / "hookgate-example" / "pkg" / "notes.txt").write_text("not code\n")
    guide = "<!-- file: examples/hookgate-example/pkg/extra.py -->\n```python\nx = 1\n```\n"
    assert guide_problems(guide, tmp_path) == []
    assert guide_problems("no blocks\n", tmp_path) == [
        "examples/hookgate-example/pkg/extra.py is never shown in the guide"
    ]
