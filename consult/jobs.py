"""Background jobs: long coding runs and retraining, tracked in the ``job`` table.

How it fits together
    A producer calls :func:`enqueue_for_app` (or :func:`enqueue` outside Flask). That
    creates a ``Job`` row (status ``queued``) and puts ``run_job(database_url, job_id)`` on
    the RQ queue ``consult`` in Redis (``CONSULT_REDIS_URL``). ``consult worker`` takes it
    from there, opens its own database connection from that URL, runs the handler and
    writes status, progress, result or error back to the row. When Redis cannot be reached
    (a laptop running the demo), or refuses the job, the job runs in-process instead,
    before :func:`enqueue` returns: the same row, the same result, only not in the
    background. With Redis up but no ``consult worker`` running, jobs stay ``queued``
    until a worker starts.

Job kinds
    Each kind is a function ``handler(session, job, progress)`` registered with
    :func:`job_handler`; it returns the JSON result. ``code_consultation`` (params:
    ``retrain``) and ``train_coder`` exist today; both need ``consultation``.

The seam for the screens (not wired yet)
    Nothing in the web layer produces jobs yet: the CLI runs coding synchronously. The
    browser workspace (the staff coding screens) will start runs from a POST view with::

        job_id = jobs.enqueue_for_app(current_app, "code_consultation", consultation=c,
                                      user=current_user(), params={"retrain": True})

    record the request in the audit log, and redirect to a page that polls the ``Job``
    row (``status``, ``progress``, ``result``, ``error``) by ``job_id``.
"""
from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from sqlalchemy.orm import Session, sessionmaker

from consult.db import make_engine, make_session_factory, session_scope, utcnow
from consult.models import Consultation, Job, JobStatus, User

log = logging.getLogger(__name__)
QUEUE_NAME = "consult"
HANDLERS: dict[str, Callable[[Session, Job, Callable[[float], None]], dict[str, Any]]] = {}


def job_handler(kind: str):
    def register(fn):
        HANDLERS[kind] = fn
        return fn
    return register


def connect_redis(url: str):
    """A connected Redis client, or None when Redis is not reachable."""
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        client = Redis.from_url(url, socket_connect_timeout=0.5)
        client.ping()
        return client
    except (RedisError, OSError, ValueError):
        return None


_redis = connect_redis  # the name ``consult worker`` imports


def enqueue(sessions: sessionmaker[Session], database_url: str, redis_url: str, kind: str, *,
            consultation: Consultation | None = None, user: User | None = None,
            params: dict[str, Any] | None = None) -> int:
    """Create a Job row and queue it (or run it now when Redis is unreachable)."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    with session_scope(sessions) as session:
        job = Job(kind=kind, consultation_id=consultation.id if consultation else None,
                  requested_by_id=user.id if user else None, params=params or {})
        session.add(job)
        session.flush()
        job_id = job.id
    redis = connect_redis(redis_url)
    if redis is not None:
        from redis.exceptions import RedisError
        from rq import Queue

        try:
            Queue(QUEUE_NAME, connection=redis).enqueue(run_job, database_url, job_id, job_timeout=3600)
            return job_id
        except RedisError:
            log.warning("Redis refused job %s (%s): running it in-process", job_id, kind, exc_info=True)
    else:
        log.info("Redis not reachable: running job %s (%s) in-process", job_id, kind)
    run_job(database_url, job_id, sessions=sessions)
    return job_id


def enqueue_for_app(app, kind: str, **kwargs) -> int:
    """:func:`enqueue` with the database and Redis of a Flask app: the call the screens use.

    ``kwargs``: ``consultation``, ``user`` (who asked) and ``params`` (JSON-able).
    """
    return enqueue(app.extensions["consult.sessions"], app.config["DATABASE_URL"],
                   app.config["REDIS_URL"], kind, **kwargs)


def run_job(database_url: str, job_id: int, *, sessions: sessionmaker[Session] | None = None) -> None:
    """Execute one job; called by the RQ worker (or in-process)."""
    engine = None
    if sessions is None:
        engine = make_engine(database_url)
        sessions = make_session_factory(engine)
    try:
        with session_scope(sessions) as session:
            job = session.get(Job, job_id)
            job.status, job.started_at = JobStatus.RUNNING, utcnow()
        try:
            with session_scope(sessions) as session:
                job = session.get(Job, job_id)

                def progress(fraction: float) -> None:
                    job.progress = round(min(max(fraction, 0.0), 1.0), 3)

                result = HANDLERS[job.kind](session, job, progress)
                job.status, job.progress, job.result = JobStatus.FINISHED, 1.0, result
                job.finished_at = utcnow()
        except Exception as exc:  # noqa: BLE001 - a failed job is recorded, not lost
            log.exception("job %s failed", job_id)
            with session_scope(sessions) as session:
                job = session.get(Job, job_id)
                job.status, job.finished_at = JobStatus.FAILED, utcnow()
                job.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
    finally:
        if engine is not None:
            engine.dispose()


def _consultation(job: Job) -> Consultation:
    if job.consultation is None:
        raise ValueError("job has no consultation")
    return job.consultation


@job_handler("code_consultation")
def _code(session: Session, job: Job, progress) -> dict[str, Any]:
    from consult.coding import code_consultation, segment_consultation, segment_count

    consultation = _consultation(job)
    created = segment_consultation(session, consultation)
    total = segment_count(session, consultation)
    done = [0]

    def step(n: int) -> None:
        done[0] += n
        progress(done[0] / max(total, 1))

    summary = code_consultation(session, consultation, retrain=bool(job.params.get("retrain")),
                                actor=f"job:{job.id}", progress=step)
    return {"new_segments": created, "segments": summary.segments, "coder": summary.coder,
            "added": summary.suggestions_added, "kept_human_decisions": summary.kept_human_decisions}


@job_handler("train_coder")
def _train(session: Session, job: Job, progress) -> dict[str, Any]:
    from consult.coding import train_coder

    model = train_coder(session, _consultation(job), actor=f"job:{job.id}")
    return {"coder_model": model.id, "metrics": model.metrics}
