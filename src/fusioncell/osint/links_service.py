"""An analyst's decision on a suggested link: confirm it or dismiss it.

Who may: a member of any party that may read both the article and the linked record (a reader who may not
gets the 404 of a missing link). A decision is final and enters the record as a new version of the link."""

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change
from fusioncell.osint.models import ArticleLink
from fusioncell.osint.queries import readable_link

Decision = Literal["confirmed", "dismissed"]


def decide(
    session: Session,
    *,
    subject: Subject,
    article_id: uuid.UUID,
    link_id: uuid.UUID,
    decision: Decision,
    now: datetime | None = None,
) -> ArticleLink:
    link = readable_link(session, subject=subject, article_id=article_id, link_id=link_id)
    if link.state != "suggested":
        raise Conflict(
            N_("This link was already {state} by {decided_by}."),
            state=link.state,
            decided_by=link.decided_by,
            details={"state": link.state},
        )
    link.state = decision
    link.decided_by = subject.username
    link.decided_at = now or utcnow()
    link.version += 1
    action = "osint-link-confirmed" if decision == "confirmed" else "osint-link-dismissed"
    record_change(session, record=link, action=action, actor=subject.username, party=subject.party)
    return link
