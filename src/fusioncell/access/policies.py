"""Who may act (as opposed to who may read, which is rule.py's alone): posting, reviewing, relaying."""

from fusioncell.access.subjects import Role, Subject
from fusioncell.cell.definition import CellDefinition, Channel
from fusioncell.db.base import Marking, Status


def is_channel_member(subject: Subject, channel: Channel) -> bool:
    return subject.party in channel.members


def can_view_channel(subject: Subject, channel: Channel) -> bool:
    # The mediator supervises every channel, including desk channels it is not a member of.
    return subject.is_mediator or is_channel_member(subject, channel)


def can_post(subject: Subject, channel: Channel) -> bool:
    """Members who speak for their party: liaison officers, desk officers of the channel's desk, admins
    for the mediator; observers speak in the channels they are members of."""
    if not is_channel_member(subject, channel):
        return False
    roles = subject.roles
    if Role.LIAISON in roles or Role.OBSERVER in roles:
        return True
    return any(role.startswith("officer:") for role in roles) or (subject.is_mediator and Role.ADMIN in roles)


def can_supervise(subject: Subject) -> bool:
    """Approve or return held messages, relay between sides: the mediator's liaison officers."""
    return subject.is_mediator and (Role.LIAISON in subject.roles or Role.SUPERVISOR in subject.roles)


def can_manage_webhooks(subject: Subject) -> bool:
    """A party's webhooks (its outgoing notifications) and their delivery log: the party's admins, each
    for their own party only (the service scopes every lookup to the subject's party)."""
    return Role.ADMIN in subject.roles


def receives_escalations(subject: Subject) -> bool:
    return subject.is_mediator and Role.SUPERVISOR in subject.roles


def acknowledging_parties(cell: CellDefinition, recipients: frozenset[str]) -> frozenset[str]:
    """Who must acknowledge: the recipients other than the mediator, or the mediator when it is the
    only recipient (a principal writing in its bilateral channel)."""
    mediator = cell.mediator.code
    others = recipients - {mediator}
    return others or (recipients & {mediator})


def is_author_side(subject: Subject, origin_party: str) -> bool:
    """The author's party and the mediator: they see what is between them about a record (a
    reviewer's comment, every party's receipts), which its other readers do not."""
    return subject.party == origin_party or subject.is_mediator


def speaks_on_desk(subject: Subject, desk: str) -> bool:
    """Acts for the party on a desk's records: its liaison officers and the desk's officers."""
    return Role.LIAISON in subject.roles or f"officer:{desk}" in subject.roles


def can_report_incident(subject: Subject, desk: str) -> bool:
    """Report an incident, release or retract the party's own: those who speak on the desk, and observers
    (UNDOF files what its patrols see)."""
    return speaks_on_desk(subject, desk) or Role.OBSERVER in subject.roles


def can_give_notice(subject: Subject, desk: str) -> bool:
    """Give, acknowledge or retract the party's deconfliction notices: those who speak on the desk, and
    observers (UNDOF notifies its own patrols and convoys)."""
    return speaks_on_desk(subject, desk) or Role.OBSERVER in subject.roles


def can_fuse_reports(subject: Subject, desk: str) -> bool:
    """Confirm, merge, split or dismiss fused incidents: the mediator's liaison officers, supervisors and
    the desk's officers. Nobody else decides which reports are one event."""
    return subject.is_mediator and (can_supervise(subject) or f"officer:{desk}" in subject.roles)


def mediators_own_envelope(cell: CellDefinition) -> dict:
    """The envelope of a record the cell raises for the mediator alone (an escalation): released, the
    mediator's own, released to no other party, so the one rule lets the mediator read it and nobody else."""
    return {
        "origin_party": cell.mediator.code,
        "status": Status.RELEASED,
        "releasable_to": frozenset(),
        "marking": Marking.AMBER,
    }


def can_declare_posture(subject: Subject, desk: str) -> bool:
    """Declare the party's forces in its own bands of the Areas of Limitation: a principal's liaison and
    desk officers (the mediator and observers hold no forces there)."""
    return subject.party_role == "principal" and speaks_on_desk(subject, desk)


def can_inspect(subject: Subject) -> bool:
    """File inspection reports and verify withdrawals: observers of an observer party (UNDOF's Observer
    Group Golan), never a party to the line."""
    return subject.party_role == "observer" and Role.OBSERVER in subject.roles


def can_track_positions(subject: Subject, desk: str) -> bool:
    """Register a position held on the ground: those who speak on the desk, and observers (who see them)."""
    return speaks_on_desk(subject, desk) or can_inspect(subject)


def can_share_intel(subject: Subject, desk: str = "intelligence") -> bool:
    """Write, release, tearline, retract and answer the party's intelligence reports: those who speak on the
    desk, and observers (UNDOF reports what its patrols see)."""
    return speaks_on_desk(subject, desk) or Role.OBSERVER in subject.roles


def can_review_intel(subject: Subject, desk: str = "intelligence") -> bool:
    """Approve or return what waits for the mediator on the intelligence desk, tearlines included."""
    return subject.is_mediator and (can_supervise(subject) or f"officer:{desk}" in subject.roles)
