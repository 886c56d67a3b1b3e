"""Clinical notes, signatures, addenda and private counseling notes.

Group notes (shared part once per session), chart notes (one per patient, including each
attendee's part of a group note), medications on physician notes, dated addenda, links to
treatment-plan objectives, and private SUD counseling notes stored only as ciphertext.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _signable(table: str) -> list[sa.Column]:
    """The lifecycle columns group notes and chart notes share (models.notes.Signable)."""
    return [
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("cosign_required", sa.Boolean(), nullable=False),
        sa.Column("cosigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cosigned_by_user_id", sa.Integer(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["signed_by_user_id"], ["users.id"], name=op.f(f"fk_{table}_signed_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["cosigned_by_user_id"],
            ["users.id"],
            name=op.f(f"fk_{table}_cosigned_by_user_id_users"),
        ),
    ]


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "group_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_session_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("author_staff_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=120), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("interventions", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        *_signable("group_notes"),
        sa.ForeignKeyConstraint(
            ["group_session_id"],
            ["group_sessions.id"],
            name=op.f("fk_group_notes_group_session_id_group_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_group_notes_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["author_staff_id"],
            ["staff_members.id"],
            name=op.f("fk_group_notes_author_staff_id_staff_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_notes")),
        sa.UniqueConstraint("group_session_id", name=op.f("uq_group_notes_group_session_id")),
    )

    op.create_table(
        "clinical_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("group_note_id", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("service_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contact_method", sa.String(length=12), nullable=True),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("author_staff_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        *_signable("clinical_notes"),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_clinical_notes_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["group_note_id"],
            ["group_notes.id"],
            name=op.f("fk_clinical_notes_group_note_id_group_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_clinical_notes_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_clinical_notes_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["author_staff_id"],
            ["staff_members.id"],
            name=op.f("fk_clinical_notes_author_staff_id_staff_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinical_notes")),
        sa.UniqueConstraint(
            "group_note_id", "patient_id", name=op.f("uq_clinical_notes_group_note_id")
        ),
    )
    with op.batch_alter_table("clinical_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_clinical_notes_patient_date", ["patient_id", "service_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_clinical_notes_author_user_id"), ["author_user_id"], unique=False
        )

    op.create_table(
        "note_medications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("dose", sa.String(length=120), nullable=False),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("frequency", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["clinical_notes.id"],
            name=op.f("fk_note_medications_note_id_clinical_notes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_medications")),
    )
    with op.batch_alter_table("note_medications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_medications_note_id"), ["note_id"], unique=False)

    op.create_table(
        "note_addenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("author_staff_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"], ["clinical_notes.id"], name=op.f("fk_note_addenda_note_id_clinical_notes")
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_note_addenda_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["author_staff_id"],
            ["staff_members.id"],
            name=op.f("fk_note_addenda_author_staff_id_staff_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_addenda")),
    )
    with op.batch_alter_table("note_addenda", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_addenda_note_id"), ["note_id"], unique=False)

    op.create_table(
        "note_objectives",
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["clinical_notes.id"],
            name=op.f("fk_note_objectives_note_id_clinical_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["plan_objectives.id"],
            name=op.f("fk_note_objectives_objective_id_plan_objectives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("note_id", "objective_id", name=op.f("pk_note_objectives")),
    )
    with op.batch_alter_table("note_objectives", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_note_objectives_objective_id"), ["objective_id"], unique=False
        )

    op.create_table(
        "private_counseling_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_private_counseling_notes_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["users.id"],
            name=op.f("fk_private_counseling_notes_author_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_counseling_notes")),
    )
    with op.batch_alter_table("private_counseling_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_private_counseling_notes_author_patient",
            ["author_user_id", "patient_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("private_counseling_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_private_counseling_notes_author_patient")
    op.drop_table("private_counseling_notes")
    with op.batch_alter_table("note_objectives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_objectives_objective_id"))
    op.drop_table("note_objectives")
    with op.batch_alter_table("note_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_addenda_note_id"))
    op.drop_table("note_addenda")
    with op.batch_alter_table("note_medications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_medications_note_id"))
    op.drop_table("note_medications")
    with op.batch_alter_table("clinical_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clinical_notes_author_user_id"))
        batch_op.drop_index("ix_clinical_notes_patient_date")
    op.drop_table("clinical_notes")
    op.drop_table("group_notes")
