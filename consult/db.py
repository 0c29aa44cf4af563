"""Database engine, sessions and the declarative base.

Plain SQLAlchemy 2 (no Flask extension) so the CLI, background jobs and tests use the
same models and sessions as the web application.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from typing import Iterator

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Deterministic constraint names: migrations stay portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


#: The municipality's time zone: times are stored in UTC (naive) and shown, dated and
#: filtered in Dutch time (an answer sent at 23:30 counts on that evening's date).
try:
    LOCAL_TIME = ZoneInfo("Europe/Amsterdam")
except ZoneInfoNotFoundError:  # pragma: no cover - a system without time zone data
    LOCAL_TIME = timezone.utc


def to_local(moment: datetime | None) -> datetime | None:
    """A stored (naive UTC) moment in local time (aware)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc).astimezone(LOCAL_TIME)


def local_now() -> datetime:
    """Now in local time, naive (for dates and file names)."""
    return datetime.now(LOCAL_TIME).replace(tzinfo=None)


def local_today() -> date:
    return local_now().date()


def local_day_start(day: date) -> datetime:
    """The UTC moment (naive, as stored) at which ``day`` begins in the local time zone."""
    return datetime.combine(day, time(0), LOCAL_TIME).astimezone(timezone.utc).replace(tzinfo=None)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
