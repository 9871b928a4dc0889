"""The XSS corpus (tests/security/payloads.py) through every user-writable field the API takes, then every page
that shows those fields, in headless Chromium on a cell of its own: nothing runs (no dialog, no call of the
marker hook, no CSP violation or script error), plain-text fields show the payload as text on their detail
page, and every page and API answer carries the security headers.

Everything is posted first (through the API, each record by the party that may write it and released to the
party whose browser reads it), then each page is visited once."""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from fusioncell.demo import DEMO_PASSWORD
from tests.browser.conftest import Console, LiveCell, running_cell
from tests.security.payloads import HOOK, PAYLOADS, Payload

pytestmark = pytest.mark.browser
POINT = {"type": "Point", "coordinates": [35.82, 33.12]}  # inside the Area of Separation, near Quneitra
HOOK_SCRIPT = f"""
window.__xss_calls = [];
Object.defineProperty(window, {HOOK!r}, {{
  value: function (marker) {{ window.__xss_calls.push(String(marker)); }},
  writable: false, configurable: false,
}});
"""


@pytest.fixture(scope="module")
def xss_cell(tmp_path_factory) -> Iterator[LiveCell]:
    with running_cell(tmp_path_factory.mktemp("xss")) as cell:
        yield cell


@dataclass
class Posted:
    fields: int = 0  # payload × field pairs the server took
    pages: dict[str, list[str]] = field(default_factory=dict)  # viewer -> detail paths
    # page path -> payloads posted in plain-text fields it shows (to be found there as text)
    shown: dict[str, set[str]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    api_answers: list[httpx.Response] = field(default_factory=list)


class Api:
    def __init__(self, base: str, username: str, posted: Posted) -> None:
        answer = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        assert answer.status_code == 200, answer.text
        self.client = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {answer.json()['token']}"}, timeout=30
        )
        self.posted = posted
        posted.api_answers.append(answer)

    def post(self, path: str, body: dict, *, fields: int = 0) -> dict | None:
        answer = self.client.post(path, json=body)
        self.posted.api_answers.append(answer)
        if answer.status_code not in (200, 201):
            self.posted.refused.append(f"{path}: {answer.status_code} {answer.text[:300]}")
            return None
        self.posted.fields += fields
        return answer.json()


def _detail(posted: Posted, viewer: str, path: str, payload: Payload, plain: bool = True) -> None:
    posted.pages.setdefault(viewer, []).append(path)
    if plain and payload.plain:
        posted.shown.setdefault(path, set()).add(payload.text)


