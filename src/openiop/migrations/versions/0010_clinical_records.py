"""Treatment plans (problems, goals, objectives, interventions, reviews), per-program clinical
policy and measure schedules, measure administrations, drug screens with results per substance
class, and discharge summaries.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinical_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("plan_review_interval_days", sa.Integer(), nullable=False),
        sa.Column("physician_review_within_days", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_clinical_policies_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinical_policies")),
        sa.UniqueConstraint("program_id", name=op.f("uq_clinical_policies_program_id")),
    )
    op.create_table(
        "measure_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=20), nullable=False),
        sa.Column("at_intake", sa.Boolean(), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "interval_days > 0", name=op.f("ck_measure_schedules_interval_positive")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_measure_schedules_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_schedules")),
        sa.UniqueConstraint("program_id", "instrument", name="uq_measure_schedules_program_instr"),
    )
    with op.batch_alter_table("measure_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measure_schedules_program_id"), ["program_id"], unique=False
        )
    op.create_table(
        "discharge_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("discharge_type", sa.String(length=40), nullable=False),
        sa.Column("discharge_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("clinical_course", sa.Text(), nullable=False),
        sa.Column("aftercare_plan", sa.Text(), nullable=False),
        sa.Column("referral_to", sa.String(length=200), nullable=True),
        sa.Column("drafted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("signed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'signed')", name=op.f("ck_discharge_summaries_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["drafted_by_user_id"],
            ["users.id"],
            name=op.f("fk_discharge_summaries_drafted_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_discharge_summaries_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_discharge_summaries_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_user_id"],
            ["users.id"],
            name=op.f("fk_discharge_summaries_signed_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discharge_summaries")),
        sa.UniqueConstraint("enrollment_id", name=op.f("uq_discharge_summaries_enrollment_id")),
    )
    with op.batch_alter_table("discharge_summaries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_discharge_summaries_patient_id"), ["patient_id"], unique=False
        )
    op.create_table(
        "drug_screens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("collected_on", sa.Date(), nullable=False),
        sa.Column("observed", sa.Boolean(), nullable=False),
        sa.Column("specimen", sa.String(length=20), nullable=False),
        sa.Column("testing", sa.String(length=20), nullable=False),
        sa.Column("lab_name", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("collected_by_user_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "testing IN ('point_of_care', 'lab')", name=op.f("ck_drug_screens_testing_known")
        ),
        sa.ForeignKeyConstraint(
            ["collected_by_user_id"],
            ["users.id"],
            name=op.f("fk_drug_screens_collected_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_drug_screens_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_drug_screens_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drug_screens")),
    )
    with op.batch_alter_table("drug_screens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_drug_screens_enrollment_id"), ["enrollment_id"], unique=False
        )
        batch_op.create_index(
            "ix_drug_screens_patient_collected", ["patient_id", "collected_on"], unique=False
        )
    op.create_table(
        "treatment_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("patient_signed_name", sa.String(length=200), nullable=True),
        sa.Column("patient_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counselor_signed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("counselor_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("physician_signed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("physician_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activated_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'superseded')",
            name=op.f("ck_treatment_plans_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["counselor_signed_by_user_id"],
            ["users.id"],
            name=op.f("fk_treatment_plans_counselor_signed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_treatment_plans_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_treatment_plans_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_treatment_plans_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["physician_signed_by_user_id"],
            ["users.id"],
            name=op.f("fk_treatment_plans_physician_signed_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_plans")),
    )
    with op.batch_alter_table("treatment_plans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_treatment_plans_enrollment_status", ["enrollment_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_treatment_plans_patient_id"), ["patient_id"], unique=False
        )
    op.create_table(
        "drug_screen_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screen_id", sa.Integer(), nullable=False),
        sa.Column("substance_class", sa.String(length=30), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("medication", sa.String(length=200), nullable=True),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "result IN ('negative', 'positive', 'expected', 'invalid', 'dilute')",
            name=op.f("ck_drug_screen_results_result_known"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_drug_screen_results_recorded_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["screen_id"],
            ["drug_screens.id"],
            name=op.f("fk_drug_screen_results_screen_id_drug_screens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drug_screen_results")),
        sa.UniqueConstraint("screen_id", "substance_class", name="uq_drug_screen_results_class"),
    )
    op.create_table(
        "plan_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("asam_dimension", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["treatment_plans.id"],
            name=op.f("fk_plan_problems_plan_id_treatment_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_problems")),
    )
    with op.batch_alter_table("plan_problems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_problems_plan_id"), ["plan_id"], unique=False)
    op.create_table(
        "plan_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("reviewed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('periodic', 'physician')", name=op.f("ck_plan_reviews_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["treatment_plans.id"],
            name=op.f("fk_plan_reviews_plan_id_treatment_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_user_id"],
            ["users.id"],
            name=op.f("fk_plan_reviews_reviewed_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_reviews")),
    )
    with op.batch_alter_table("plan_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_reviews_plan_id"), ["plan_id"], unique=False)
    op.create_table(
        "measure_administrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=20), nullable=False),
        sa.Column("administered_on", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("band", sa.String(length=40), nullable=True),
        sa.Column("subscales", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("urgent_task_id", sa.Integer(), nullable=True),
        sa.Column("administered_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["administered_by_user_id"],
            ["users.id"],
            name=op.f("fk_measure_administrations_administered_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_measure_administrations_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_measure_administrations_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["urgent_task_id"],
            ["clinical_tasks.id"],
            name=op.f("fk_measure_administrations_urgent_task_id_clinical_tasks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_administrations")),
    )
    with op.batch_alter_table("measure_administrations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_measure_admin_patient_instr_on",
            ["patient_id", "instrument", "administered_on"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_measure_administrations_enrollment_id"), ["enrollment_id"], unique=False
        )
    op.create_table(
        "plan_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["plan_problems.id"],
            name=op.f("fk_plan_goals_problem_id_plan_problems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_goals")),
    )
    with op.batch_alter_table("plan_goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_goals_problem_id"), ["problem_id"], unique=False)
    op.create_table(
        "plan_objectives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("measure", sa.String(length=300), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'met', 'partially_met', 'not_met', 'discontinued')",
            name=op.f("ck_plan_objectives_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["plan_goals.id"],
            name=op.f("fk_plan_objectives_goal_id_plan_goals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["treatment_plans.id"],
            name=op.f("fk_plan_objectives_plan_id_treatment_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_objectives")),
    )
    with op.batch_alter_table("plan_objectives", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_objectives_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_objectives_plan_id"), ["plan_id"], unique=False)
    op.create_table(
        "plan_interventions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("modality", sa.String(length=30), nullable=False),
        sa.Column("frequency", sa.String(length=100), nullable=False),
        sa.Column("responsible_staff_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["plan_objectives.id"],
            name=op.f("fk_plan_interventions_objective_id_plan_objectives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["responsible_staff_id"],
            ["staff_members.id"],
            name=op.f("fk_plan_interventions_responsible_staff_id_staff_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_interventions")),
    )
    with op.batch_alter_table("plan_interventions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_interventions_objective_id"), ["objective_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_plan_interventions_responsible_staff_id"),
            ["responsible_staff_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_interventions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_interventions_responsible_staff_id"))
        batch_op.drop_index(batch_op.f("ix_plan_interventions_objective_id"))
    op.drop_table("plan_interventions")
    with op.batch_alter_table("plan_objectives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_objectives_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_objectives_goal_id"))
    op.drop_table("plan_objectives")
    with op.batch_alter_table("plan_goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_goals_problem_id"))
    op.drop_table("plan_goals")
    with op.batch_alter_table("measure_administrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_administrations_enrollment_id"))
        batch_op.drop_index("ix_measure_admin_patient_instr_on")
    op.drop_table("measure_administrations")
    with op.batch_alter_table("plan_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_reviews_plan_id"))
    op.drop_table("plan_reviews")
    with op.batch_alter_table("plan_problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_problems_plan_id"))
    op.drop_table("plan_problems")
    op.drop_table("drug_screen_results")
    with op.batch_alter_table("treatment_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treatment_plans_patient_id"))
        batch_op.drop_index("ix_treatment_plans_enrollment_status")
    op.drop_table("treatment_plans")
    with op.batch_alter_table("drug_screens", schema=None) as batch_op:
        batch_op.drop_index("ix_drug_screens_patient_collected")
        batch_op.drop_index(batch_op.f("ix_drug_screens_enrollment_id"))
    op.drop_table("drug_screens")
    with op.batch_alter_table("discharge_summaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discharge_summaries_patient_id"))
    op.drop_table("discharge_summaries")
    with op.batch_alter_table("measure_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_schedules_program_id"))
    op.drop_table("measure_schedules")
    op.drop_table("clinical_policies")
