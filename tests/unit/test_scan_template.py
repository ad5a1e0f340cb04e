"""scripts/scan_template.py: every checkov finding must be accepted with a reason, and no more."""

from __future__ import annotations

from pathlib import Path

import pytest
from scripts.scan_template import judge, load_accepted

ROOT = Path(__file__).resolve().parents[2]
ACCEPTED = {
    "CKV_AWS_117": {"resources": ["ReceiverFunction", "TokenFunction"], "reason": "public APIs"},
}


def test_accepted_findings_pass() -> None:
    findings = [("CKV_AWS_117", "ReceiverFunction"), ("CKV_AWS_117", "TokenFunction")]
    assert judge(findings, ACCEPTED) == ([], [])


def test_a_new_finding_fails_even_for_an_accepted_check_on_another_resource() -> None:
    findings = [
        ("CKV_AWS_117", "ReceiverFunction"),
        ("CKV_AWS_117", "TokenFunction"),
        ("CKV_AWS_117", "NewFunction"),
        ("CKV_AWS_21", "OversizeBucket"),
    ]
    unaccepted, stale = judge(findings, ACCEPTED)
    assert unaccepted == ["CKV_AWS_117 on NewFunction", "CKV_AWS_21 on OversizeBucket"]
    assert stale == []


def test_an_acceptance_that_no_longer_matches_is_reported_stale() -> None:
    assert judge([("CKV_AWS_117", "ReceiverFunction")], ACCEPTED) == (
        [],
        ["CKV_AWS_117 on TokenFunction"],
    )


def test_a_glob_accepts_every_resource_it_matches_and_is_stale_when_it_matches_none() -> None:
    accepted = {"CKV_AWS_149": {"resources": ["*Secret"], "reason": "AWS-managed key"}}
    findings = [("CKV_AWS_149", "SinchDemoSecret"), ("CKV_AWS_149", "NewRegistrationSecret")]
    assert judge(findings, accepted) == ([], [])
    assert judge([("CKV_AWS_149", "SecretRotation")], accepted) == (
        ["CKV_AWS_149 on SecretRotation"],
        ["CKV_AWS_149 on *Secret"],
    )


def test_every_acceptance_in_the_repository_has_a_reason_and_resources() -> None:
    accepted = load_accepted(ROOT / "scripts" / "accepted-findings.yaml")
    assert accepted
    assert all(len(entry["reason"].split()) >= 10 for entry in accepted.values())


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"resources": ["A"], "reason": " "}, "has no reason"),
        ({"resources": [], "reason": "because"}, "names no resources"),
    ],
)
def test_an_acceptance_without_reason_or_resources_is_refused(
    tmp_path: Path, entry: dict[str, object], problem: str
) -> None:
    path = tmp_path / "accepted.yaml"
    import yaml

    path.write_text(yaml.safe_dump({"CKV_AWS_1": entry}))
    with pytest.raises(ValueError, match=problem):
        load_accepted(path)
