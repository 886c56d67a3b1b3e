"""Admissions pipeline: referral sources, the inquiry contact log, and the inquiry columns for
duplicates (date of birth), referral source, admission time and closing reason.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 00:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "referral_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_referral_sources_name")),
    )
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("referral_source_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_reason", sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_inquiries_referral_source_id_referral_sources"),
            "referral_sources",
            ["referral_source_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_inquiries_referral_source_id"), ["referral_source_id"], unique=False
        )
    op.create_table(
        "inquiry_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("contacted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("logged_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_inquiry_contacts_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_user_id"],
            ["users.id"],
            name=op.f("fk_inquiry_contacts_logged_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_contacts")),
    )
    with op.batch_alter_table("inquiry_contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inquiry_contacts_inquiry_at", ["inquiry_id", "contacted_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inquiry_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_inquiry_contacts_inquiry_at")
    op.drop_table("inquiry_contacts")
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiries_referral_source_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_inquiries_referral_source_id_referral_sources"), type_="foreignkey"
        )
        batch_op.drop_column("closed_reason")
        batch_op.drop_column("admitted_at")
        batch_op.drop_column("referral_source_id")
        batch_op.drop_column("date_of_birth")
    op.drop_table("referral_sources")
