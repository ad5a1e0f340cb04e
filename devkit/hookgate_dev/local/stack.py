"""The whole product on one machine: emulator, provider sandboxes, front, sync, rotation.

``LocalStack`` is what ``hookgate dev`` runs and what the end-to-end tests drive:

1. moto server on loopback, with what template.yaml declares created in it (``provision``);
2. one sandbox per provider that hookgate.yaml uses (the ``sandbox`` its ``hookgate.dev`` entry
   point names: :mod:`hookgate_dev.dev_modules`), each with API credentials of its own, stored
   in the emulator as the registration's api_secret;
3. the local front, routing as template.yaml's HttpApi into the real handlers;
4. sync (``apply``) so every sandbox holds a webhook that points at the front; a webhook sync
   cannot manage (Insider V1: no read API) gets the current secret pushed once instead;
5. rotation as Secrets Manager runs it (:mod:`hookgate_dev.local.aws_rotation`): the template's
   rotation function is invoked once per step, and rotation is configured on every secret
   hookgate can rotate (the template's RotationSchedules, and every sandboxed registration,
   which has an api_secret here), each configuration tested with testSecret as AWS does.

hookgate.yaml is not changed: the stack writes an effective copy whose registrations point at
the sandboxes, and the handlers read that copy.
"""

from __future__ import annotations

import json
import os
import secrets as random_source
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx
import yaml
from botocore.exceptions import ClientError
from starlette.types import ASGIApp

from hookgate import runtime
from hookgate.config import HookgateConfig, load_config
from hookgate.errors import HookgateError
from hookgate.models import Registration, SecretStage
from hookgate.plugins import PluginHost, get_plugin_host
from hookgate.rotation import RotationEngine, RotationError
from hookgate.sync import SyncReport, webhook_url
from hookgate_dev.dev_modules import dev_modules
from hookgate_dev.local.aws_rotation import RotationService
from hookgate_dev.local.emulator import (
    ACCOUNT,
    REGION,
    STACK,
    LocalAccount,
    provision,
    running_emulator,
)
from hookgate_dev.local.front import FrontRequest, LocalContext, build_front, load_handler
from hookgate_dev.local.template import (
    functions,
    http_routes,
    load_template,
    resolve,
    resources_of_type,
)
from hookgate_dev.sandbox.core import Delivery, LocalWiring, Sandbox
from hookgate_dev.sandbox.server import BackgroundServer

if TYPE_CHECKING:
    from hookgate_dev.local.inspector import Inspector

API_SECRET_PREFIX = "hookgate-local/api/"  # noqa: S105 - a name prefix, not a secret

# The local stack rotates within seconds: receivers re-read a secret every CACHE_SECONDS, and
# setSecret waits PROPAGATION_SECONDS (longer) before the provider gets the new value.
CACHE_SECONDS = 1.0
REFRESH_SECONDS = 0.5
PROPAGATION_SECONDS = 2.0


_PUBLIC_KEYS = frozenset({"kid", "key_id", "client_id"})


class LocalStackError(HookgateError):
    """The local stack could not be brought up."""


@dataclass
class LocalSandbox:
    """A provider's sandbox running on loopback."""

    provider: str
    sandbox: Sandbox
    url: str
    key_id: str
    key_secret: str = field(repr=False, default="")

    def deliveries(self, start: int = 0) -> list[Delivery]:
        """Return what the sandbox delivered (or tried to), from position ``start`` on."""
        return self.sandbox.deliverer.since(start)


