"""The XSS corpus (tests/security/payloads.py) arriving LIVE into pages already open in headless Chromium, and
through the map's tooltips and popups (issue 11). test_xss_corpus.py posts everything first and then opens each
page, so it sees the server's rendering; here the pages are open first, as the reading parties, and the records
reach them over the stream (GET /api/v1/stream, Server-Sent Events), rendered by the pages' own scripts:

  - hotline.js: a new message on the conversation page (its fragment fetched and inserted), the inbox's live
    region swapped in when a message asks the reader's party for an acknowledgement;
  - wall.js: the operations-room wall's feed, one line per record event (summary set with textContent);
  - map.js: incidents, notices and positions put on the open map (popups built on click), and the tooltips
    of the lines (bindTooltip) and the titles and popups of places, fed hostile names;
  - project-map.js: a project's site tooltip, hovered on the page of a project named by a payload.

Each payload's marker must be seen inside the live-rendered container first (a test that passes because
nothing arrived would prove nothing); then: no dialog, no call of the marker hook, no CSP violation or script
error, no element or handler the payload would create (looked for inside that container), and plain-text
surfaces show the payload as text."""

import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Route, expect

from tests.browser.conftest import Console, LiveCell, running_cell
from tests.browser.test_map import zones_stub
from tests.browser.test_xss_corpus import POINT, Api, Posted, Visit, header_problems, log_in_watched
from tests.security.payloads import PAYLOADS, Payload

pytestmark = pytest.mark.browser
LIVE = 20_000  # ms: the stream delivers within about a second; room for a loaded machine
HOTLINE_TAGS = ["p", "em", "strong", "ul", "ol", "li", "a", "code", "br", "span"]  # hotline/text.py + glossary
POPUP_TAGS = ["div", "p", "a", "dl", "dt", "dd", "span"]  # map.js's popups


def one_per_kind() -> list[Payload]:
    """One payload of each family (script tag, handler, javascript: URL, SVG, CSS, breakout, template, bidi,
    Markdown, entity, data: URL, meta), for the surfaces where every record costs a marker on a map."""
    chosen: dict[str, Payload] = {}
    for payload in PAYLOADS:
        chosen.setdefault(payload.kind, payload)
    return list(chosen.values())


# What a payload could leave behind inside a container of live-rendered text: any element not in `allowed`,
# any on* attribute, any URL attribute with a script or data scheme (control characters and blanks removed,
# as browsers do).
DANGER = """(root, allowed) => {
    const bad = [];
    const scheme = (v) => (v || '').replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
    for (const element of [root, ...root.querySelectorAll('*')]) {
        const tag = element.tagName.toLowerCase();
        if (element !== root && !allowed.includes(tag)) bad.push('<' + tag + '>');
        for (const attribute of element.attributes) {
            if (/^on/i.test(attribute.name)) bad.push(tag + '[' + attribute.name + ']');
            if (/(^|:)(href|src|action|formaction|data|background|poster|srcdoc)$/i.test(attribute.name)
                && /^(javascript|vbscript|data):/.test(scheme(attribute.value)))
                bad.push(tag + '[' + attribute.name + '=' + attribute.value + ']');
        }
    }
    return bad;
}"""


def as_text(payload: Payload, size: int | None = None) -> str | None:
    """What a plain-text surface must show of `payload` (cut to the field's size); None for a payload that
    relies on entities or controls (its marker is still looked for, and its markup)."""
    return payload.text[:size] if payload.plain else None


def flat(text: str) -> str:
    """Whitespace collapsed and the bidi controls dropped (innerText and textContent keep them, but not
    Playwright's text matching), for comparing a payload with what the page shows."""
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(text.split())


