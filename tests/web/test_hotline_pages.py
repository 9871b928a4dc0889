"""The hotline's pages over HTTP: channel list and unread counts, the composer (CSRF, idempotency), the
acknowledge button, the mediator's review and relay forms, retraction, the inbox, and what a party may
never see (other channels, other parties' fragments) — on both databases."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from fusioncell.cell.definition import CellDefinition
from fusioncell.db.types import utcnow
from fusioncell.hotline.models import Message
from fusioncell.hotline.scheduled import escalate_overdue
from fusioncell.ledger.service import tree_size
from tests.access.matrix import MatrixCase, run_matrix
from tests.hotline.test_matrix import MISSING, make_message
from tests.support import bearer
from tests.web.test_pages import HTML, browser_login, csrf_of


@pytest.fixture
def as_(client):
    """A browser of its own (cookie jar) for each member, logged in through the login form."""

    def browser(username: str) -> TestClient:
        other = TestClient(client.app)
        assert browser_login(other, username).status_code == 303
        return other

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
    result = run_matrix(client, db, population, cell, case)
    assert not result.failures, "\n".join(result.failures[:20])


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
