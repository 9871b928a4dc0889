"""The commitments pages over HTTP: the board with its filters and chart, one commitment with the forms its
reader may use, every form through the API's schema and service, CSRF, user text escaped, and the inbox and home
partials."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from fusioncell.db.types import utcnow
from fusioncell.diplomacy.commitments.models import Commitment
from fusioncell.web.templating import templates
from tests.diplomacy.commitments.conftest import liaison
from tests.web.test_pages import HTML, csrf_of

HOSTILE = '<script>alert("x")</script><b>bold</b>'


def page(agent, path: str) -> str:
    response = agent.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return response.text


def test_the_board_groups_filters_and_carries_the_chart(browser, record):
    late = record(made_at=(utcnow() - timedelta(days=5)).isoformat(), due_at=(utcnow() - timedelta(days=1)).isoformat())
    isr_one = record(responsible_party="ISR", state="proposed")
    agent = browser("syr.liaison")
    html = page(agent, "/commitments")
    assert 'data-testid="commitments-SYR"' in html and 'data-testid="commitments-ISR"' in html
    assert re.search(rf'<tr data-commitment="{late["id"]}" data-state="agreed" class="is-overdue">', html)
    assert 'data-progress-url="/api/v1/commitments/progress?weeks=12"' in html
    assert '<script src="/static/js/commitments-chart.js" defer></script>' in html
    assert "<script>" not in html.split("</head>")[1]  # no inline script
    filtered = page(agent, "/commitments?party=ISR&state=proposed&due=")
    assert isr_one["id"] in filtered and late["id"] not in filtered
    assert late["id"] in page(agent, "/commitments?due=overdue") and isr_one["id"] not in page(
        agent, "/commitments?due=overdue"
    )
    assert 'data-testid="form-commitment"' in html
    assert 'data-testid="form-commitment"' not in page(browser("undof.observer"), "/commitments")
    assert agent.get("/static/js/commitments-chart.js").status_code == 200


def test_user_text_is_escaped_everywhere(browser, client, population, record):
    made = record(text=HOSTILE)
    where = f"/api/v1/commitments/{made['id']}"
    client.post(f"{where}/claim", json={"state": "done", "note": HOSTILE}, headers=liaison(population, "SYR"))
    client.post(f"{where}/contests", json={"reasons": HOSTILE}, headers=liaison(population, "ISR"))
    for path in ("/commitments", f"/commitments/{made['id']}"):
        html = page(browser("usa.liaison"), path)
        assert HOSTILE not in html and "&lt;script&gt;" in html and "<b>bold</b>" not in html
    assert 'data-testid="contested"' in page(browser("isr.liaison"), "/commitments")  # an open contest shows


def test_the_forms_walk_a_commitment_through_its_life(browser, db, record):
    made = record(state="proposed")
    where = f"/commitments/{made['id']}"
    syr, isr, usa = browser("syr.liaison"), browser("isr.liaison"), browser("usa.liaison")

    def post(agent, path: str, **fields):
        html = page(agent, where)
        return agent.post(path, data=fields | {"csrf_token": csrf_of(html, "csrf_token")}, follow_redirects=False)

    assert syr.post(f"{where}/agree", data={}, follow_redirects=False).status_code == 403  # no CSRF token
    assert post(syr, f"{where}/agree").status_code == 303
    html = page(syr, where)
    assert 'data-testid="form-claim"' in html and 'data-testid="form-contest"' not in html
    assert post(syr, f"{where}/notes", body="Engineers on site.").status_code == 303
    assert post(syr, f"{where}/claim", state="done", note="Removed.").status_code == 303
    isr_html = page(isr, where)
    assert 'data-testid="form-contest"' in isr_html and 'data-testid="form-claim"' not in isr_html
    assert post(isr, f"{where}/contests", reasons="Still there.").status_code == 303
    usa_html = page(usa, where)
    # Done is final: only the ruling can undo it, so the mediator is offered the ruling and no mark.
    assert 'data-testid="form-ruling"' in usa_html and 'data-testid="form-mark"' not in usa_html
    contest_id = re.search(r'data-contest="([^"]+)" data-outcome="open"', usa_html).group(1)
    ruled = post(usa, f"{where}/contests/{contest_id}/ruling", outcome="upheld", reason="UNDOF saw it.", state="")
    assert ruled.status_code == 303
    final = page(syr, where)
    assert 'data-state="agreed"' in final and 'data-outcome="upheld"' in final and "Engineers on site." in final
    assert post(usa, f"{where}/mark", state="breached", reason="Deadline passed.").status_code == 303
    assert 'data-state="breached"' in page(isr, where)


def test_the_record_form_refuses_a_commitment_due_before_it_was_made(browser, db):
    agent = browser("usa.liaison")
    html = page(agent, "/commitments")
    before = db.execute(select(func.count()).select_from(Commitment)).scalar_one()
    fields = {
        "csrf_token": csrf_of(html, "csrf_token"),
        "text": "Reopen the crossing.",
        "responsible_party": "ISR",
        "source_kind": "other",
        "made_at": "2026-11-20T10:00",
        "due_at": "2026-11-19T10:00",
        "state": "agreed",
    }
    refused = agent.post("/commitments", data=fields, follow_redirects=False)
    assert refused.status_code == 422 and "must be after made_at" in refused.text
    assert db.execute(select(func.count()).select_from(Commitment)).scalar_one() == before
    made = agent.post("/commitments", data=fields | {"due_at": "2026-12-19T10:00"}, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"].startswith("/commitments/")


def test_the_inbox_and_home_partials_render_what_they_are_given(browser, db, cell, record):
    from fusioncell.access.service import subject_for, user_by_name
    from fusioncell.diplomacy.commitments import service

    late = record(
        text=HOSTILE,
        made_at=(utcnow() - timedelta(days=5)).isoformat(),
        due_at=(utcnow() - timedelta(days=1)).isoformat(),
    )
    syr = subject_for(user_by_name(db, "syr.liaison"), cell)
    usa = subject_for(user_by_name(db, "usa.liaison"), cell)
    inbox = templates.get_template("_commitments_overdue.html").render(
        commitments_overdue=service.overdue_for(db, subject=syr), party=cell.party("SYR")
    )
    assert f'data-commitment="{late["id"]}"' in inbox and HOSTILE not in inbox
    home = templates.get_template("_commitments_mediator.html").render(
        commitments_overview=service.mediator_overview(db, subject=usa)
    )
    assert f'data-commitment="{late["id"]}"' in home
    nothing = templates.get_template("_commitments_mediator.html").render(commitments_overview=None)
    assert "home-commitments" not in nothing
