"""docs/events.md agrees with the code: the taxonomy table and every provider's mapping table.

The document is parsed, not trusted: its taxonomy table must list exactly
``hookgate.taxonomy.EVENT_TYPES``, and each ``## Provider: <name>`` section's table
(``| provider event | normalised type | notes |``) must equal that plugin's
``event_types.EVENT_TYPE_MAP``. The checker is itself tested on mutated copies of the document.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hookgate.taxonomy import EVENT_TYPES
from hookgate_dev.dev_modules import dev_modules

DOC = Path(__file__).parents[2] / "docs" / "events.md"
BUILTIN_PACKAGES = {
    "sinch_conversation": "hookgate_sinch_conversation",
    "sinch_provisioning": "hookgate_sinch_provisioning",
    "360dialog": "hookgate_360dialog",
    "insider_one": "hookgate_insider_one",
}
PROVIDER_HEADING = re.compile(r"^## Provider: (?P<name>\S+)\s*$")
PROVIDER_TABLE_HEADER = ["provider event", "normalised type", "notes"]
BACKTICKED = re.compile(r"^`([^`]+)`$")

EventMap = Mapping[str, str]


@dataclass
class EventsDoc:
    """What docs/events.md says: taxonomy types, provider tables, and format problems."""

    taxonomy: list[str] = field(default_factory=list)
    providers: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _tables(lines: list[str]) -> list[tuple[list[str], list[list[str]]]]:
    """Return each markdown table in ``lines`` as (header cells, body rows)."""
    tables: list[tuple[list[str], list[list[str]]]] = []
    index = 0
    while index < len(lines):
        is_table = (
            lines[index].lstrip().startswith("|")
            and index + 1 < len(lines)
            and re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", lines[index + 1]) is not None
        )
        if not is_table:
            index += 1
            continue
        header, rows = _cells(lines[index]), []
        index += 2
        while index < len(lines) and lines[index].lstrip().startswith("|"):
            rows.append(_cells(lines[index]))
            index += 1
        tables.append((header, rows))
    return tables


def _name(cell: str, where: str, problems: list[str]) -> str | None:
    match = BACKTICKED.match(cell)
    if match is None:
        problems.append(f"{where}: {cell!r} is not one name in backticks")
        return None
    return match.group(1)


def _sections(text: str, problems: list[str]) -> dict[str | None, list[str]]:
    """Split ``text`` into provider sections by name; None holds every other line."""
    sections: dict[str | None, list[str]] = {None: []}
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            heading = PROVIDER_HEADING.match(line)
            current = heading.group("name") if heading else None
            if current is not None:
                if current in sections:
                    problems.append(f"provider {current!r}: two sections")
                sections[current] = []
            continue
        sections[current].append(line)
    return sections


def _taxonomy(lines: list[str], problems: list[str]) -> list[str]:
    tables = [rows for header, rows in _tables(lines) if "type" in header[0].lower()]
    if not tables:
        problems.append("no taxonomy table (first column 'type') outside provider sections")
        return []
    names = [_name(row[0], f"taxonomy row {n}", problems) for n, row in enumerate(tables[0], 1)]
    return [name for name in names if name is not None]


def _provider_rows(
    provider: str, lines: list[str], problems: list[str]
) -> list[tuple[str, str]] | None:
    tables = _tables(lines)
    if not tables or [cell.lower() for cell in tables[0][0]] != PROVIDER_TABLE_HEADER:
        problems.append(
            f"provider {provider!r}: no '| provider event | normalised type | notes |' table"
        )
        return None
    rows: list[tuple[str, str]] = []
    for number, row in enumerate(tables[0][1], 1):
        where = f"provider {provider!r} row {number}"
        if len(row) != len(PROVIDER_TABLE_HEADER):
            problems.append(f"{where}: expected 3 cells, found {len(row)}")
            continue
        event, kind = _name(row[0], where, problems), _name(row[1], where, problems)
        if event is not None and kind is not None:
            rows.append((event, kind))
    return rows


def read_events_doc(text: str) -> EventsDoc:
    """Parse the taxonomy table and each provider section's table out of ``text``."""
    doc = EventsDoc()
    sections = _sections(text, doc.problems)
    doc.taxonomy = _taxonomy(sections.pop(None), doc.problems)
    for provider, lines in sections.items():
        assert provider is not None
        rows = _provider_rows(provider, lines, doc.problems)
        if rows is not None:
            doc.providers[provider] = rows
    return doc