def post_everything(base: str) -> Posted:
    posted = Posted()
    usa = Api(base, "usa.mediator", posted)
    syr = Api(base, "syr.liaison", posted)
    syr_intel = Api(base, "syr.intel", posted)
    isr = Api(base, "isr.liaison", posted)
    now = datetime.now(UTC)
    for index, payload in enumerate(PAYLOADS):
        text = payload.text
        # Hotline: SYR writes on the trilateral hotline; the body is Markdown (sanitised HTML, not plain text).
        # Priority: ISR owes an acknowledgement, so its inbox lists the message's excerpt too.
        syr.post("/api/v1/messages", {"channel": "hotline", "body": text, "precedence": "priority"}, fields=1)
        # An incident SYR reports, released to all (description and sources are plain text).
        incident = {
            "occurred_at": (now - timedelta(hours=1, minutes=index)).isoformat(),
            "location": POINT,
            "type": "armed-clash",
            "severity": 2,
            "description": text,
            "sources": [text[:200]],
        }
        if made := syr.post("/api/v1/incidents", incident, fields=2):
            isr.post(f"/api/v1/incidents/{made['id']}/complaints", {"grounds": text}, fields=1)  # ISR complains
            _detail(posted, "usa.mediator", f"/incidents/{made['id']}", payload)
        # A deconfliction notice SYR announces.
        notice = {
            "activity": "humanitarian-convoy",
            "circle": {"lat": 33.12, "lon": 35.82, "radius_km": 2},
            "starts_at": (now + timedelta(hours=2)).isoformat(),
            "ends_at": (now + timedelta(hours=5)).isoformat(),
            "description": text,
        }
        if made := syr.post("/api/v1/notices", notice, fields=1):
            _detail(posted, "usa.mediator", f"/notices/{made['id']}", payload)
        # An intelligence report SYR's officer writes for the mediator and ISR.
        report = {
            "title": text[:300],
            "summary": text,
            "threat_actors": [text[:200]],
            "place": {"lat": 33.12, "lon": 35.82, "name": text[:200]},
            "source_description": text,
            "releasable_to": ["USA", "ISR"],
            "marking": "TLP:AMBER",
        }
        if made := syr_intel.post("/api/v1/intel/reports", report, fields=5):
            if made["status"] == "pending":  # the supervised desk: the mediator lets it reach ISR
                usa.post(f"/api/v1/intel/reports/{made['id']}/approve", {})
            _detail(posted, "usa.mediator", f"/intel/reports/{made['id']}", payload)
            _detail(posted, "isr.intel", f"/intel/reports/{made['id']}", payload)
        # A statement the mediator drafts, its title and a paragraph in each language.
        statement = {
            "title": text[:300],
            "required_parties": ["ISR", "SYR"],
            "texts": {language: f"{text}\n\n{payload.marker} {language}" for language in ("en", "ar", "he")},
        }
        if made := usa.post("/api/v1/statements", statement, fields=4):
            comment = {"version": 1, "paragraph": 1, "text": text}  # ISR comments on the first paragraph
            isr.post(f"/api/v1/statements/{made['id']}/comments", comment, fields=1)
            _detail(posted, "usa.mediator", f"/statements/{made['id']}", payload)
            _detail(posted, "usa.mediator", f"/statements/{made['id']}/print", payload)
        # A meeting the mediator calls: title, venue, delegates and agenda; then its minutes.
        meeting = {
            "title": text[:200],
            "venue": text[:300],
            "starts_at": (now - timedelta(days=1, hours=index)).isoformat(),
            "ends_at": (now - timedelta(days=1, hours=index - 1)).isoformat(),
            "participants": [{"party": "ISR", "delegates": [text[:200]]}, {"party": "SYR"}, {"party": "USA"}],
            "agenda": [text, f"{payload.marker} second item"],
        }
        if made := usa.post("/api/v1/meetings", meeting, fields=4):
            usa.post(f"/api/v1/meetings/{made['id']}/minutes", {"text": text}, fields=1)
            _detail(posted, "usa.mediator", f"/meetings/{made['id']}", payload)
        # A commitment the mediator records for SYR.
        commitment = {
            "text": text,
            "responsible_party": "SYR",
            "source_kind": "other",
            "made_at": (now - timedelta(days=2)).isoformat(),
            "due_at": (now + timedelta(days=30)).isoformat(),
        }
        if made := usa.post("/api/v1/commitments", commitment, fields=1):
            syr.post(f"/api/v1/commitments/{made['id']}/notes", {"body": text}, fields=1)  # SYR notes progress
            _detail(posted, "usa.mediator", f"/commitments/{made['id']}", payload)
        # A project of the joint economic zone: name, description and a sponsor named in free text.
        project = {
            "name": text[:200],
            "description": text,
            "site": POINT,
            "sponsors": [{"name": text[:200], "role": "sponsor"}],
        }
        if made := usa.post("/api/v1/projects", project, fields=3):
            usa.post(f"/api/v1/projects/{made['id']}/release", {"releasable_to": ["ISR", "SYR"]})
            _detail(posted, "usa.mediator", f"/projects/{made['id']}", payload)
            _detail(posted, "isr.liaison", f"/projects/{made['id']}", payload)
        # A glossary term the mediator proposes: its wording in each language and its note.
        term = {
            "key": f"xss-{payload.marker}",
            "wording": {language: text[:200] for language in ("en", "ar", "he")},
            "note": text,
        }
        if made := usa.post("/api/v1/glossary", term, fields=4):
            # Both principals agree to it, so the pages mark its (hostile) wording wherever a text uses it.
            for party in (isr, syr):
                party.post(f"/api/v1/glossary/{made['id']}/approvals", {"version": 1})
        # A webhook and an API token of the mediator's own.
        webhook = {"url": f"https://hooks.example.org/{payload.marker}", "description": text[:256]}
        if made := usa.post("/api/v1/webhooks", webhook, fields=1):
            _detail(posted, "usa.mediator", f"/webhooks/{made['id']}", payload)
        if usa.post("/api/v1/tokens", {"name": text[:128]}, fields=1) and payload.plain:
            posted.shown.setdefault("/account/tokens", set()).add(text[:128])
        if payload.plain:  # the mediator sees proposed terms on the glossary page (no page of one term)
            posted.shown.setdefault("/glossary", set()).add(text)
    return posted


