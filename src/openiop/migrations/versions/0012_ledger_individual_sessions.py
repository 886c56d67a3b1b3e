"""Each completed individual session's minutes on the daily ledger.

Compliance counts individual sessions that meet the policy minimum; with only a day's total,
count and longest session it had to approximate. `daily_minutes.individual_session_minutes`
keeps the list of minutes in start order. Existing rows are backfilled from their completed
individual appointments the same way `ledger_service.recompute_day` rebuilds them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 02:00:00
"""

from collections import defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Frozen copies of the columns this migration reads and writes: the models may change later.
_daily = sa.table(
    "daily_minutes",
    sa.column("id", sa.Integer),
    sa.column("enrollment_id", sa.Integer),
    sa.column("patient_id", sa.Integer),
    sa.column("location_id", sa.Integer),
    sa.column("service_date", sa.Date),
    sa.column("individual_sessions", sa.Integer),
    sa.column("individual_session_minutes", sa.JSON),
)
_appointments = sa.table(
    "appointments",
    sa.column("enrollment_id", sa.Integer),
    sa.column("patient_id", sa.Integer),
    sa.column("location_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("status", sa.String),
    sa.column("starts_at", sa.DateTime(timezone=True)),
    sa.column("actual_minutes", sa.Integer),
)
_locations = sa.table("locations", sa.column("id", sa.Integer), sa.column("time_zone", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("daily_minutes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "individual_session_minutes",
                sa.JSON(),
                nullable=False,
                server_default=sa.text("'[]'"),
            )
        )
    _backfill(op.get_bind())


def _backfill(bind: sa.engine.Connection) -> None:
    zones = dict(bind.execute(sa.select(_locations.c.id, _locations.c.time_zone)).all())
    by_enrollment: dict[tuple[int, date], list[tuple[datetime, int]]] = defaultdict(list)
    # An appointment naming no enrollment counts for the patient's enrollment at its site.
    unassigned: dict[tuple[int, int, date], list[tuple[datetime, int]]] = defaultdict(list)
    visits = bind.execute(
        sa.select(
            _appointments.c.enrollment_id,
            _appointments.c.patient_id,
            _appointments.c.location_id,
            _appointments.c.starts_at,
            _appointments.c.actual_minutes,
        ).where(_appointments.c.kind == "individual", _appointments.c.status == "completed")
    ).all()
    for enrollment_id, patient_id, location_id, starts_at, minutes in visits:
        start = starts_at.replace(tzinfo=UTC) if starts_at.tzinfo is None else starts_at
        day = start.astimezone(ZoneInfo(zones[location_id])).date()
        entry = (start, minutes or 0)
        if enrollment_id is None:
            unassigned[(patient_id, location_id, day)].append(entry)
        else:
            by_enrollment[(enrollment_id, day)].append(entry)
    rows = bind.execute(
        sa.select(
            _daily.c.id,
            _daily.c.enrollment_id,
            _daily.c.patient_id,
            _daily.c.location_id,
            _daily.c.service_date,
        ).where(_daily.c.individual_sessions > 0)
    ).all()
    for row_id, enrollment_id, patient_id, location_id, service_date in rows:
        entries = by_enrollment.get((enrollment_id, service_date), []) + unassigned.get(
            (patient_id, location_id, service_date), []
        )
        minutes = [m for _, m in sorted(entries, key=lambda entry: entry[0])]
        bind.execute(
            _daily.update().where(_daily.c.id == row_id).values(individual_session_minutes=minutes)
        )


def downgrade() -> None:
    with op.batch_alter_table("daily_minutes", schema=None) as batch_op:
        batch_op.drop_column("individual_session_minutes")
