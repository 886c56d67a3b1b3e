"""RFC 5545 text for a calendar feed, built with the icalendar library. Pure: events in, bytes out.

What an event may say is decided here, in one place, because feeds leave the building: they
are fetched by phone and web calendar services and shown on lock screens. An event carries
time, place and kind only — never a patient's name, a diagnosis, a note or a clinician's
name. Group topics appear only in staff feeds (a topic such as "Relapse prevention" on a
patient's shared family calendar would disclose treatment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event

PRODID = "-//OpenIOP//Calendar feed//EN"
UID_DOMAIN = "openiop"
VIDEO_VISIT = "Video visit"
# Titles show on lock screens: "Lab visit" rather than naming a drug screen.
KIND_LABELS = {
    "intake": "Intake appointment",
    "individual": "Individual counseling",
    "physician": "Physician visit",
    "drug_screen": "Lab visit",
    "family_session": "Family session",
}
GROUP_LABEL = "Group session"
CANCELLED_STATUSES = frozenset({"cancelled", "late_cancelled"})


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    place: str
    cancelled: bool
    sequence: int
    modified_at: datetime | None


def appointment_uid(appointment_id: int) -> str:
    return f"appointment-{appointment_id}@{UID_DOMAIN}"


def group_session_uid(group_session_id: int) -> str:
    return f"group-session-{group_session_id}@{UID_DOMAIN}"


def place_text(*, site: str, room: str | None, video: bool) -> str:
    if video:
        return VIDEO_VISIT
    return f"{site}, {room}" if room else site


def appointment_summary(kind: str) -> str:
    return KIND_LABELS.get(kind, "Appointment")


def group_summary(topic: str | None, *, with_topic: bool) -> str:
    return f"{GROUP_LABEL}: {topic}" if with_topic and topic else GROUP_LABEL


def build(*, name: str, events: list[FeedEvent], stamp: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    # Ask clients to poll hourly; most poll less often whatever we say.
    calendar.add("x-published-ttl", "PT1H")
    for item in events:
        calendar.add_component(_event(item, stamp))
    return calendar.to_ical()


def _event(item: FeedEvent, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", item.starts_at.astimezone(UTC))
    event.add("dtend", item.ends_at.astimezone(UTC))
    event.add("summary", item.summary)
    event.add("location", item.place)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("sequence", item.sequence)
    # Shared calendars show a private event as "busy" only.
    event.add("class", "PRIVATE")
    event.add("transp", "TRANSPARENT" if item.cancelled else "OPAQUE")
    if item.modified_at is not None:
        event.add("last-modified", item.modified_at.astimezone(UTC))
    return event