def header_problems(where: str, headers: dict[str, str]) -> list[str]:
    headers = {name.lower(): value for name, value in headers.items()}
    problems = []
    if "frame-ancestors 'none'" not in headers.get("content-security-policy", ""):
        problems.append(f"{where}: Content-Security-Policy without frame-ancestors 'none'")
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        problems.append(f"{where}: X-Content-Type-Options is not nosniff")
    if not headers.get("referrer-policy"):
        problems.append(f"{where}: no Referrer-Policy")
    return problems


@dataclass
class Visit:
    """What one viewer's browser saw across every page it opened."""

    page: Page
    console: Console
    base: str
    visited: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)  # plain-text payloads not found as text on their page
    refused: list[str] = field(default_factory=list)  # optional pages this member may not open
    checked: int = 0  # plain-text payloads looked for as text
    executed: list[str] = field(default_factory=list)  # marker-hook calls, page by page

    def open(self, path: str, *, expect_text: set[str] = frozenset(), optional: bool = False) -> bool:
        self.collect()  # the page being left: its hook calls die with it
        before = len(self.console.problems)
        answer = self.page.goto(path, wait_until="load")
        assert answer is not None, path
        if optional and answer.status in (403, 404):  # not for this member: the browser logs the refusal
            del self.console.problems[before:]
            self.refused.append(path)
            return False
        assert answer.status == 200, (path, answer.status)
        self.visited.append(path)
        self.headers += header_problems(path, answer.headers)
        if expect_text:
            self.checked += len(expect_text)
            shown = " ".join(self.page.evaluate("document.body.innerText").split()).casefold()
            self.hidden += [f"{path}: {t!r}" for t in expect_text if " ".join(t.split()).casefold() not in shown]
        return True

    def collect(self) -> list[str]:
        if self.page.url.startswith(self.base):
            self.executed += [f"{self.page.url}: {m}" for m in self.page.evaluate("window.__xss_calls || []")]
            self.page.evaluate("window.__xss_calls = []")
        return self.executed


def log_in_watched(browser: Browser, base: str, username: str) -> Visit:
    context = browser.new_context(base_url=base)
    context.add_init_script(HOOK_SCRIPT)
    page = context.new_page()
    visit = Visit(page, Console(page), base)
    # Every answer from the cell (pages, their scripts' JSON and fragments, static files) carries the headers.
    page.on(
        "response",
        lambda r: r.url.startswith(base) and visit.headers.extend(header_problems(r.url, r.headers)),
    )
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return visit


LISTS = [
    "/",
    "/hotline",
    "/hotline/hotline",
    "/inbox",
    "/incidents",
    "/notices",
    "/intel",
    "/statements",
    "/meetings",
    "/commitments",
    "/projects",
    "/projects/dashboard",
    "/glossary",
    "/ledger",
    "/account/tokens",
    "/webhooks",
    "/dashboard/deescalation",
    "/verification",
    "/fusions",
]
MEDIATOR_LISTS = ["/intel/review"]
PARTY_LISTS = {
    "/hotline/hotline",
    "/inbox",
    "/incidents",
    "/notices",
    "/statements",
    "/meetings",
    "/commitments",
    "/projects",
    "/glossary",
}


