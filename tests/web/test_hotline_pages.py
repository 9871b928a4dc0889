"""The hotline's pages over HTTP: channel list and unread counts, the composer (CSRF, idempotency), the
acknowledge button, the mediator's review and relay forms, retraction, the inbox, and what a party may
never see (other channels, other parties' fragments) — on both databases."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fusioncell.app import create_app
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.types import utcnow
from fusioncell.hotline.models import Attachment, Message
from fusioncell.hotline.scheduled import escalate_overdue
from fusioncell.ledger.service import tree_size
from tests.access.matrix import MatrixCase, assert_matrix_holds
from tests.hotline.test_matrix import MISSING, make_message
from tests.support import bearer
from tests.web.test_pages import HTML, browser_login, csrf_of


@pytest.fixture
def as_(browser):
    """Here a member's logged-in browser (tests/web/conftest.py)."""
    return browser


@pytest.fixture
def api(client, population):
    """Send a message over the API as a member: the other side of what the pages show."""

    def send(party: str, role: str = "liaison", **fields) -> dict:
        body = {"channel": "hotline", "body": "hello"} | fields
        response = client.post("/api/v1/messages", json=body, headers=bearer(population.member(party, role)))
        assert response.status_code == 201, response.text
        return response.json()

    return send


def page(browser: TestClient, path: str) -> str:
    response = browser.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def unread(html: str, channel: str) -> int:
    cell = re.search(rf'data-testid="unread-{channel}">(.*?)</td>', html, re.S).group(1)
    return int(re.sub(r"<[^>]+>", "", cell).strip())


def form_key(html: str) -> str:
    return csrf_of(html, "idempotency_key")


def message_count(client, population, channel="hotline") -> int:
    member = population.member("USA", "liaison")
    return len(client.get(f"/api/v1/messages?channel={channel}&limit=200", headers=bearer(member)).json()["items"])


def test_the_channel_list_counts_unread_messages_until_the_page_reads_them(as_, api, db):
    api("ISR", body="first")
    api("ISR", body="second", precedence="immediate")
    syr, isr = as_("syr.liaison"), as_("isr.liaison")

    listing = page(syr, "/hotline")
    assert unread(listing, "hotline") == 2 and unread(listing, "plenary") == 0
    assert 'href="/hotline/hotline"' in listing and 'href="/hotline/usa-syr"' in listing
    assert "usa-isr" not in listing  # a channel SYR is not in is not even named
    assert unread(page(isr, "/hotline"), "hotline") == 0  # its own messages are not unread
    assert re.search(r'data-testid="due-hotline">\s*<span class="count count-ack">1<', listing)

    size = tree_size(db)
    conversation = page(syr, "/hotline/hotline")
    assert tree_size(db) == size, "a GET wrote to the record"
    assert unread(page(syr, "/hotline"), "hotline") == 2  # opening the page alone records nothing
    ids = re.findall(r'<input type="hidden" name="ids" value="([^"]+)">', conversation)
    assert len(ids) == 2 and 'hx-post="/hotline/hotline/read"' in conversation and 'hx-trigger="load"' in conversation

    token = csrf_of(conversation, "csrf_token")
    assert syr.post("/hotline/hotline/read", data={"ids": ids}).status_code == 403  # no CSRF token
    assert syr.post("/hotline/hotline/read", data={"ids": ids}, headers={"X-CSRF-Token": token}).status_code == 204
    assert unread(page(syr, "/hotline"), "hotline") == 0
    assert 'name="ids"' not in page(syr, "/hotline/hotline")  # nothing left to mark
    # The sender's side sees the read receipts.
    assert page(isr, "/hotline/hotline").count("Read by <strong>SYR</strong>") == 2


