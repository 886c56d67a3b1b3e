"""Admissions: inquiries from the public site and per-location day rates for the cost page.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 23:33:11.547220
"""

import sqlalchemy as sa
from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inquiries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("next_action_date", sa.Date(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("caller_relationship", sa.String(length=20), nullable=False),
        sa.Column("person_name", sa.String(length=200), nullable=True),
        sa.Column("contact_method", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("best_times", sa.String(length=200), nullable=True),
        sa.Column("substances", sa.String(length=300), nullable=False),
        sa.Column("insurance_carrier", sa.String(length=100), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("consent_to_contact", sa.Boolean(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("ip_hash", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_inquiries_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_inquiries_owner_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_inquiries_idempotency_key")),
    )
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inquiries_ip_hash_created", ["ip_hash", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inquiries_location_id"), ["location_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inquiries_owner_user_id"), ["owner_user_id"], unique=False
        )
        batch_op.create_index(
            "ix_inquiries_stage_next_action", ["stage", "next_action_date"], unique=False
        )

    op.create_table(
        "location_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("iop_day_rate_cents", sa.Integer(), nullable=False),
        sa.Column("residential_day_rate_cents", sa.Integer(), nullable=False),
        sa.Column("inpatient_day_rate_cents", sa.Integer(), nullable=False),
        sa.Column("set_by_user_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "iop_day_rate_cents >= 0 AND residential_day_rate_cents >= 0 AND inpatient_day_rate_cents >= 0",
            name=op.f("ck_location_rates_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_location_rates_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_user_id"], ["users.id"], name=op.f("fk_location_rates_set_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location_rates")),
        sa.UniqueConstraint(
            "location_id", "effective_from", name="uq_location_rates_location_from"
        ),
    )
    with op.batch_alter_table("location_rates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_location_rates_location_id"), ["location_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("location_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_location_rates_location_id"))

    op.drop_table("location_rates")
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_index("ix_inquiries_stage_next_action")
        batch_op.drop_index(batch_op.f("ix_inquiries_owner_user_id"))
        batch_op.drop_index(batch_op.f("ix_inquiries_location_id"))
        batch_op.drop_index("ix_inquiries_ip_hash_created")

    op.drop_table("inquiries")
