"""Bulk writing for the synthetic history: SQLAlchemy Core `insert()` executemany in batches,
ids handed out here (so a note's content hash can name its own id before it is written), and
audit events chained exactly as security/audit.py chains them.

Buffers are flushed parents first, so foreign keys hold at every statement on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.orm import Session

from openiop.kit import clock
from openiop.models import (
    Appointment,
    AuditChainHead,
    AuditEvent,
    ClinicalNote,
    DailyMinutes,
    DrugScreen,
    DrugScreenResult,
    Enrollment,
    GroupAttendance,
    GroupNote,
    GroupSession,
    MeasureAdministration,
    Patient,
)
from openiop.security.audit import event_hash

# Parents before children: a flush writes in this order.
ORDER: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (
        Patient,
        Enrollment,
        GroupSession,
        GroupAttendance,
        Appointment,
        DailyMinutes,
        GroupNote,
        ClinicalNote,
        MeasureAdministration,
        DrugScreen,
        DrugScreenResult,
        AuditEvent,
    )
)
BATCH = 5000


@dataclass(frozen=True)
class Who:
    """The staff member's account as an audit event names it."""

    user_id: int
    email: str
    role: str


class Writer:
    def __init__(self, session: Session, batch: int = BATCH) -> None:
        self.session = session
        self.batch = batch
        self.buffers: dict[str, list[dict[str, Any]]] = {t.name: [] for t in ORDER}
        self.ids: dict[str, int] = {}
        self.written: dict[str, int] = {t.name: 0 for t in ORDER}
        self.head_seq, self.head_hash = self._head()

    def _head(self) -> tuple[int, str]:
        head = self.session.execute(
            select(AuditChainHead.seq, AuditChainHead.hash)
            .where(AuditChainHead.id == 1)
            .with_for_update()
        ).one()
        return head[0], head[1]

    def new_id(self, table: Table) -> int:
        if table.name not in self.ids:
            self.ids[table.name] = self.session.scalar(select(func.max(table.c.id))) or 0
        self.ids[table.name] += 1
        return self.ids[table.name]

    def add(self, table: Table, row: dict[str, Any]) -> None:
        buffer = self.buffers[table.name]
        buffer.append(row)
        if len(buffer) >= self.batch:
            self.flush()

    def flush(self) -> None:
        for table in ORDER:
            rows = self.buffers[table.name]
            if rows:
                self.session.execute(insert(table), rows)
                self.written[table.name] += len(rows)
                rows.clear()

    def audit(
        self,
        who: Who,
        action: str,
        at: datetime,
        *,
        patient_id: int | None,
        object_type: str,
        object_id: int,
        detail: str | None = None,
    ) -> None:
        """One allowed event by a staff member on the web, chained after the previous one."""
        fields: dict[str, Any] = {
            "seq": self.head_seq + 1,
            "occurred_at": clock.as_utc(at).isoformat(timespec="microseconds"),
            "user_id": who.user_id,
            "user_email": who.email,
            "role": who.role,
            "channel": "web",
            "action": action,
            "outcome": "allowed",
            "patient_id": patient_id,
            "object_type": object_type,
            "object_id": str(object_id),
            "detail": detail,
            "ip": None,
            "user_agent": None,
        }
        digest = event_hash(fields, self.head_hash)
        row = {**fields, "occurred_at": at, "prev_hash": self.head_hash, "hash": digest}
        self.head_seq, self.head_hash = fields["seq"], digest
        self.add(AuditEvent.__table__, row)  # type: ignore[arg-type]

    def finish(self) -> None:
        """Write what is buffered, move the chain head, and let sequences catch up with the
        ids handed out here (PostgreSQL; SQLite takes max(id) + 1 by itself)."""
        self.flush()
        self.session.execute(
            update(AuditChainHead)
            .where(AuditChainHead.id == 1)
            .values(seq=self.head_seq, hash=self.head_hash)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            for name in self.ids:
                self.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
