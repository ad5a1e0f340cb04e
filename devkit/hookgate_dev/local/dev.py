"""``hookgate dev``: the product on one machine, with a live view of what happens.

Brings up the local stack (:mod:`hookgate_dev.local.stack`: AWS emulator, provider sandboxes, the
HttpApi front, sync), then (unless ``--no-demo``) has every sandbox deliver distinct webhooks,
rotates secrets every ``--rotate-every`` seconds if asked, and prints each normalised event as it
reaches the bus and each rejection with its reason. Ctrl-C stops every part; the exit prints
whether every delivery arrived exactly once.
"""

from __future__ import annotations

import itertools
import json
import random
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from hookgate.sync import render
from hookgate_dev.local.audit import audit
from hookgate_dev.local.chaos import Chaos
from hookgate_dev.local.emulator import CREDENTIALS, REGION
from hookgate_dev.local.logs import logs_to
from hookgate_dev.local.send_lines import send_lines
from hookgate_dev.local.stack import PROPAGATION_SECONDS, LocalStack, TrafficPump

CHAOS_ROTATE_EVERY = 5.0


@dataclass
class DevOptions:
    """What ``hookgate dev`` was asked to do."""

    root: Path
    config: Path
    port: int | None = None
    demo: bool = True
    demo_interval: float = 1.0
    events_out: Path | None = None
    duration: float | None = None
    rotate_every: float | None = None
    chaos: bool = False
    chaos_seed: int | None = None
    verbose: bool = False  # the handlers' JSON log lines in the live view, not in log_file
    log_file: Path | None = None  # default: a new file in the temporary directory
    inspect: bool = True  # serve the inspector page (/_hookgate/ on the front)


def _line(event: dict[str, Any]) -> str:
    detail = event.get("detail", {})
    ids = " ".join(
        f"{key}={detail[key]}" for key in ("message_id", "status", "channel") if detail.get(key)
    )
    return (
        f"{detail.get('provider', '?'):<20} {detail.get('registration', '?'):<24} "
        f"{event.get('detail-type', '?'):<28} [{detail.get('verified_with', '-')}] {ids}"
    )


def _banner(stack: LocalStack, started: float, out: TextIO) -> None:
    print(f"hookgate dev ready in {time.monotonic() - started:.1f} s", file=out)
    if stack.inspector is not None:
        print(f"  inspector (open it):    {stack.inspector.url}", file=out)
    print(f"  front (HttpApi routes): {stack.front_url}", file=out)
    print(f"  OAuth2 token URL:       {stack.front_url}/oauth2/token", file=out)
    for registration in stack.config.registrations.values():
        sandbox = stack.sandbox_for(registration.name)
        source = f"delivered by {sandbox.url}" if sandbox else "no sandbox: send requests by hand"
        print(
            f"  {registration.name:<24} {stack.webhook_base_url}/{registration.provider}/"
            f"{registration.name}  ({source})",
            file=out,
        )
    for name, unavailable in stack.config.unavailable.items():
        print(f"  {name:<24} UNAVAILABLE (answers 503): {unavailable.reason}", file=out)
    print(
        f"  AWS emulator: {stack.account.endpoint} (bus {stack.account.bus_name}); "
        "sandbox controls: POST <sandbox>/_sandbox/deliver, /_sandbox/faults",
        file=out,
    )
    if stack.sync_report is not None:
        print("sync against the sandboxes:", file=out)
        print("  " + render(stack.sync_report).replace("\n", "\n  "), file=out)
    print(
        "rotate by hand (another shell):\n  "
        + " ".join(f"{k}={v}" for k, v in CREDENTIALS.items())
        + f" AWS_ENDPOINT_URL={stack.account.endpoint} AWS_DEFAULT_REGION={REGION} hookgate rotate "
        f"<registration> --config {stack.effective_config} --base-url {stack.webhook_base_url} "
        f"--wait {PROPAGATION_SECONDS}",
        file=out,
    )
    print("send a webhook by hand (another shell; reported as yours, never a failure):", file=out)
    for line in send_lines(stack):
        print(f"  {line}", file=out)
    out.flush()


