"""The inspector page in a real browser: Chromium from the system packages, driven by Playwright.

One browser for the module, one page, the states a new user goes through: the page loads, a
delivery appears within a second, opening it (from the keyboard) shows masked headers and the
event as it landed on the bus, a replay shows the duplicate, "Rotate now" shows the pending
version take over. Each state is saved as a screenshot in ``.artifacts/inspector/``, and at
each the page (its DOM and text) and every inspector answer the browser received hold no
secret value of the stack.

Skipped, saying why, when Chromium is not at /usr/bin/chromium or Playwright is missing:
``scripts/bootstrap.sh browser`` (part of ``make test``) installs Chromium where it can.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hookgate_dev.local.stack import LocalStack
from tests.e2e.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / ".artifacts" / "inspector"
# Without the background-networking flags, Chromium's own connections (updates, sync) fail on a
# closed network and slow every start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1366, "height": 768}
STEP_MS = 15_000  # a bound for each wait in the page, not a figure to meet

if not CHROMIUM.exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: `scripts/bootstrap.sh browser` installs it (apt-get)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is missing: `scripts/bootstrap.sh venv`"
)


class _BusWatcher(threading.Thread):
    """Takes the bus's events as ``hookgate dev`` does, so the page can show them."""

    def __init__(self, stack: LocalStack) -> None:
        super().__init__(daemon=True)
        self.stack, self.halt = stack, threading.Event()

    def run(self) -> None:
        while not self.halt.wait(0.2):
            self.stack.events()


@pytest.fixture
def inspected(secret_values: set[str]) -> Iterator[LocalStack]:
    with LocalStack(ROOT, ROOT / "hookgate.yaml", inspect=True) as stack:
        watcher = _BusWatcher(stack)
        watcher.start()
        try:
            yield stack
        finally:
            watcher.halt.set()
            watcher.join(5)
            secret_values.update(stack.secret_values())


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh profile
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            viewport=LAPTOP,
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()


class _Leaks:
    """Every inspector answer the page received, and the page itself, searched for secrets."""

    def __init__(self, stack: LocalStack, page: Any) -> None:
        self.stack, self.page = stack, page
        self.answers: list[str] = []
        page.on("response", self._keep)

    def _keep(self, response: Any) -> None:
        if "/api/stream" not in response.url:  # the stream's data is checked in the DOM
            self.answers.append(response.text())

    def check(self, state: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{state}.png"), full_page=True)
        shown = [self.page.content(), self.page.inner_text("body"), *self.answers]
        values = sorted(self.stack.secret_values())
        leaked = [i for i, value in enumerate(values) if any(value in text for text in shown)]
        assert leaked == [], f"{state}: secret values #{leaked} shown (of {len(values)})"


PATH = "/webhooks/360dialog/360dialog-demo"
# Every form control has a label and every button a name (what a screen reader announces).
UNNAMED_CONTROLS = """() => [...document.querySelectorAll("button, select, input")]
  .filter((c) => c.tagName === "BUTTON"
    ? !(c.textContent.trim() || c.getAttribute("aria-label"))
    : c.labels.length === 0)
  .map((c) => c.outerHTML.slice(0, 80))"""


def test_see_open_replay_and_rotate_in_a_browser(inspected: LocalStack, page: Any) -> None:
    stack = inspected
    assert stack.inspector is not None
    expect = sync_api.expect
    leaks = _Leaks(stack, page)

    page.goto(stack.inspector.url)
    expect(page.locator("#connection")).to_have_text("live", timeout=STEP_MS)
    expect(page.get_by_role("heading", name="hookgate inspector")).to_be_visible()
    unnamed = page.evaluate(UNNAMED_CONTROLS)
    assert unnamed == [], f"controls without an accessible name: {unnamed}"
    leaks.check("01-loaded")

    # A delivery appears within a second of hookgate's answer.
    stack.deliver("360dialog")
    answered = time.monotonic()
    [delivered] = [e for e in stack.inspector.log.changed_since(0) if e.path == PATH]
    row = page.locator(f'#requests tr[data-id="{delivered.id}"]')
    expect(row).to_be_visible(timeout=1000)
    assert time.monotonic() - answered < 1.0
    expect(row).to_contain_text("200 accepted")
    leaks.check("02-delivery-live")

    _open_from_the_keyboard(page, row, delivered.id, delivered.event_ids[0])
    leaks.check("03-opened")
    _replay(page, delivered.id)
    leaks.check("04-replayed")

    # Rotate now: a pending version appears, then takes over as current.
    page.get_by_role("button", name="Secrets and rotation").click()
    card = page.locator('article.card[data-registration="360dialog-demo"]')
    current = card.locator('tr[data-stage="current"]').get_attribute("data-version")
    card.get_by_role("button", name="Rotate now").click()
    pending = card.locator('tr[data-stage="pending"]')
    expect(pending).to_be_visible(timeout=STEP_MS)
    version = pending.get_attribute("data-version")
    assert version and version != current
    leaks.check("05-rotating")
    took_over = card.locator(f'tr[data-version="{version}"][data-stage="current"]')
    expect(took_over).to_be_visible(timeout=STEP_MS)
    expect(card.locator(f'tr[data-version="{current}"]')).to_have_attribute(
        "data-stage", "previous"
    )
    expect(card.locator(".rotations li").first).to_contain_text("finished")
    leaks.check("06-rotated")


def _open_from_the_keyboard(page: Any, row: Any, request: int, event_id: str) -> None:
    """Masked headers, the verdict, the event as it landed on the bus."""
    expect = sync_api.expect
    row.get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#detail-title")).to_contain_text(f"#{request} POST {PATH}")
    token_row = page.locator("#headers tr", has_text="x-hookgate-token")
    expect(token_row).to_be_visible()
    # Read, then compared: a failure must not print the header's value.
    masked = token_row.inner_text().split() == ["x-hookgate-token", "••••••••", "redacted"]
    assert masked, "360dialog's token header is shown (its value is not printed here)"
    expect(page.locator("#verdict")).to_contain_text("current secret")
    landed = page.get_by_label(f"Event {event_id} as it landed on the bus")
    expect(landed).to_contain_text('"event_id": "' + event_id, timeout=STEP_MS)
    expect(landed).to_contain_text('"dedupe_key"')


def _replay(page: Any, request: int) -> None:
    """Replayed byte for byte: a duplicate, nothing new on the bus, in the list too."""
    expect = sync_api.expect
    page.get_by_role("button", name="Replay byte for byte").click()
    expect(page.locator("#detail-title")).not_to_contain_text(f"#{request} ", timeout=STEP_MS)
    expect(page.locator("#verdict")).to_contain_text("200 duplicate")
    expect(page.locator("#verdict")).to_contain_text(f"replay of #{request}")
    expect(page.locator("#events")).to_contain_text("every event in it was a duplicate")
    replayed = page.locator('#requests tr[aria-current="true"]')
    expect(replayed).to_contain_text("200 duplicate")
    expect(replayed).to_contain_text(f"replay of #{request}")
