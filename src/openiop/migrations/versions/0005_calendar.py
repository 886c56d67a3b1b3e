"""The calendar: curriculum topics, group sessions, appointments (kinds and statuses), site
closures, staff working hours and time off, patients' one-off blocks and scheduling preferences.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 01:46:21.642482
"""

import sqlalchemy as sa
from alembic import op


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "curriculum_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_curriculum_topics_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curriculum_topics")),
        sa.UniqueConstraint("program_id", "position", name=op.f("uq_curriculum_topics_program_id")),
    )
    with op.batch_alter_table("curriculum_topics", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_curriculum_topics_program_id"), ["program_id"], unique=False
        )

    op.create_table(
        "location_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_location_closures_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location_closures")),
        sa.UniqueConstraint(
            "location_id", "closed_on", name=op.f("uq_location_closures_location_id")
        ),
    )
    with op.batch_alter_table("location_closures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_location_closures_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "staff_time_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_member_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_staff_time_off_start_before_end")),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["staff_members.id"],
            name=op.f("fk_staff_time_off_staff_member_id_staff_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_time_off")),
    )
    with op.batch_alter_table("staff_time_off", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_time_off_staff_member_id"), ["staff_member_id"], unique=False
        )

    op.create_table(
        "staff_working_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_member_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint(
            "start_time < end_time", name=op.f("ck_staff_working_hours_start_before_end")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_staff_working_hours_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["staff_members.id"],
            name=op.f("fk_staff_working_hours_staff_member_id_staff_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_working_hours")),
    )
    with op.batch_alter_table("staff_working_hours", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_working_hours_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_staff_working_hours_staff_member_id"), ["staff_member_id"], unique=False
        )

    op.create_table(
        "patient_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_patient_blocks_start_before_end")),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_blocks_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_blocks")),
    )
    with op.batch_alter_table("patient_blocks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_blocks_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "scheduling_preferences",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("preferred_weekdays", sa.String(length=7), nullable=False),
        sa.Column("part_of_day", sa.String(length=10), nullable=True),
        sa.Column("telehealth_ok", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_scheduling_preferences_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_scheduling_preferences")),
    )
    op.create_table(
        "group_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=120), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('scheduled', 'held', 'cancelled')",
            name=op.f("ck_group_sessions_status_known"),
        ),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_group_sessions_start_before_end")),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["staff_members.id"],
            name=op.f("fk_group_sessions_facilitator_id_staff_members"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_group_sessions_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["rooms.id"], name=op.f("fk_group_sessions_room_id_rooms")
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["curriculum_topics.id"],
            name=op.f("fk_group_sessions_topic_id_curriculum_topics"),
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_group_sessions_track_id_tracks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_sessions")),
        sa.UniqueConstraint("track_id", "session_date", name=op.f("uq_group_sessions_track_id")),
    )
    with op.batch_alter_table("group_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_group_sessions_facilitator_date", ["facilitator_id", "session_date"], unique=False
        )
        batch_op.create_index(
            "ix_group_sessions_location_date", ["location_id", "session_date"], unique=False
        )

    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("staff_member_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("telehealth", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=14), nullable=False),
        sa.Column("actual_minutes", sa.Integer(), nullable=True),
        sa.Column("covering", sa.Boolean(), nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('intake', 'individual', 'physician', 'drug_screen', 'family_session')",
            name=op.f("ck_appointments_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('scheduled', 'completed', 'no_show', 'cancelled', 'late_cancelled')",
            name=op.f("ck_appointments_status_known"),
        ),
        sa.CheckConstraint(
            "actual_minutes IS NULL OR actual_minutes >= 0",
            name=op.f("ck_appointments_minutes_positive"),
        ),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_appointments_start_before_end")),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_appointments_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_appointments_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_appointments_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_appointments_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["rooms.id"], name=op.f("fk_appointments_room_id_rooms")
        ),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["staff_members.id"],
            name=op.f("fk_appointments_staff_member_id_staff_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointments_enrollment_id"), ["enrollment_id"], unique=False
        )
        batch_op.create_index(
            "ix_appointments_location_start", ["location_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            "ix_appointments_patient_start", ["patient_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            "ix_appointments_staff_start", ["staff_member_id", "starts_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_staff_start")
        batch_op.drop_index("ix_appointments_patient_start")
        batch_op.drop_index("ix_appointments_location_start")
        batch_op.drop_index(batch_op.f("ix_appointments_enrollment_id"))

    op.drop_table("appointments")
    with op.batch_alter_table("group_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_group_sessions_location_date")
        batch_op.drop_index("ix_group_sessions_facilitator_date")

    op.drop_table("group_sessions")
    op.drop_table("scheduling_preferences")
    with op.batch_alter_table("patient_blocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_blocks_patient_id"))

    op.drop_table("patient_blocks")
    with op.batch_alter_table("staff_working_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_working_hours_staff_member_id"))
        batch_op.drop_index(batch_op.f("ix_staff_working_hours_location_id"))

    op.drop_table("staff_working_hours")
    with op.batch_alter_table("staff_time_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_time_off_staff_member_id"))

    op.drop_table("staff_time_off")
    with op.batch_alter_table("location_closures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_location_closures_location_id"))

    op.drop_table("location_closures")
    with op.batch_alter_table("curriculum_topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_curriculum_topics_program_id"))

    op.drop_table("curriculum_topics")
