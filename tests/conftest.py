"""Suite-wide guard: no secret value may appear in any captured log or output line.

Every test's captured log records, stdout and stderr are collected; at the end of the session
each known secret value (the plugins' documented test secrets, plus any value a test registers
through the ``secret_values`` fixture) is searched for. One hit fails the run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hookgate_dev.dev_modules import dev_modules

_KNOWN_SECRETS: set[str] = set()
_CAPTURED: list[tuple[str, str]] = []
# The providers whose documented test secrets the scan looks for (their samples' TEST_SECRET).
_SCANNED_PROVIDERS = ("sinch_conversation", "sinch_provisioning", "360dialog", "insider_one")


def _plugin_test_secrets() -> set[str]:
    found: set[str] = set()
    for provider in _SCANNED_PROVIDERS:
        samples = dev_modules(provider).samples
        found.update(v for v in getattr(samples, "TEST_SECRET", {}).values() if len(v) >= 8)
    return found


@pytest.fixture
def secret_values() -> Iterator[set[str]]:
    """Register secret values a test uses, so the suite-wide log check looks for them too."""
    registered: set[str] = set()
    yield registered
    _KNOWN_SECRETS.update(v for v in registered if len(v) >= 8)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Keep every phase's captured output for the end-of-session secret scan."""
    for title, content in report.sections:
        if content:
            _CAPTURED.append((f"{report.nodeid} [{title}]", content))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the session when a secret value shows up in any captured output."""
    secrets = _KNOWN_SECRETS | _plugin_test_secrets()
    leaks = sorted({where for where, text in _CAPTURED for secret in secrets if secret in text})
    session.config.stash[_LEAKS] = leaks
    if leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_LEAKS = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Report where secrets leaked, without printing them."""
    leaks = terminalreporter.config.stash.get(_LEAKS, [])
    scanned = len(_CAPTURED)
    if leaks:
        terminalreporter.section("SECRET LEAK", red=True)
        for where in leaks:
            terminalreporter.line(f"a secret value appears in captured output of {where}")
    else:
        terminalreporter.line(f"secret scan: {scanned} captured outputs checked, no secret found")
