"""template.yaml checks that cfn-lint does not make.

cfn-lint misses a mistyped ``!Ref`` inside a serverless function's environment or in
``Globals``; it does not know which registrations hookgate.yaml declares; and it accepts a
policy that lets the receiver read every secret in the account. Each check below is a function
that returns the problems it finds, so the tests can also feed it a broken copy of the template
and prove that it notices.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from hookgate_dev.local.template import load_template as read_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"
CONFIG_PATH = ROOT / "hookgate.yaml"

RECEIVER = "ReceiverFunction"
TOKEN_FUNCTION = "TokenFunction"
TOKEN_ROUTE = "POST /oauth2/token"
HTTP_API = "HttpApi"
WEBHOOK_PATH = "/webhooks/{provider}/{registration}"
RECEIVER_ROUTES = frozenset({("POST", WEBHOOK_PATH), ("GET", WEBHOOK_PATH)})
SECRET_READ_ACTIONS = frozenset(
    {
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "secretsmanager:ListSecretVersionIds",
    }
)
# Services whose actions must always be scoped to named resources.
GUARDED_SERVICES = frozenset({"secretsmanager", "events", "dynamodb"})
PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)
# ${Name} or ${Name.Attribute}; ${!Literal} is an escaped literal, not a reference.
_SUB_VARIABLE = re.compile(r"\$\{(?!!)\s*([^}\s]+)\s*\}")


# --- Reading the template ------------------------------------------------------------------


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """Return template.yaml with every short tag (``!Ref``, ``!Sub``, …) in long form."""
    return read_template(path)


def load_config(path: Path = CONFIG_PATH) -> dict[str, Any]:
    """Return hookgate.yaml as plain data."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- The checks ----------------------------------------------------------------------------


def _sam_generated(resources: dict[str, Any]) -> set[str]:
    """Logical ids the SAM transform adds that a template may reference (function roles)."""
    return {
        f"{name}Role"
        for name, resource in resources.items()
        if resource.get("Type") == "AWS::Serverless::Function"
        and "Role" not in resource.get("Properties", {})
    }


def unresolved_references(template: dict[str, Any]) -> list[str]:
    """Every Ref, GetAtt, Sub variable, DependsOn and condition that names nothing."""
    resources: dict[str, Any] = template.get("Resources", {})
    known = (
        set(template.get("Parameters", {}))
        | set(resources)
        | _sam_generated(resources)
        | PSEUDO_PARAMETERS
    )
    conditions = set(template.get("Conditions", {}))
    problems: list[str] = []
    for path, node in _walk(template):
        if not isinstance(node, dict) or len(node) != 1:
            continue
        ((key, value),) = node.items()
        names: list[str] = []
        if key == "Ref" and isinstance(value, str):
            names = [value]
        elif key == "Fn::GetAtt" and isinstance(value, list) and value:
            names = [str(value[0])]
        elif key == "Fn::Sub":
            text, local = (value, {}) if isinstance(value, str) else (value[0], value[1])
            names = [
                variable.split(".", 1)[0]
                for variable in _SUB_VARIABLE.findall(text)
                if variable not in local and variable.split(".", 1)[0] not in local
            ]
        elif key in {"Fn::If", "Condition"}:
            condition = value[0] if key == "Fn::If" else value
            if isinstance(condition, str) and condition not in conditions:
                problems.append(f"{path}: condition {condition!r} is not declared")
            continue
        problems.extend(
            f"{path}: {key} {name!r} is no parameter, resource or pseudo parameter"
            for name in names
            if name not in known
        )
    for name, resource in resources.items():
        problems.extend(
            f"Resources.{name}.DependsOn: {target!r} is no resource"
            for target in _as_list(resource.get("DependsOn"))
            if target not in resources
        )
    return problems


def _has_wildcard(resource: Any) -> bool:
    if isinstance(resource, str):
        return "*" in resource
    if isinstance(resource, dict) and len(resource) == 1:
        ((key, value),) = resource.items()
        if key == "Fn::Sub":
            return "*" in (value if isinstance(value, str) else value[0])
        if key == "Fn::Join":
            return any(_has_wildcard(part) for part in value[1])
    return False


