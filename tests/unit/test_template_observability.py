"""The template's alarms and dashboard watch metrics the code really emits, and notify someone."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from hookgate.webhook_metrics import RECEIVER_METRICS, result_of
from hookgate_dev.local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "hookgate"
# add_metric(name="X", ...) in the handlers; the receiver's are in hookgate.webhook_metrics.
_ADD_METRIC = re.compile(r'add_metric\(\s*name="([A-Za-z]+)"')
_SEARCH_NAMES = re.compile(r'\\?"([A-Za-z]+)\\?"')
_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def emitted_metric_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "functions").glob("*/app.py"):
        names.update(_ADD_METRIC.findall(path.read_text(encoding="utf-8")))
    names.update(RECEIVER_METRICS)
    return names


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(ROOT / "template.yaml")


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }


def watched_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """Each metric an alarm reads: ``{"Namespace", "MetricName", "Dimensions"}``."""
    if "MetricName" in alarm:
        return [alarm]
    return [query["MetricStat"]["Metric"] for query in alarm["Metrics"] if "MetricStat" in query]


def dashboard_body(template: dict[str, Any]) -> dict[str, Any]:
    """The dashboard JSON with every ``${...}`` placeholder filled with a dummy value."""
    text = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    body = json.loads(_SUB_VARIABLE.sub("placeholder", text))
    assert isinstance(body, dict)
    return body


def unknown_hookgate_metrics(template: dict[str, Any]) -> list[str]:
    """hookgate-namespace metric names that alarms or the dashboard read and no code emits."""
    emitted = emitted_metric_names()
    wanted: set[str] = set()
    for alarm in alarms(template).values():
        wanted.update(
            m["MetricName"] for m in watched_metrics(alarm) if m["Namespace"] == NAMESPACE
        )
    for widget in dashboard_body(template)["widgets"]:
        for row in widget["properties"].get("metrics", []):
            if row and row[0] == NAMESPACE:
                wanted.add(row[1])
            for item in row:
                if isinstance(item, dict) and "expression" in item:
                    wanted.update(_SEARCH_NAMES.findall(item["expression"].split("MetricName=")[1]))
    return sorted(wanted - emitted)


def test_every_alarm_notifies_the_alarm_topic_when_raised_and_cleared(
    template: dict[str, Any],
) -> None:
    found = alarms(template)
    assert {
        "RejectionSpikeAlarm",
        "PublishFailedAlarm",
        "RotationFailedAlarm",
        "DriftAlarm",
    } <= set(found)
    for name, alarm in found.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["OKActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["TreatMissingData"] == "notBreaching", name


def test_alarms_and_dashboard_read_only_metrics_the_code_emits(template: dict[str, Any]) -> None:
    assert unknown_hookgate_metrics(template) == []


def test_a_misspelt_metric_in_an_alarm_is_caught(template: dict[str, Any]) -> None:
    broken = copy.deepcopy(template)
    broken["Resources"]["DriftAlarm"]["Properties"]["MetricName"] = "Drifts"
    assert unknown_hookgate_metrics(broken) == ["Drifts"]


def test_receiver_alarms_read_the_all_providers_dimension_set(template: dict[str, Any]) -> None:
    # The receiver publishes Webhooks{service, result}; an alarm cannot aggregate over a
    # dimension, so any other set here would watch a metric that never has data.
    for name, alarm in alarms(template).items():
        for metric in watched_metrics(alarm):
            if metric.get("MetricName") == "Webhooks":
                assert {d["Name"] for d in metric["Dimensions"]} == {"service", "result"}, name
                assert all(
                    d["Name"] == "service" or d["Value"] in RESULTS for d in metric["Dimensions"]
                )


def test_dashboard_is_valid_json_and_shows_every_alarm(template: dict[str, Any]) -> None:
    text = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    shown = {m.removesuffix(".Arn") for m in _SUB_VARIABLE.findall(text) if m.endswith(".Arn")}
    unconditional = {n for n in alarms(template) if "Condition" not in template["Resources"][n]}
    assert shown == unconditional
    widgets = {w["properties"]["title"]: w for w in dashboard_body(template)["widgets"]}
    # The reason is not a metric dimension (a series per provider and reason cost more than the
    # rest together): the widget counts the receiver's refusal log lines.
    reasons = widgets["Refused, by provider and reason"]
    assert reasons["type"] == "log"
    query = reasons["properties"]["query"]
    assert query.startswith("SOURCE '/aws/lambda/placeholder'")
    assert "stats count(*) as refused by provider, reason" in query
    providers = widgets["Webhooks, by provider and outcome"]
    assert providers["type"] == "log"
    assert (
        "stats sum(Webhooks) as webhooks by bin(5m), provider, outcome"
        in (providers["properties"]["query"])
    )


# Every answer the receiver gives, as written in its code: _answer(status, "outcome", ...) or
# Outcome(status=..., outcome="...").
_ANSWERS = re.compile(
    r'_answer\(\s*(\d{3}),\s*"(\w+)"|Outcome\(\s*status=(\d{3}),\s*outcome="(\w+)"'
)


def receiver_outcomes() -> dict[str, int]:
    """Each outcome the receiver can count, with its HTTP status."""
    found: dict[str, int] = {}
    for path in (ROOT / "layers/hookgate/receive.py", ROOT / "layers/hookgate/webhook_http.py"):
        for match in _ANSWERS.finditer(path.read_text(encoding="utf-8")):
            status, outcome = (match[1], match[2]) if match[1] else (match[3], match[4])
            found[outcome] = int(status)
    return found


def watched_results(alarm: dict[str, Any]) -> set[str]:
    return {
        d["Value"]
        for metric in watched_metrics(alarm)
        if metric.get("MetricName") == "Webhooks"
        for d in metric["Dimensions"]
        if d["Name"] == "result"
    }


# Every value of the result dimension the receiver can write.
RESULTS = {result_of(outcome, status) for outcome, status in receiver_outcomes().items()}


def summed_ids(alarm: dict[str, Any]) -> set[str]:
    """The metric ids the alarm's one returned expression adds up (each through FILL)."""
    (expression,) = [q["Expression"] for q in alarm["Metrics"] if q.get("ReturnData")]
    return set(re.findall(r"FILL\((\w+), 0\)", expression))


