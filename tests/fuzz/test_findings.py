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
