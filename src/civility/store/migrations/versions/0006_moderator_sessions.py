"""Moderators' sessions in the store, so signing out and a new password end them at once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 07:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "moderator_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderators.id"],
            name=op.f("fk_moderator_sessions_moderator_id_moderators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_sessions")),
    )
    with op.batch_alter_table("moderator_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderator_sessions_moderator_id"), ["moderator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderator_sessions_seen_at"), ["seen_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("moderator_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderator_sessions_seen_at"))
        batch_op.drop_index(batch_op.f("ix_moderator_sessions_moderator_id"))
    op.drop_table("moderator_sessions")
