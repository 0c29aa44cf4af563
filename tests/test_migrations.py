"""Migrations: upgrade from empty on both databases, downgrade, and atomic failure."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import inspect

from consult import migrate
from consult.db import Base, make_engine
import consult.models  # noqa: F401


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_table(empty_db):
    assert migrate.current_revision(empty_db.url) is None
    migrate.upgrade(empty_db.url)
    assert migrate.current_revision(empty_db.url) == migrate.head_revision()
    assert set(Base.metadata.tables) | {"alembic_version"} == _tables(empty_db.url)
    migrate.upgrade(empty_db.url)  # a second upgrade is a no-op
    assert migrate.is_up_to_date(empty_db.url)


def test_downgrade_to_base_and_up_again(empty_db):
    migrate.upgrade(empty_db.url)
    migrate.downgrade(empty_db.url, "base")
    assert _tables(empty_db.url) <= {"alembic_version"}
    migrate.upgrade(empty_db.url)
    assert "segment" in _tables(empty_db.url)


def test_models_match_migrations(db_url):
    """Autogenerate finds nothing to do: every model change came with a migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(db_url)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                 Base.metadata)
    engine.dispose()
    assert diffs == []


BROKEN = '''
from alembic import op
import sqlalchemy as sa

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    op.add_column("organisation", sa.Column("extra", sa.String(10)))
    op.execute("SELECT * FROM table_that_does_not_exist")


def downgrade():
    pass
'''


def test_failed_upgrade_leaves_database_as_it_was(empty_db, tmp_path):
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_broken.py").write_text(BROKEN.format(head=migrate.head_revision()))

    # From empty: the whole chain is one transaction, so nothing at all is left behind.
    with pytest.raises(Exception):
        migrate.upgrade(empty_db.url, script_location=scripts)
    assert migrate.current_revision(empty_db.url) is None
    assert _tables(empty_db.url) <= {"alembic_version"}

    # From the current head: the failed revision leaves no table or column behind.
    migrate.upgrade(empty_db.url)
    with pytest.raises(Exception):
        migrate.upgrade(empty_db.url, script_location=scripts)
    assert migrate.current_revision(empty_db.url) == migrate.head_revision()
    assert "half_done" not in _tables(empty_db.url)
    engine = make_engine(empty_db.url)
    columns = {c["name"] for c in inspect(engine).get_columns("organisation")}
    engine.dispose()
    assert "extra" not in columns


def test_masked_text_is_filled_and_required(empty_db):
    """0004: segments stored without a masked text get one (masked now), then it is required."""
    from datetime import datetime

    from sqlalchemy import text as sql

    migrate.upgrade(empty_db.url, "0003")
    now = datetime(2026, 1, 1)
    engine = make_engine(empty_db.url)
    texts = {1: "Bel mevrouw Jansen op 06-12345678.", 2: "Meer buurthuizen in de wijk.", 3: "Al gemaskeerd."}
    with engine.begin() as conn:
        conn.execute(sql("INSERT INTO organisation (id, slug, name, created_at) VALUES (1, 'o', 'O', :now)"),
                     {"now": now})
        conn.execute(sql(
            "INSERT INTO consultation (id, organisation_id, slug, title, summary, description, policy_field, status,"
            " decision_maker, follow_up, privacy_statement, report_introduction, report_background, created_at,"
            " updated_at) VALUES (1, 1, 'c', 'C', '', '', '', 'open', '', '', '', '', '', :now, :now)"), {"now": now})
        conn.execute(sql("INSERT INTO document (id, consultation_id, title, media_type, text, uploaded_at)"
                         " VALUES (1, 1, 'Verslag', 'text/plain', :t, :now)"), {"t": " ".join(texts.values()), "now": now})
        for sid, t in texts.items():
            conn.execute(sql("INSERT INTO segment (id, consultation_id, document_id, position, start_char, end_char,"
                             " text, masked_text, group_label, created_at) VALUES (:id, 1, 1, :id, 0, 1, :t, :m, '', :now)"),
                         {"id": sid, "t": t, "m": "[al nagekeken]" if sid == 3 else None, "now": now})
    engine.dispose()

    migrate.upgrade(empty_db.url)
    engine = make_engine(empty_db.url)
    try:
        with engine.connect() as conn:
            masked = dict(conn.execute(sql("SELECT id, masked_text FROM segment")).all())
        column = {c["name"]: c for c in inspect(engine).get_columns("segment")}["masked_text"]
    finally:
        engine.dispose()
    assert "06-12345678" not in masked[1] and "Jansen" not in masked[1] and "[telefoonnummer]" in masked[1]
    assert masked[2] == texts[2]               # nothing to mask: the text itself
    assert masked[3] == "[al nagekeken]"       # a stored (possibly corrected) masking is kept
    assert column["nullable"] is False
    migrate.downgrade(empty_db.url, "0003")    # and back: only the constraint goes
    assert migrate.current_revision(empty_db.url) == "0003"


def _schema(url: str, schema_name: str | None) -> dict:
    """Everything the inspector sees of a database, with the schema's own name left out."""
    engine = make_engine(url)
    try:
        insp = inspect(engine)

        def clean(value):
            text = repr(value)
            return text.replace(f"{schema_name}.", "") if schema_name else text

        return {table: {"columns": [clean(c) for c in insp.get_columns(table)],
                        "pk": clean(insp.get_pk_constraint(table)),
                        "fks": sorted(clean(fk) for fk in insp.get_foreign_keys(table)),
                        "indexes": sorted(clean(ix) for ix in insp.get_indexes(table)),
                        "unique": sorted(clean(u) for u in insp.get_unique_constraints(table)),
                        "checks": sorted(clean(c) for c in insp.get_check_constraints(table))}
                for table in insp.get_table_names()}
    finally:
        engine.dispose()


def test_the_tests_schema_template_gives_what_the_migrations_give(backend, tmp_path):
    """The suite's ``db_url`` copies (SQLite) or replays (PostgreSQL) one migration run per
    process instead of migrating every test's database: the result must be the same."""
    from tests.conftest import SCHEMA, FreshDatabase

    dbs = []
    try:
        for name in ("warm", "copy", "migrated"):
            (tmp_path / name).mkdir()
            dbs.append(FreshDatabase(backend, tmp_path / name))
        warm, copy, migrated = dbs
        SCHEMA.apply(warm)  # the first use in a process migrates and records
        SCHEMA.apply(copy)  # later ones copy or replay
        migrate.upgrade(migrated.url)
        assert migrate.current_revision(copy.url) == migrate.head_revision()
        expected = _schema(migrated.url, migrated.schema)
        assert set(expected) == set(Base.metadata.tables) | {"alembic_version"}
        assert _schema(copy.url, copy.schema) == expected
        assert _schema(warm.url, warm.schema) == expected
    finally:
        for db in dbs:
            db.drop()