def open_map(visit: Visit) -> list[str]:
    """/map draws the records from JSON (map.js): open every incident's and notice's popup, return their text."""
    visit.open("/map")
    expect(visit.page.get_by_test_id("map")).to_have_attribute("data-state", "ready", timeout=15_000)
    # Leaflet builds a popup (popupFor in map.js) on click; opened popups stay in the page while it fades them.
    return visit.page.evaluate(
        """() => {
            for (const path of document.querySelectorAll('.leaflet-incidents-pane path, .leaflet-notices-pane path'))
                path.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window}));
            return Array.from(document.querySelectorAll('.leaflet-popup-content')).map(p => p.innerText);
        }"""
    )


def desk_pages(visit: Visit) -> list[str]:
    visit.page.goto("/")
    hrefs = visit.page.eval_on_selector_all("a[href^='/desks/']", "links => links.map(a => a.getAttribute('href'))")
    return sorted(set(hrefs))


def test_no_payload_runs_on_any_page_and_plain_text_shows_as_text(browser, xss_cell):
    started = time.monotonic()
    posted = post_everything(xss_cell.base)
    assert posted.refused == [], posted.refused
    assert posted.fields >= len(PAYLOADS) * 31, posted.fields  # 31 fields in 14 kinds of record
    api_headers = [p for r in posted.api_answers for p in header_problems(str(r.url), r.headers)]
    assert api_headers == [], api_headers[:10]

    mediator = log_in_watched(browser, xss_cell.base, "usa.mediator")
    for path in LISTS + MEDIATOR_LISTS + desk_pages(mediator) + ["/wall"]:
        mediator.open(path, expect_text=posted.shown.get(path, set()))
    popups = " ".join(open_map(mediator))
    assert all(p.marker in popups for p in PAYLOADS), "the map draws the posted records"
    for path in posted.pages["usa.mediator"]:
        mediator.open(path, expect_text=posted.shown.get(path, set()))
    # A party's view too: ISR's liaison reads the lists (each shows some of what was released to it) and the
    # projects, ISR's intelligence officer the reports the mediator let through.
    isr = log_in_watched(browser, xss_cell.base, "isr.liaison")
    for path in LISTS + desk_pages(isr) + ["/wall"]:
        if isr.open(path, optional=True) and path in PARTY_LISTS:
            # A list shows the posted text (a marker) or links to the posted records' pages.
            shown = isr.page.evaluate("document.body.innerText")
            links = set(isr.page.eval_on_selector_all("a[href]", "all => all.map(a => a.getAttribute('href'))"))
            ours = links & set(posted.pages["usa.mediator"])
            assert ours or any(p.marker in shown for p in PAYLOADS), f"{path} shows ISR none of what it may read"
    for path in posted.pages["isr.liaison"]:
        isr.open(path, expect_text=posted.shown.get(path, set()))
    popups = " ".join(open_map(isr))
    assert all(p.marker in popups for p in PAYLOADS), "ISR's map draws the records released to it"
    isr_intel = log_in_watched(browser, xss_cell.base, "isr.intel")
    for path in ["/intel", *posted.pages["isr.intel"]]:
        isr_intel.open(path, expect_text=posted.shown.get(path, set()))

    visits = [mediator, isr, isr_intel]
    pages = sum(len(v.visited) for v in visits)
    checked = sum(v.checked for v in visits)
    print(
        f"\n{len(PAYLOADS)} payloads, {posted.fields} payload×field posts, {pages} pages visited, "
        f"{checked} texts looked for, {time.monotonic() - started:.0f}s; refused to ISR: {isr.refused}"
    )
    calls = [call for v in visits for call in v.collect()]
    assert calls == [], f"payloads executed: {sorted(set(calls))}"
    problems = [p for v in visits for p in v.console.problems]
    assert problems == [], problems[:20]
    headers = [p for v in visits for p in v.headers]
    assert headers == [], headers[:10]
    hidden = [h for v in visits for h in v.hidden]
    assert hidden == [], hidden[:20]
