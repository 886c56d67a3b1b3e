"""Attendance at group sessions, the daily minutes ledger and corrections after the day.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_STATUSES = "'present', 'late', 'left_early', 'absent_excused', 'absent_unexcused'"


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    _group_attendance()
    _daily_minutes()
    _corrections()


def _group_attendance() -> None:
    op.create_table(
        "group_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_session_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("check_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            f"status IN ({_STATUSES})", name=op.f("ck_group_attendance_status_known")
        ),
        sa.CheckConstraint("minutes >= 0", name=op.f("ck_group_attendance_minutes_positive")),
        sa.CheckConstraint(
            "check_out_at IS NULL OR check_in_at IS NULL OR check_in_at < check_out_at",
            name=op.f("ck_group_attendance_in_before_out"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_group_attendance_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["group_session_id"],
            ["group_sessions.id"],
            name=op.f("fk_group_attendance_group_session_id_group_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_group_attendance_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_group_attendance_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_attendance")),
        sa.UniqueConstraint(
            "group_session_id",
            "enrollment_id",
            name=op.f("uq_group_attendance_group_session_id"),
        ),
    )
    with op.batch_alter_table("group_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_attendance_enrollment_id"), ["enrollment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_group_attendance_patient_id"), ["patient_id"], unique=False
        )


def _daily_minutes() -> None:
    counts = (
        "group_minutes",
        "group_sessions_attended",
        "group_scheduled_minutes",
        "individual_minutes",
        "individual_sessions",
        "individual_longest_minutes",
        "physician_minutes",
        "physician_visits",
    )
    op.create_table(
        "daily_minutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in counts),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_daily_minutes_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_daily_minutes_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_daily_minutes_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_minutes")),
        sa.UniqueConstraint(
            "enrollment_id", "service_date", name=op.f("uq_daily_minutes_enrollment_id")
        ),
    )
    with op.batch_alter_table("daily_minutes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_daily_minutes_location_date", ["location_id", "service_date"], unique=False
        )
        batch_op.create_index(
            "ix_daily_minutes_patient_date", ["patient_id", "service_date"], unique=False
        )


def _corrections() -> None:
    op.create_table(
        "attendance_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("object_type", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("changed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_user_id"],
            ["users.id"],
            name=op.f("fk_attendance_corrections_changed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_attendance_corrections_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_attendance_corrections_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_corrections")),
    )
    with op.batch_alter_table("attendance_corrections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attendance_corrections_patient_date",
            ["patient_id", "service_date"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("attendance_corrections", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_corrections_patient_date")
    op.drop_table("attendance_corrections")
    with op.batch_alter_table("daily_minutes", schema=None) as batch_op:
        batch_op.drop_index("ix_daily_minutes_patient_date")
        batch_op.drop_index("ix_daily_minutes_location_date")
    op.drop_table("daily_minutes")
    with op.batch_alter_table("group_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_attendance_patient_id"))
        batch_op.drop_index(batch_op.f("ix_group_attendance_enrollment_id"))
    op.drop_table("group_attendance")
