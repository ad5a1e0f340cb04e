"""Read template.yaml the way the local stack needs it: routes, functions, resources, env.

The local stack never repeats the template by hand: it takes the HttpApi routes, each
function's code location, handler and environment, and the resources to create from here.
``resolve`` evaluates the few intrinsic functions the template uses (Ref, GetAtt, Sub, Join)
against the names the local stack gave each resource.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
_SUB_VARIABLE = re.compile(r"\$\{(?!!)\s*([^}\s]+)\s*\}")


class CfnLoader(yaml.SafeLoader):
    """A safe YAML loader that turns CloudFormation short tags into their long form."""


def _construct_intrinsic(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(None, None, f"unexpected !{suffix}")
        value = loader.construct_mapping(node, deep=True)
    if suffix in {"Ref", "Condition"}:
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    """Return the template with every short tag (``!Ref``, ``!Sub``, …) in long form."""
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=CfnLoader)  # noqa: S506
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not a CloudFormation template")
    return document


@dataclass(frozen=True)
class HttpRoute:
    """One HttpApi route: method, path template and the function behind it."""

    method: str
    path: str
    function: str
    code_uri: str
    handler: str

    @property
    def route_key(self) -> str:
        """Return the API Gateway route key, e.g. ``POST /webhooks/{provider}/{registration}``."""
        return f"{self.method} {self.path}"

    def pattern(self) -> re.Pattern[str]:
        """Return a regex matching concrete paths, with one named group per path parameter."""
        regex = ""
        for part in re.split(r"(\{[^}]+\})", self.path):
            if part.startswith("{") and part.endswith("+}"):
                regex += f"(?P<{part[1:-2]}>.+)"
            elif part.startswith("{"):
                regex += f"(?P<{part[1:-1]}>[^/]+)"
            else:
                regex += re.escape(part)
        return re.compile(f"^{regex}$")


def functions(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the serverless functions by logical id, with Globals merged into each."""
    defaults = template.get("Globals", {}).get("Function", {})
    found: dict[str, dict[str, Any]] = {}
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") != SERVERLESS_FUNCTION:
            continue
        props = {**defaults, **resource.get("Properties", {})}
        env = {
            **defaults.get("Environment", {}).get("Variables", {}),
            **resource.get("Properties", {}).get("Environment", {}).get("Variables", {}),
        }
        props["Environment"] = {"Variables": env}
        found[name] = props
    return found


def http_routes(template: Mapping[str, Any]) -> list[HttpRoute]:
    """Return every HttpApi route the template declares."""
    routes: list[HttpRoute] = []
    for name, props in functions(template).items():
        for event in props.get("Events", {}).values():
            if event.get("Type") != "HttpApi":
                continue
            spec = event.get("Properties", {})
            routes.append(
                HttpRoute(
                    method=str(spec.get("Method", "ANY")).upper(),
                    path=str(spec.get("Path", "/")),
                    function=name,
                    code_uri=str(props.get("CodeUri", "")),
                    handler=str(props.get("Handler", "app.lambda_handler")),
                )
            )
    return routes


def resources_of_type(template: Mapping[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """Return the resources of CloudFormation type ``kind`` by logical id."""
    return {
        name: resource.get("Properties", {})
        for name, resource in template.get("Resources", {}).items()
        if resource.get("Type") == kind
    }


def resolve(value: Any, names: Mapping[str, str], attributes: Mapping[str, str]) -> Any:
    """Evaluate Ref / GetAtt / Sub / Join / If in ``value`` against local names.

    ``names`` maps a logical id, parameter or pseudo-parameter to what ``Ref`` returns;
    ``attributes`` maps ``LogicalId.Attribute`` to what ``GetAtt`` returns. Anything unknown
    raises KeyError, so a template the local stack cannot honour fails loudly. ``Fn::If`` takes
    its false branch unless ``names`` holds ``Condition::<name>`` = ``"true"``: the local stack
    runs the template's defaults, under which its conditions (``UseFunctionUrl``) are false.
    """
    if isinstance(value, list):
        return [resolve(item, names, attributes) for item in value]
    if not isinstance(value, dict):
        return value
    if "Ref" in value:
        return names[value["Ref"]]
    if "Fn::GetAtt" in value:
        logical, attribute = value["Fn::GetAtt"]
        return attributes[f"{logical}.{attribute}"]
    if "Fn::If" in value:
        condition, when_true, when_false = value["Fn::If"]
        chosen = when_true if names.get(f"Condition::{condition}") == "true" else when_false
        return resolve(chosen, names, attributes)
    if "Fn::Join" in value:
        separator, items = value["Fn::Join"]
        return separator.join(str(resolve(item, names, attributes)) for item in items)
    if "Fn::Sub" in value:
        spec = value["Fn::Sub"]
        text, extra = (spec, {}) if isinstance(spec, str) else (spec[0], spec[1])
        local = {k: str(resolve(v, names, attributes)) for k, v in extra.items()}

        def substitute(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in local:
                return local[key]
            return attributes[key] if "." in key else names[key]

        return _SUB_VARIABLE.sub(substitute, text).replace("${!", "${")
    return {key: resolve(item, names, attributes) for key, item in value.items()}
