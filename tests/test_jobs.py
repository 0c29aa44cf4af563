"""Background jobs through a real Redis and RQ worker, and the in-process fallback."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from consult import jobs
from consult.db import session_scope
from consult.demo import DEMO_SLUG, build_demo
from consult.models import CodeAssignment, Consultation, Job, JobStatus

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def demo_consultation(app):
    with session_scope(app.extensions["consult.sessions"]) as s:
        build_demo(s, code=False)
        return s.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))


def _job(app, job_id) -> Job:
    with session_scope(app.extensions["consult.sessions"]) as s:
        return s.get(Job, job_id)


def test_coding_job_runs_on_an_rq_worker(app, demo_consultation, monkeypatch):
    redis = jobs.connect_redis(REDIS_URL)
    if redis is None:
        pytest.fail("these tests need the local Redis at 127.0.0.1:6379")
    from rq import Queue, SimpleWorker

    queue_name = f"consult-test-{uuid.uuid4().hex[:8]}"  # parallel test runs never share a queue
    monkeypatch.setattr(jobs, "QUEUE_NAME", queue_name)
    app.config["REDIS_URL"] = REDIS_URL
    job_id = jobs.enqueue_for_app(app, "code_consultation", consultation=demo_consultation)
    assert _job(app, job_id).status == JobStatus.QUEUED  # queued, not run yet

    queue = Queue(queue_name, connection=redis)
    SimpleWorker([queue], connection=redis).work(burst=True)
    job = _job(app, job_id)
    assert job.status == JobStatus.FINISHED, job.error
    assert job.progress == 1.0 and job.result["segments"] > 900 and job.result["added"] > 0
    with session_scope(app.extensions["consult.sessions"]) as s:
        assert s.scalar(select(func.count(CodeAssignment.id))) == job.result["added"]
    queue.delete(delete_jobs=True)


def test_without_redis_jobs_run_in_process_and_failures_are_recorded(app, demo_consultation):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    job_id = jobs.enqueue_for_app(app, "code_consultation", consultation=demo_consultation)
    jobs.wait_for_background()  # from the web, the fallback runs in a background thread
    assert _job(app, job_id).status == JobStatus.FINISHED

    failing = jobs.enqueue_for_app(app, "train_coder")  # no consultation: the handler fails
    jobs.wait_for_background()
    job = _job(app, failing)
    assert job.status == JobStatus.FAILED and "no consultation" in job.error
    with pytest.raises(ValueError):
        jobs.enqueue_for_app(app, "no_such_job")


def test_a_job_redis_refuses_runs_in_process(app, monkeypatch):
    """Redis answers the ping but refuses the job (full, read-only): the job still runs."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from rq import Queue

    if jobs.connect_redis(REDIS_URL) is None:
        pytest.fail("these tests need the local Redis at 127.0.0.1:6379")

    def refuse(*_args, **_kwargs):
        raise RedisConnectionError("refused")

    monkeypatch.setattr(Queue, "enqueue", refuse)
    monkeypatch.setitem(jobs.HANDLERS, "echo", lambda session, job, progress: {"echo": job.params})
    app.config["REDIS_URL"] = REDIS_URL
    job_id = jobs.enqueue_for_app(app, "echo", params={"n": 3})
    jobs.wait_for_background()
    job = _job(app, job_id)
    assert job.status == JobStatus.FINISHED and job.result == {"echo": {"n": 3}} and job.progress == 1.0
