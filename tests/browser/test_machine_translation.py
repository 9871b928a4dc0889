"""In headless Chromium, against a real server in this process with tiny models: a reader presses the button
under an Arabic message on an English page and the machine translation appears beside the original, marked, with
no CSP or script error."""

import os
import subprocess
import sys
import threading
import time

import httpx
import pytest
import uvicorn
from playwright.sync_api import expect

from fusioncell.app import create_app
from fusioncell.config import Settings
from fusioncell.demo import DEMO_PASSWORD
from fusioncell.runtime import Runtime
from tests.browser.conftest import log_in
from tests.test_crash import free_port
from tests.translation.conftest import models_dir, no_model_afterwards, tiny_model  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
LABEL = "Machine translation — not the original; the original above is the record"


@pytest.fixture
def live_with_models(tmp_path, models_dir):  # noqa: F811 (the imported fixture)
    home = tmp_path / "var"
    env = os.environ | {"FUSIONCELL_VAR_DIR": str(home), "FUSIONCELL_DATABASE_URL": ""}
    init = subprocess.run(
        [sys.executable, "-m", "fusioncell", "init", "--demo"], env=env, capture_output=True, text=True, timeout=180
    )
    assert init.returncode == 0, init.stderr
    settings = Settings(var_dir=home, translation_models=str(models_dir))
    runtime = Runtime.open(settings)
    app = create_app(runtime, background=False)  # installs the models of its settings
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base
    server.should_exit = True
    thread.join(timeout=10)
    runtime.database.dispose()


def test_the_button_shows_the_translation_beside_the_original(browser, live_with_models: str):  # noqa: F811
    base = live_with_models
    token = httpx.post(f"{base}/api/v1/auth/login", json={"username": "syr.liaison", "password": DEMO_PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    body = {"channel": "hotline", "body": "طائرة مسيرة فوق القنيطرة"}
    message = httpx.post(f"{base}/api/v1/messages", json=body, headers=headers).json()

    page, console = log_in(browser, base, "isr.liaison", DEMO_PASSWORD)
    page.goto("/hotline/hotline")
    card = page.locator(f"#msg-{message['id']}")
    box = card.locator(".machine-translation-box")
    expect(box).to_be_hidden()
    button = card.get_by_role("button", name="Machine translation")
    button.click()
    expect(box).to_be_visible()
    expect(box).to_contain_text(LABEL)
    expect(box.locator("[data-machine-translation-status]")).to_have_text("Model: translate-ar_en-1_0", timeout=30_000)
    assert box.locator("[data-machine-translation-text] p").count() >= 1
    expect(card.locator(".message-body")).to_have_text(body["body"])  # the original stays as it was
    assert button.get_attribute("aria-expanded") == "true"
    button.click()
    expect(box).to_be_hidden()
    # The live stream answers 503 here (no background tasks in this in-process server); nothing else may complain.
    assert [p for p in console.problems if "status of 503" not in p] == []
