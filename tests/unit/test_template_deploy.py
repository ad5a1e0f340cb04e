"""template.yaml as CloudFormation deploys it: what survives, what two stacks share, what fires.

Intrinsic functions are evaluated for a named stack (``resolve``, as the local stack does). The
SAM transform copies an ``EventBridgeRule`` event's ``Pattern`` verbatim into the generated
``AWS::Events::Rule``'s ``EventPattern``, so the pattern is tested as written, with EventBridge's
matching as moto implements it.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from moto.events.models import EventPattern

from hookgate_dev.local.template import load_template, resolve, resources_of_type

ROOT = Path(__file__).resolve().parents[2]

# The property that fixes a resource's physical name, per type; None: the type has none.
NAMING: dict[str, str | None] = {
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Events::Archive": "ArchiveName",
    "AWS::Events::EventBus": "Name",
    "AWS::EventSchemas::Registry": "RegistryName",
    "AWS::EventSchemas::Schema": None,  # named within its registry, which is the stack's own
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Serverless::HttpApi": None,  # an API's name need not be unique
    "AWS::Serverless::LayerVersion": "LayerName",
    "AWS::Lambda::Permission": None,
    "AWS::Lambda::Url": None,  # named after its function, which the stack names
    "AWS::S3::BucketPolicy": None,
    "AWS::SNS::Subscription": None,
    "AWS::SecretsManager::RotationSchedule": None,
}

# CloudFormation's documented Stack Status Change example (stack "teststack" created):
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/event-detail-stack-status-change.html
# ("Example: Stack Status event"), written out here field by field.
DOCUMENTED_STACK_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "CloudFormation Stack Status Change",
    "source": "aws.cloudformation",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:cloudformation:us-west-1:111122223333:stack/teststack"],
    "detail": {
        "stack-id": "arn:aws:cloudformation:us-west-1:111122223333:stack/teststack",
        "status-details": {"status": "CREATE_COMPLETE", "status-reason": ""},
        "client-request-token": "",
    },
}
DOCUMENTED_STACK = "teststack"
# What AWS::StackId returns for that stack: its ARN with the stack's unique id appended.
STACK_ID = (
    "arn:aws:cloudformation:us-west-1:111122223333:stack/teststack/"
    "51af3dc0-da77-11e4-872e-1234567db123"
)


@pytest.fixture(scope="module")
def pristine() -> dict[str, Any]:
    return load_template(ROOT / "template.yaml")


@pytest.fixture
def template(pristine: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(pristine)


def _names(
    template: dict[str, Any], stack: str, region: str = "eu-west-1", account: str = "123456789012"
) -> dict[str, str]:
    names = {name: str(spec.get("Default", "")) for name, spec in template["Parameters"].items()}
    names |= {logical: f"{logical}-physical-id" for logical in template["Resources"]}
    return names | {
        "AWS::StackName": stack,
        "AWS::StackId": f"arn:aws:cloudformation:{region}:{account}:stack/{stack}/uuid",
        "AWS::Region": region,
        "AWS::AccountId": account,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }


def physical_names(template: dict[str, Any], stack: str) -> dict[str, str]:
    """Return every physical name the template fixes, by where it is set, for ``stack``."""
    names = _names(template, stack)
    attributes = {f"{logical}.Arn": f"arn-of-{logical}" for logical in template["Resources"]}
    fixed: dict[str, str] = {}
    for logical, resource in template["Resources"].items():
        kind = resource["Type"]
        assert kind in NAMING, f"{logical}: {kind} is not classified in NAMING"
        props = resource.get("Properties", {})
        if NAMING[kind] and NAMING[kind] in props:
            fixed[logical] = str(resolve(props[NAMING[kind]], names, attributes))
        for event, spec in (props.get("Events") or {}).items():
            if "Name" in spec.get("Properties", {}):  # a Schedule's or a rule's name
                fixed[f"{logical}.{event}"] = str(
                    resolve(spec["Properties"]["Name"], names, attributes)
                )
    return fixed


def _declared_secrets() -> set[str]:
    document = yaml.safe_load((ROOT / "hookgate.yaml").read_text(encoding="utf-8"))
    return {str(entry["secret"]) for entry in document["registrations"]}


# --- Secrets outlive the stack ---------------------------------------------------------------


def test_every_secret_is_retained_on_delete_and_on_replacement(template: dict[str, Any]) -> None:
    secrets = {
        logical: resource
        for logical, resource in template["Resources"].items()
        if resource["Type"] == "AWS::SecretsManager::Secret"
    }
    assert len(secrets) >= 6
    for logical, resource in secrets.items():
        assert resource.get("DeletionPolicy") == "Retain", logical
        assert resource.get("UpdateReplacePolicy") == "Retain", logical


# --- Two stacks in one account and region ----------------------------------------------------


def test_two_stacks_share_only_the_secret_names_their_hookgate_yaml_chooses(
    template: dict[str, Any],
) -> None:
    production = physical_names(template, "hookgate-production")
    staging = physical_names(template, "hookgate-staging")
    shared = set(production.values()) & set(staging.values())
    # Registration secrets are named by hookgate.yaml (one per stack, README "Two stacks");
    # every other name the template fixes carries the stack's name.
    assert shared == _declared_secrets()
    for where, name in production.items():
        if name not in shared:
            assert "hookgate-production" in name, where
    assert {"EventBus", "Dashboard"} <= set(production)
    assert "SigningKeySecret" not in production  # CloudFormation names it after the stack


def test_a_fixed_name_without_the_stack_name_is_found(template: dict[str, Any]) -> None:
    template["Resources"]["EventBus"]["Properties"]["Name"] = "hookgate-events"
    template["Resources"]["DriftAlarm"]["Properties"]["AlarmName"] = "hookgate-drift"
    production = physical_names(template, "a")
    shared = set(production.values()) & set(physical_names(template, "b").values())
    assert shared - _declared_secrets() == {"hookgate-events", "hookgate-drift"}


def test_an_unclassified_resource_type_is_refused(template: dict[str, Any]) -> None:
    template["Resources"]["Queue"] = {"Type": "AWS::SQS::Queue", "Properties": {}}
    with pytest.raises(AssertionError, match="AWS::SQS::Queue is not classified"):
        physical_names(template, "a")


# --- The after-deploy sync fires on CloudFormation's documented events -----------------------


def _after_deploy_pattern(template: dict[str, Any], stack: str, region: str, account: str) -> Any:
    sync = template["Resources"]["SyncFunction"]["Properties"]
    pattern = sync["Events"]["AfterDeploy"]["Properties"]["Pattern"]
    names = _names(template, stack, region, account)
    return EventPattern.load(json.dumps(resolve(pattern, names, {})))


def _event(stack_id: str, status: str = "CREATE_COMPLETE", **top: Any) -> dict[str, Any]:
    event = copy.deepcopy(DOCUMENTED_STACK_EVENT)
    event["resources"] = [stack_id]
    event["detail"]["stack-id"] = stack_id
    event["detail"]["status-details"]["status"] = status
    return event | top


@pytest.fixture
def after_deploy(template: dict[str, Any]) -> Any:
    return _after_deploy_pattern(template, DOCUMENTED_STACK, "us-west-1", "111122223333")


def test_the_documented_stack_event_fires_the_sync(after_deploy: Any) -> None:
    assert after_deploy.matches_event(DOCUMENTED_STACK_EVENT)


@pytest.mark.parametrize("status", ["CREATE_COMPLETE", "UPDATE_COMPLETE"])
def test_the_stack_arn_with_its_unique_id_fires_the_sync(after_deploy: Any, status: str) -> None:
    assert after_deploy.matches_event(_event(STACK_ID, status))


@pytest.mark.parametrize(
    "stack_id",
    [
        "arn:aws:cloudformation:us-west-1:111122223333:stack/teststack-staging",
        "arn:aws:cloudformation:us-west-1:111122223333:stack/teststack-staging/51af3dc0",
        "arn:aws:cloudformation:us-west-1:111122223333:stack/teststac",
        "arn:aws:cloudformation:us-west-1:444455556666:stack/teststack/51af3dc0",
        "arn:aws:cloudformation:eu-west-1:111122223333:stack/teststack/51af3dc0",
    ],
)
def test_another_stack_does_not_fire_the_sync(after_deploy: Any, stack_id: str) -> None:
    assert not after_deploy.matches_event(_event(stack_id))


@pytest.mark.parametrize(
    "status", ["CREATE_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE", "DELETE_COMPLETE"]
)
def test_an_unfinished_or_failed_deploy_does_not_fire_the_sync(
    after_deploy: Any, status: str
) -> None:
    assert not after_deploy.matches_event(_event(STACK_ID, status))


def test_a_resource_status_event_does_not_fire_the_sync(after_deploy: Any) -> None:
    assert not after_deploy.matches_event(
        _event(STACK_ID, **{"detail-type": "CloudFormation Resource Status Change"})
    )


# --- Outputs -------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1"])
def test_the_dashboard_url_opens_the_console_on_the_stack_dashboard(
    template: dict[str, Any], region: str
) -> None:
    names = _names(template, "hookgate-production", region)
    url = urlsplit(str(resolve(template["Outputs"]["DashboardUrl"]["Value"], names, {})))
    dashboard = resolve(
        template["Resources"]["Dashboard"]["Properties"]["DashboardName"], names, {}
    )
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        f"{region}.console.aws.amazon.com",
        "/cloudwatch/home",
    )
    assert parse_qs(url.query) == {"region": [region]}
    assert url.fragment == f"dashboards:name={dashboard}"
    assert resources_of_type(template, "AWS::CloudWatch::Dashboard")


def test_the_access_log_group_is_named_under_vendedlogs_per_stack(
    template: dict[str, Any],
) -> None:
    # A log group outside /aws/vendedlogs/ adds itself to the account's log-delivery resource
    # policy, which overflows in busy accounts and makes stage creation fail.
    props = template["Resources"]["HttpApiAccessLogs"]["Properties"]
    assert props["LogGroupName"] == {"Fn::Sub": "/aws/vendedlogs/${AWS::StackName}/http-api-access"}


def test_the_layer_build_expands_an_empty_plugin_list_under_set_u() -> None:
    # bash before 4.4 (macOS's, under Homebrew's GNU make) treats "${a[@]}" of an empty array
    # as unbound under `set -u`; the guarded form expands to nothing in every bash.
    makefile = (Path(__file__).resolve().parents[2] / "layers" / "Makefile").read_text()
    recipe_arrays = re.findall(r'"\$\$\{(\w+)\[@\]\}"', makefile)
    guarded = re.findall(r'\$\$\{(\w+)\[@\]\+"\$\$\{\1\[@\]\}"\}', makefile)
    assert "plugins" in guarded
    unguarded = [name for name in recipe_arrays if name not in guarded and name != "problems"]
    assert unguarded == []
    result = subprocess.run(
        ["/bin/bash", "-euc", 'a=(); printf "[%s]" x ${a[@]+"${a[@]}"} y'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "[x][y]"
