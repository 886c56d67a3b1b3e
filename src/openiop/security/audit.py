"""The audit trail: append-only, hash-chained events written in the caller's transaction.

Each event's hash is SHA-256 over its own fields and the previous event's hash, so altering,
inserting or removing any event breaks the chain from that point on. A one-row chain head
holds the newest sequence number and hash: it notices a removed tail, and locking it
serializes appends so two transactions never chain onto the same predecessor.

Events are chained and written when the transaction commits, not when they are recorded.
The head's row lock is held from that write until the transaction ends, so writing at the
last moment (after the page has been rendered) keeps concurrent requests from queueing
behind each other's queries and rendering. They are plain Core inserts: a list page records
one event per patient shown, and ORM objects for each cost more than the insert.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event as orm_events
from sqlalchemy import insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

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


def _hashed_fields(event: AuditEvent | dict[str, object]) -> dict[str, object]:
    get = event.get if isinstance(event, dict) else lambda name: getattr(event, name)
    fields: dict[str, object] = {name: get(name) for name in HASHED}
    fields["occurred_at"] = _iso(get("occurred_at"))  # type: ignore[arg-type]
    return fields


HASHED = (
    "seq",
    "occurred_at",
    "user_id",
    "user_email",
    "role",
    "channel",
    "action",
    "outcome",
    "patient_id",
    "object_type",
    "object_id",
    "detail",
    "ip",
    "user_agent",
)


def _iso(moment: datetime) -> str:
    return clock.as_utc(moment).isoformat(timespec="microseconds")


def record(session: Session, actor: Actor, entry: AuditEntry) -> None:
    """Append one event in the caller's transaction."""
    record_many(session, actor, [entry])


def record_many(session: Session, actor: Actor, entries: Iterable[AuditEntry]) -> None:
    """Append events in order (a list page records one event per patient shown).

    They are written when the transaction commits, or earlier if something in it reads the
    audit trail or calls `write_pending`; a rollback discards them with the rest."""
    savepoint = session.get_nested_transaction()
    pending = session.info.setdefault(_PENDING, [])
    pending.extend((savepoint, _new_row(actor, entry)) for entry in entries)


_PENDING = "openiop.audit.pending"


def _new_row(actor: Actor, entry: AuditEntry) -> dict[str, object]:
    principal = actor.principal
    return {
        "occurred_at": clock.now(),
        "user_id": principal.user_id if principal else None,
        "user_email": principal.email if principal else None,
        "role": str(principal.role) if principal else None,
        "channel": actor.channel,
        "action": entry.action,
        "outcome": entry.outcome,
        "patient_id": entry.patient_id,
        "object_type": entry.object_type,
        "object_id": None if entry.object_id is None else str(entry.object_id),
        "detail": entry.detail,
        "ip": actor.ip or None,
        "user_agent": (actor.user_agent or "")[:300] or None,
    }


def write_pending(session: Session) -> None:
    """Chain the events recorded so far onto the head and insert them, locking the head once.

    The head's row lock is then held until the transaction ends, which is why this runs as
    late as possible: at commit, after the page has been rendered."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    head = session.execute(
        select(AuditChainHead.__table__.c.seq, AuditChainHead.__table__.c.hash)
        .where(AuditChainHead.__table__.c.id == 1)
        .with_for_update()
    ).one()
    seq, prev_hash = head.seq, head.hash
    rows = []
    for _savepoint, row in pending:
        seq += 1
        row = {**row, "seq": seq, "prev_hash": prev_hash}
        row["hash"] = prev_hash = event_hash(_hashed_fields(row), prev_hash)
        rows.append(row)
    session.execute(insert(AuditEvent.__table__), rows)
    session.execute(
        update(AuditChainHead.__table__)
        .where(AuditChainHead.__table__.c.id == 1)
        .values(seq=seq, hash=prev_hash)
    )


@orm_events.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    write_pending(session)


@orm_events.listens_for(Session, "do_orm_execute")
def _write_before_reading_the_trail(state: ORMExecuteState) -> None:
    """A query of the trail in the same transaction sees the events recorded before it."""
    if not (state.is_select and state.session.info.get(_PENDING)):
        return
    if any(m.class_ in (AuditEvent, AuditChainHead) for m in state.all_mappers):
        write_pending(state.session)


@orm_events.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """Drop the events recorded inside what was rolled back: everything, or one savepoint."""
    if not previous.nested:
        session.info.pop(_PENDING, None)
        return
    pending = session.info.get(_PENDING, [])
    pending[:] = [item for item in pending if not _inside(item[0], previous)]


@orm_events.listens_for(Session, "after_transaction_end")
def _forget_at_the_end(session: Session, transaction: SessionTransaction) -> None:
    """A session closed without commit or rollback must not carry events into its next one."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _inside(savepoint: SessionTransaction | None, rolled_back: SessionTransaction) -> bool:
    while savepoint is not None:
        if savepoint is rolled_back:
            return True
        savepoint = savepoint.parent
    return False


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
