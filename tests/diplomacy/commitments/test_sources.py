"""A commitment names the statement or meeting it came from: that record must exist and be readable by whoever
records the commitment, and its title and page are shown only to readers who may read it too."""

from tests.diplomacy.commitments.conftest import commitment_body, liaison
from tests.diplomacy.meetings.conftest import meeting_body
from tests.web.test_pages import HTML


def test_a_commitment_links_its_meeting_for_those_who_may_read_the_meeting(client, as_, population, browser):
    plenary = client.post("/api/v1/meetings", json=meeting_body(), headers=as_("USA", "liaison")).json()
    bilateral = client.post(
        "/api/v1/meetings",
        json=meeting_body(
            title="USA–ISR consultation on the crossing",
            participants=[{"party": "USA", "delegates": ["Chair"]}, {"party": "ISR", "delegates": ["Col. A"]}],
        ),
        headers=as_("USA", "liaison"),
    ).json()
    usa, syr = liaison(population, "USA"), liaison(population, "SYR")

    from_plenary = client.post(
        "/api/v1/commitments", json=commitment_body(source_kind="meeting", source_id=plenary["id"]), headers=usa
    ).json()
    assert client.get(f"/api/v1/commitments/{from_plenary['id']}", headers=syr).json()["source"] == {
        "kind": "meeting",
        "id": plenary["id"],
        "title": "Plenary on the Quneitra crossing",
        "href": f"/meetings/{plenary['id']}",
    }
    page = browser(population.member("SYR", "liaison").username).get(f"/commitments/{from_plenary['id']}", headers=HTML)
    assert f'href="/meetings/{plenary["id"]}" data-testid="commitment-source">Plenary on the Quneitra' in page.text

    # Recorded by the mediator from a meeting Syria did not attend: Syria reads the commitment, not the meeting.
    from_bilateral = client.post(
        "/api/v1/commitments", json=commitment_body(source_kind="meeting", source_id=bilateral["id"]), headers=usa
    ).json()
    assert client.get(f"/api/v1/commitments/{from_bilateral['id']}", headers=usa).json()["source"]["title"]
    seen_by_syr = client.get(f"/api/v1/commitments/{from_bilateral['id']}", headers=syr).json()
    assert seen_by_syr["source"] is None
    page = browser(population.member("SYR", "liaison").username).get(
        f"/commitments/{from_bilateral['id']}", headers=HTML
    )
    assert "consultation" not in page.text and 'data-testid="commitment-source"' not in page.text

    # Syria cannot cite a meeting it may not read, nor one that does not exist: the same answer for both.
    cited = commitment_body(source_kind="meeting", source_id=bilateral["id"], responsible_party="SYR")
    refused = client.post("/api/v1/commitments", json=cited, headers=syr)
    missing = client.post(
        "/api/v1/commitments",
        json=cited | {"source_id": "01a217c1-0000-7000-8000-000000000000"},
        headers=syr,
    )
    assert refused.status_code == missing.status_code == 422
    assert "that you may read" in refused.json()["error"]["message"]
    assert refused.json()["error"]["message"].replace(bilateral["id"], "X") == missing.json()["error"][
        "message"
    ].replace("01a217c1-0000-7000-8000-000000000000", "X")
