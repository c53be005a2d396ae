"""Migrations take an empty database to the newest schema, which matches the models, and
carry the data along."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from storage import Database
from storage.db import _alembic_config
from storage.models import Base, Client, Project, Workspace
from tests.conftest import BACKENDS, PG_ADMIN_URL


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin = make_url(PG_ADMIN_URL).set(drivername="postgresql")
    name = f"v1tr0_migrate_{secrets.token_hex(4)}"
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield admin.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _differences(connection: Connection) -> list[object]:
    return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_empty_database_upgrades_to_head_matching_the_models(
        empty_database_url: str) -> None:
    db = Database(empty_database_url)
    try:
        assert not await db.is_current()
        await db.migrate()
        assert await db.is_current()
        async with db.engine.connect() as connection:
            assert await connection.run_sync(_tables) == set(Base.metadata.tables)
            assert await connection.run_sync(_differences) == []
        await db.migrate()  # running it again changes nothing
        assert await db.is_current()
    finally:
        await db.dispose()


def _names_before_accents(connection: Connection) -> None:
    """At 0005, two clients whose names differ only by accents, and an accented project."""
    command.upgrade(_alembic_config(connection), "0005")
    with Session(connection) as session:
        workspace = Workspace(platform="console", external_id="local")
        session.add(workspace)
        session.flush()
        session.add_all([
            Client(workspace_id=workspace.id, name="Café Ñandú", name_key="café ñandú"),
            Client(workspace_id=workspace.id, name="Cafe Nandu", name_key="cafe nandu"),
            Project(workspace_id=workspace.id, name="Diseño Web", name_key="diseño web")])
        session.commit()


def _keys(connection: Connection) -> dict[str, str]:
    return {name: key for table in (Client, Project) for name, key in connection.execute(
        select(table.name, table.name_key))}


async def test_names_are_keyed_without_accents_and_back(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(_names_before_accents)
        await db.migrate()
        async with db.engine.connect() as connection:
            # Of two names one accent apart, one keeps its old key: both stay reachable.
            assert await connection.run_sync(_keys) == {
                "Café Ñandú": "café ñandú", "Cafe Nandu": "cafe nandu",
                "Diseño Web": "diseno web"}
        async with db.engine.begin() as connection:
            await connection.run_sync(
                lambda sync: command.downgrade(_alembic_config(sync), "0005"))
            assert (await connection.run_sync(_keys))["Diseño Web"] == "diseño web"
    finally:
        await db.dispose()
