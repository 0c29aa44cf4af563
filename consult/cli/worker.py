"""`consult worker`: run background jobs from Redis."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool):
    """Run queued background jobs (coding runs, retraining, exports) with RQ."""
    from rq import Queue, Worker

    from consult.jobs import QUEUE_NAME, _redis

    url = current_app.config["REDIS_URL"]
    redis = _redis(url)
    if redis is None:
        raise click.ClickException(f"CONSULT_REDIS_URL: cannot reach Redis at {url}")
    Worker([Queue(QUEUE_NAME, connection=redis)], connection=redis).work(burst=burst)