@dataclass
class LocalStack:
    """Brings up every part on entry, stops every part on exit."""

    root: Path
    config_path: Path
    port: int | None = None
    # Extra or overriding environment for the handlers (e.g. production-like cache settings).
    environment: Mapping[str, str] = field(default_factory=dict)
    host: PluginHost = field(default_factory=get_plugin_host)
    sandboxes: dict[str, LocalSandbox] = field(default_factory=dict)
    unsandboxed: list[str] = field(default_factory=list)
    sync_report: SyncReport | None = None
    _stack: ExitStack = field(default_factory=ExitStack)
    _account: LocalAccount | None = None
    _config: HookgateConfig | None = None
    _front_url: str = ""
    effective_config: Path | None = None
    rotations: RotationService = field(default_factory=RotationService)
    # Every request the front routed (sandbox deliveries and requests sent by hand alike).
    received: list[FrontRequest] = field(default_factory=list)
    # Serve the inspector page on the front (``/_hookgate/``: hookgate_dev.local.inspector).
    inspect: bool = False
    inspector: Inspector | None = None
    _saved_environ: dict[str, str] = field(default_factory=dict)

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> LocalStack:
        """Start everything; stop what started if a part fails."""
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop every part and give the process its environment back."""
        self.close()

    def close(self) -> None:
        """Stop every part (in reverse order) and restore the environment."""
        self.rotations.shut_down()  # no rotation step may reach a sandbox that has stopped
        self._stack.close()
        if self._saved_environ:
            os.environ.clear()
            os.environ.update(self._saved_environ)
        runtime.reset()

    def _start(self) -> None:
        template = load_template(self.root / "template.yaml")
        declared = load_config(self.config_path, self.host)
        endpoint = self._stack.enter_context(running_emulator(secrets_manager=self.rotations))
        wirings = self._start_sandboxes(declared)
        workdir = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="hookgate-")))
        effective = workdir / "hookgate.yaml"
        effective.write_text(self._effective_config(wirings), encoding="utf-8")
        self.effective_config = effective
        self._config = load_config(effective, self.host)
        account = provision(template, self._config, self.host, endpoint)
        self._account = account
        sm = account.client("secretsmanager")
        for name, wiring in wirings.items():
            secret_id = self._config.get(name).api_secret_id
            sm.create_secret(Name=secret_id, SecretString=json.dumps(dict(wiring.credentials)))
        app: ASGIApp = build_front(http_routes(template), self.root, self.received.append)
        if self.inspect:
            from hookgate_dev.local.inspector import Inspector  # noqa: PLC0415 - only when asked

            self.inspector = Inspector(self)
            app = self._stack.enter_context(self.inspector.serving(app))
        front = BackgroundServer(app, port=self.port)
        self._stack.enter_context(front)
        if self.inspector is not None:  # its live streams end before the front stops
            self._stack.callback(self.inspector.close)
        self._front_url = front.url
        self._saved_environ = dict(os.environ)
        os.environ.update(
            account.environment(
                template,
                {
                    "HOOKGATE_CONFIG": str(effective),
                    "HOOKGATE_WEBHOOK_BASE_URL": self.webhook_base_url,
                    "HOOKGATE_SECRET_CACHE_SECONDS": str(CACHE_SECONDS),
                    "HOOKGATE_SECRET_REFRESH_SECONDS": str(REFRESH_SECONDS),
                    "HOOKGATE_ROTATION_PROPAGATION_SECONDS": str(PROPAGATION_SECONDS),
                    "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
                    "POWERTOOLS_METRICS_DISABLED": "true",
                    "POWERTOOLS_TRACE_DISABLED": "true",
                    **self.environment,
                },
            )
        )
        runtime.reset()
        self.sync_report = self._register_webhooks()
        self._configure_rotation(template)

    def _start_sandboxes(self, declared: HookgateConfig) -> dict[str, LocalWiring]:
        """Start a sandbox per provider in use; return each registration's wiring."""
        wirings: dict[str, LocalWiring] = {}
        for registration in declared.registrations.values():
            module = _sandbox_module(registration.provider)
            if module is None:
                self.unsandboxed.append(registration.name)
                continue
            running = self.sandboxes.get(registration.provider)
            if running is None:
                key_id = f"hookgate-local-{registration.provider}"
                key_secret = random_source.token_urlsafe(24)
                sandbox = module.build_sandbox(key_id=key_id, key_secret=key_secret)
                server = self._stack.enter_context(BackgroundServer(sandbox.app))
                running = LocalSandbox(
                    registration.provider, sandbox, server.url, key_id, key_secret
                )
                self.sandboxes[registration.provider] = running
            wirings[registration.name] = module.local_wiring(
                running.url, running.key_id, running.key_secret
            )
        return wirings

    def _effective_config(self, wirings: Mapping[str, LocalWiring]) -> str:
        document: Any = yaml.safe_load(self.config_path.read_text(encoding="utf-8"))
        for entry in document.get("registrations", []):
            wiring = wirings.get(entry.get("name"))
            if wiring is None:
                continue
            entry["settings"] = {**(entry.get("settings") or {}), **wiring.settings}
            entry["api_secret"] = f"{API_SECRET_PREFIX}{entry['name']}"
        return str(yaml.safe_dump(document, sort_keys=False))

    def _register_webhooks(self) -> SyncReport:
        """Apply sync; push the current secret where sync cannot manage the webhook."""
        report = runtime.get_sync_engine().run(self.webhook_base_url, apply=True)
        if report.errors:
            raise LocalStackError(f"sync against the sandboxes failed: {report.errors}")
        for result in report.results:
            registration = self.config.get(result.registration)
            if registration.name in self.unsandboxed:
                continue
            if not all(change.action == "unmanaged" for change in result.changes):
                continue
            written = any(change.applied for change in result.changes)  # sync applied settings
            if (
                self.host.get(registration.provider).implements("hookgate_rotate_secret")
                and not written
            ):
                self.push_current_secret(registration)
            self._subscribe(registration)
        return report

    def _subscribe(self, registration: Registration) -> None:
        """Give a sender hookgate's URL and secret by hand, as its user would (``subscribe``).

        For providers hookgate neither syncs nor pushes to (Meta's app secret, Standard
        Webhooks, generic HMAC senders), the sandbox module's optional
        ``subscribe(sandbox_url, webhook_url, secret, credentials, settings)`` plays the
        dashboard step.
        """
        module = _sandbox_module(registration.provider)
        sandbox = self.sandboxes.get(registration.provider)
        if module is None or sandbox is None or not hasattr(module, "subscribe"):
            return
        store = runtime.secret_store_from_env()
        current = next(
            v
            for v in store.versions(registration.secret_id, grace_seconds=0).versions
            if v.stage is SecretStage.CURRENT
        )
        credentials = (
            store.versions(registration.api_secret_id, grace_seconds=0).versions[0]
            if registration.api_secret_id
            else None
        )
        module.subscribe(
            sandbox.url,
            webhook_url(self.webhook_base_url, registration),
            {key: value.get_secret_value() for key, value in current.values.items()},
            {k: v.get_secret_value() for k, v in credentials.values.items()} if credentials else {},
            registration.settings.model_dump(),
        )

    def push_current_secret(self, registration: Registration) -> None:
        """Give the provider the registration's current secret, read now, as an operator would.

        Holds the registration's lease, as sync and rotation do, when the stack has a table.
        """
        store = runtime.secret_store_from_env()
        secrets = store.read_now(registration.secret_id, grace_seconds=0)
        credentials = (
            store.read_now(registration.api_secret_id, grace_seconds=0).versions[0]
            if registration.api_secret_id
            else None
        )
        current = next(v for v in secrets.versions if v.stage is SecretStage.CURRENT)
        provider = self.host.get(registration.provider)
        url = webhook_url(self.webhook_base_url, registration)
        leases = runtime.leases_from_env()
        with leases.hold(registration.name, wait_seconds=30) if leases else nullcontext():
            if not provider.rotate_secret(registration, url, current, secrets, credentials):
                raise LocalStackError(f"{registration.name}: the sandbox refused the secret")

    def _configure_rotation(self, template: Mapping[str, Any]) -> None:
        """Register the rotation function and turn rotation on where hookgate can rotate."""
        props = functions(template)["RotationFunction"]
        handler = load_handler(self.root, props["CodeUri"], props["Handler"], "rotation")
        name = f"{STACK}-RotationFunction"
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        lock = threading.Lock()

        def invoke(event: dict[str, Any]) -> Any:
            with lock:  # one warm container
                return handler(event, LocalContext(function_name=name))

        self.rotations.register_function(arn, invoke)
        scheduled: dict[str, bool] = {}
        for props in resources_of_type(template, "AWS::SecretsManager::RotationSchedule").values():
            secret = str(resolve(props["SecretId"], self.account.names, self.account.attributes))
            scheduled[secret] = bool(props.get("RotateImmediatelyOnUpdate", True))
        for registration in self.config.registrations.values():
            if self.rotatable(registration.name):
                scheduled.setdefault(registration.secret_id, False)
        sm = self.account.client("secretsmanager")
        for secret, immediately in scheduled.items():
            sm.rotate_secret(
                SecretId=secret,
                RotationLambdaARN=arn,
                RotationRules={"AutomaticallyAfterDays": 30},
                RotateImmediately=immediately,
            )
        self.rotations.wait_idle()

    # -- what a user or a test reaches -----------------------------------------------------

    @property
    def account(self) -> LocalAccount:
        """Return the emulated AWS account."""
        if self._account is None:
            raise LocalStackError("the stack is not running")
        return self._account

    @property
    def config(self) -> HookgateConfig:
        """Return the effective configuration (registrations pointed at the sandboxes)."""
        if self._config is None:
            raise LocalStackError("the stack is not running")
        return self._config

    @property
    def front_url(self) -> str:
        """Return the local front's base URL."""
        return self._front_url

    @property
    def webhook_base_url(self) -> str:
        """Return the base URL webhooks are delivered to (the WebhookBaseUrl output)."""
        return f"{self._front_url}/webhooks"

    def rotatable(self, registration: str) -> bool:
        """Return whether hookgate rotates ``registration``'s secret in this stack.

        That is a sandboxed registration (it holds an api_secret here) whose provider takes a
        new secret with the registration's settings; the generic senders' secrets are set by
        hand, and of Meta's only the verify token rotates (with ``sync_subscription``).
        """
        declared = self.config.get(registration)
        provider = self.host.get(declared.provider)
        return (
            declared.api_secret_id is not None
            and declared.name not in self.unsandboxed
            and provider.implements("hookgate_rotate_secret")
            and provider.info.rotation_enabled(declared.settings)
        )

    def sandbox_for(self, registration: str) -> LocalSandbox | None:
        """Return the sandbox that delivers ``registration``'s webhooks, if any."""
        return self.sandboxes.get(self.config.get(registration).provider)

    def deliver(self, provider: str, count: int = 1, sample: str = "*") -> list[dict[str, Any]]:
        """Ask ``provider``'s sandbox to deliver ``count`` distinct webhooks to every target."""
        sandbox = self.sandboxes[provider]
        answer = httpx.post(
            f"{sandbox.url}/_sandbox/deliver",
            json={"sample": sample, "count": count, "unique": True},
            timeout=60,
        )
        answer.raise_for_status()
        deliveries: list[dict[str, Any]] = answer.json()["deliveries"]
        return deliveries

    def rotation_engine(self) -> RotationEngine:
        """Return a rotation engine for the emulator, pushing to the sandboxes."""
        return runtime.get_rotation_engine()

    def rotate(self, registration: str, timeout: float = 120.0) -> str:
        """Rotate ``registration``'s secret as Secrets Manager would; return the new version.

        RotateSecret, then the rotation function once per step (retried as AWS retries). Raises
        RotationError when the rotation did not finish (it stays in progress, as on AWS) or
        when Secrets Manager refused to start one because an earlier one is not complete (it
        reattempts that one, in the background).
        """
        return self.rotate_secret(self.config.get(registration).secret_id, timeout)

    def rotate_secret(self, secret_id: str, timeout: float = 120.0) -> str:
        """Rotate ``secret_id`` through the emulator's Secrets Manager; see :meth:`rotate`."""
        sm = self.account.client("secretsmanager")
        try:
            token = str(sm.rotate_secret(SecretId=secret_id)["VersionId"])
        except ClientError as exc:
            raise RotationError(f"{secret_id}: {exc.response['Error']['Message']}") from None
        run = self.rotations.run_for(token)
        if run is None or not run.done.wait(timeout) or not run.finished:
            failed = run.attempts[-1] if run and run.attempts else None
            why = f"{failed.step}: {failed.error}" if failed else "did not finish in time"
            raise RotationError(f"rotation of {secret_id} did not finish ({why})")
        return token

    def secret_values(
        self, seen: dict[tuple[str, str], frozenset[str]] | None = None, client: Any = None
    ) -> set[str]:
        """Return every secret value the stack holds: what no log, event or answer may show.

        That is each version of each secret in the emulator, and the sandboxes' API keys. A
        version's value never changes: ``seen`` (secret ARN and version id → its values), when
        given, is filled and reused, so a later call reads only the versions new since. A version
        that has no value yet (a rotation's first step is under way) is left for a later call.
        """
        sm = client or self.account.client("secretsmanager")
        known = seen if seen is not None else {}
        values = {sandbox.key_secret for sandbox in self.sandboxes.values()}
        for listed in sm.list_secrets().get("SecretList", []):
            versions = sm.list_secret_version_ids(SecretId=listed["ARN"]).get("Versions", [])
            for version in versions:
                key = (str(listed["ARN"]), str(version["VersionId"]))
                if key not in known:
                    try:
                        text = sm.get_secret_value(SecretId=key[0], VersionId=key[1]).get(
                            "SecretString"
                        )
                    except ClientError:
                        continue
                    if text is None:
                        continue
                    document = json.loads(text)
                    known[key] = (
                        frozenset(str(v) for k, v in document.items() if k not in _PUBLIC_KEYS)
                        if isinstance(document, dict)
                        else frozenset()
                    )
                values.update(known[key])
        return values

    def events(self) -> list[dict[str, Any]]:
        """Return (and take) the events the bus delivered to the collector queue so far."""
        events = self.account.drain_events()
        if self.inspector is not None:
            self.inspector.saw_on_bus(events)
        return events


