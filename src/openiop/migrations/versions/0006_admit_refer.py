"""Admissions hand-off: admission records, consent to treatment, referral partners, sober-living homes, referrals.

Also gives clinical tasks a patient, an assignee and a title, for the first week's to-dos after
an admission and the follow-up of a referral.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _versioned() -> list[sa.Column]:
    return [
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _directories() -> None:
    op.create_table(
        "referral_partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("levels", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_versioned(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_partners")),
        sa.UniqueConstraint("name", name=op.f("uq_referral_partners_name")),
    )
    with op.batch_alter_table("referral_partners", schema=None) as batch_op:
        batch_op.create_index("ix_referral_partners_city", ["city"], unique=False)
    op.create_table(
        "sober_living_homes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("beds", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(length=20), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("certified_by", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_versioned(),
        sa.CheckConstraint("beds >= 0", name=op.f("ck_sober_living_homes_beds_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sober_living_homes")),
        sa.UniqueConstraint("name", name=op.f("uq_sober_living_homes_name")),
    )
    with op.batch_alter_table("sober_living_homes", schema=None) as batch_op:
        batch_op.create_index("ix_sober_living_homes_city", ["city"], unique=False)


def _task_columns() -> None:
    with op.batch_alter_table("clinical_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("patient_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("assigned_staff_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("title", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_clinical_tasks_patient_id_patients"), "patients", ["patient_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_clinical_tasks_assigned_staff_id_staff_members"),
            "staff_members",
            ["assigned_staff_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_clinical_tasks_patient_id"), ["patient_id"], unique=False
        )


def _referrals() -> None:
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("sober_living_home_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("follow_up_date", sa.Date(), nullable=False),
        sa.Column("follow_up_task_id", sa.Integer(), nullable=True),
        sa.Column("referred_by_user_id", sa.Integer(), nullable=True),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "partner_id IS NOT NULL OR sober_living_home_id IS NOT NULL",
            name=op.f("ck_referrals_has_destination"),
        ),
        _fk("referrals", "inquiry_id", "inquiries"),
        _fk("referrals", "partner_id", "referral_partners"),
        _fk("referrals", "sober_living_home_id", "sober_living_homes"),
        _fk("referrals", "follow_up_task_id", "clinical_tasks"),
        _fk("referrals", "referred_by_user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_inquiry_id"), ["inquiry_id"], unique=False)


def _admission_records() -> None:
    op.create_table(
        "admission_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("patient_was_new", sa.Boolean(), nullable=False),
        sa.Column("consent_version", sa.String(length=40), nullable=False),
        sa.Column("consent_sha256", sa.String(length=64), nullable=False),
        sa.Column("consent_signer", sa.String(length=20), nullable=False),
        sa.Column("consent_signed_name", sa.String(length=200), nullable=False),
        sa.Column("consent_relationship", sa.String(length=100), nullable=True),
        sa.Column("consent_signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("admitted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("admission_records", "inquiry_id", "inquiries"),
        _fk("admission_records", "assessment_id", "assessments"),
        _fk("admission_records", "patient_id", "patients"),
        _fk("admission_records", "enrollment_id", "enrollments"),
        _fk("admission_records", "admitted_by_user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admission_records")),
        sa.UniqueConstraint("inquiry_id", name=op.f("uq_admission_records_inquiry_id")),
    )
    with op.batch_alter_table("admission_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admission_records_patient_id"), ["patient_id"], unique=False
        )


def upgrade() -> None:
    _directories()
    _task_columns()
    _referrals()
    _admission_records()


def downgrade() -> None:
    with op.batch_alter_table("admission_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admission_records_patient_id"))
    op.drop_table("admission_records")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_inquiry_id"))
    op.drop_table("referrals")
    with op.batch_alter_table("clinical_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clinical_tasks_patient_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_clinical_tasks_assigned_staff_id_staff_members"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_clinical_tasks_patient_id_patients"), type_="foreignkey"
        )
        batch_op.drop_column("title")
        batch_op.drop_column("assigned_staff_id")
        batch_op.drop_column("patient_id")
    with op.batch_alter_table("sober_living_homes", schema=None) as batch_op:
        batch_op.drop_index("ix_sober_living_homes_city")
    op.drop_table("sober_living_homes")
    with op.batch_alter_table("referral_partners", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_partners_city")
    op.drop_table("referral_partners")
