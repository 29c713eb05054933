"""API key scopes and communities; keys issued before scopes existed keep every power (admin).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 02:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The server default fills the rows that exist now; new keys always name their scopes.
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scopes", sa.String(length=100), nullable=False, server_default="admin")
        )
        batch_op.add_column(sa.Column("communities", sa.JSON(), nullable=True))
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.alter_column("scopes", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("communities")
        batch_op.drop_column("scopes")
