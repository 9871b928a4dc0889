"""The hotline's records under the authorization matrix: messages, attachments, escalations."""

import uuid
from datetime import timedelta

from fusioncell.db.types import utcnow
from fusioncell.hotline.models import Attachment, Escalation, Message
from tests.access.matrix import MatrixCase, assert_matrix_holds, envelope_of, stored

MISSING = "01a217a2-0000-7000-8000-000000000000"


def make_message(session, state) -> str:
    message = Message(
        channel="plenary",
        body=f"probe for {state.label}",
        language="en",
        precedence="flash",
        **envelope_of(state),
        ack_parties=state.releasable_to,
        ack_due_at=utcnow() + timedelta(minutes=5),
    )
    return stored(session, message)


def test_messages_obey_the_matrix_in_lists_details_and_actions(client, db, population, cell):
    case = MatrixCase(
        name="messages",
        create=make_message,
        detail_path=lambda i: f"/api/v1/messages/{i}",
        missing_id=MISSING,
        list_path="/api/v1/messages?limit=200",
        actions=[
            lambda i: ("POST", f"/api/v1/messages/{i}/read", None),
            lambda i: ("POST", f"/api/v1/messages/{i}/acknowledge", None),
            lambda i: ("POST", f"/api/v1/messages/{i}/retract", {"reason": "probe"}),
            lambda i: ("POST", f"/api/v1/messages/{i}/approve", None),
            lambda i: ("POST", f"/api/v1/messages/{i}/return", {"comment": "probe"}),
            lambda i: ("POST", f"/api/v1/messages/{i}/relay", {"channel": "usa-syr"}),
        ],
    )
    assert_matrix_holds(client, db, population, cell, case)


def make_attachment(session, state) -> str:
    attachment = Attachment(
        sha256="0" * 64,
        filename="probe.txt",
        media_type="text/plain",
        size=1,
        **envelope_of(state),
        message_id=uuid.uuid4(),
    )
    return stored(session, attachment)


def test_attachments_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="attachments",
        create=make_attachment,
        detail_path=lambda i: f"/api/v1/attachments/{i}",
        missing_id=MISSING,
        actions=[lambda i: ("GET", f"/api/v1/attachments/{i}/content", None)],
    )
    assert_matrix_holds(client, db, population, cell, case)


def make_escalation(session, state) -> str:
    message = Message(
        channel="plenary",
        body="x",
        language="en",
        origin_party="ISR",
        created_by="test",
        status="released",
        releasable_to=frozenset({"SYR", "USA"}),
    )
    session.add(message)
    session.flush()
    escalation = Escalation(
        message_id=message.id,
        party="SYR",
        due_at=utcnow(),
        **envelope_of(state),
    )
    return stored(session, escalation)


def test_escalations_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="escalations",
        create=make_escalation,
        detail_path=lambda i: f"/api/v1/escalations/{i}",
        missing_id=MISSING,
        list_path="/api/v1/escalations",
    )
    assert_matrix_holds(client, db, population, cell, case)