@dataclass
class Tally:
    """What the live surfaces showed, for the report and the final assertions."""

    arrived: dict[str, int] = field(default_factory=dict)  # surface -> payloads seen rendered there
    markup: list[str] = field(default_factory=list)  # elements/handlers a payload created
    not_text: list[str] = field(default_factory=list)  # plain-text surfaces not showing the payload as text
    visits: list[Visit] = field(default_factory=list)
    kept_open: list[Visit] = field(default_factory=list)  # pages that must take every record without reloading

    def check(self, surface: str, root: Locator, payload: Payload, allowed: list[str], text: str | None) -> None:
        """`root` holds the live-rendered record: its marker is there (waited for), nothing it should not be,
        and `text` (when the surface is plain text) among its text."""
        expect(root).to_contain_text(payload.marker, timeout=LIVE)
        self.arrived[surface] = self.arrived.get(surface, 0) + 1
        bad = root.evaluate(DANGER, allowed)
        self.markup += [f"{surface} {payload.marker}: {b}" for b in bad]
        if text is not None and flat(text) not in flat(root.evaluate("r => r.textContent")):
            self.not_text.append(f"{surface} {payload.marker}: {text!r}")

    def watch(self, visit: Visit) -> Visit:
        self.visits.append(visit)
        return visit

    def keep_open(self, *visits: Visit) -> None:
        """Mark these pages (open, before anything is posted): what they show afterwards came live."""
        for visit in visits:
            visit.page.evaluate("window.__xss_live_page = true")
            self.kept_open.append(visit)

    def assert_kept_open(self) -> None:
        reloaded = [v.page.url for v in self.kept_open if not v.page.evaluate("window.__xss_live_page === true")]
        assert reloaded == [], f"pages reloaded or navigated instead of taking the records live: {reloaded}"


def also_open(visit: Visit, path: str) -> Visit:
    """Another page of the same viewer (its context: logged in, the marker hook defined), watched too."""
    page = visit.page.context.new_page()
    other = Visit(page, Console(page), visit.base)
    page.on(
        "response", lambda r: r.url.startswith(visit.base) and other.headers.extend(header_problems(r.url, r.headers))
    )
    other.open(path)
    return other


def wait_live(visit: Visit, selector: str = "[data-live-status]") -> None:
    expect(visit.page.locator(selector).first).to_have_attribute("data-state", "live", timeout=LIVE)


def finish(tally: Tally, started: float, what: str) -> None:
    calls = [call for v in tally.visits for call in v.collect()]
    problems = [p for v in tally.visits for p in v.console.problems]
    headers = [p for v in tally.visits for p in v.headers]
    print(
        f"\n{what}: {sum(tally.arrived.values())} payload renderings over {len(tally.arrived)} surfaces "
        f"{tally.arrived}, {len(tally.visits)} pages open, executed {len(calls)}, "
        f"{time.monotonic() - started:.0f}s"
    )
    assert calls == [], f"payloads executed: {sorted(set(calls))}"
    assert tally.markup == [], tally.markup[:20]
    assert tally.not_text == [], tally.not_text[:20]
    assert problems == [], problems[:20]  # CSP violations (a payload's handler blocked) and script errors
    assert headers == [], headers[:10]


@pytest.fixture(scope="module")
def xss_live_cell(tmp_path_factory) -> Iterator[LiveCell]:
    with running_cell(tmp_path_factory.mktemp("xss-live")) as cell:
        yield cell


def test_hotline_messages_arriving_live_run_nothing(browser: Browser, xss_live_cell: LiveCell):
    """SYR sends every payload on the hotline (priority: ISR owes an acknowledgement) while the mediator's and
    ISR's conversation pages and ISR's inbox are open; the mediator sends one of each family on the observers'
    channel while France's page of it is open."""
    started = time.monotonic()
    base = xss_live_cell.base
    tally = Tally()
    usa = tally.watch(log_in_watched(browser, base, "usa.mediator"))
    isr = tally.watch(log_in_watched(browser, base, "isr.liaison"))
    fra = tally.watch(log_in_watched(browser, base, "fra.observer"))
    usa.open("/hotline/hotline")
    isr.open("/hotline/hotline")
    fra.open("/hotline/observers")
    isr_inbox = tally.watch(also_open(isr, "/inbox"))
    for visit in (usa, isr, fra):
        wait_live(visit)
    tally.keep_open(usa, isr, fra, isr_inbox)
    # The inbox shows no live status: a message that arrives before its stream opens still arrives (the stream
    # resumes from the page's ledger position), so only the conversation pages are waited for.

    posted = Posted()
    syr = Api(base, "syr.liaison", posted)
    mediator = Api(base, "usa.mediator", posted)
    sent = []
    for payload in PAYLOADS:
        made = syr.post("/api/v1/messages", {"channel": "hotline", "body": payload.text, "precedence": "priority"})
        sent.append((payload, made))
    to_observers = []
    for payload in one_per_kind():
        made = mediator.post("/api/v1/messages", {"channel": "observers", "body": payload.text})
        to_observers.append((payload, made))
    assert posted.refused == [], posted.refused

    for payload, made in sent:
        for who, visit in (("usa", usa), ("isr", isr)):
            body = visit.page.locator(f"[data-messages] #msg-{made['id']} .message-body")
            tally.check(f"hotline ({who})", body, payload, HOTLINE_TAGS, None)
        # The inbox lists the message's excerpt (its text with the sanitised Markdown's tags stripped).
        row = isr_inbox.page.locator("#inbox-sections td.inbox-excerpt", has_text=payload.marker)
        tally.check("inbox (isr)", row, payload, ["span"], None)
    for payload, made in to_observers:
        body = fra.page.locator(f"[data-messages] #msg-{made['id']} .message-body")
        tally.check("observers channel (fra)", body, payload, HOTLINE_TAGS, None)
    tally.assert_kept_open()
    # Raw HTML is off in Markdown's zero preset: a payload without Markdown syntax shows as typed.
    for payload, made in sent:
        if payload.kind not in ("markdown", "entity", "template") and payload.plain:
            shown = usa.page.locator(f"#msg-{made['id']} .message-body").text_content()
            if flat(payload.text) not in flat(shown):
                tally.not_text.append(f"hotline {payload.marker}: {payload.text!r} shown as {shown!r}")
    finish(tally, started, "hotline")


