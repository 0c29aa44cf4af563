"""Running the background jobs a test queued, before asserting on their results."""
from __future__ import annotations

from consult import jobs


def drain_jobs(app) -> None:
    """Run every job queued for ``app`` now, as ``consult worker --burst`` would: the RQ
    queue of this test (a real RQ worker, in this process), then anything the fallback
    thread is running or the database still holds as queued."""
    from rq import Queue, SimpleWorker

    jobs.wait_for_background()
    redis = jobs.connect_redis(app.config["REDIS_URL"])
    if redis is not None:
        queue = Queue(jobs.QUEUE_NAME, connection=redis)
        SimpleWorker([queue], connection=redis).work(burst=True)
    jobs.run_queued(app.extensions["consult.sessions"], app.config["DATABASE_URL"])