def _duplicates(names: Iterable[str]) -> list[str]:
    return sorted(name for name, count in Counter(names).items() if count > 1)


def compare(
    doc: EventsDoc, taxonomy: Iterable[str], event_maps: Mapping[str, EventMap | None]
) -> list[str]:
    """Return every disagreement between the document and the code (empty when none).

    ``event_maps`` holds each built-in provider's EVENT_TYPE_MAP, or None for a built-in whose
    plugin is not written yet: a section becomes required as soon as the plugin exists.
    """
    problems = list(doc.problems)
    known = set(taxonomy)
    documented = set(doc.taxonomy)
    problems += [
        f"taxonomy: {t!r} is in the code but not in the table" for t in sorted(known - documented)
    ]
    problems += [
        f"taxonomy: {t!r} is in the table but not in the code" for t in sorted(documented - known)
    ]
    problems += [f"taxonomy: {t!r} is listed twice" for t in _duplicates(doc.taxonomy)]

    written = {provider for provider, code in event_maps.items() if code is not None}
    for provider in sorted(written - set(doc.providers)):
        problems.append(f"provider {provider!r}: no '## Provider: {provider}' section")
    for provider in sorted(set(doc.providers) - set(event_maps)):
        problems.append(f"provider {provider!r}: documented, but no such built-in provider")
    for provider, rows in sorted(doc.providers.items()):
        problems += [
            f"provider {provider!r}: {event!r} maps to {kind!r}, which is not in the taxonomy"
            for event, kind in rows
            if kind not in known
        ]
        problems += [
            f"provider {provider!r}: {event!r} is listed twice"
            for event in _duplicates(event for event, _ in rows)
        ]
        code = event_maps.get(provider)
        if code is None:
            continue
        table = dict(rows)
        for event in sorted(set(code) | set(table)):
            if event not in table:
                problems.append(
                    f"provider {provider!r}: {event!r} is mapped in code, not documented"
                )
            elif event not in code:
                problems.append(
                    f"provider {provider!r}: {event!r} is documented, not mapped in code"
                )
            elif table[event] != code[event]:
                problems.append(
                    f"provider {provider!r}: {event!r} is documented as {table[event]!r},"
                    f" the parser says {code[event]!r}"
                )
    return problems


def builtin_event_maps() -> dict[str, EventMap | None]:
    """Return each built-in provider's EVENT_TYPE_MAP; None while its plugin is not written."""
    maps: dict[str, EventMap | None] = {}
    for provider, package in BUILTIN_PACKAGES.items():
        try:
            module = importlib.import_module(f"{package}.event_types")
        except ModuleNotFoundError as exc:
            if exc.name not in {f"{package}.event_types", package}:
                raise
            maps[provider] = None
            continue
        maps[provider] = module.EVENT_TYPE_MAP
    return maps


@pytest.fixture(scope="module")
def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def test_events_doc_agrees_with_the_taxonomy_and_every_parser(doc_text: str) -> None:
    assert compare(read_events_doc(doc_text), EVENT_TYPES, builtin_event_maps()) == []


@pytest.mark.parametrize("provider", sorted(BUILTIN_PACKAGES))
def test_every_mapped_type_is_in_the_taxonomy(provider: str) -> None:
    event_map = builtin_event_maps()[provider]
    if event_map is None:
        pytest.skip(f"the {provider} plugin has no event_types module yet")
    assert event_map, f"{provider}: EVENT_TYPE_MAP is empty"
    assert sorted(set(event_map.values()) - set(EVENT_TYPES)) == []


# -- the checker catches a wrong document ------------------------------------------------