def test_wall_feed_lines_arriving_live_run_nothing(browser: Browser, xss_live_cell: LiveCell):
    """The operations-room wall, open as the mediator (SYR's intelligence reports arrive) and as ISR (the
    mediator's draft statements and meetings arrive): each line's summary is the record's title, as text."""
    started = time.monotonic()
    base = xss_live_cell.base
    tally = Tally()
    usa = tally.watch(log_in_watched(browser, base, "usa.mediator"))
    isr = tally.watch(log_in_watched(browser, base, "isr.liaison"))
    for visit in (usa, isr):
        visit.open("/wall")
        wait_live(visit, "#wall-live")
    tally.keep_open(usa, isr)
    posted = Posted()
    syr_intel = Api(base, "syr.intel", posted)
    mediator = Api(base, "usa.mediator", posted)
    now = datetime.now(UTC)
    payloads = one_per_kind()
    # The feed keeps its last 25 lines: a few records at a time, each checked before the next batch.
    for start in range(0, len(payloads), 4):
        batch = []
        for index, payload in enumerate(payloads[start : start + 4], start=start):
            text = payload.text
            report = {
                "title": text[:300],
                "summary": text,
                "place": {"lat": 33.12, "lon": 35.82, "name": text[:200]},
                "releasable_to": ["USA", "ISR"],
                "marking": "TLP:AMBER",
            }
            statement = {"title": text[:300], "required_parties": ["ISR", "SYR"], "texts": {"en": text}}
            meeting = {
                "title": text[:200],
                "venue": text[:300],
                "starts_at": (now + timedelta(days=1, hours=index)).isoformat(),
                "ends_at": (now + timedelta(days=1, hours=index + 1)).isoformat(),
                "participants": [{"party": "ISR"}, {"party": "SYR"}, {"party": "USA"}],
                "agenda": [text],
            }
            made_report = syr_intel.post("/api/v1/intel/reports", report)
            made_statement = mediator.post("/api/v1/statements", statement)
            made_meeting = mediator.post("/api/v1/meetings", meeting)
            batch.append((payload, made_report, made_statement, made_meeting))
        assert posted.refused == [], posted.refused
        for payload, report, statement, meeting in batch:
            # wall.js writes a summary's codes as words: dashes and underscores become spaces.
            said = payload.text.replace("-", " ").replace("_", " ")
            for surface, visit, record, size in (
                ("wall intel report (usa)", usa, report, 300),
                ("wall statement (isr)", isr, statement, 300),
                ("wall meeting (isr)", isr, meeting, 200),
            ):
                line = visit.page.locator(f"#wall-feed li[data-record='{record['id']}']").first
                tally.check(surface, line, payload, ["span"], said[:size] if payload.plain else None)
    tally.assert_kept_open()
    finish(tally, started, "wall")


def hostile_zones(payloads: list[Payload]) -> dict:
    """zones_stub() with hostile names: every line (bindTooltip) and place (marker title, popup) named by a
    payload, plus one extra line per payload beside the others, so each payload has a tooltip of its own."""
    stub = zones_stub()
    lines = [f for f in stub["features"] if f["properties"]["kind"] == "line"]
    places = [f for f in stub["features"] if f["properties"]["kind"] == "place"]
    template = lines[0]
    for number in range(len(payloads)):
        shifted = [[lon + 0.02 * (number + 1), lat] for lon, lat in template["geometry"]["coordinates"]]
        properties = {"code": f"xss-line-{number}", "kind": "line", "schematic": True, "names": {}}
        stub["features"].append(
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": shifted}, "properties": properties}
        )
    named = [f for f in stub["features"] if f["properties"]["kind"] == "line" and f not in lines] + places
    for feature, payload in zip(named, payloads * 2, strict=False):
        feature["properties"]["names"] = {"en": payload.text, "ar": payload.text, "he": payload.text}
        feature["properties"]["note"] = payload.text
    return stub


