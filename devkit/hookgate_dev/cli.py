"""The ``hookgate`` command line.

Commands::

    hookgate providers                    list loaded providers (and plugins that failed)
    hookgate check [--config FILE]        validate hookgate.yaml (and template.yaml's schedules)
    hookgate verify EVENT --secret FILE   verify and parse a saved API Gateway event offline
    hookgate plan [REGISTRATION ...]      show what sync would change at the providers
    hookgate apply [REGISTRATION ...]     make the providers match hookgate.yaml
    hookgate rotate REGISTRATION          rotate a registration's secret now (all four steps;
                                          --resume / --cancel a rotation left in progress)
    hookgate send REGISTRATION            deliver one webhook as its provider would (--sample NAME
                                          or --body FILE; --url, or HOOKGATE_WEBHOOK_BASE_URL)
    hookgate doctor [--base-url URL]      a stack's secrets, rotations in progress, drift
    hookgate dev                          run the whole product locally (no AWS, no Docker)
    hookgate sandbox PROVIDER [--port N]  run a provider's sandbox (its webhook API) on loopback

Exit codes: 0 success (plan: nothing to change), 1 failure (invalid config, request refused,
provider error), 2 plan found changes, or a usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from hookgate.apigw import BadEventBodyError, request_from_event
from hookgate.config import DEFAULT_CONFIG_PATH, load_config
from hookgate.errors import HookgateError, MalformedPayloadError
from hookgate.models import SecretStage, SecretVersion, SecretVersions
from hookgate.plugins import get_plugin_host
from hookgate_dev.dev_modules import dev_modules


def _providers(_: argparse.Namespace) -> int:
    host = get_plugin_host()
    for name in host.names():
        info = host.get(name).info
        rotates = ", ".join(info.rotates) or "-"
        print(f"{name:<22} {info.title}  (rotates: {rotates})")
    for label, reason in sorted(host.failures.items()):
        print(f"FAILED {label}: {reason}", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace) -> int:
    """Validate hookgate.yaml strictly: every registration must be able to serve.

    At run time an unavailable registration (its plugin failed to load or is disabled, its
    settings are invalid, its grace window too short for the secret cache) affects only itself;
    here it, and any plugin that failed to load, is an error (exit 1).
    """
    from hookgate.runtime import grace_window_problems, secret_cache_ttl  # noqa: PLC0415

    host = get_plugin_host()
    # Each problem is printed below as an error; the loader's own log line would repeat it.
    logging.getLogger("hookgate.config").disabled = True
    config = load_config(args.config, host)
    for registration in config.registrations.values():
        print(
            f"{registration.name:<24} {registration.provider:<22} secret {registration.secret_id}"
        )
    problems = config.problems()
    for name, problem in grace_window_problems(config, secret_cache_ttl()).items():
        problems.append(f"{config.source}: registration {name!r}: {problem}")
    problems += [f"plugin {label!r} failed to load: {why}" for label, why in host.failures.items()]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print(f"{config.source}: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{config.source}: {len(config.registrations)} registration(s) valid")
    return _check_template(args, config)


def _check_template(args: argparse.Namespace, config: Any) -> int:
    """Check that template.yaml schedules rotation exactly where hookgate can rotate."""
    template_path = Path(args.template or Path(args.config).resolve().parent / "template.yaml")
    if not template_path.exists():
        if args.template:
            raise HookgateError(f"{template_path}: no such file")
        return 0
    from hookgate_dev.local.schedules import rotation_schedule_problems  # noqa: PLC0415
    from hookgate_dev.local.template import load_template  # noqa: PLC0415

    problems = rotation_schedule_problems(load_template(template_path), config, get_plugin_host())
    for problem in problems:
        print(f"{template_path}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{template_path}: rotation schedules match what hookgate can rotate")
    return 1 if problems else 0


def _secret_versions(path: Path) -> SecretVersions:
    document: Any = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise HookgateError(f"{path}: the secret file must hold a JSON object")
    values = {str(k): SecretStr(str(v)) for k, v in document.items()}
    version = SecretVersion(stage=SecretStage.CURRENT, version_id="local", values=values)
    return SecretVersions(secret_id=str(path), versions=(version,))


def _verify(args: argparse.Namespace) -> int:
    event = json.loads(Path(args.event).read_text(encoding="utf-8"))
    params = event.get("pathParameters") or {}
    config = load_config(args.config)
    registration = config.get(args.registration or params.get("registration", ""))
    provider = get_plugin_host().get(registration.provider)
    try:
        request = request_from_event(event)
    except BadEventBodyError as exc:
        print(f"refused: {exc}")
        return 1
    now = datetime.fromtimestamp(float(args.at), UTC) if args.at is not None else datetime.now(UTC)
    verdict = provider.verify(request, registration, _secret_versions(Path(args.secret)), now)
    if not verdict.ok:
        print(f"refused: {verdict.reason}")
        return 1
    print(f"verified with the {verdict.stage.short if verdict.stage else 'n/a'} secret")
    try:
        events = provider.parse(request, registration)
    except MalformedPayloadError as exc:
        print(f"malformed: {exc}")
        return 1
    for item in events:
        print(
            json.dumps(
                {
                    "type": item.type,
                    "provider_event": item.provider_event,
                    "dedupe_key": item.dedupe_key,
                    "message_id": item.message_id,
                }
            )
        )
    return 0


def _sync(args: argparse.Namespace) -> int:
    from hookgate.runtime import secret_store_from_env  # noqa: PLC0415 - botocore only when needed
    from hookgate.sync import SyncEngine, render  # noqa: PLC0415

    base_url = args.base_url or os.environ.get("HOOKGATE_WEBHOOK_BASE_URL")
    if not base_url:
        raise HookgateError("give --base-url or set HOOKGATE_WEBHOOK_BASE_URL (the stack output)")
    engine = SyncEngine(get_plugin_host(), load_config(args.config), secret_store_from_env())
    report = engine.run(base_url, apply=args.command == "apply", only=args.registrations or None)
    print(json.dumps(report.to_json(), indent=2) if args.json else render(report))
    return report.exit_code()


def _doctor(args: argparse.Namespace) -> int:
    from hookgate import aws  # noqa: PLC0415 - botocore only when needed
    from hookgate.runtime import secret_store_from_env  # noqa: PLC0415
    from hookgate.sync import SyncEngine  # noqa: PLC0415
    from hookgate_dev.doctor import Doctor, as_json, render  # noqa: PLC0415

    config = load_config(args.config)
    base_url = args.base_url or os.environ.get("HOOKGATE_WEBHOOK_BASE_URL")
    command = f"hookgate rotate --config {args.config}"
    if base_url:
        command += f" --base-url {base_url}"
        sync = SyncEngine(get_plugin_host(), config, secret_store_from_env())

        def plan(registration: Any) -> list[Any]:
            result = sync.run(base_url, apply=False, only=[registration.name]).results[0]
            if result.error:
                raise HookgateError(result.error)
            return list(result.changes)

    doctor = Doctor(
        config=config,
        host=get_plugin_host(),
        client_factory=lambda: aws.client("secretsmanager"),
        signing_key_secret=args.signing_key_secret,
        rotate_command=command,
        plan=plan if base_url else None,
    )
    findings = doctor.examine()
    print(as_json(findings) if args.json else render(findings))
    return 1 if any(f.level == "problem" for f in findings) else 0


def _rotate(args: argparse.Namespace) -> int:
    from hookgate import aws  # noqa: PLC0415 - botocore only when needed
    from hookgate.rotation import RotationEngine  # noqa: PLC0415
    from hookgate.runtime import leases_from_env, propagation_seconds  # noqa: PLC0415

    base_url = args.base_url or os.environ.get("HOOKGATE_WEBHOOK_BASE_URL")
    if not base_url:
        raise HookgateError("give --base-url or set HOOKGATE_WEBHOOK_BASE_URL (the stack output)")
    config = load_config(args.config)
    engine = RotationEngine(
        host=get_plugin_host(),
        config=config,
        client_factory=lambda: aws.client("secretsmanager"),
        webhook_base_url=base_url,
        signing_key_secret=args.signing_key_secret,
        propagation_seconds=propagation_seconds() if args.wait is None else args.wait,
        leases=leases_from_env(),
    )
    secret_id = (
        args.signing_key_secret
        if args.target == "signing-key"
        else config.get(args.target).secret_id
    )
    if not secret_id:
        raise HookgateError("give --signing-key-secret to rotate the signing key")
    if args.cancel:
        cancelled = engine.cancel(secret_id)
        if cancelled is None:
            print(f"{secret_id}: no rotation in progress")
        else:
            print(
                f"cancelled the rotation of {secret_id}: version {cancelled} is no longer "
                "pending; if it reached the provider it stays accepted until a later version "
                "is current and the grace has passed"
            )
        return 0
    token = engine.resume(secret_id) if args.resume else engine.rotate_now(secret_id)
    print(f"rotated {secret_id}: version {token} is now current")
    return 0


def _send(args: argparse.Namespace) -> int:
    from hookgate import aws  # noqa: PLC0415 - botocore only when needed
    from hookgate.sync import webhook_url  # noqa: PLC0415
    from hookgate_dev import send  # noqa: PLC0415

    host = get_plugin_host()
    registration = load_config(args.config, host).get(args.registration)
    samples = send.samples_of(host, registration.provider)
    if args.body:
        body, what = Path(args.body).read_bytes(), args.body
    else:
        name = args.sample or send.default_sample(host, registration.provider)
        if name is None or name not in samples:
            known = ", ".join(samples) or "none"
            raise HookgateError(
                f"no sample {name!r} for {registration.provider} (samples: {known})"
            )
        body, what = samples[name], f"sample {name}"
    url = args.url
    if not url:
        base_url = os.environ.get("HOOKGATE_WEBHOOK_BASE_URL")
        if not base_url:
            raise HookgateError("give --url or set HOOKGATE_WEBHOOK_BASE_URL (the stack output)")
        url = webhook_url(base_url, registration)
    secret = send.current_secret(aws.client("secretsmanager"), registration.secret_id)
    request = send.build_request(
        host,
        registration,
        secret,
        body,
        url,
        now=datetime.now(UTC),
        fetch_token=_fetch_token,
        token_url=args.token_url,
    )
    answer = send.deliver(request)
    print(f"POST {url} ({what}, {len(body)} bytes) -> {answer.status_code} {answer.text[:500]}")
    return 0 if answer.is_success else 1


def _fetch_token(token_url: str, client_id: str, client_secret: str) -> str:
    from hookgate_dev.local.oauth2_client import (  # noqa: PLC0415 - authlib: development only
        authlib_httpx,
        fetch_client_credentials_token,
    )

    try:
        return fetch_client_credentials_token(token_url, client_id, client_secret)
    except authlib_httpx().OAuthError as exc:
        raise HookgateError(f"{token_url} refused a token to {client_id}: {exc.error}") from None


def _dev(args: argparse.Namespace) -> int:
    from hookgate_dev.local.dev import DevOptions, run_dev  # noqa: PLC0415 - local stack only

    options = DevOptions(
        root=Path(args.root).resolve(),
        config=Path(args.config).resolve(),
        port=args.port,
        demo=not args.no_demo,
        demo_interval=args.interval,
        events_out=Path(args.events_out) if args.events_out else None,
        duration=args.duration,
        rotate_every=args.rotate_every,
        chaos=args.chaos,
        chaos_seed=args.chaos_seed,
        verbose=args.verbose,
    )
    return run_dev(options, sys.stdout)


def load_sandbox(provider: str, key_id: str, key_secret: str) -> Any:
    """Return the named provider's sandbox (its ``hookgate.dev`` sandbox's ``build_sandbox``)."""
    get_plugin_host().get(provider)  # an unknown provider is named as such
    sandboxes = dev_modules(provider).sandbox
    if sandboxes is None:
        raise HookgateError(f"provider {provider!r} has no sandbox yet")
    return sandboxes.build_sandbox(key_id=key_id, key_secret=key_secret)


def _sandbox(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - local tooling only

    sandbox = load_sandbox(args.provider, args.key_id, args.key_secret)
    print(f"{args.provider} sandbox on http://127.0.0.1:{args.port} (API key id {args.key_id!r})")
    print("control routes: POST /_sandbox/deliver, POST /_sandbox/faults, GET /_sandbox/state")
    uvicorn.run(sandbox.app, host="127.0.0.1", port=args.port, log_level="warning")
    return 0


def _add_send_parser(commands: Any) -> None:
    """Add ``hookgate send`` to the ``commands`` sub-parsers."""
    send = commands.add_parser("send", help="deliver one webhook as its provider would")
    send.add_argument("registration")
    body = send.add_mutually_exclusive_group()
    body.add_argument("--body", help="file holding the body to send (bytes as they are)")
    body.add_argument("--sample", help="one of the provider's samples (default: the first)")
    send.add_argument(
        "--url", help="the webhook URL (default: HOOKGATE_WEBHOOK_BASE_URL/<provider>/<name>)"
    )
    send.add_argument(
        "--token-url", help="OAuth2 registrations: the token URL (default: beside --url)"
    )
    send.add_argument("--config", default=DEFAULT_CONFIG_PATH)
    send.set_defaults(run=_send)


def _add_dev_parser(commands: Any) -> None:
    """Add ``hookgate dev`` and its flags."""
    dev = commands.add_parser("dev", help="run the whole product locally")
    dev.add_argument("--root", default=".", help="the repository (template.yaml, functions/)")
    dev.add_argument("--config", default=DEFAULT_CONFIG_PATH)
    dev.add_argument("--port", type=int, help="front port (default: a free one)")
    dev.add_argument("--no-demo", action="store_true", help="serve without demo traffic")
    dev.add_argument(
        "--interval", type=float, default=1.0, help="seconds between each sandbox's deliveries"
    )
    dev.add_argument("--events-out", help="append each normalised event as a JSON line here")
    dev.add_argument("--duration", type=float, help="stop after this many seconds")
    dev.add_argument(
        "--rotate-every",
        type=float,
        metavar="SECONDS",
        help="rotate the registrations' secrets in turn, one every SECONDS, while traffic flows",
    )
    dev.add_argument(
        "--chaos",
        action="store_true",
        help="every rotation meets a drawn fault: the provider's API failing before or after "
        "applying, steps invoked twice, values put by hand (rotates every 5 s unless "
        "--rotate-every says otherwise)",
    )
    dev.add_argument("--chaos-seed", type=int, help="draw --chaos's faults from this seed")
    dev.add_argument(
        "--verbose",
        action="store_true",
        help="print the functions' JSON log lines here (default: to a file the banner names)",
    )
    dev.set_defaults(run=_dev)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``hookgate`` command."""
    parser = argparse.ArgumentParser(prog="hookgate", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    providers = commands.add_parser("providers", help="list loaded providers")
    providers.set_defaults(run=_providers)

    check = commands.add_parser("check", help="validate hookgate.yaml")
    check.add_argument("--config", default=DEFAULT_CONFIG_PATH)
    check.add_argument(
        "--template",
        help="template.yaml to compare (default: the one beside the config, if there is one)",
    )
    check.set_defaults(run=_check)

    verify = commands.add_parser("verify", help="verify and parse a saved API Gateway v2 event")
    verify.add_argument("event", help="file holding the API Gateway v2 event (JSON)")
    verify.add_argument("--secret", required=True, help="JSON file with the secret's key/values")
    verify.add_argument("--config", default=DEFAULT_CONFIG_PATH)
    verify.add_argument("--registration", help="default: from the event's path parameters")
    verify.add_argument("--at", help="judge timestamps as of this epoch time (saved requests)")
    verify.set_defaults(run=_verify)

    for name, text in (("plan", "show what sync would change"), ("apply", "apply the plan")):
        command = commands.add_parser(name, help=text)
        command.add_argument("registrations", nargs="*", help="only these registrations")
        command.add_argument("--config", default=DEFAULT_CONFIG_PATH)
        command.add_argument("--base-url", help="webhook base URL (the stack's WebhookBaseUrl)")
        command.add_argument("--json", action="store_true", help="machine-readable output")
        command.set_defaults(run=_sync)

    doctor = commands.add_parser("doctor", help="check a stack's secrets, rotations and webhooks")
    doctor.add_argument("--config", default=DEFAULT_CONFIG_PATH)
    doctor.add_argument("--base-url", help="webhook base URL: also compare the providers' webhooks")
    doctor.add_argument(
        "--signing-key-secret", default=os.environ.get("HOOKGATE_SIGNING_KEY_SECRET")
    )
    doctor.add_argument("--json", action="store_true", help="findings as JSON")
    doctor.set_defaults(run=_doctor)

    rotate = commands.add_parser("rotate", help="rotate a registration's secret now")
    rotate.add_argument("target", help="a registration name, or 'signing-key'")
    rotate.add_argument("--config", default=DEFAULT_CONFIG_PATH)
    rotate.add_argument("--base-url", help="webhook base URL (the stack's WebhookBaseUrl)")
    rotate.add_argument(
        "--signing-key-secret", default=os.environ.get("HOOKGATE_SIGNING_KEY_SECRET")
    )
    rotate.add_argument(
        "--wait",
        type=float,
        help="seconds to let receivers see the new secret before the provider gets it (default:"
        " HOOKGATE_ROTATION_PROPAGATION_SECONDS, or the secret cache TTL + 15 s)",
    )
    unfinished = rotate.add_mutually_exclusive_group()
    unfinished.add_argument(
        "--resume",
        action="store_true",
        help="finish the rotation in progress (its pending version), as Secrets Manager retries",
    )
    unfinished.add_argument(
        "--cancel",
        action="store_true",
        help="abandon the rotation in progress (take AWSPENDING off its version)",
    )
    rotate.set_defaults(run=_rotate)

    _add_send_parser(commands)

    _add_dev_parser(commands)

    sandbox = commands.add_parser("sandbox", help="run a provider's sandbox on loopback")
    sandbox.add_argument("provider")
    sandbox.add_argument("--port", type=int, default=8081)
    sandbox.add_argument("--key-id", default="sandbox-key", help="the API key id it accepts")
    sandbox.add_argument(
        "--key-secret", default="sandbox-key-secret", help="the API key secret it accepts"
    )
    sandbox.set_defaults(run=_sandbox)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hookgate`` command; return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except HookgateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        if not type(exc).__module__.startswith(("botocore", "boto3")):
            raise
        print(f"error: AWS: {exc}", file=sys.stderr)  # credentials, region, access, throttling
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