def test_the_rejection_alarm_counts_every_refusal_not_only_401(template: dict[str, Any]) -> None:
    outcomes = receiver_outcomes()
    refusals = {outcome for outcome, status in outcomes.items() if 400 <= status < 500}
    assert refusals >= {"rejected", "malformed", "not_found", "method_not_allowed", "too_large"}
    alarm = alarms(template)["RejectionSpikeAlarm"]
    assert watched_results(alarm) == {result_of(o, outcomes[o]) for o in refusals} == {"refused"}
    assert {result_of(o, s) for o, s in outcomes.items() if s < 400}.isdisjoint({"refused"})
    assert alarm["Threshold"] == {"Ref": "RejectionAlarmThreshold"}
    described = template["Parameters"]["RejectionAlarmThreshold"]["Description"]
    assert all(str(outcomes[o]) in described for o in refusals)


def test_every_failure_of_the_receivers_own_is_alarmed(template: dict[str, Any]) -> None:
    failures = {outcome for outcome, status in receiver_outcomes().items() if status >= 500}
    assert "registration_unavailable" in failures
    unavailable = alarms(template)["ReceiverUnavailableAlarm"]
    assert summed_ids(unavailable) == {q["Id"] for q in unavailable["Metrics"] if "MetricStat" in q}
    watched = watched_results(unavailable) | watched_results(alarms(template)["PublishFailedAlarm"])
    # in_flight: another invocation is publishing the same event now; the retry succeeds.
    unwatched = {o for o in failures if result_of(o, receiver_outcomes()[o]) not in watched}
    assert unwatched == {"in_flight"}


def test_api_gateways_own_5xx_are_alarmed(template: dict[str, Any]) -> None:
    # A body over Lambda's 6 MB payload limit is answered 500 before any function runs.
    alarm = alarms(template)["ApiServerErrorsAlarm"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
        "AWS/ApiGateway",
        "5xx",
        "Sum",
    )
    assert alarm["Dimensions"] == [
        {"Name": "ApiId", "Value": {"Ref": "HttpApi"}},
        {"Name": "Stage", "Value": "$default"},
    ]
    assert template["Resources"]["HttpApi"]["Type"] == "AWS::Serverless::HttpApi"
    assert "StageName" not in template["Resources"]["HttpApi"]["Properties"]  # so: $default
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")


def test_a_function_urls_own_5xx_are_alarmed_when_it_fronts_the_receiver(
    template: dict[str, Any],
) -> None:
    resource = template["Resources"]["ReceiverUrlServerErrorsAlarm"]
    assert resource["Condition"] == template["Resources"]["ReceiverFunctionUrl"]["Condition"]
    alarm = resource["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
        "AWS/Lambda",
        "Url5xxCount",
        "Sum",
    )
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "ReceiverFunction"}}]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