def open_map(visit: Visit, zones: dict | None) -> list[str]:
    """/map with every request off the machine aborted (and recorded), GET /api/v1/zones answered with
    `zones` when given; waits until the map is drawn and live."""
    outside: list[str] = []

    def guard(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.hostname != "127.0.0.1":
            outside.append(route.request.url)
            route.abort()
        elif zones is not None and url.path == "/api/v1/zones":
            route.fulfill(response=route.fetch(), json=zones)  # the server's headers, the test's features
        else:
            route.fallback()  # the network (or a route registered before this one)

    visit.page.context.route("**/*", guard)
    visit.open("/map")
    expect(visit.page.get_by_test_id("map")).to_have_attribute("data-state", "ready", timeout=LIVE)
    wait_live(visit, "[data-testid=map-live]")
    return outside


POINTER = """(element, type) => {
    const box = element.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    for (const name of type.split(' ')) {
        const options = {bubbles: true, cancelable: true, view: window, clientX: x, clientY: y};
        element.dispatchEvent(new MouseEvent(name, options));
    }
}"""


def popup_of(visit: Visit, target: Locator) -> Locator:
    """Hover then click `target` (a marker or shape: dispatched, as markers at one point overlap), and
    return the popup it opens (the newest, as the previous one fades out)."""
    visit.page.evaluate("document.querySelectorAll('.leaflet-popup-close-button').forEach(b => b.click())")
    target.evaluate(POINTER, "mouseover mousemove click")
    return visit.page.locator(".leaflet-popup-content").last


def test_map_records_arriving_live_and_tooltips_run_nothing(browser: Browser, xss_live_cell: LiveCell):
    """ISR's map (zones answered with hostile names) and the mediator's, open while SYR reports incidents,
    announces notices and registers positions carrying payloads; each marker is hovered and clicked, each
    line's tooltip and each place's popup opened; then projects named by payloads, their site's tooltip."""
    started = time.monotonic()
    base = xss_live_cell.base
    tally = Tally()
    payloads = one_per_kind()
    isr = tally.watch(log_in_watched(browser, base, "isr.liaison"))
    usa = tally.watch(log_in_watched(browser, base, "usa.mediator"))
    outside = open_map(isr, hostile_zones(payloads))
    outside += open_map(usa, None)
    # An observer's operations-room wall: map.js again, on a canvas without the filter form.
    fra = tally.watch(log_in_watched(browser, base, "fra.observer"))
    fra.open("/wall")
    expect(fra.page.get_by_test_id("map")).to_have_attribute("data-state", "ready", timeout=LIVE)
    wait_live(fra, "#wall-live")
    notice_paths = ".leaflet-notices-pane path.map-notice"
    notices_before = [v.page.locator(notice_paths).count() for v in (isr, usa, fra)]
    tally.keep_open(isr, usa, fra)

    posted = Posted()
    syr = Api(base, "syr.liaison", posted)
    now = datetime.now(UTC)
    records = []  # (payload, kind, record)
    for index, payload in enumerate(payloads):
        text = payload.text
        incident = {
            "occurred_at": (now - timedelta(minutes=5 + index)).isoformat(),
            "location": POINT,
            "type": "armed-clash",
            "severity": 2,
            "description": text,
            "releasable_to": ["USA", "ISR", "FRA"],  # the observer's wall too (a notice likewise)
        }
        notice = {
            "activity": "humanitarian-convoy",
            "circle": {"lat": 33.12, "lon": 35.82, "radius_km": 2},
            "starts_at": (now + timedelta(hours=13)).isoformat(),
            "ends_at": (now + timedelta(hours=16)).isoformat(),
            "description": text,
            "releasable_to": ["USA", "ISR", "FRA"],
        }
        position = {"name": text[:200], "location": POINT, "description": text}
        records.append((payload, "incident", syr.post("/api/v1/incidents", incident)))
        records.append((payload, "notice", syr.post("/api/v1/notices", notice)))
        records.append((payload, "position", syr.post("/api/v1/positions", position)))
    assert posted.refused == [], posted.refused

    for who, visit, before in zip(("isr", "usa", "fra wall"), (isr, usa, fra), notices_before, strict=True):
        page = visit.page
        expect(page.locator(notice_paths)).to_have_count(before + len(payloads), timeout=LIVE)
        for payload, kind, record in records:
            if kind == "notice":
                continue
            marker = page.locator(f"path.map-record-{record['id']}")
            expect(marker).to_have_count(1, timeout=LIVE)
            popup = popup_of(visit, marker)
            shown = as_text(payload, 200 if kind == "position" else 240)  # a position's name; a description's cut
            tally.check(f"map {kind} popup ({who})", popup, payload, POPUP_TAGS, shown)
            assert page.locator(".leaflet-tooltip").count() == 0, "a record's marker has no tooltip"
        # Notices carry no id on the map: each one's popup, then every posted marker among them.
        seen: dict[str, Locator] = {}
        for number in range(page.locator(notice_paths).count()):
            popup = popup_of(visit, page.locator(notice_paths).nth(number))
            expect(popup).to_be_visible()
            content = popup.text_content()
            for payload in payloads:
                if payload.marker in content and payload.marker not in seen:
                    seen[payload.marker] = popup
                    tally.check(f"map notice popup ({who})", popup, payload, POPUP_TAGS, None)
                    if payload.plain and flat(payload.text[:240]) not in flat(content):
                        tally.not_text.append(f"map notice popup {payload.marker}: {payload.text!r}")
        missing = [p.marker for p in payloads if p.marker not in seen]
        assert missing == [], f"notices never shown on {who}'s map: {missing}"

    # Tooltips: every line of ISR's map named by a payload, hovered; places: their title and popup.
    page = isr.page
    page.evaluate("document.querySelectorAll('.leaflet-popup-close-button').forEach(b => b.click())")
    lines = page.locator(".leaflet-lines-pane path.map-zone--line")
    tooltips_seen = set()
    for number in range(lines.count()):
        line = lines.nth(number)
        line.evaluate(POINTER, "mouseover mousemove")
        tooltip = page.locator(".leaflet-tooltip").last
        expect(tooltip).to_be_visible()
        content = tooltip.text_content()
        for payload in payloads:
            if payload.marker in content and payload.marker not in tooltips_seen:
                tooltips_seen.add(payload.marker)
                tally.check("map line tooltip (isr)", tooltip, payload, ["span"], as_text(payload))
        line.evaluate(POINTER, "mouseout")
    assert tooltips_seen == {p.marker for p in payloads}, sorted({p.marker for p in payloads} - tooltips_seen)
    places = page.locator(".leaflet-marker-pane .map-place-icon")
    for number in range(min(places.count(), len(payloads))):
        place = places.nth(number)
        title = place.get_attribute("title") or ""
        payload = next((p for p in payloads if p.marker in title), None)
        if payload is None:
            continue
        if payload.plain and flat(title) != flat(payload.text):
            tally.not_text.append(f"place title {payload.marker}: {title!r}")
        popup = popup_of(isr, place)
        tally.check("map place popup (isr)", popup, payload, POPUP_TAGS, as_text(payload))

    tally.assert_kept_open()  # before the mediator's page moves on to the projects
    # A project's page: its map's site tooltip (the page's own words) hovered, the name shown as text.
    mediator = Api(base, "usa.mediator", posted)
    for payload in payloads:
        project = {"name": payload.text[:200], "description": payload.text, "site": POINT}
        made = mediator.post("/api/v1/projects", project)
        assert made, posted.refused
        usa.open(f"/projects/{made['id']}")
        expect(usa.page.get_by_test_id("project-map")).to_have_attribute("data-state", "drawn", timeout=LIVE)
        site = usa.page.locator("#project-map path.map-project-site").first
        site.evaluate(POINTER, "mouseover mousemove")
        tooltip = usa.page.locator("#project-map .leaflet-tooltip")
        expect(tooltip).to_have_text(usa.page.get_by_test_id("project-map").get_attribute("data-text-site"))
        bad = tooltip.evaluate(DANGER, [])
        tally.markup += [f"project site tooltip {payload.marker}: {b}" for b in bad]
        heading = usa.page.locator("h1")
        tally.check("project page heading (usa)", heading, payload, ["span", "bdi"], as_text(payload, 200))
        tally.arrived["project site tooltip (usa)"] = tally.arrived.get("project site tooltip (usa)", 0) + 1

    assert outside == [], outside[:5]
    finish(tally, started, "map")
