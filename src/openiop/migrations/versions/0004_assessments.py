"""Admissions assessments (screening, DSM-5 checklists, instrument answers and scores, the six
dimension ratings, the level-of-care recommendation and the clinician's decision) and clinical
tasks (the urgent same-day safety follow-up).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 00:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _user_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"))


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("substances", sa.JSON(), nullable=False),
        sa.Column("dsm5_criteria", sa.JSON(), nullable=False),
        sa.Column("instrument_answers", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("home_environment", sa.String(length=20), nullable=False),
        sa.Column("sober_living_home", sa.String(length=200), nullable=True),
        sa.Column("commitments", sa.Text(), nullable=True),
        sa.Column("dimensions", sa.JSON(), nullable=False),
        sa.Column("recommendation", sa.String(length=40), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decided_level", sa.String(length=40), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('accepted', 'overridden')",
            name=op.f("ck_assessments_decision_known"),
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"], ["inquiries.id"], name=op.f("fk_assessments_inquiry_id_inquiries")
        ),
        _user_fk("created_by_user_id", "assessments"),
        _user_fk("decided_by_user_id", "assessments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_inquiry_id"), ["inquiry_id"], unique=False)
    op.create_table(
        "clinical_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=True),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_by_user_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inquiry_id"], ["inquiries.id"], name=op.f("fk_clinical_tasks_inquiry_id_inquiries")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_clinical_tasks_assessment_id_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_clinical_tasks_location_id_locations")
        ),
        _user_fk("done_by_user_id", "clinical_tasks"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinical_tasks")),
    )
    with op.batch_alter_table("clinical_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clinical_tasks_inquiry_id"), ["inquiry_id"], unique=False
        )
        batch_op.create_index("ix_clinical_tasks_status_due", ["status", "due_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("clinical_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_clinical_tasks_status_due")
        batch_op.drop_index(batch_op.f("ix_clinical_tasks_inquiry_id"))
    op.drop_table("clinical_tasks")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_inquiry_id"))
    op.drop_table("assessments")