def _first_provider_row(text: str) -> tuple[str, str, str]:
    """Return (provider, line, event) of the first data row of a provider table."""
    doc_lines = text.splitlines()
    provider = ""
    for index, line in enumerate(doc_lines):
        heading = PROVIDER_HEADING.match(line)
        if heading:
            provider = heading.group("name")
        elif provider and line.startswith("|") and index >= 2 and re.match(
            r"\s*\|?[\s:|-]+\|?\s*$", doc_lines[index - 1]
        ) and "provider event" in doc_lines[index - 2]:  # fmt: skip
            event = BACKTICKED.match(_cells(line)[0])
            assert event is not None
            return provider, line, event.group(1)
    raise AssertionError("no provider table row found")


def _retype(text: str) -> tuple[str, str]:
    provider, line, event = _first_provider_row(text)
    cells = _cells(line)
    other = "template.deleted" if cells[1] != "`template.deleted`" else "message.read"
    cells[1] = f"`{other}`"
    mutated = text.replace(line, "| " + " | ".join(cells) + " |", 1)
    return mutated, f"provider {provider!r}: {event!r} is documented as {other!r}"


def _drop_provider_row(text: str) -> tuple[str, str]:
    provider, line, event = _first_provider_row(text)
    return text.replace(line + "\n", "", 1), f"provider {provider!r}: {event!r} is mapped in code"


def _invent_provider_row(text: str) -> tuple[str, str]:
    provider, line, _ = _first_provider_row(text)
    extra = "| `NOT_A_REAL_EVENT` | `message.teleported` | invented |"
    return text.replace(line, f"{line}\n{extra}", 1), (
        f"provider {provider!r}: 'NOT_A_REAL_EVENT' maps to 'message.teleported', which is not"
    )


def _drop_taxonomy_row(text: str) -> tuple[str, str]:
    line = next(ln for ln in text.splitlines() if ln.startswith("| `message.read`"))
    return text.replace(line + "\n", "", 1), "taxonomy: 'message.read' is in the code but not"


def _invent_taxonomy_row(text: str) -> tuple[str, str]:
    line = next(ln for ln in text.splitlines() if ln.startswith("| `message.read`"))
    extra = "| `message.teleported` | invented |"
    return text.replace(line, f"{line}\n{extra}", 1), (
        "taxonomy: 'message.teleported' is in the table but not in the code"
    )


def _drop_section_heading(text: str) -> tuple[str, str]:
    return text.replace("## Provider: sinch_provisioning", "## Sinch Provisioning", 1), (
        "provider 'sinch_provisioning': no '## Provider: sinch_provisioning' section"
    )


def _unbacktick(text: str) -> tuple[str, str]:
    provider, line, event = _first_provider_row(text)
    return text.replace(line, line.replace(f"`{event}`", event, 1), 1), (
        f"provider {provider!r} row 1: {event!r} is not one name in backticks"
    )


@pytest.mark.parametrize(
    "mutate",
    [
        _retype,
        _drop_provider_row,
        _invent_provider_row,
        _drop_taxonomy_row,
        _invent_taxonomy_row,
        _drop_section_heading,
        _unbacktick,
    ],
)
def test_the_checker_catches_a_wrong_row(
    doc_text: str, mutate: Callable[[str], tuple[str, str]]
) -> None:
    mutated, expected = mutate(doc_text)
    assert mutated != doc_text
    problems = compare(read_events_doc(mutated), EVENT_TYPES, builtin_event_maps())
    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_type_has_an_example_that_parses_to_it(doc_text: str) -> None:
    """The '## Examples' table names one sample event file per taxonomy type."""
    section = doc_text.split("## Examples", 1)[1].split("\n## ", 1)[0]
    ((header, rows),) = _tables(section.splitlines())
    assert header == ["type", "example"]
    listed: dict[str, str] = {}
    for row in rows:
        kind_cell = BACKTICKED.match(row[0])
        path_cell = BACKTICKED.match(row[1])
        assert kind_cell is not None and path_cell is not None, row
        assert kind_cell.group(1) not in listed, f"{kind_cell.group(1)} listed twice"
        listed[kind_cell.group(1)] = path_cell.group(1)
    assert sorted(listed) == sorted(EVENT_TYPES)
    for kind, file in listed.items():
        provider, sample = Path(file).parent.name, Path(file).stem
        assert (DOC.parents[1] / file).is_file(), file
        samples = dev_modules(provider).samples
        assert samples is not None, provider
        assert kind in samples.EXPECTED_TYPES[sample], (kind, file)