def test_sending_through_the_form_needs_the_csrf_token_and_never_duplicates(as_, client, population):
    isr = as_("isr.liaison")
    html = page(isr, "/hotline/hotline")
    token, key = csrf_of(html, "csrf_token"), form_key(html)
    assert 'name="body" dir="auto"' in html and 'name="precedence"' in html
    before = message_count(client, population)
    form = {"body": "Convoy delayed at the crossing.", "precedence": "flash", "idempotency_key": key}

    refused = isr.post("/hotline/hotline/messages", data=form, headers=HTML)
    assert refused.status_code == 403
    assert message_count(client, population) == before

    first = isr.post("/hotline/hotline/messages", data=form | {"csrf_token": token}, follow_redirects=False)
    again = isr.post("/hotline/hotline/messages", data=form | {"csrf_token": token}, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert first.headers["location"].startswith("/hotline/hotline#msg-")
    assert message_count(client, population) == before + 1

    message_id = first.headers["location"].split("#msg-")[1]
    seen = client.get(f"/api/v1/messages/{message_id}", headers=bearer(population.member("SYR", "liaison"))).json()
    assert seen["precedence"] == "flash" and seen["body"] == "Convoy delayed at the crossing."
    assert page(isr, "/hotline/hotline").count(f'id="msg-{message_id}"') == 1
    assert form_key(page(isr, "/hotline/hotline")) != key  # a new form, a new key


def test_a_bad_send_shows_the_form_again_with_the_text_and_stores_nothing(as_, client, population):
    isr = as_("isr.liaison")
    html = page(isr, "/hotline/hotline")
    token, key = csrf_of(html, "csrf_token"), form_key(html)
    before = message_count(client, population)
    empty = isr.post(
        "/hotline/hotline/messages", data={"body": "   ", "idempotency_key": key, "csrf_token": token}, headers=HTML
    )
    assert empty.status_code == 422 and "Write the message before sending it" in empty.text
    wrong = isr.post(
        "/hotline/hotline/messages",
        data={"body": "keep <this> text", "precedence": "urgent!", "idempotency_key": key, "csrf_token": token},
        headers=HTML,
    )
    assert wrong.status_code == 422 and "keep &lt;this&gt; text</textarea>" in wrong.text
    assert message_count(client, population) == before


def test_the_acknowledge_button_and_its_countdown(as_, api):
    flash = api("ISR", body="Drone heading east.", precedence="flash")
    syr = as_("syr.liaison")
    html = page(syr, "/hotline/hotline")
    article = re.search(rf'<article id="msg-{flash["id"]}".*?</article>', html, re.S).group(0)
    assert f'action="/hotline/messages/{flash["id"]}/acknowledge"' in article
    assert re.search(r'<time class="countdown" datetime="[^"]+"[^>]*data-countdown', article)
    assert "owes-ack" in article
    inbox = page(syr, "/inbox")
    assert flash["id"] in inbox and "Acknowledgements your party owes" in inbox

    # htmx: the answer is the message's fresh fragment, swapped in place.
    token = csrf_of(html, "csrf_token")
    swapped = syr.post(
        f"/hotline/messages/{flash['id']}/acknowledge", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert swapped.status_code == 200 and swapped.text.lstrip().startswith(f'<article id="msg-{flash["id"]}"')
    assert "Acknowledged by <strong>SYR</strong>" in swapped.text and "owes-ack" not in swapped.text
    assert flash["id"] not in page(syr, "/inbox")
    # ISR sees the acknowledgement; a plain form post goes back where it came from.
    isr = as_("isr.liaison")
    assert "Acknowledged by <strong>SYR</strong>" in page(isr, "/hotline/hotline")
    second = api("ISR", precedence="immediate")
    plain = syr.post(
        f"/hotline/messages/{second['id']}/acknowledge",
        data={"csrf_token": token, "next": "/inbox"},
        follow_redirects=False,
    )
    assert plain.status_code == 303 and plain.headers["location"] == "/inbox"
    offsite = syr.post(
        f"/hotline/messages/{second['id']}/acknowledge",
        data={"csrf_token": token, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert offsite.headers["location"] == "/"


@pytest.fixture
def supervised_hotline(runtime):
    data = runtime.cell.model_dump(mode="json")
    for channel in data["channels"]:
        if channel["code"] == "hotline":
            channel["supervised_delivery"] = True
    runtime.cell = CellDefinition.model_validate(data)
    return runtime


def test_the_mediator_approves_and_returns_held_messages(as_, api, supervised_hotline):
    held = api("ISR", body="Held for approval.", precedence="flash")
    other = api("ISR", body="Needs another tone.")
    usa, isr, syr = as_("usa.liaison"), as_("isr.liaison"), as_("syr.liaison")

    html = page(usa, "/hotline/hotline")
    token = csrf_of(html, "csrf_token")
    assert f'action="/hotline/messages/{held["id"]}/approve"' in html and "Held for your review" in html
    assert "Waiting for the mediator" in page(isr, "/hotline/hotline")
    assert "Held for approval." not in page(syr, "/hotline/hotline")
    reviews = page(usa, "/inbox")
    assert "Held for your review" in reviews and held["id"] in reviews and other["id"] in reviews
    assert "Held for your review" not in page(syr, "/inbox")  # only the mediator's section

    # A principal cannot approve what it may not read: the 404 of a missing message.
    syr_token = csrf_of(page(syr, "/hotline/hotline"), "csrf_token")
    assert syr.post(f"/hotline/messages/{held['id']}/approve", data={"csrf_token": syr_token}).status_code == 404

    approved = usa.post(
        f"/hotline/messages/{held['id']}/approve", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert approved.status_code == 200 and 'data-status="released"' in approved.text
    assert "Held for approval." in page(syr, "/hotline/hotline")

    no_comment = usa.post(f"/hotline/messages/{other['id']}/return", data={"csrf_token": token, "comment": " "})
    assert no_comment.status_code == 422
    returned = usa.post(
        f"/hotline/messages/{other['id']}/return",
        data={"csrf_token": token, "comment": "Tone it <down>", "next": "/inbox"},
        follow_redirects=False,
    )
    assert returned.status_code == 303 and returned.headers["location"] == "/inbox"
    mine = page(isr, "/hotline/hotline")
    assert "Returned by the mediator" in mine and "Tone it &lt;down&gt;" in mine
    assert other["id"] not in page(usa, "/hotline/hotline")  # a draft of ISR's again


def test_the_mediator_relays_between_the_bilateral_channels(as_, api):
    proposal = api("ISR", channel="usa-isr", body="Original wording, for the mediator only.")
    usa, syr, isr = as_("usa.liaison"), as_("syr.liaison"), as_("isr.liaison")
    html = page(usa, "/hotline/usa-isr")
    assert f'action="/hotline/messages/{proposal["id"]}/relay"' in html
    assert f'action="/hotline/messages/{proposal["id"]}/relay"' not in page(isr, "/hotline/usa-isr")
    relayed = usa.post(
        f"/hotline/messages/{proposal['id']}/relay",
        data={"csrf_token": csrf_of(html, "csrf_token"), "channel": "usa-syr", "body": "Paraphrase for Damascus."},
        follow_redirects=False,
    )
    assert relayed.status_code == 303 and relayed.headers["location"].startswith("/hotline/usa-syr#msg-")
    seen = page(syr, "/hotline/usa-syr")
    assert "Paraphrase for Damascus." in seen and "Relayed by the mediator" in seen
    assert "Original wording" not in seen and proposal["id"] not in seen
    assert f'href="/hotline/usa-isr#msg-{proposal["id"]}"' in page(usa, "/hotline/usa-syr")  # the source, linked


def test_a_party_retracts_its_own_message_with_a_reason(as_, api):
    message = api("ISR", body="Sent in error: grid 1234.")
    isr, syr = as_("isr.liaison"), as_("syr.liaison")
    html = page(isr, "/hotline/hotline")
    assert f'action="/hotline/messages/{message["id"]}/retract"' in html
    assert f'action="/hotline/messages/{message["id"]}/retract"' not in page(syr, "/hotline/hotline")
    token = csrf_of(html, "csrf_token")
    assert isr.post(f"/hotline/messages/{message['id']}/retract", data={"csrf_token": token}).status_code == 422
    done = isr.post(
        f"/hotline/messages/{message['id']}/retract",
        data={"csrf_token": token, "reason": "Wrong grid reference."},
        headers={"HX-Request": "true"},
    )
    assert done.status_code == 200 and "Retracted" in done.text
    seen = page(syr, "/hotline/hotline")
    assert "Wrong grid reference." in seen and "grid 1234" not in seen


def test_a_party_never_sees_a_channel_it_is_not_in(as_, client):
    syr, fra = as_("syr.liaison"), as_("fra.observer")
    missing = syr.get("/hotline/nowhere")
    hidden = syr.get("/hotline/usa-isr")
    assert missing.status_code == hidden.status_code == 404 and hidden.json() == missing.json()
    assert fra.get("/hotline/hotline").status_code == 404
    token = csrf_of(page(syr, "/hotline"), "csrf_token")
    post = syr.post("/hotline/usa-isr/messages", data={"csrf_token": token, "body": "x", "idempotency_key": "k" * 16})
    assert post.status_code == 404 and post.json() == missing.json()
    read = syr.post("/hotline/usa-isr/read", data={"csrf_token": token})
    assert read.status_code == 404 and read.json() == missing.json()
    # The mediator supervises every channel; an observer reads its own channel but posts only as allowed.
    assert as_("usa.liaison").get("/hotline/usa-isr", headers=HTML).status_code == 200
    assert "New message" in page(fra, "/hotline/observers")


def test_fragments_and_actions_obey_the_matrix(client, db, population, cell):
    """The fragment (and every action of the pages) under the full matrix: an unreadable message is
    the very 404 of a missing one, for every member of every party and every envelope state."""
    case = MatrixCase(
        name="message fragments",
        create=make_message,
        detail_path=lambda i: f"/hotline/messages/{i}/fragment",
        missing_id=MISSING,
        actions=[
            lambda i: ("POST", f"/hotline/messages/{i}/acknowledge", None),
            lambda i: ("POST", f"/hotline/messages/{i}/approve", None),
            lambda i: ("POST", f"/hotline/messages/{i}/return", None),
            lambda i: ("POST", f"/hotline/messages/{i}/relay", None),
            lambda i: ("POST", f"/hotline/messages/{i}/retract", None),
        ],
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_another_partys_fragment_is_the_404_of_a_missing_one(as_, api):
    private = api("ISR", channel="usa-isr", body="For the mediator only.")
    syr = as_("syr.liaison")
    missing = syr.get(f"/hotline/messages/{MISSING}/fragment")
    hidden = syr.get(f"/hotline/messages/{private['id']}/fragment")
    assert missing.status_code == hidden.status_code == 404 and hidden.content == missing.content
    own = as_("isr.liaison").get(f"/hotline/messages/{private['id']}/fragment")
    assert own.status_code == 200 and own.text.lstrip().startswith(f'<article id="msg-{private["id"]}"')
    assert "<html" not in own.text  # a fragment, not a page


def test_script_in_a_body_is_inert_and_rtl_text_sits_in_dir_auto(as_, api):
    api("ISR", body='<script>alert("x")</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) **ok**')
    arabic = api("SYR", body="طائرة مسيرة فوق القنيطرة")
    hebrew = api("ISR", body="רחפן מעל קוניטרה")
    html = page(as_("usa.liaison"), "/hotline/hotline")
    body = re.search(r'<div class="message-body"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "<script" not in body and "<img" not in body and 'href="javascript:' not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body  # shown as the text it was, inert
    assert re.search(r"<[a-z][^>]*\son\w+=", html) is None  # no element anywhere carries a handler
    assert "<strong>ok</strong>" in body
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # no inline script on the page at all
    for message, lang, text in ((arabic, "ar", "طائرة مسيرة فوق القنيطرة"), (hebrew, "he", "רחפן מעל קוניטרה")):
        article = re.search(rf'<article id="msg-{message["id"]}".*?</article>', html, re.S).group(0)
        body = re.search(r'<div class="message-body" dir="auto" lang="(\w+)">(.*?)</div>', article, re.S)
        assert body.group(1) == lang and text in body.group(2)
    assert 'style="' not in html and " onclick=" not in html


def test_the_inbox_lists_escalations_for_the_mediators_supervisors(as_, api, db, cell):
    flash = api("ISR", body="Unanswered flash.", precedence="flash")
    raised = escalate_overdue(db, cell=cell, now=utcnow() + timedelta(minutes=6))
    assert [str(e.message_id) for e in raised] == [flash["id"]]
    db.commit()
    inbox = page(as_("usa.supervisor"), "/inbox")
    table = re.search(r'data-testid="inbox-escalations".*?</table>', inbox, re.S).group(0)
    assert "Unanswered flash." in table and f'href="/hotline/hotline#msg-{flash["id"]}"' in table
    assert "SYR" in table
    syr_inbox = page(as_("syr.liaison"), "/inbox")
    assert "Escalations" not in syr_inbox and "Unanswered flash." in syr_inbox  # SYR still owes it


def test_older_messages_page_through_the_cursor(as_, api, db, population):
    for n in range(103):
        db.add(
            Message(
                channel="plenary",
                body=f"bulk {n:03d}",
                language="en",
                origin_party="USA",
                created_by="usa.liaison",
                status="released",
                releasable_to=frozenset({"ISR", "SYR"}),
            )
        )
    db.commit()
    isr = as_("isr.liaison")
    newest = page(isr, "/hotline/plenary")
    assert "bulk 102" in newest and "bulk 002" not in newest
    older = re.search(r'href="(/hotline/plenary\?before=[^"]+)"', newest).group(1)
    earlier = page(isr, older)
    assert "bulk 000" in earlier and "bulk 102" not in earlier and 'id="composer"' not in earlier


# ---------- files from the composer ----------

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def attachment_rows(db) -> list[Attachment]:
    db.expire_all()
    return list(db.execute(select(Attachment)).scalars())


def stored_files(runtime) -> list:
    root = runtime.settings.resolved_attachments_dir()
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def compose(browser: TestClient, channel: str = "hotline", files=(), **fields):
    """The composer's form as the browser sends it: multipart, with the page's CSRF token and key."""
    html = page(browser, f"/hotline/{channel}")
    form = {"body": "See the attached.", "precedence": "routine"}
    form |= {"csrf_token": csrf_of(html, "csrf_token"), "idempotency_key": form_key(html)} | fields
    parts = [("attachments", file) for file in files] or [("attachments", ("", b"", "application/octet-stream"))]
    return browser.post(f"/hotline/{channel}/messages", data=form, files=parts, headers=HTML, follow_redirects=False)


def test_files_sent_from_the_composer_go_with_the_message_to_its_readers(as_, client, db, population, runtime):
    isr, syr = as_("isr.liaison"), as_("syr.liaison")
    html = page(isr, "/hotline/hotline")
    assert 'enctype="multipart/form-data"' in html
    field = re.search(r'<input type="file" id="composer-files" name="attachments" multiple[^>]*>', html, re.S).group(0)
    assert 'accept="application/pdf,image/jpeg,image/png,text/csv,text/plain"' in field

    files = [("grid.pdf", PDF, "application/pdf"), ("<img src=x>.txt", b"line one\n", "text/plain")]
    sent = compose(isr, files=files, body="Grid map attached.", idempotency_key=form_key(html))
    assert sent.status_code == 303, sent.text[:500]
    message_id = sent.headers["location"].split("#msg-")[1]
    view = client.get(f"/api/v1/messages/{message_id}", headers=bearer(population.member("SYR", "liaison"))).json()
    assert len(view["attachments"]) == 2
    rows = {a.filename: a for a in attachment_rows(db)}
    assert {str(a.id) for a in rows.values()} == set(view["attachments"])
    assert all(str(a.message_id) == message_id and a.status == "released" for a in rows.values())
    assert len(stored_files(runtime)) == 2  # content-addressed, under their digests

    pdf = rows["grid.pdf"]
    for reader in (isr, syr, as_("usa.liaison")):
        article = re.search(rf'<article id="msg-{message_id}".*?</article>', page(reader, "/hotline/hotline"), re.S)
        listed = re.search(r'<ul class="attachments".*?</ul>', article.group(0), re.S).group(0)
        assert f'<a href="/api/v1/attachments/{pdf.id}/content" download><bdi>grid.pdf</bdi></a>' in listed
        assert f"{len(PDF)} bytes · <bdi>application/pdf</bdi>" in listed
        assert "&lt;img src=x&gt;.txt" in listed and "<img" not in listed  # a name is text, escaped
    served = syr.get(f"/api/v1/attachments/{pdf.id}/content")  # the reader's session cookie suffices
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["content-disposition"].startswith("attachment")

    # The same form sent again (a double click, a reload): the first message, and no file recorded twice.
    again = isr.post(
        "/hotline/hotline/messages",
        data={
            "body": "Grid map attached.",
            "precedence": "routine",
            "csrf_token": csrf_of(html, "csrf_token"),
            "idempotency_key": form_key(html),
        },
        files=[("attachments", file) for file in files],
        follow_redirects=False,
    )
    assert again.status_code == 303 and again.headers["location"] == sent.headers["location"]
    assert len(attachment_rows(db)) == 2


@pytest.mark.parametrize(
    ("files", "status", "problem"),
    [
        ([("tool.exe", b"MZ\x90\x00", "application/x-msdownload")], 422, "tool.exe: files of type"),
        ([("ok.pdf", PDF, "application/pdf"), ("fake.pdf", b"<script>", "application/pdf")], 422, "fake.pdf: "),
        ([("empty.txt", b"", "text/plain")], 422, "empty.txt: the file is empty"),
        ([("big.txt", b"a" * 4096, "text/plain")], 413, "big.txt: the file is larger than the limit of 2048"),
        ([("a.txt", b"a" * 1500, "text/plain"), ("b.txt", b"b" * 1500, "text/plain")], 413, "files together"),
        ([("n.txt", b"n", "text/plain")] * 11, 422, "attach at most 10 files"),
    ],
)
def test_a_refused_file_sends_nothing_and_stores_nothing(as_, client, db, population, runtime, files, status, problem):
    runtime.settings.attachment_max_bytes = 2048  # the page's own check (the edge's limit stays larger)
    isr = as_("isr.liaison")
    size, count = tree_size(db), message_count(client, population)
    refused = compose(isr, files=files, body="Keep <this> text.")
    assert refused.status_code == status, refused.text[:500]
    error = re.search(r'<div class="alert" role="alert" id="composer-error"><p>(.*?)</p>', refused.text, re.S).group(1)
    assert error.startswith("Not sent: ") and problem in error and "choose the files again" in error
    assert "Keep &lt;this&gt; text.</textarea>" in refused.text  # the text as typed, escaped
    assert tree_size(db) == size and message_count(client, population) == count
    assert attachment_rows(db) == [] and stored_files(runtime) == []  # not even the good file of the lot


def test_a_send_the_service_refuses_after_taking_the_files_records_none_of_them(as_, client, db, population):
    isr = as_("isr.liaison")
    size, count = tree_size(db), message_count(client, population)
    refused = compose(isr, files=[("grid.pdf", PDF, "application/pdf")], reply_to=MISSING)
    assert refused.status_code == 422 and "Not sent: reply_to: no such message" in refused.text
    assert tree_size(db) == size and message_count(client, population) == count
    assert attachment_rows(db) == []  # a file written meanwhile stays on disk unreferenced, as the API's would


def test_the_composer_takes_files_beyond_the_general_body_limit_up_to_its_own(runtime, db):
    runtime.settings.max_body_bytes, runtime.settings.attachment_max_bytes = 2048, 4096
    with TestClient(create_app(runtime, background=False)) as small:
        assert browser_login(small, "isr.liaison").status_code == 303
        taken = compose(small, files=[("log.txt", b"a" * 3000, "text/plain")])
        assert taken.status_code == 303, taken.text[:500]
        size = tree_size(db)
        too_much = compose(small, files=[("log.txt", b"a" * 8000, "text/plain")])
        assert too_much.status_code == 413 and too_much.headers["content-type"].startswith("text/html")
        assert "larger than the limit of 6,144 bytes; nothing was stored" in too_much.text
        assert tree_size(db) == size
        api = small.post("/hotline/hotline/messages", files=[("attachments", ("x.txt", b"a" * 8000, "text/plain"))])
        assert api.status_code == 413 and api.json()["error"]["code"] == "payload_too_large"  # no page asked


def test_a_party_that_may_not_read_the_message_cannot_fetch_its_file(as_, client, db, population):
    isr = as_("isr.liaison")
    sent = compose(isr, channel="usa-isr", files=[("plan.pdf", PDF, "application/pdf")], body="For the mediator.")
    assert sent.status_code == 303
    [attachment] = attachment_rows(db)
    content = f"/api/v1/attachments/{attachment.id}/content"
    assert as_("usa.liaison").get(content).content == PDF  # the mediator reads the channel
    syr, fra = as_("syr.liaison"), as_("fra.observer")
    for stranger in (syr, fra):
        missing = stranger.get(f"/api/v1/attachments/{MISSING}/content")
        hidden = stranger.get(content)
        assert hidden.status_code == missing.status_code == 404 and hidden.content == missing.content
        assert str(attachment.id) not in stranger.get("/hotline/hotline", headers=HTML).text
    by_token = client.get(content, headers=bearer(population.member("SYR", "liaison")))
    assert by_token.status_code == 404
