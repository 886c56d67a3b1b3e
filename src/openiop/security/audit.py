"""The audit trail: append-only, hash-chained events written in the caller's transaction.

Each event's hash is SHA-256 over its own fields and the previous event's hash, so altering,
inserting or removing any event breaks the chain from that point on. A one-row chain head
holds the newest sequence number and hash: it notices a removed tail, and locking it
serializes appends so two transactions never chain onto the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openiop.kit import clock
from openiop.models import AuditChainHead, AuditEvent
from openiop.security.permissions import Principal

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Actor:
    """A principal plus where the request came from: everything an audit event needs."""

    principal: Principal | None
    channel: str = "web"  # web, api, cli, job
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    action: str
    outcome: str = "allowed"
    patient_id: int | None = None
    object_type: str | None = None
    object_id: str | int | None = None
    detail: str | None = None


def event_hash(fields: dict[str, object], prev_hash: str) -> str:
    canonical = json.dumps({**fields, "prev_hash": prev_hash}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, object]:
    return {
        "seq": event.seq,
        "occurred_at": _iso(event.occurred_at),
        "user_id": event.user_id,
        "user_email": event.user_email,
        "role": event.role,
        "channel": event.channel,
        "action": event.action,
        "outcome": event.outcome,
        "patient_id": event.patient_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "detail": event.detail,
        "ip": event.ip,
        "user_agent": event.user_agent,
    }


def _iso(moment: datetime) -> str:
    return clock.as_utc(moment).isoformat(timespec="microseconds")


def record(session: Session, actor: Actor, entry: AuditEntry) -> AuditEvent:
    """Append one event in the caller's transaction."""
    return record_many(session, actor, [entry])[0]


def record_many(session: Session, actor: Actor, entries: Iterable[AuditEntry]) -> list[AuditEvent]:
    """Append events in order, locking the chain head once for all of them (a list page
    records one event per patient shown)."""
    head = session.execute(
        select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    ).scalar_one()
    events = []
    for entry in entries:
        event = _new_event(actor, entry, seq=head.seq + 1, prev_hash=head.hash)
        events.append(event)
        head.seq, head.hash = event.seq, event.hash
    session.add_all(events)
    session.flush()
    return events


def _new_event(actor: Actor, entry: AuditEntry, *, seq: int, prev_hash: str) -> AuditEvent:
    principal = actor.principal
    event = AuditEvent(
        seq=seq,
        occurred_at=clock.now(),
        user_id=principal.user_id if principal else None,
        user_email=principal.email if principal else None,
        role=str(principal.role) if principal else None,
        channel=actor.channel,
        action=entry.action,
        outcome=entry.outcome,
        patient_id=entry.patient_id,
        object_type=entry.object_type,
        object_id=None if entry.object_id is None else str(entry.object_id),
        detail=entry.detail,
        ip=actor.ip or None,
        user_agent=(actor.user_agent or "")[:300] or None,
        prev_hash=prev_hash,
    )
    event.hash = event_hash(_hashed_fields(event), prev_hash)
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    problem: str | None = None


def verify(session: Session, *, progress=None) -> ChainReport:  # type: ignore[no-untyped-def]
    """Walk the chain in sequence order; report the first event that does not fit."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    rows = session.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=5000)
    ).scalars()
    for event in rows:
        problem = _problem(event, expected_prev, expected_seq)
        if problem:
            return ChainReport(False, checked, event.seq, event.id, problem)
        expected_prev, expected_seq, checked = event.hash, event.seq + 1, checked + 1
        if progress is not None:
            progress(1)
    head = session.get(AuditChainHead, 1)
    if head is None or head.seq != expected_seq - 1 or head.hash != expected_prev:
        return ChainReport(
            False,
            checked,
            expected_seq,
            None,
            "the chain ends before its recorded head: events at the end were removed",
        )
    return ChainReport(True, checked)


def _problem(event: AuditEvent, expected_prev: str, expected_seq: int) -> str | None:
    if event.seq != expected_seq:
        return f"sequence jumps from {expected_seq - 1} to {event.seq}: events were removed"
    if event.prev_hash != expected_prev:
        return "its link to the previous event does not match: an event was inserted or removed"
    if event.hash != event_hash(_hashed_fields(event), event.prev_hash):
        return "its contents do not match its hash: the event was altered"
    return None
