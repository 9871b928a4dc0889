"""What the operator's tools ask the cell: liveness, readiness, and Prometheus metrics behind their own token,
labelled by route templates (never ids), with the record's health read at scrape time."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from fusioncell.app import create_app
from fusioncell.db.types import utcnow
from fusioncell.hotline.scheduled import escalate_overdue
from fusioncell.ledger.models import Checkpoint
from fusioncell.ledger.service import tree_size
from fusioncell.operations import endpoints
from fusioncell.runtime import Runtime
from tests.support import bearer

TOKEN = "scrape-secret-for-the-tests"


@pytest.fixture
def scraped_client(runtime):
    settings = runtime.settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})
    tuned = Runtime(settings=settings, database=runtime.database, cell=runtime.cell, signer=runtime.signer)
    with TestClient(create_app(tuned, background=False)) as test_client:
        yield test_client


def scrape(client) -> str:
    response = client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return response.text


def sample(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{labels} not in the scrape"
    return float(match.group(1))


def test_readiness_says_ready_with_each_check(client):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": True, "schema": True, "signing_key": True}}


def test_readiness_refuses_traffic_when_the_schema_is_not_this_code_s(client, monkeypatch):
    endpoints.expected_revision.cache_clear()
    monkeypatch.setattr(endpoints, "expected_revision", lambda: "9999_not_yet_written")
    refused = client.get("/readyz")
    assert refused.status_code == 503
    error = refused.json()["error"]
    assert error["code"] == "not_ready" and error["details"]["schema"] is False and "schema" in error["message"]


def test_metrics_do_not_exist_without_a_token_configured(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"authorization": "Bearer anything"}).status_code == 404


def test_a_wrong_scrape_token_learns_nothing(scraped_client):
    for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": f"Basic {TOKEN}"}):
        answer = scraped_client.get("/metrics", headers=headers)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


def test_requests_are_counted_by_route_template_never_by_id(scraped_client, population):
    headers = bearer(population.member("ISR"))
    missing = "01a217c0-0000-7000-8000-000000000000"
    assert scraped_client.get(f"/api/v1/incidents/{missing}", headers=headers).status_code == 404
    assert scraped_client.get("/api/v1/me", headers=headers).status_code == 200
    text = scrape(scraped_client)
    assert missing not in text
    labels = '{method="GET",route="/api/v1/incidents/{incident_id}",status="404"}'
    assert sample(text, "fusioncell_http_requests_total", labels) >= 1
    assert sample(text, "fusioncell_http_requests_total", '{method="GET",route="/api/v1/me",status="200"}') >= 1
    bucket = '{le="+Inf",method="GET",route="/api/v1/me"}'
    assert sample(text, "fusioncell_http_request_duration_seconds_bucket", bucket) >= 1


def test_the_record_s_health_is_read_at_scrape_time(scraped_client, db, population, cell):
    size = tree_size(db)
    latest = db.query(Checkpoint).order_by(Checkpoint.size.desc()).first()
    text = scrape(scraped_client)
    assert sample(text, "fusioncell_ledger_size") == size
    assert sample(text, "fusioncell_checkpoint_size") == (latest.size if latest else 0)
    open_before = sample(text, "fusioncell_acknowledgements_overdue")

    flash = {"channel": "hotline", "body": "Ground movement near the Alpha line", "precedence": "flash"}
    sent = scraped_client.post("/api/v1/messages", json=flash, headers=bearer(population.member("ISR")))
    assert sent.status_code == 201, sent.text
    assert len(escalate_overdue(db, cell=cell, now=utcnow() + timedelta(minutes=6))) == 1  # SYR did not acknowledge
    db.flush()
    assert sample(scrape(scraped_client), "fusioncell_acknowledgements_overdue") == open_before + 1