def _sandbox_module(provider: str) -> Any | None:
    """Return ``provider``'s sandbox module, if it declares one that the local stack can run."""
    found = dev_modules(provider).sandbox
    if not hasattr(found, "build_sandbox") or not hasattr(found, "local_wiring"):
        return None
    return found


class TrafficPump:
    """Keeps every sandbox delivering distinct webhooks until stopped (a thread per sandbox)."""

    def __init__(self, stack: LocalStack, interval: float = 0.2) -> None:
        """Prepare to pump ``stack``'s sandboxes, one delivery each per ``interval``."""
        self._stack = stack
        self._interval = interval
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._pump, args=(provider,), daemon=True)
            for provider in stack.sandboxes
        ]
        self.failures: list[str] = []

    def _pump(self, provider: str) -> None:
        while not self._stop.is_set():
            try:
                self._stack.deliver(provider)
            except httpx.HTTPError as exc:
                self.failures.append(f"{provider}: {type(exc).__name__}")
            self._stop.wait(self._interval)

    def __enter__(self) -> TrafficPump:
        """Start pumping."""
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        """Stop pumping and wait for in-flight deliveries to finish."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


def all_deliveries(stack: LocalStack) -> Iterator[tuple[str, Delivery]]:
    """Yield every delivery every sandbox made, with the sandbox's provider."""
    for provider, sandbox in stack.sandboxes.items():
        for delivery in sandbox.deliveries():
            yield provider, delivery
