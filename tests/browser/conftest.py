"""A live cell process and headless Chromium (Debian's package) driven by Playwright."""

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.test_crash import free_port

CHROMIUM = os.environ.get("FUSIONCELL_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class LiveCell:
    base: str
    process: subprocess.Popen


@contextlib.contextmanager
def running_cell(home: Path, *init_options: str, **settings: str) -> Iterator[LiveCell]:
    """`fusioncell init --demo` (with these options) in `home`, then a real server process on it.
    `settings` are extra FUSIONCELL_* environment variables, e.g. DEADLINE_CHECK_SECONDS="1"."""
    env = os.environ | {"FUSIONCELL_VAR_DIR": str(home / "var"), "FUSIONCELL_DATABASE_URL": ""}
    env |= {f"FUSIONCELL_{name}": value for name, value in settings.items()}
    init = subprocess.run(
        [sys.executable, "-m", "fusioncell", "init", "--demo", *init_options],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert init.returncode == 0, init.stderr
    port = free_port()
    with open(home / "server.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "fusioncell", "serve", "--port", str(port)], env=env, stdout=log, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        try:
            yield LiveCell(base, process)
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_cell(tmp_path_factory) -> Iterator[LiveCell]:
    with running_cell(tmp_path_factory.mktemp("live")) as cell:
        yield cell


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is required for the browser tests: install Debian's chromium ({CHROMIUM} missing)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


class Console:
    """Collects what the page complains about: CSP violations and script errors show up here."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        self.confirm = False  # set when the test expects a confirmation dialog and says yes to it
        page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        page.on("pageerror", lambda e: self.problems.append(str(e)))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        if self.confirm and dialog.type == "confirm":
            dialog.accept()
            return
        self.problems.append(f"dialog: {dialog.type} {dialog.message}")
        dialog.dismiss()


def log_in(browser: Browser, base: str, username: str, password: str) -> tuple[Page, Console]:
    context = browser.new_context(base_url=base)
    page = context.new_page()
    console = Console(page)
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page, console
