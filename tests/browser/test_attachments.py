"""Files from the composer in a real browser: ISR attaches a PNG, sends, and the message lists it with
its download link, on ISR's page and, live, on SYR's (another reader), whose session downloads it. A
file of a type the cell refuses is named before anything is sent. No CSP or script errors."""

import re
import struct
import uuid
import zlib

import pytest
from playwright.sync_api import expect

from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in
from tests.browser.test_hotline import LIVE, open_conversation

pytestmark = pytest.mark.browser


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xcc\x22\x22")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_a_file_attached_in_the_composer_reaches_another_reader_with_its_link(browser, live_cell):
    isr, isr_console = log_in(browser, live_cell.base, "isr.liaison", DEMO_PASSWORD)
    syr, syr_console = log_in(browser, live_cell.base, "syr.liaison", DEMO_PASSWORD)
    open_conversation(syr)
    png = png_1x1()
    name = f"crossing-{uuid.uuid4().hex[:6]}.png"

    isr.goto("/hotline/hotline")
    picker = isr.locator("#composer-files")
    # A type the cell refuses is named on the field before the form can go.
    picker.set_input_files(files=[{"name": "tool.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"}])
    assert "tool.exe" in picker.evaluate("field => field.validationMessage")
    picker.set_input_files(files=[{"name": name, "mimeType": "image/png", "buffer": png}])
    assert picker.evaluate("field => field.validationMessage") == ""
    isr.fill("#composer-body", "Photo of the crossing attached.")
    isr.locator("form[data-composer] button[type=submit]").click()
    isr.wait_for_url(re.compile(r".*/hotline/hotline#msg-[0-9a-f-]+$"))
    message_id = isr.url.rsplit("#msg-", 1)[1]

    link = isr.locator(f"#msg-{message_id} .attachments a")
    expect(link).to_have_text(name)
    expect(link).to_have_attribute("href", re.compile(r"^/api/v1/attachments/[0-9a-f-]+/content$"))
    expect(isr.locator(f"#msg-{message_id} .attachments")).to_contain_text("image/png")
    href = link.get_attribute("href")

    # SYR's page, open before the send, shows the message with the same link (the live fragment).
    on_syr = syr.locator(f"#msg-{message_id} .attachments a")
    expect(on_syr).to_have_text(name, timeout=LIVE)
    expect(on_syr).to_have_attribute("href", href)
    served = syr.request.get(href)  # SYR's session
    assert served.status == 200 and served.body() == png
    assert served.headers["content-disposition"].startswith("attachment")

    for console in (isr_console, syr_console):
        assert console.problems == []
