"""Author status at intake (ban, suspension, pre-moderation), author actions, reader reports.

``authors.banned`` becomes ``authors.status``; authors banned before keep their ban. Decisions
gain ``previous_status`` so a moderator's last decision can be undone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 07:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("authors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="active")
        )
        batch_op.add_column(sa.Column("until", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE authors SET status = 'banned' WHERE banned")
    with op.batch_alter_table("authors", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
        batch_op.drop_column("banned")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_status", sa.String(length=16), nullable=True))
    op.create_table(
        "author_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["authors.id"],
            name=op.f("fk_author_actions_author_id_authors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_author_actions_comment_id_comments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author_actions")),
    )
    with op.batch_alter_table("author_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_author_actions_author_id"), ["author_id"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("reporter", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_reports_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_reports_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("comment_id", "reporter", name=op.f("uq_reports_comment_id_reporter")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reports_reporter", ["community_id", "reporter", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_reporter")
    op.drop_table("reports")
    with op.batch_alter_table("author_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_author_actions_author_id"))
    op.drop_table("author_actions")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("previous_status")
    with op.batch_alter_table("authors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("banned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE authors SET banned = (status = 'banned')")
    with op.batch_alter_table("authors", schema=None) as batch_op:
        batch_op.alter_column("banned", server_default=None)
        batch_op.drop_column("status")
        batch_op.drop_column("until")
