"""Calendar feeds: secret URLs a calendar app polls, and the feed behind them.

Who may manage a feed:
- a staff member's own feed: only that staff member, from their own account;
- a patient's feed: the patient, or someone with full access to the patient's record (the
  care team and program directors, security.permissions). Other staff at the site, staff at
  other sites, auditors and other patients are refused, and the refusal is audited.

A feed URL holds a random 32-byte secret; only its SHA-256 is stored, so it is shown once.
Creating a new one revokes the old (rotation). Fetching a feed needs no session: the URL is
the credential. Every fetch is audited; a patient's feed counts as a read of patient data.
Functions take keyword arguments and never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from openiop.calendar import feeds_ical as ical
from openiop.calendar import feeds_repository as repository
from openiop.calendar.feeds_ical import FeedEvent
from openiop.calendar.feeds_repository import Placed
from openiop.kit import clock
from openiop.kit.errors import NotFound
from openiop.models import Appointment, CalendarFeedToken, GroupSession
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry
from openiop.security.permissions import Access, Role
from openiop.security.service import Refused, authorize_patient, sha256

PAST = timedelta(days=14)
AHEAD = timedelta(weeks=8)
PREFIX_CHARS = 6


@dataclass(frozen=True)
class FeedOwner:
    """Whose feed: exactly one of the two is set."""

    staff_member_id: int | None = None
    patient_id: int | None = None


@dataclass(frozen=True)
class IssuedFeed:
    record: CalendarFeedToken
    secret: str  # shown once; never stored

    @property
    def path(self) -> str:
        return feed_path(self.secret)


def feed_path(secret: str) -> str:
    return f"/feeds/{secret}.ics"


# ---- who may manage which feed ----------------------------------------------------------


def own_feed_owner(actor: Actor) -> FeedOwner:
    """The signed-in person's own feed: a patient's, or a staff member's."""
    principal = actor.principal
    if principal is not None and principal.role is Role.PATIENT and principal.patient_id:
        return FeedOwner(patient_id=principal.patient_id)
    if principal is not None and principal.staff_member_id is not None:
        return FeedOwner(staff_member_id=principal.staff_member_id)
    raise Refused(
        "Your account has no calendar of its own.",
        AuditEntry("calendar_feed.manage", "refused", detail="no staff member or patient"),
    )


def _authorize(session: Session, actor: Actor, owner: FeedOwner, action: str) -> None:
    if owner.patient_id is not None:
        authorize_patient(
            session,
            actor=actor,
            patient_id=owner.patient_id,
            action=action,
            need=Access.FULL,
            object_type="calendar_feed",
        )
        return
    principal = actor.principal
    if principal is None or principal.staff_member_id != owner.staff_member_id:
        raise Refused(
            "Only staff members manage their own calendar feed.",
            AuditEntry(action, "refused", object_type="calendar_feed"),
        )
    audit.record(session, actor, AuditEntry(action, object_type="calendar_feed"))


def patient_name(session: Session, patient_id: int) -> str | None:
    """For the page heading; callers have already authorized and audited the read."""
    return repository.patient_name(session, patient_id)


# ---- managing tokens --------------------------------------------------------------------


def current_feed(session: Session, *, actor: Actor, owner: FeedOwner) -> CalendarFeedToken | None:
    _authorize(session, actor, owner, "calendar_feed.view")
    return _active(session, owner)


def rotate(session: Session, *, actor: Actor, owner: FeedOwner) -> IssuedFeed:
    """Issue a new feed URL, revoking any previous one (old subscriptions stop updating)."""
    _authorize(session, actor, owner, "calendar_feed.rotate")
    _revoke_active(session, owner)
    secret = secrets.token_urlsafe(32)
    record = CalendarFeedToken(
        staff_member_id=owner.staff_member_id,
        patient_id=owner.patient_id,
        token_hash=sha256(secret),
        prefix=secret[:PREFIX_CHARS],
        created_at=clock.now(),
        created_by_user_id=actor.principal.user_id if actor.principal else None,
    )
    session.add(record)
    session.flush()
    return IssuedFeed(record, secret)


