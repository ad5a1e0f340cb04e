"""The ``hookgate send`` command lines ``hookgate dev`` prints: one per registration."""

from __future__ import annotations

import shlex

from hookgate.sync import webhook_url
from hookgate_dev.local.emulator import CREDENTIALS, REGION
from hookgate_dev.local.stack import LocalStack
from hookgate_dev.send import default_sample


def send_lines(stack: LocalStack) -> list[str]:
    """Return a ready-to-paste ``hookgate send`` line per registration of ``stack``."""
    environment = " ".join(f"{key}={value}" for key, value in CREDENTIALS.items())
    environment += f" AWS_ENDPOINT_URL={stack.account.endpoint} AWS_DEFAULT_REGION={REGION}"
    lines = []
    for registration in stack.config.registrations.values():
        sample = default_sample(stack.host, registration.provider)
        lines.append(
            f"{environment} hookgate send {registration.name} "
            f"--config {shlex.quote(str(stack.effective_config))} "
            f"--url {webhook_url(stack.webhook_base_url, registration)}"
            + (f" --sample {sample}" if sample else " --body FILE")
        )
    return lines
