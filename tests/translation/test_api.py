"""GET /api/v1/messages/{id}/translation over the real backend (tiny models): who may ask, what it answers,
what it never does (store anything, answer a non-reader otherwise than for a missing message)."""

from sqlalchemy import select

from fusioncell.db.base import Status
from fusioncell.hotline.models import Message
from fusioncell.ledger.service import tree_size
from tests.access.matrix import envelope_states, expected_readers
from tests.hotline.test_matrix import MISSING, make_message
from tests.support import bearer

KEYS = {"machine_translation", "message_id", "version", "from", "to", "text", "model"}


def path(message_id, to="ar", **query) -> str:
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return f"/api/v1/messages/{message_id}/translation?to={to}{extra}"


def send(client, headers, body="The patrol crossed the line at dawn. Please acknowledge.") -> dict:
    response = client.post("/api/v1/messages", json={"channel": "hotline", "body": body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_reader_gets_a_machine_translation_marked_as_such(mt_client, as_, db):
    message = send(mt_client, as_("ISR", "liaison"), body="Drone over **Quneitra**.\n\nPlease acknowledge.")
    size = tree_size(db)
    response = mt_client.get(path(message["id"]), headers=as_("SYR", "liaison"))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == KEYS
    assert answer["machine_translation"] is True
    assert (answer["from"], answer["to"]) == ("en", "ar")
    assert answer["model"] == "translate-en_ar-1_0" and answer["message_id"] == message["id"]
    assert isinstance(answer["text"], str) and answer["text"].strip()
    assert "**" not in answer["text"]  # the words, not the Markdown
    # Not stored, not the record: no ledger entry, the message unchanged.
    assert tree_size(db) == size
    again = mt_client.get(f"/api/v1/messages/{message['id']}", headers=as_("SYR", "liaison")).json()
    assert again["version"] == message["version"] and again["body"] == message["body"]
    assert "translation" not in str(db.execute(select(Message.body)).scalars().all())


def test_the_source_language_is_the_message_s_or_given_and_english_bridges_ar_to_he(mt_client, as_):
    arabic = send(mt_client, as_("SYR", "liaison"), body="طائرة مسيرة فوق القنيطرة")
    answer = mt_client.get(path(arabic["id"], to="he"), headers=as_("ISR", "liaison")).json()
    assert (answer["from"], answer["to"]) == ("ar", "he")
    assert answer["model"] == "translate-ar_en-1_0 + translate-en_he-1_0"
    to_english = mt_client.get(path(arabic["id"], to="en"), headers=as_("USA", "liaison")).json()
    assert to_english["model"] == "translate-ar_en-1_0" and to_english["machine_translation"] is True
    given = mt_client.get(path(arabic["id"], to="ar", **{"from": "en"}), headers=as_("USA", "liaison"))
    assert given.status_code == 200 and given.json()["from"] == "en"


def test_no_model_for_the_pair_is_a_clear_409(mt_client, as_):
    hebrew = send(mt_client, as_("ISR", "liaison"), body="נא לאשר את קבלת ההודעה")
    response = mt_client.get(path(hebrew["id"], to="ar"), headers=as_("SYR", "liaison"))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "machine_translation_unavailable"
    assert error["message"] == "No machine translation model is installed for he to ar."


def test_same_language_unknown_language_and_retracted_messages(mt_client, as_):
    message = send(mt_client, as_("ISR", "liaison"))
    same = mt_client.get(path(message["id"], to="en"), headers=as_("SYR", "liaison"))
    assert same.status_code == 422 and "already in the language asked for (en)" in same.json()["error"]["message"]
    assert mt_client.get(path(message["id"], to="fr"), headers=as_("SYR", "liaison")).status_code == 422
    assert mt_client.get(f"/api/v1/messages/{message['id']}/translation", headers=as_("SYR")).status_code == 422
    retracted = mt_client.post(
        f"/api/v1/messages/{message['id']}/retract", json={"reason": "sent in error"}, headers=as_("ISR", "liaison")
    )
    assert retracted.status_code == 200, retracted.text
    response = mt_client.get(path(message["id"]), headers=as_("SYR", "liaison"))
    assert response.status_code == 409 and "withheld" in response.json()["error"]["message"]


def test_a_stranger_is_refused(mt_client, as_):
    message = send(mt_client, as_("ISR", "liaison"))
    assert mt_client.get(path(message["id"])).status_code == 401
    assert mt_client.get("/api/v1/machine-translation").status_code == 401


def test_who_may_not_read_the_message_gets_the_404_of_a_missing_one(mt_client, db, population, cell):
    """Every member × every envelope state: a reader gets the translation (or the retraction's 409); anyone
    else exactly the answer for a message that does not exist — the hotline's readable query decides."""
    states = envelope_states(cell)
    created = [(state, make_message(db, state)) for state in states]
    db.commit()
    failures, checks = [], 0
    for member in population.members:
        headers = bearer(member)
        missing = mt_client.get(path(MISSING), headers=headers)
        assert missing.status_code == 404
        for state, message_id in created:
            response = mt_client.get(path(message_id), headers=headers)
            checks += 1
            who = f"{member.username} on {state.label}"
            if member.party not in expected_readers(state, cell):
                if response.status_code != 404 or response.json() != missing.json():
                    failures.append(f"{who}: expected the 404 of a missing message, got {response.status_code}")
            elif state.status == Status.RETRACTED:
                if response.status_code != 409:
                    failures.append(f"{who}: expected 409 (retracted), got {response.status_code}")
            elif response.status_code != 200 or response.json()["machine_translation"] is not True:
                failures.append(f"{who}: expected a machine translation, got {response.status_code}")
    assert checks > 100 and not failures, "\n".join(failures[:20])


def test_the_non_reader_s_404_comes_first_even_without_a_model(bare_client, db, population, cell):
    """With the feature absent a reader is told so (409); a non-reader still gets only the missing 404."""
    state = next(s for s in envelope_states(cell) if s.label == "ISR released to SYR")
    message_id = make_message(db, state)
    db.commit()
    outsider = bearer(population.member("FRA"))
    missing = bare_client.get(path(MISSING), headers=outsider)
    unreadable = bare_client.get(path(message_id), headers=outsider)
    assert unreadable.status_code == 404 and unreadable.json() == missing.json()
    reader = bare_client.get(path(message_id), headers=bearer(population.member("SYR")))
    assert reader.status_code == 409
    assert reader.json()["error"] == {
        "code": "machine_translation_unavailable",
        "message": "Machine translation is not available on this server: no model is installed.",
        "details": None,
    }


def test_the_pairs_on_offer(mt_client, as_):
    offered = mt_client.get("/api/v1/machine-translation", headers=as_("SYR")).json()
    assert offered["available"] is True
    assert {(p["from"], p["to"]) for p in offered["pairs"]} == {("en", "ar"), ("ar", "en"), ("en", "he"), ("ar", "he")}


def test_no_pairs_on_offer_without_a_model(bare_client, as_):
    absent = bare_client.get("/api/v1/machine-translation", headers=as_("SYR")).json()
    assert absent == {"available": False, "pairs": []}
