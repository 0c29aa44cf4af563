"""`consult worker`: run background jobs from Redis.

Start as many as you like, on one machine or several, all with the same
``CONSULT_DATABASE_URL`` and ``CONSULT_REDIS_URL``: each takes the next job from the
queue, and the chunks of a coding run spread over them (see consult.jobs).
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--pending", is_flag=True,
              help="First run the jobs still queued in the database (e.g. left by a stopped web process).")
@with_appcontext
def worker_command(burst: bool, pending: bool):
    """Run queued background jobs (segmenting new text, coding runs, retraining) with RQ."""
    from rq import Queue, Worker

    from consult import jobs

    url = current_app.config["REDIS_URL"]
    redis = jobs._redis(url)
    if redis is None:
        raise click.ClickException(f"CONSULT_REDIS_URL: cannot reach Redis at {url}")
    if pending:
        n = jobs.run_queued(current_app.extensions["consult.sessions"], current_app.config["DATABASE_URL"])
        click.echo(f"Ran {n} pending jobs from the database.", err=True)
    # Load the Dutch pipeline once, before RQ forks a work horse per job: every job then
    # shares it (copy-on-write) instead of loading it again.
    from analysis.nlp import get_nlp

    get_nlp()
    Worker([Queue(jobs.QUEUE_NAME, connection=redis)], connection=redis).work(burst=burst)
