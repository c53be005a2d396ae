"""names are unique without their accents: "Café Ñandú" is "cafe nandu"

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("clients", "projects")


def _folded(name: str) -> str:
    """The key as ``storage.repositories.name_key`` makes it at this revision."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _unaccented(name: str) -> str:
    return " ".join(name.casefold().split())


def _rekey(key: object) -> None:
    connection = op.get_bind()
    for name in _TABLES:
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("workspace_id", sa.Integer),
                         sa.column("name", sa.String), sa.column("name_key", sa.String))
        rows = connection.execute(
            sa.select(table.c.id, table.c.workspace_id, table.c.name, table.c.name_key)
            .order_by(table.c.id)).all()
        taken = {(row.workspace_id, row.name_key) for row in rows}
        for row in rows:
            new = key(row.name)  # type: ignore[operator]
            # Two names that differ only by accents were both allowed before: the later one
            # keeps its old key, so neither is lost to the unique constraint.
            if new == row.name_key or (row.workspace_id, new) in taken:
                continue
            taken.discard((row.workspace_id, row.name_key))
            taken.add((row.workspace_id, new))
            connection.execute(sa.update(table).where(table.c.id == row.id).values(name_key=new))


def upgrade() -> None:
    _rekey(_folded)


def downgrade() -> None:
    _rekey(_unaccented)