class _Rotator(threading.Thread):
    """Rotates each registration's secret in turn, one every ``every`` seconds."""

    def __init__(
        self, stack: LocalStack, every: float, out: TextIO, chaos: Chaos | None = None
    ) -> None:
        super().__init__(daemon=True)
        self.stack, self.every, self.out, self.chaos = stack, every, out, chaos
        self.halt = threading.Event()
        self.failures = 0

    def stop(self) -> None:
        """Finish the rotation under way, then stop."""
        self.halt.set()
        self.join(timeout=30)

    def run(self) -> None:
        names = itertools.cycle(
            [name for name in self.stack.config.registrations if self.stack.rotatable(name)]
        )
        while not self.halt.wait(self.every):
            name = next(names)
            try:
                if self.chaos is not None:  # failures are drawn on purpose: shown, not counted
                    print(self.chaos.rotate(name), file=self.out)
                    continue
                version = self.stack.rotate(name)
                print(f"  rotated {name}: version {version} is now current", file=self.out)
            except Exception as exc:  # reported in the live view; the next turn tries again
                self.failures += 1
                print(f"  rotation of {name} failed: {type(exc).__name__}: {exc}", file=self.out)


@contextmanager
def _interrupt_sets(stop: threading.Event, out: TextIO) -> Iterator[None]:
    """Make Ctrl-C set ``stop`` (a second one interrupts at once), in the main thread only.

    A KeyboardInterrupt raised in the middle of draining the collector queue would drop events
    already taken from it, and the final audit would then count them missing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupted(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        print("stopping…", file=out)
        stop.set()

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_dev(options: DevOptions, out: TextIO, stop: threading.Event | None = None) -> int:
    """Run the local stack until ``stop`` is set, Ctrl-C, or ``duration`` passes.

    Returns 0 when every delivery reached the bus exactly once and nothing was rejected.
    """
    stop = stop or threading.Event()
    started = time.monotonic()
    with LocalStack(
        options.root, options.config, port=options.port, inspect=options.inspect
    ) as stack:
        _banner(stack, started, out)
        # What the stack did to set itself up (Insider V1's URL check) is not traffic.
        seen = {
            provider: len(sandbox.deliveries()) for provider, sandbox in stack.sandboxes.items()
        }
        first_request = len(stack.received)
        published: list[dict[str, Any]] = []
        pump: TrafficPump | None = None
        rotator: _Rotator | None = None
        ready = dict(seen)
        # Stopped in reverse order: rotation, traffic, a last look at the bus, the events file.
        with ExitStack() as running:
            if not options.verbose:
                log_file = options.log_file or _new_log_file()
                running.enter_context(logs_to(log_file))
                print(f"handler logs (JSON): {log_file} (--verbose: here instead)", file=out)
            sink = (
                running.enter_context(options.events_out.open("a", encoding="utf-8"))
                if options.events_out
                else None
            )
            running.callback(lambda: published.extend(_show(stack, seen, out, sink)))
            running.callback(time.sleep, 0.3)
            if options.demo:
                pump = running.enter_context(TrafficPump(stack, interval=options.demo_interval))
            rng = random.Random(options.chaos_seed)  # noqa: S311 - draws faults, not secrets
            chaos = Chaos(stack, rng) if options.chaos else None
            every = options.rotate_every or (CHAOS_ROTATE_EVERY if chaos else None)
            if every:
                rotator = _Rotator(stack, every, out, chaos)
                rotator.start()
                running.callback(rotator.stop)
            with _interrupt_sets(stop, out):
                while not stop.is_set():
                    elapsed = time.monotonic() - started
                    if options.duration is not None and elapsed > options.duration:
                        break
                    published += _show(stack, seen, out, sink)
                    stop.wait(0.2)
        deliveries = [
            delivery
            for provider, sandbox in stack.sandboxes.items()
            for delivery in sandbox.deliveries(ready[provider])
        ]
        report = audit(
            deliveries, published, stack.config, stack.host, stack.received[first_request:]
        )
        if rotator is not None and rotator.chaos is not None:
            print(rotator.chaos.summary(), file=out)
        print(f"stopped: {report.summary()}", file=out)
        failures = (rotator.failures if rotator else 0) + len(pump.failures if pump else [])
        return 0 if report.clean and not failures else 1


def _new_log_file() -> Path:
    with tempfile.NamedTemporaryFile(prefix="hookgate-dev-", suffix=".log", delete=False) as f:
        return Path(f.name)


def _show(
    stack: LocalStack, seen: dict[str, int], out: TextIO, sink: TextIO | None
) -> list[dict[str, Any]]:
    for provider, sandbox in stack.sandboxes.items():
        fresh = sandbox.deliveries(seen[provider])
        seen[provider] += len(fresh)
        for delivery in fresh:
            for attempt in delivery.rejected:
                print(
                    f"  REJECTED {attempt.status} {provider} {delivery.target}: {attempt.answer}",
                    file=out,
                )
    events = stack.events()
    for event in events:
        print(_line(event), file=out)
        if sink is not None:
            sink.write(json.dumps(event.get("detail", {})) + "\n")
            sink.flush()
    out.flush()
    return events
