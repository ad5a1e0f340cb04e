"""The suite-wide secret scan in tests/conftest.py really fails a run that leaks."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = (Path(__file__).resolve().parents[1] / "conftest.py").read_text()


def _run(pytester: pytest.Pytester, body: str) -> pytest.RunResult:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_sample=body)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider")


def test_a_logged_secret_fails_the_run(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
import logging

def test_leaks(secret_values):
    secret_values.add("s3cr3t-value-123")
    logging.getLogger("x").warning("token is s3cr3t-value-123")
""",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["*a secret value appears in captured output of test_sample.py::test_leaks*"]
    )
    assert "s3cr3t-value-123" not in result.stdout.str().split("SECRET LEAK")[1]


def test_a_printed_secret_fails_the_run(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
def test_prints(secret_values):
    secret_values.add("another-secret-456")
    print("value=another-secret-456")
""",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_clean_run_passes(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
import logging

def test_clean(secret_values):
    secret_values.add("never-logged-789")
    logging.getLogger("x").warning("nothing to see")
""",
    )
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*secret scan: * captured outputs checked, no secret found*"])