def revoke(session: Session, *, actor: Actor, owner: FeedOwner) -> bool:
    """Stop the feed URL working; False when there was none."""
    _authorize(session, actor, owner, "calendar_feed.revoke")
    return _revoke_active(session, owner)


def _active(session: Session, owner: FeedOwner) -> CalendarFeedToken | None:
    return repository.active_token(
        session, staff_member_id=owner.staff_member_id, patient_id=owner.patient_id
    )


def _revoke_active(session: Session, owner: FeedOwner) -> bool:
    record = _active(session, owner)
    if record is None:
        return False
    record.revoked_at = clock.now()
    session.flush()
    return True


# ---- the feed itself --------------------------------------------------------------------


def render_feed(session: Session, *, secret: str, actor: Actor) -> bytes:
    """The .ics text for a live token; NotFound for an unknown or revoked one (never saying
    which, so a guesser learns nothing)."""
    record = repository.live_token_by_hash(session, sha256(secret))
    if record is None or not _owner_active(session, record):
        raise NotFound("No such calendar feed.")
    now = clock.now()
    record.last_used_at = now
    audit.record(
        session,
        actor,
        AuditEntry(
            "calendar_feed.fetch",
            patient_id=record.patient_id,
            object_type="calendar_feed",
            object_id=record.id,
            detail=f"owner={record.owner_kind}",
        ),
    )
    events = _feed_events(session, record, now - PAST, now + AHEAD)
    return ical.build(name=_calendar_name(record), events=events, stamp=now)


def _owner_active(session: Session, record: CalendarFeedToken) -> bool:
    """A staff member who has left stops publishing their schedule at once."""
    if record.staff_member_id is None:
        return True
    member = repository.staff_member(session, record.staff_member_id)
    return member is not None and member.active


def _calendar_name(record: CalendarFeedToken) -> str:
    return "My program visits" if record.patient_id else "My OpenIOP schedule"


def _feed_events(
    session: Session, record: CalendarFeedToken, start: datetime, end: datetime
) -> list[FeedEvent]:
    if record.patient_id is not None:
        appointments = repository.patient_appointments(session, record.patient_id, start, end)
        groups = repository.patient_group_sessions(session, record.patient_id, start, end)
        with_topic = False
    else:
        staff_id = record.staff_member_id
        assert staff_id is not None  # the table's check constraint guarantees one owner
        appointments = repository.staff_appointments(session, staff_id, start, end)
        groups = repository.facilitated_sessions(session, staff_id, start, end)
        with_topic = True
    events = [_appointment_event(p) for p in appointments]
    events += [_group_event(p, with_topic=with_topic) for p in groups]
    return sorted(events, key=lambda e: (e.starts_at, e.uid))


def _appointment_event(placed: Placed) -> FeedEvent:
    visit = placed.visit
    assert isinstance(visit, Appointment)
    return FeedEvent(
        uid=ical.appointment_uid(visit.id),
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        summary=ical.appointment_summary(visit.kind),
        place=ical.place_text(
            site=placed.site, room=visit.room.name if visit.room else None, video=visit.telehealth
        ),
        cancelled=visit.status in ical.CANCELLED_STATUSES,
        sequence=visit.version - 1,
        modified_at=visit.updated_at,
    )


def _group_event(placed: Placed, *, with_topic: bool) -> FeedEvent:
    visit = placed.visit
    assert isinstance(visit, GroupSession)
    return FeedEvent(
        uid=ical.group_session_uid(visit.id),
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        summary=ical.group_summary(visit.topic, with_topic=with_topic),
        place=ical.place_text(
            site=placed.site, room=visit.room.name if visit.room else None, video=False
        ),
        cancelled=visit.status == "cancelled",
        sequence=visit.version - 1,
        modified_at=visit.updated_at,
    )
