"""A covered group session keeps whom the stand-in replaced, and why.

Before this the session only held its current facilitator, so a calendar could not tell which
of a track's rotating facilitators was out ("Covering for A or B"). Existing rows stay NULL:
their cover, if any, is named from the track's facilitators as before.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("group_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("covering_for_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cover_reason", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_group_sessions_covering_for_id_staff_members"),
            "staff_members",
            ["covering_for_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("group_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_group_sessions_covering_for_id_staff_members"), type_="foreignkey"
        )
        batch_op.drop_column("cover_reason")
        batch_op.drop_column("covering_for_id")
