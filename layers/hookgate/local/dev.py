"""``hookgate dev``: the product on one machine — emulator, front, traffic, live view.

Starts moto server on loopback with what template.yaml declares, the HTTP front that routes as
the HttpApi does into the real handlers, then (unless ``--no-demo``) signed demo deliveries of
every registration's provider samples, and prints each normalised event as it reaches the bus.
Ctrl-C stops everything.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import httpx

from hookgate.config import HookgateConfig, load_config
from hookgate.local.emulator import LocalAccount, provision, running_emulator
from hookgate.local.front import build_front
from hookgate.local.template import http_routes, load_template
from hookgate.models import Registration
from hookgate.plugins import get_plugin_host
from hookgate.sandbox.server import BackgroundServer


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


def _samples(registration: Registration) -> Any | None:
    plugin = get_plugin_host().get(registration.provider).plugin
    module = getattr(plugin, "__name__", None) or type(plugin).__module__
    try:
        return importlib.import_module(f"{module.rsplit('.', 1)[0]}.samples")
    except ImportError:
        return None


def _demo_requests(
    config: HookgateConfig, account: LocalAccount, base_url: str
) -> Iterator[tuple[str, bytes, dict[str, str]]]:
    streams: list[Iterator[tuple[str, bytes, dict[str, str]]]] = []
    for registration in config.registrations.values():
        samples = _samples(registration)
        if samples is None:
            continue
        secret = account.secret_values.get(registration.secret_id, {})
        url = f"{base_url}/webhooks/{registration.provider}/{registration.name}"

        def stream(
            samples: Any = samples, secret: dict[str, str] = secret, url: str = url
        ) -> Iterator[tuple[str, bytes, dict[str, str]]]:
            for body in itertools.cycle(samples.SAMPLE_PAYLOADS.values()):
                headers = samples.signed_headers(body, secret, datetime.now(UTC))
                yield url, body, {"content-type": "application/json", **headers}

        streams.append(stream())
    while streams:
        for current in streams:
            yield next(current)


def _line(event: dict[str, Any]) -> str:
    detail = event.get("detail", {})
    ids = " ".join(
        f"{key}={detail[key]}" for key in ("message_id", "status", "channel") if detail.get(key)
    )
    return (
        f"{detail.get('provider', '?'):<20} {detail.get('registration', '?'):<24} "
        f"{event.get('detail-type', '?'):<28} [{detail.get('verified_with', '-')}] {ids}"
    )


def run_dev(options: DevOptions, out: TextIO, stop: threading.Event | None = None) -> int:
    """Run the local stack until ``stop`` is set, Ctrl-C, or ``duration`` passes."""
    stop = stop or threading.Event()
    template = load_template(options.root / "template.yaml")
    host = get_plugin_host()
    config = load_config(options.config, host)
    started = time.monotonic()
    with running_emulator() as endpoint:
        account = provision(template, config, host, endpoint)
        front = build_front(http_routes(template), options.root)
        with BackgroundServer(front, port=options.port) as server:
            os.environ.update(
                account.environment(
                    template,
                    {
                        "HOOKGATE_CONFIG": str(options.config),
                        "HOOKGATE_WEBHOOK_BASE_URL": f"{server.url}/webhooks",
                        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
                        "POWERTOOLS_METRICS_DISABLED": "true",
                        "POWERTOOLS_TRACE_DISABLED": "true",
                    },
                )
            )
            print(f"hookgate dev ready in {time.monotonic() - started:.1f} s", file=out)
            print(
                f"  front (HttpApi routes): {server.url}/webhooks/<provider>/<registration>",
                file=out,
            )
            print(f"  AWS emulator:           {endpoint}  (bus {account.bus_name})", file=out)
            for registration in config.registrations.values():
                print(
                    f"  registration {registration.name}: {server.url}/webhooks/"
                    f"{registration.provider}/{registration.name}",
                    file=out,
                )
            out.flush()
            return _serve(
                options=options,
                config=config,
                account=account,
                base_url=server.url,
                out=out,
                stop=stop,
                started=started,
            )


def _serve(
    *,
    options: DevOptions,
    config: HookgateConfig,
    account: LocalAccount,
    base_url: str,
    out: TextIO,
    stop: threading.Event,
    started: float,
) -> int:
    sink = options.events_out.open("a", encoding="utf-8") if options.events_out else None
    demo = _demo_requests(config, account, base_url) if options.demo else None
    rejected = 0
    try:
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                if options.duration is not None and time.monotonic() - started > options.duration:
                    break
                if demo is not None:
                    url, body, headers = next(demo, ("", b"", {}))
                    if url:
                        answer = client.post(url, content=body, headers=headers)
                        if answer.status_code != 200:
                            rejected += 1
                            print(f"  rejected {answer.status_code} {url}: {answer.text}", file=out)
                for event in account.drain_events():
                    print(_line(event), file=out)
                    if sink is not None:
                        sink.write(json.dumps(event.get("detail", {})) + "\n")
                        sink.flush()
                out.flush()
                stop.wait(options.demo_interval)
    except KeyboardInterrupt:
        pass
    finally:
        if sink is not None:
            sink.close()
    return 1 if rejected else 0
