"""What the API fuzzing found, pinned: each a small check that runs without a live server."""

from fusioncell.osint.feeds import parse_feed


def test_an_empty_feed_upload_is_rejected_not_a_server_error():
    # feedparser gives an empty document no `version` at all: reading it raised AttributeError, a 500.
    read = parse_feed(b"", where="upload")
    assert [(r.where, r.reason) for r in read.items] == [("upload", "not an RSS or Atom feed")]


def test_the_openapi_document_describes_the_error_answers_as_sent(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    message = paths["/api/v1/messages/{message_id}"]["get"]["responses"]
    assert {"401", "403", "404", "409", "422", "429"} <= message.keys()
    assert message["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    refused = client.get("/api/v1/messages/01a217a2-0000-7000-8000-000000000000")  # no token: 401
    assert refused.status_code == 401
    assert set(refused.json()) == {"error"} and set(refused.json()["error"]) == {"code", "message", "details"}
    # TAXII answers everything, errors included, in its own media type and error message.
    collections = paths["/taxii2/api/collections/"]["get"]["responses"]
    assert list(collections["200"]["content"]) == ["application/taxii+json;version=2.1"]
    assert collections["404"]["content"]["application/taxii+json;version=2.1"]["schema"]["$ref"].endswith("TaxiiError")
    # The intelligence desk's export is a STIX bundle.
    export = paths["/api/v1/intel/export.json"]["get"]["responses"]["200"]
    assert "application/stix+json;version=2.1" in export["content"]
    # Pages stay out of it.
    assert "/healthz" not in paths or "401" not in paths["/healthz"]["get"]["responses"]


def test_a_ledger_index_beyond_64_bits_is_refused_not_a_server_error(client, as_):
    answer = client.get("/api/v1/ledger/entries/1034027551359521232408018944", headers=as_("USA"))
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid"


def test_a_nul_character_anywhere_in_the_text_sent_is_refused_not_a_server_error(client, as_):
    """PostgreSQL refuses NUL in any text (psycopg: "text fields cannot contain NUL"), SQLite's full-text MATCH
    reads it as the end of the query: the projects' CSV export with `q=%00` answered 500 on PostgreSQL (found
    by fuzzing PostgreSQL), and so did any string of a JSON body. Now a 422 on both backends, nothing stored."""
    from tests.commerce.conftest import project_body

    isr = as_("ISR")
    for url in (
        "/api/v1/projects/export.csv?q=a%00b",
        "/api/v1/projects?q=a%00b",
        "/api/v1/organisations?q=a%00b",
        "/api/v1/osint/articles?q=a%00b",
        "/api/v1/records/incident%00/01a2179d-0000-7000-8000-0000000000ee/receipt",
    ):
        answer = client.get(url, headers=isr)
        assert answer.status_code == 422, (url, answer.text)
        assert answer.json()["error"]["details"][0]["type"] == "string_unicode"
    before = client.get("/api/v1/projects", headers=isr).json()["items"]
    answer = client.post("/api/v1/projects", json=project_body(name="Wind\u0000farm"), headers=isr)
    assert answer.status_code == 422 and answer.json()["error"]["details"][0]["field"] == "body.name", answer.text
    sent = {"channel": "usa-isr", "body": "x", "attachments": [], "nested": {"list": ["ok", "\u0000"]}}
    answer = client.post("/api/v1/messages", json=sent, headers=isr)
    assert answer.status_code == 422 and answer.json()["error"]["details"][0]["field"] == "body.nested.list.1"
    answer = client.post(
        "/api/v1/projects/import", content="name\nWind\x00farm\n", headers=isr | {"content-type": "text/csv"}
    )
    assert answer.status_code == 422, answer.text
    assert client.get("/api/v1/projects", headers=isr).json()["items"] == before
    # An escaped backslash before "u0000" is text, not a NUL: accepted.
    answer = client.post("/api/v1/messages", json={"channel": "usa-isr", "body": "C:\\u0000"}, headers=isr)
    assert answer.status_code == 201, answer.text
