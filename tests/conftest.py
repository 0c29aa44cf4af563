"""Shared fixtures: real databases (SQLite always, PostgreSQL when configured), the app,
an HTTP client, a live server and headless Chromium.

PostgreSQL tests run when ``CONSULT_TEST_POSTGRES_URL`` points at a database (``.ci/run``
creates a fresh one per run). Each test gets its own schema there, so tests can run in
parallel (pytest-xdist) without seeing each other's rows.
"""
from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from consult import migrate
from consult.db import make_engine, make_session_factory

POSTGRES_URL = os.environ.get("CONSULT_TEST_POSTGRES_URL")
#: Background jobs of test apps go to this Redis database, on a queue per test.
JOBS_REDIS_URL = "redis://127.0.0.1:6379/13"
BACKENDS = ["sqlite", "postgresql"]
SECRET = "test-secret-key-" + "x" * 32
ARTIFACTS = Path(__file__).parent / "artifacts"


class FreshDatabase:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema."""

    def __init__(self, backend: str, tmp_path: Path):
        self.backend = backend
        if backend == "sqlite":
            self.url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
            self.schema = None
        else:
            if not POSTGRES_URL:
                pytest.skip("PostgreSQL tests need CONSULT_TEST_POSTGRES_URL")
            self.schema = f"t_{uuid.uuid4().hex[:12]}"
            base = make_url(POSTGRES_URL)
            if base.drivername == "postgresql":
                base = base.set(drivername="postgresql+psycopg")
            self._admin_url = base.render_as_string(hide_password=False)
            engine = create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            engine.dispose()
            self.url = base.update_query_dict(
                {"options": f"-csearch_path={self.schema}"}).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self.schema:
            engine = create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashes():
    """Argon2 with its lowest cost inside the test processes.

    The production parameters (argon2-cffi's defaults: 64 MiB, 3 passes) take about 0.2 s
    per hash and per login on this machine, and most web tests make four accounts and log
    in more than once. A hash keeps its parameters, so hashing and checking stay real
    argon2id; only the cost is lower. CLI tests run in subprocesses and keep the defaults.
    """
    from argon2 import PasswordHasher

    from consult.models import users
    from consult.web import auth

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    saved = users._hasher, auth._hasher
    users._hasher = auth._hasher = quick
    auth._dummy_hash.cache_clear()  # made with the hasher in use when first needed
    yield
    users._hasher, auth._hasher = saved
    auth._dummy_hash.cache_clear()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def empty_db(backend, tmp_path):
    db = FreshDatabase(backend, tmp_path)
    yield db
    db.drop()


class SchemaTemplate:
    """The current schema, made once per test process by running the migrations, then
    given to every test that asks for a migrated database without running them again.

    Running the migrations costs about a second per database (Alembic's Python plus a
    round trip per statement), which hundreds of tests paid each. SQLite gets a copy of the
    migrated file. PostgreSQL gets the statements of that one migration run, recorded as
    they went to the server (parameters bound), replayed in the test's own schema in one
    round trip (they name no schema: the search path decides). ``tests/test_migrations.py`` checks that
    both give the schema the migrations give.
    """

    def __init__(self):
        self._sqlite: Path | None = None
        self._postgres: str | None = None

    def apply(self, db: FreshDatabase) -> None:
        if db.backend == "sqlite":
            shutil.copyfile(self._sqlite_file(), db.url.removeprefix("sqlite:///"))
        elif self._postgres is None:
            self._record_postgres(db)
        else:
            import psycopg

            with psycopg.connect(_libpq_url(db.url)) as conn:
                conn.execute(self._postgres)

    def _sqlite_file(self) -> Path:
        if self._sqlite is None:
            import atexit
            import tempfile

            folder = Path(tempfile.mkdtemp(prefix="consult-schema-"))
            atexit.register(shutil.rmtree, folder, True)
            path = folder / "template.sqlite3"
            migrate.upgrade(f"sqlite:///{path}")
            self._sqlite = path
        return self._sqlite

    def _record_postgres(self, db: FreshDatabase) -> None:
        """Migrate ``db`` and keep the statements sent to its schema, their parameters bound
        (psycopg's client-side ``mogrify``), as the script to replay."""
        import psycopg
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        options = make_url(db.url).query.get("options")   # the search path: this schema
        sent: list[tuple[str, object]] = []

        def record(conn, _cursor, statement, parameters, _context, executemany):
            if conn.engine.url.query.get("options") != options:
                return   # another engine in this process (a live server's), not the migration
            for params in (parameters if executemany else [parameters]):
                sent.append((statement, params or None))

        event.listen(Engine, "before_cursor_execute", record)
        try:
            migrate.upgrade(db.url)
        finally:
            event.remove(Engine, "before_cursor_execute", record)
        with psycopg.connect(_libpq_url(db.url)) as conn:
            cursor = psycopg.ClientCursor(conn)
            self._postgres = ";\n".join(cursor.mogrify(statement, params) for statement, params in sent)


def _libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psycopg takes it (the search path kept)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


SCHEMA = SchemaTemplate()


@pytest.fixture
def db_url(empty_db) -> str:
    """URL of a fresh database with the current schema."""
    SCHEMA.apply(empty_db)
    return empty_db.url


@pytest.fixture
def session(db_url):
    engine = make_engine(db_url)
    s = make_session_factory(engine)()
    yield s
    s.close()
    engine.dispose()


def make_app(db_url: str, instance: Path, **overrides):
    from consult import create_app

    # per-process rate-limit counters: tests must not share Redis counters with each other
    config = {"DATABASE_URL": db_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": SECRET,
              "TESTING": True, "RATELIMIT_STORAGE_URL": "memory://", "REDIS_URL": JOBS_REDIS_URL}
    config.update(overrides)
    return create_app(config)


@pytest.fixture(autouse=True)
def job_queue(monkeypatch):
    """Each test queues its background jobs on its own RQ queue (parallel test processes
    never take each other's jobs), deleted afterwards; ``tests.jobqueue.drain_jobs`` runs them."""
    from consult import jobs

    name = f"consult-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(jobs, "QUEUE_NAME", name)
    yield name
    jobs.wait_for_background()
    redis = jobs.connect_redis(JOBS_REDIS_URL)
    if redis is not None:
        from rq import Queue

        Queue(name, connection=redis).delete(delete_jobs=True)


@pytest.fixture
def app(db_url, tmp_path):
    app = make_app(db_url, tmp_path / "instance")
    yield app
    app.extensions["consult.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


# -- the demo, built once per backend and test process ---------------------------------
# Tests using ``demo_app`` must not change the demo's data; build your own with
# ``build_demo`` on the ``app`` fixture when a test writes.

@pytest.fixture(scope="session", params=BACKENDS)
def demo_app(request, tmp_path_factory):
    from consult.db import session_scope
    from consult.demo import build_demo

    tmp = tmp_path_factory.mktemp(f"demo-{request.param}")
    db = FreshDatabase(request.param, tmp)
    SCHEMA.apply(db)
    app = make_app(db.url, tmp / "instance")
    with session_scope(app.extensions["consult.sessions"]) as s:
        build_demo(s)
    yield app
    app.extensions["consult.engine"].dispose()
    db.drop()


# -- browser -----------------------------------------------------------------------------

class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()


def _chromium_paths() -> tuple[str, str]:
    browser = shutil.which("chromium") or "/usr/bin/chromium"
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (os.path.exists(browser) and os.path.exists(driver)):
        pytest.fail("browser tests need Debian's chromium and chromium-driver "
                    "('make test' installs them)")
    return browser, driver


@pytest.fixture(scope="session")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1280,1024"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.implicitly_wait(2)
    yield driver
    driver.quit()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
