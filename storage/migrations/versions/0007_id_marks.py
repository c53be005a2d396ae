"""the highest id each table of numbered records gave, so SQLite never reuses one

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "id_marks",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_id_marks")),
    )


def downgrade() -> None:
    op.drop_table("id_marks")