def _statements(node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every IAM policy statement anywhere below ``node``, with its path."""
    for path, found in _walk(node):
        if isinstance(found, dict) and "Statement" in found:
            for index, statement in enumerate(_as_list(found["Statement"])):
                if isinstance(statement, dict):
                    sid = f" ({statement['Sid']})" if "Sid" in statement else ""
                    yield f"{path}.Statement[{index}]{sid}", statement


def wildcard_grants(template: dict[str, Any]) -> list[str]:
    """Allow statements that open secretsmanager, events or dynamodb actions to a wildcard."""
    problems: list[str] = []
    for path, statement in _statements(template.get("Resources", {})):
        if statement.get("Effect") != "Allow":
            continue
        actions = [a for a in _as_list(statement.get("Action")) if isinstance(a, str)]
        guarded = "NotAction" in statement or any(
            action == "*" or action.split(":", 1)[0].lower() in GUARDED_SERVICES
            for action in actions
        )
        if not guarded:
            continue
        if "NotResource" in statement:
            problems.append(f"{path}: NotResource on {actions}")
        if not statement.get("Resource") and "NotResource" not in statement:
            problems.append(f"{path}: no Resource on {actions}")
        problems.extend(
            f"{path}: {actions} granted on wildcard resource {resource!r}"
            for resource in _as_list(statement.get("Resource"))
            if _has_wildcard(resource)
        )
    return problems


def route_problems(template: dict[str, Any]) -> list[str]:
    """The receiver's two HttpApi routes: present, on HttpApi, and nowhere else."""
    resources: dict[str, Any] = template.get("Resources", {})
    problems: list[str] = []
    if resources.get(HTTP_API, {}).get("Type") != "AWS::Serverless::HttpApi":
        problems.append(f"{HTTP_API} is not an AWS::Serverless::HttpApi")
    seen: set[tuple[str, str]] = set()
    for name, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event_name, event in resource.get("Properties", {}).get("Events", {}).items():
            if event.get("Type") != "HttpApi":
                continue
            properties = event.get("Properties", {})
            route = (str(properties.get("Method", "")).upper(), str(properties.get("Path", "")))
            if route not in RECEIVER_ROUTES:
                continue
            where = f"Resources.{name}.Properties.Events.{event_name}"
            if name != RECEIVER:
                problems.append(f"{where}: {' '.join(route)} goes to {name}, not {RECEIVER}")
            elif properties.get("ApiId") != {"Ref": HTTP_API}:
                problems.append(f"{where}: {' '.join(route)} is not on {HTTP_API}")
            else:
                seen.add(route)
    problems.extend(
        f"{' '.join(route)} is not routed to {RECEIVER}" for route in sorted(RECEIVER_ROUTES - seen)
    )
    return problems


def _secret_resource_key(resource: Any) -> str | None:
    """The logical id (or literal ARN) a policy Resource entry names, if it names a secret."""
    if isinstance(resource, str):
        return resource
    if isinstance(resource, dict) and list(resource) == ["Ref"]:
        return str(resource["Ref"])
    if isinstance(resource, dict) and list(resource) == ["Fn::GetAtt"]:
        target, attribute = resource["Fn::GetAtt"]
        return str(target) if attribute == "Id" else None
    return None


def _secret_grants(policies: Any) -> dict[str, set[str]]:
    """Secret logical id (or ARN) → the secretsmanager actions ``policies`` allow on it."""
    granted: dict[str, set[str]] = {}
    for _, statement in _statements(policies):
        if statement.get("Effect") != "Allow":
            continue
        actions = {a for a in _as_list(statement.get("Action")) if a.startswith("secretsmanager:")}
        for resource in _as_list(statement.get("Resource")):
            key = _secret_resource_key(resource)
            if key is not None and actions:
                granted.setdefault(key, set()).update(actions)
    return granted


def registration_secret_problems(template: dict[str, Any], config: dict[str, Any]) -> list[str]:
    """Each registration's secret: declared with its Name, readable by the receiver, no other."""
    resources: dict[str, Any] = template.get("Resources", {})
    declared = {
        resource.get("Properties", {}).get("Name"): name
        for name, resource in resources.items()
        if resource.get("Type") == "AWS::SecretsManager::Secret"
    }
    granted = _secret_grants(resources.get(RECEIVER, {}).get("Properties", {}).get("Policies", []))

    problems: list[str] = []
    wanted: set[str] = set()
    for registration in config.get("registrations", []):
        label, secret_id = registration.get("name"), registration.get("secret")
        if str(secret_id).startswith("arn:"):
            key = str(secret_id)  # a secret managed outside this stack: granted by ARN
        elif secret_id in declared:
            key = declared[secret_id]
        else:
            problems.append(
                f"registration {label!r}: secret {secret_id!r} is not declared in template.yaml "
                "(an AWS::SecretsManager::Secret with that Name)"
            )
            continue
        wanted.add(key)
        missing = SECRET_READ_ACTIONS - granted.get(key, set())
        if missing:
            problems.append(
                f"registration {label!r}: {RECEIVER}'s policy does not grant "
                f"{sorted(missing)} on {key}"
            )
    # The token signing key (OAuth2 bearer checks) is the one other secret the receiver reads.
    env = resources.get(RECEIVER, {}).get("Properties", {}).get("Environment", {})
    signing = env.get("Variables", {}).get("HOOKGATE_SIGNING_KEY_SECRET")
    if isinstance(signing, dict) and "Ref" in signing:
        wanted.add(str(signing["Ref"]))
    problems.extend(
        f"{RECEIVER} may read {key}, which no registration's `secret` names"
        for key in sorted(set(granted) - wanted)
    )
    return problems


def token_secret_problems(template: dict[str, Any], config: dict[str, Any]) -> list[str]:
    """The token function reads exactly the OAuth2 registrations' secrets and the signing key."""
    resources: dict[str, Any] = template.get("Resources", {})
    declared = {
        resource.get("Properties", {}).get("Name"): name
        for name, resource in resources.items()
        if resource.get("Type") == "AWS::SecretsManager::Secret"
    }
    properties = resources.get(TOKEN_FUNCTION, {}).get("Properties", {})
    granted = _secret_grants(properties.get("Policies", []))
    # An undeclared secret is registration_secret_problems' to report.
    wanted = {
        str(r["secret"]) if str(r["secret"]).startswith("arn:") else declared.get(r["secret"], "")
        for r in config.get("registrations", [])
        if r.get("oauth2") is not None
    } - {""}
    signing = properties.get("Environment", {}).get("Variables", {})
    signing = signing.get("HOOKGATE_SIGNING_KEY_SECRET")
    if isinstance(signing, dict) and "Ref" in signing:
        wanted.add(str(signing["Ref"]))
    else:
        problems = [f"{TOKEN_FUNCTION} has no HOOKGATE_SIGNING_KEY_SECRET reference"]
        return problems + [f"{TOKEN_FUNCTION} may read {key}" for key in sorted(granted)]
    problems = [
        f"{TOKEN_FUNCTION} may read {key}, which is neither an OAuth2 registration's secret "
        "nor the signing key"
        for key in sorted(set(granted) - wanted)
    ]
    for key in sorted(wanted):
        missing = SECRET_READ_ACTIONS - granted.get(key, set())
        if missing:
            problems.append(f"{TOKEN_FUNCTION}'s policy does not grant {sorted(missing)} on {key}")
    return problems


# --- The real files ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pristine() -> dict[str, Any]:
    return load_template()


@pytest.fixture
def template(pristine: dict[str, Any]) -> dict[str, Any]:
    """A private copy each test may break."""
    return copy.deepcopy(pristine)


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return load_config()


def _receiver(template: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"][RECEIVER]["Properties"]
    return properties


def _statement(template: dict[str, Any], sid: str) -> dict[str, Any]:
    for _, statement in _statements(_receiver(template)["Policies"]):
        if statement.get("Sid") == sid:
            return statement
    raise AssertionError(f"no statement {sid}")


def test_short_tags_load_in_long_form(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs["EventBusArn"]["Value"] == {"Fn::GetAtt": ["EventBus", "Arn"]}
    assert outputs["EventBusName"]["Value"] == {"Ref": "EventBus"}
    assert outputs["WebhookBaseUrl"]["Value"] == {
        "Fn::If": [
            "UseFunctionUrl",
            {"Fn::Sub": "${ReceiverFunctionUrl.FunctionUrl}webhooks"},
            {"Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/webhooks"},
        ]
    }


def test_the_endpoint_parameter_puts_the_receiver_behind_a_function_url_only_when_chosen(
    template: dict[str, Any],
) -> None:
    assert template["Parameters"]["Endpoint"]["Default"] == "HttpApi"
    assert template["Conditions"]["UseFunctionUrl"] == {
        "Fn::Equals": [{"Ref": "Endpoint"}, "FunctionUrl"]
    }
    resources = template["Resources"]
    url, permission = resources["ReceiverFunctionUrl"], resources["ReceiverFunctionUrlPermission"]
    invoke = resources["ReceiverFunctionUrlInvokePermission"]
    assert url["Condition"] == permission["Condition"] == invoke["Condition"] == "UseFunctionUrl"
    assert url["Properties"]["TargetFunctionArn"] == {"Fn::GetAtt": ["ReceiverFunction", "Arn"]}
    assert url["Properties"]["AuthType"] == "NONE"
    assert permission["Properties"] == {
        "FunctionName": {"Ref": "ReceiverFunction"},
        "Action": "lambda:InvokeFunctionUrl",
        "Principal": "*",
        "FunctionUrlAuthType": "NONE",
    }
    # A public URL created since October 2025 needs both actions; the second only through it.
    assert invoke["Properties"] == {
        "FunctionName": {"Ref": "ReceiverFunction"},
        "Action": "lambda:InvokeFunction",
        "Principal": "*",
        "InvokedViaFunctionUrl": True,
    }
    # Sync and rotation register and push the URL providers deliver to: the same choice.
    for function in ("SyncFunction", "RotationFunction"):
        variables = resources[function]["Properties"]["Environment"]["Variables"]
        assert (
            variables["HOOKGATE_WEBHOOK_BASE_URL"] == template["Outputs"]["WebhookBaseUrl"]["Value"]
        ), function


def test_every_reference_resolves(template: dict[str, Any]) -> None:
    assert unresolved_references(template) == []


def test_no_wildcard_grants_on_secrets_events_or_dynamodb(template: dict[str, Any]) -> None:
    assert wildcard_grants(template) == []


def test_receiver_owns_both_webhook_routes(template: dict[str, Any]) -> None:
    assert route_problems(template) == []


def test_every_registration_secret_is_declared_and_readable(
    template: dict[str, Any], config: dict[str, Any]
) -> None:
    assert config["registrations"], "hookgate.yaml declares no registration"
    assert registration_secret_problems(template, config) == []


def test_function_settings_match_what_the_code_reads(template: dict[str, Any]) -> None:
    function = template["Globals"]["Function"]
    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert function["Environment"]["Variables"]["HOOKGATE_CONFIG"] == "/opt/hookgate.json"
    # a cold start skips pydantic's scan of every distribution for plugins (the layer has none)
    assert function["Environment"]["Variables"]["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
    receiver = _receiver(template)
    assert receiver["Layers"] == [{"Ref": "HookgateLayer"}]
    assert set(receiver["Environment"]["Variables"]) == {
        "HOOKGATE_EVENT_BUS",
        "HOOKGATE_TABLE",
        "HOOKGATE_OVERSIZE_BUCKET",
        "HOOKGATE_SIGNING_KEY_SECRET",
    }
    table = template["Resources"]["DedupeTable"]["Properties"]
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_the_rotation_function_outlasts_set_secrets_longest_wait(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """setSecret sleeps the propagation (cache TTL + 15 s), may wait for the lease, then calls
    the provider (a few calls of at most 13 s each): all of it inside one invocation."""
    from hookgate.provider_http import DEFAULT_TIMEOUT
    from hookgate.rotation import LEASE_WAIT_SECONDS
    from hookgate.runtime import propagation_seconds

    for name in ("HOOKGATE_SECRET_CACHE_SECONDS", "HOOKGATE_ROTATION_PROPAGATION_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    rotation = template["Resources"]["RotationFunction"]["Properties"]
    assert "HOOKGATE_SECRET_CACHE_SECONDS" not in str(template)  # the code's default is deployed
    assert DEFAULT_TIMEOUT.read is not None and DEFAULT_TIMEOUT.connect is not None
    provider_calls = 4 * (DEFAULT_TIMEOUT.read + DEFAULT_TIMEOUT.connect)
    assert propagation_seconds() + LEASE_WAIT_SECONDS + provider_calls <= rotation["Timeout"]


def test_layer_is_built_by_its_makefile_in_the_repository_root(template: dict[str, Any]) -> None:
    layer = template["Resources"]["HookgateLayer"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    # layers/Makefile reads pyproject.toml and hookgate.yaml from its working directory.
    assert (TEMPLATE_PATH.parent / layer["Metadata"]["WorkingDirectory"]).resolve() == ROOT
    makefile = ROOT / layer["Properties"]["ContentUri"] / "Makefile"
    assert "build-HookgateLayer:" in makefile.read_text(encoding="utf-8")


# --- Each check notices a broken template --------------------------------------------------


def test_a_mistyped_ref_in_globals_is_reported(template: dict[str, Any]) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    variables["HOOKGATE_EXTRA"] = {"Ref": "DedupeTabel"}
    assert unresolved_references(template) == [
        "Globals.Function.Environment.Variables.HOOKGATE_EXTRA: "
        "Ref 'DedupeTabel' is no parameter, resource or pseudo parameter"
    ]


def test_a_mistyped_ref_in_function_environment_is_reported(template: dict[str, Any]) -> None:
    _receiver(template)["Environment"]["Variables"]["HOOKGATE_TABLE"] = {"Ref": "Table"}
    (problem,) = unresolved_references(template)
    assert "ReceiverFunction.Properties.Environment.Variables.HOOKGATE_TABLE" in problem
    assert "'Table'" in problem


def test_a_getatt_on_a_missing_resource_is_reported(template: dict[str, Any]) -> None:
    _statement(template, "PublishEvents")["Resource"] = {"Fn::GetAtt": ["Bus", "Arn"]}
    (problem,) = unresolved_references(template)
    assert "Fn::GetAtt 'Bus'" in problem


@pytest.mark.parametrize(
    ("sub", "missing"),
    [
        ("https://${HttpAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}", ["HttpAPI"]),
        ("${EventBus.Arn}/${AWS::Regoin}", ["AWS::Regoin"]),
        (["${Local}-${Other}", {"Local": "x"}], ["Other"]),
        (["${Local.Attr}-${HttpApi}", {"Local.Attr": "x"}], []),
        ("literal ${!NotAReference} and ${ HttpApi }", []),
    ],
)
def test_sub_variables_are_resolved_in_string_and_list_forms(
    template: dict[str, Any], sub: Any, missing: list[str]
) -> None:
    template["Outputs"]["WebhookBaseUrl"]["Value"] = {"Fn::Sub": sub}
    problems = unresolved_references(template)
    assert [re.findall(r"Fn::Sub '([^']+)'", p)[0] for p in problems] == missing


def test_an_unknown_depends_on_is_reported(template: dict[str, Any]) -> None:
    template["Resources"]["EventArchive"]["DependsOn"] = ["EventBus", "Buss"]
    assert unresolved_references(template) == [
        "Resources.EventArchive.DependsOn: 'Buss' is no resource"
    ]


@pytest.mark.parametrize(
    ("sid", "resource"),
    [
        ("ReadRegistrationSecrets", "*"),
        (
            "ReadRegistrationSecrets",
            {"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:*:secret:hookgate/*"},
        ),
        ("PublishEvents", {"Fn::Sub": "arn:${AWS::Partition}:events:*:*:event-bus/*"}),
        ("DedupeRecords", {"Fn::Join": ["", ["arn:aws:dynamodb:*:", "table/*"]]}),
    ],
)
def test_a_wildcard_grant_is_reported(template: dict[str, Any], sid: str, resource: Any) -> None:
    _statement(template, sid)["Resource"] = [resource]
    (problem,) = wildcard_grants(template)
    assert f"({sid}): " in problem
    assert f"granted on wildcard resource {resource!r}" in problem


def test_not_resource_and_missing_resource_are_reported(template: dict[str, Any]) -> None:
    statement = _statement(template, "DedupeRecords")
    statement["NotResource"] = statement.pop("Resource")
    assert len(wildcard_grants(template)) == 1
    del statement["NotResource"]
    assert wildcard_grants(template)[0].endswith("no Resource on " + str(statement["Action"]))


def test_scoped_object_arns_for_other_services_are_not_reported(template: dict[str, Any]) -> None:
    assert _statement(template, "StoreOversizePayloads")["Resource"] == {
        "Fn::Sub": "${OversizeBucket.Arn}/*"
    }
    deny = template["Resources"]["OversizeBucketPolicy"]["Properties"]["PolicyDocument"]
    assert deny["Statement"][0]["Effect"] == "Deny"
    assert wildcard_grants(template) == []


def test_a_missing_route_is_reported(template: dict[str, Any]) -> None:
    del _receiver(template)["Events"]["AnswerHandshake"]
    assert route_problems(template) == [f"GET {WEBHOOK_PATH} is not routed to {RECEIVER}"]


def test_a_route_on_another_api_or_function_is_reported(template: dict[str, Any]) -> None:
    events = _receiver(template)["Events"]
    events["DeliverWebhook"]["Properties"]["ApiId"] = {"Ref": "OtherApi"}
    stolen = copy.deepcopy(template["Resources"][RECEIVER])
    stolen["Properties"]["Events"] = {"Get": copy.deepcopy(events.pop("AnswerHandshake"))}
    template["Resources"]["Impostor"] = stolen
    assert set(route_problems(template)) == {
        f"Resources.{RECEIVER}.Properties.Events.DeliverWebhook: "
        f"POST {WEBHOOK_PATH} is not on {HTTP_API}",
        f"Resources.Impostor.Properties.Events.Get: GET {WEBHOOK_PATH} goes to Impostor, "
        f"not {RECEIVER}",
        f"GET {WEBHOOK_PATH} is not routed to {RECEIVER}",
        f"POST {WEBHOOK_PATH} is not routed to {RECEIVER}",
    }


def test_a_missing_http_api_is_reported(template: dict[str, Any]) -> None:
    template["Resources"][HTTP_API]["Type"] = "AWS::Serverless::Api"
    assert route_problems(template) == [f"{HTTP_API} is not an AWS::Serverless::HttpApi"]


def test_a_registration_secret_missing_from_the_template_is_reported(
    template: dict[str, Any], config: dict[str, Any]
) -> None:
    first = config["registrations"][0]
    secrets = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::SecretsManager::Secret"
    ]
    for resource in secrets:
        if resource["Properties"].get("Name") == first["secret"]:  # the signing key has none
            resource["Properties"]["Name"] = "hookgate/renamed"
    problems = registration_secret_problems(template, config)
    assert problems[0].startswith(
        f"registration {first['name']!r}: secret {first['secret']!r} is not declared"
    )
    # The receiver may still read the renamed one, which now serves no registration.
    assert problems[1:] == [
        f"{RECEIVER} may read SinchDemoSecret, which no registration's `secret` names"
    ]


def test_a_registration_secret_the_receiver_cannot_read_is_reported(
    template: dict[str, Any], config: dict[str, Any]
) -> None:
    statement = _statement(template, "ReadRegistrationSecrets")
    statement["Action"] = ["secretsmanager:GetSecretValue"]
    problems = registration_secret_problems(template, config)
    assert len(problems) == len(config["registrations"])
    assert "'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'" in problems[0]
    statement["Resource"] = []
    assert "GetSecretValue" in registration_secret_problems(template, config)[0]


def test_an_undeclared_registration_and_an_extra_grant_are_reported(
    template: dict[str, Any], config: dict[str, Any]
) -> None:
    broken = copy.deepcopy(config)
    broken["registrations"].append({"name": "other", "secret": "hookgate/other"})
    statement = _statement(template, "ReadRegistrationSecrets")
    statement["Resource"].append({"Ref": "EventBus"})
    assert registration_secret_problems(template, broken) == [
        "registration 'other': secret 'hookgate/other' is not declared in template.yaml "
        "(an AWS::SecretsManager::Secret with that Name)",
        f"{RECEIVER} may read EventBus, which no registration's `secret` names",
    ]


def test_the_token_function_reads_only_oauth2_secrets_and_the_signing_key(
    template: dict[str, Any], config: dict[str, Any]
) -> None:
    assert any(r.get("oauth2") for r in config["registrations"]), "no OAuth2 registration"
    assert token_secret_problems(template, config) == []


def _token_statement(template: dict[str, Any]) -> dict[str, Any]:
    policies = template["Resources"][TOKEN_FUNCTION]["Properties"]["Policies"]
    for _, statement in _statements(policies):
        if statement.get("Sid") == "ReadClientCredentialsAndSigningKey":
            return statement
    raise AssertionError("no ReadClientCredentialsAndSigningKey statement")


def test_a_token_grant_too_many_or_too_few_is_reported(
    template: dict[str, Any], config: dict[str, Any]
) -> None:
    statement = _token_statement(template)
    statement["Resource"].append({"Ref": "SinchDemoSecret"})
    assert token_secret_problems(template, config) == [
        f"{TOKEN_FUNCTION} may read SinchDemoSecret, which is neither an OAuth2 registration's "
        "secret nor the signing key"
    ]
    statement["Resource"] = [{"Ref": "SinchDemoSecret"}, {"Ref": "SigningKeySecret"}]
    problems = token_secret_problems(template, config)
    assert problems[1:] == [
        f"{TOKEN_FUNCTION}'s policy does not grant {sorted(SECRET_READ_ACTIONS)} on "
        "InsiderV2DemoSecret"
    ]
    statement["Resource"] = [{"Ref": "InsiderV2DemoSecret"}]
    assert token_secret_problems(template, config) == [
        f"{TOKEN_FUNCTION}'s policy does not grant {sorted(SECRET_READ_ACTIONS)} on "
        "SigningKeySecret"
    ]
    sinch = copy.deepcopy(config)
    sinch["registrations"][0]["oauth2"] = {"expires_in": 600}  # now sinch-demo needs a grant
    assert token_secret_problems(_fresh(), sinch) == [
        f"{TOKEN_FUNCTION}'s policy does not grant {sorted(SECRET_READ_ACTIONS)} on SinchDemoSecret"
    ]


def _fresh() -> dict[str, Any]:
    return load_template()


def test_the_token_route_is_throttled_and_the_function_capped(template: dict[str, Any]) -> None:
    routes = template["Resources"][HTTP_API]["Properties"]["RouteSettings"]
    assert routes == {
        TOKEN_ROUTE: {
            "ThrottlingRateLimit": {"Ref": "TokenRouteRateLimit"},
            "ThrottlingBurstLimit": {"Ref": "TokenRouteBurstLimit"},
        }
    }
    token = template["Resources"][TOKEN_FUNCTION]["Properties"]
    event = token["Events"]["IssueToken"]["Properties"]
    assert f"{event['Method']} {event['Path']}" == TOKEN_ROUTE  # the throttled route is its own
    assert token["ReservedConcurrentExecutions"] == {
        "Fn::If": [
            "CapTokenConcurrency",
            {"Ref": "TokenFunctionConcurrency"},
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert template["Conditions"]["CapTokenConcurrency"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "TokenFunctionConcurrency"}, 0]}]
    }
    parameters = template["Parameters"]
    for name in ("TokenRouteRateLimit", "TokenRouteBurstLimit"):
        assert parameters[name]["Type"] == "Number" and parameters[name]["MinValue"] >= 1
    assert parameters["TokenFunctionConcurrency"]["Default"] >= 1


def test_the_token_function_never_puts_its_response_in_a_trace(template: dict[str, Any]) -> None:
    variables = template["Resources"][TOKEN_FUNCTION]["Properties"]["Environment"]["Variables"]
    assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
    assert variables["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false"


def test_rotation_is_scheduled_exactly_where_hookgate_can_rotate(
    template: dict[str, Any],
) -> None:
    from hookgate.config import load_config
    from hookgate.plugins import load_plugins
    from hookgate_dev.local.schedules import rotation_schedule_problems

    host = load_plugins()
    config = load_config(CONFIG_PATH, host)
    assert rotation_schedule_problems(template, config, host) == []
    broken = copy.deepcopy(template)
    del broken["Resources"]["SigningKeySecretRotation"]
    assert rotation_schedule_problems(broken, config, host) == [
        "SigningKeySecret (the token signing key) has no RotationSchedule"
    ]


def test_a_meta_verify_token_needs_a_schedule_only_when_sync_pushes_it(
    template: dict[str, Any],
) -> None:
    import dataclasses

    from hookgate.config import load_config
    from hookgate.plugins import load_plugins
    from hookgate_dev.local.schedules import can_rotate, rotation_schedule_problems
    from hookgate_meta_whatsapp.settings import MetaWhatsAppSettings

    host = load_plugins()
    config = load_config(CONFIG_PATH, host)
    meta = config.get("meta-demo")
    assert not can_rotate(meta, host), "the demo's verify token is set by hand"
    synced = meta.model_copy(
        update={"settings": MetaWhatsAppSettings(app_id="1", sync_subscription=True)}
    )
    assert can_rotate(synced, host)
    registrations = {**config.registrations, "meta-demo": synced}
    with_sync = dataclasses.replace(config, registrations=registrations)
    assert rotation_schedule_problems(template, with_sync, host) == [
        "registration 'meta-demo': hookgate can rotate its secret, but template.yaml schedules "
        "no rotation of MetaDemoSecret (add a RotationSchedule)"
    ]
