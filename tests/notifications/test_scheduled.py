"""The notifications timer: registered with the app, idle ticks write nothing, and a delivery whose
record the party may no longer read is cancelled rather than sent."""

from datetime import timedelta

from fastapi.testclient import TestClient

import fusioncell.app as application
from fusioncell.access.service import subject_for, user_by_name
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.hotline.models import Message
from fusioncell.hotline.service import return_message
from fusioncell.ledger.service import record_change
from fusioncell.notifications.scheduled import deliver_notifications
from tests.notifications.test_webhooks import subscribe


def test_the_app_runs_the_notifications_timer(runtime, monkeypatch):
    jobs = []

    async def record(seconds, job, runtime, *, gated=False):
        jobs.append((job.__name__, seconds))

    monkeypatch.setattr(application, "_every", record)
    with TestClient(application.create_app(runtime, background=True)):
        pass
    assert ("deliver_notifications", runtime.settings.notification_check_seconds) in jobs


def test_an_idle_tick_does_nothing(runtime):
    report = deliver_notifications(runtime)
    assert (report.queued, report.attempted, report.emails_queued) == (0, 0, 0)


def test_a_delivery_the_party_may_no_longer_read_is_cancelled(client, db, cell, runtime, as_, receiver):
    hook = subscribe(client, as_("USA", "admin"), receiver.url)
    held = Message(
        channel="hotline",
        body="Held for the mediator's review",
        language="en",
        origin_party="ISR",
        created_by="isr.liaison",
        status=Status.PENDING,
        releasable_to=frozenset({"SYR", "USA"}),
    )
    db.add(held)
    record_change(db, record=held, action="message-submitted", actor="isr.liaison", party="ISR")
    db.commit()
    receiver.statuses = [500]
    start = utcnow()
    deliver_notifications(runtime, now=start)
    assert len(receiver.received) == 1  # the mediator may read what waits for its review...
    usa = subject_for(user_by_name(db, "usa.liaison"), cell)
    return_message(db, subject=usa, message_id=held.id, comment="Rephrase")
    db.commit()
    deliver_notifications(runtime, now=start + timedelta(minutes=1))
    assert len(receiver.received) == 1  # ...but not once it is back with its author as a draft
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=as_("USA", "admin")).json()["items"]
    assert [d["status"] for d in log] == ["cancelled"]
