"""Schema migrations (Alembic), applied with ``consult db upgrade``.

All pending migrations run in one transaction on both PostgreSQL and SQLite, so a
failed upgrade leaves the database exactly as it was.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str, script_location: Path | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location or MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _transactional_engine(url: str) -> Engine:
    """An engine whose transactions also cover DDL on SQLite.

    pysqlite commits implicitly before DDL; taking over BEGIN ourselves makes SQLite's
    (fully transactional) DDL roll back with the rest.
    """
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # batch migrations copy tables

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    return engine


def _run(url: str, fn, *args, script_location: Path | None = None) -> None:
    cfg = alembic_config(url, script_location)
    engine = _transactional_engine(url)
    try:
        with engine.connect() as connection:
            cfg.attributes["connection"] = connection
            fn(cfg, *args)
            connection.commit()
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head", *, script_location: Path | None = None) -> None:
    _run(url, command.upgrade, revision, script_location=script_location)


def downgrade(url: str, revision: str, *, script_location: Path | None = None) -> None:
    _run(url, command.downgrade, revision, script_location=script_location)


def current_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision(script_location: Path | None = None) -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://", script_location)).get_current_head()


def is_up_to_date(url: str) -> bool:
    return current_revision(url) == head_revision()
