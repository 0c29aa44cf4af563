"""Background jobs: segmenting, masking and coding new text, coding runs, retraining.

No NLP in a request
    The Dutch spaCy pipeline costs seconds to load and about 300 MB per process, and
    segmenting and coding a text takes a noticeable fraction of a second. None of that
    belongs in a resident's POST or a facilitator's upload. The request stores the text
    and answers, commits, and calls :func:`enqueue_for_app`; a job does the rest:
    ``segment_response`` (the open answers of one submitted response) and
    ``segment_document`` (uploaded notes; the document page shows the job's status).

Masking happens in the job
    Masking (:func:`analysis.privacy.mask`) is per segment, and segments only exist once
    the job has cut the text, so it happens where they are made (``Segment.masked_text``
    is set on insert). It needs no fast path of its own: it is regex-only, a few
    microseconds per sentence, and until the job is done staff screens have no segments
    to show (the document page shows the job's status instead of its pieces).

How it fits together
    A producer calls :func:`enqueue_for_app` (or :func:`enqueue` outside Flask). That
    creates a ``Job`` row (status ``queued``) and puts ``run_job(database_url, job_id)``
    on the RQ queue ``consult`` in Redis (``CONSULT_REDIS_URL``). ``consult worker``
    takes it from there, opens its own database connection from that URL, claims the row
    (``queued`` -> ``running`` in one UPDATE, so a job never runs twice, even when a
    message is delivered twice or the row is also picked up by ``consult worker
    --pending``), runs the handler and writes status, progress, result or error back to
    the row. With Redis up but no worker running, jobs stay ``queued`` until one starts.

When Redis is absent (a laptop running the demo)
    Outside the web (CLI, scripts: ``fallback="inline"``) the job runs before
    :func:`enqueue` returns. From the web (:func:`enqueue_for_app`, ``fallback="thread"``)
    it runs in one background thread of the web process instead, so that a resident's
    POST still returns at once: running it inline would put the pipeline load (17-19 s
    the first time per process) back on a request. One thread per process, because the
    jobs are CPU-bound and a second thread would only compete with the requests for the
    same interpreter. The price: that web process loads the pipeline, and a job whose
    process stops before it finishes stays ``running`` (``queued`` ones are picked up by
    ``consult worker --pending``). Production runs Redis and at least one worker.

Coding runs in chunks (scale-out)
    ``code_consultation`` is a parent job: it segments what is left unsegmented, decides
    the coder once (retraining first if asked: :func:`consult.coding.choose_coder`), and
    creates one ``code_chunk`` child per :data:`consult.coding.CHUNK_SIZE` segments (a
    disjoint segment-id range). Any number of ``consult worker`` processes, on any
    machines sharing Redis and the database, take the chunks in parallel. Each chunk loads
    the chosen coder (rules, or the trained model from its ``CoderModel`` row), codes its
    range in batches under the review rule, commits each batch with its progress, and on
    finishing updates the parent (row-locked): the parent's ``progress`` is the weighted
    progress of its children, and when the last child is done the parent gets the summed
    result (or ``failed`` with the number of failed chunks). Chunks are disjoint and each
    batch locks its segment rows, so two workers never insert suggestions for the same
    segment twice, and human decisions are never touched (see
    :func:`consult.coding.code_segments`).

Job kinds
    Each kind is a function ``handler(session, job, progress)`` registered with
    :func:`job_handler`; it returns the JSON result, or :data:`WAITING` when child jobs
    finish it. ``code_consultation`` (params: ``retrain``; or ``only_new``: code only the
    segments that have no code yet; or ``learn``: retrain, then code only the segments still
    to review, started by the review screen every few decisions, see
    :func:`start_learning_if_due`), ``code_chunk``, ``train_coder``, ``suggest_keywords``
    (keywords per code from the accepted segments, for the codebook editor), ``segment_response``
    (params: ``response``), ``segment_document`` (``document_id``), ``export`` (``what``,
    ``format``, ``root``: see :mod:`consult.downloads`) and ``send_mail`` (``messages``: ids
    of queued mail-log rows; see :mod:`consult.mail`).

From the screens
    :func:`start_coding_run` ("Nieuwe tekst coderen", "Coder opnieuw trainen") and
    :func:`consult.downloads.request_export` go through :func:`start_once`, which refuses a
    second identical job while one is queued or running (under a per-consultation lock) and
    audits the start. The progress page (consult/web/jobs.py) reads :func:`kind_label`,
    :data:`STATUS_LABELS`, :func:`live_progress`, :func:`step_text`,
    :func:`result_summary` and :func:`failure_message`: Dutch for people; ``Job.error``
    (the traceback) is shown to administrators only.
"""
from __future__ import annotations

import contextvars
import logging
import os
import threading
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from consult.db import make_engine, make_session_factory, session_scope, utcnow
from consult.models import (
    AssignmentStatus, CodeAssignment, Consultation, Document, Job, JobStatus, Response, Segment, User,
)

log = logging.getLogger(__name__)
#: The RQ queue; ``CONSULT_JOB_QUEUE`` gives deployments that share one Redis their own.
QUEUE_NAME = os.environ.get("CONSULT_JOB_QUEUE") or "consult"
JOB_TIMEOUT = 3600
HANDLERS: dict[str, Callable[[Session, Job, Callable[[float], None]], Any]] = {}
DONE = (JobStatus.FINISHED, JobStatus.FAILED)
#: Returned by a handler whose children finish the job (the parent of a coding run).
WAITING = object()


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
_clients: dict[tuple[int, str], Any] = {}


def _shared_redis(url: str):
    """Like :func:`connect_redis`, reusing one connection pool per process and URL (a web
    process enqueues on every submission); None when Redis does not answer now."""
    from redis.exceptions import RedisError

    key = (os.getpid(), url)
    client = _clients.get(key)
    if client is not None:
        try:
            client.ping()
            return client
        except (RedisError, OSError):
            _clients.pop(key, None)
    client = connect_redis(url)
    if client is not None:
        _clients[key] = client
    return client


# -- producing ------------------------------------------------------------------------

def enqueue(sessions: sessionmaker[Session], database_url: str, redis_url: str, kind: str, *,
            consultation: Consultation | None = None, user: User | None = None,
            document: Document | None = None, params: dict[str, Any] | None = None,
            fallback: str = "inline") -> int:
    """Create a Job row and queue it. When Redis is unreachable the job runs in this
    process: before returning (``fallback="inline"``) or in the background thread
    (``fallback="thread"``, for web requests)."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    if fallback not in ("inline", "thread"):
        raise ValueError(f"unknown fallback {fallback!r}")
    with session_scope(sessions) as session:
        job = Job(kind=kind, consultation_id=consultation.id if consultation else None,
                  requested_by_id=user.id if user else None,
                  document_id=document.id if document else None, params=params or {})
        session.add(job)
        session.flush()
        job_id = job.id
    _dispatch([job_id], database_url, sessions, fallback=fallback, redis=_shared_redis(redis_url))
    return job_id


def enqueue_for_app(app, kind: str, **kwargs) -> int:
    """:func:`enqueue` with the database and Redis of a Flask app: the call the screens use.

    ``kwargs``: ``consultation``, ``user`` (who asked), ``document`` and ``params``
    (JSON-able). Without Redis the job runs in the background thread, never in the request.
    """
    kwargs.setdefault("fallback", "thread")
    return enqueue(app.extensions["consult.sessions"], app.config["DATABASE_URL"],
                   app.config["REDIS_URL"], kind, **kwargs)


def enqueue_many_for_app(app, kind: str, params: list[dict[str, Any]], *,
                         consultation: Consultation | None = None, user: User | None = None) -> list[int]:
    """Like :func:`enqueue_for_app` for several jobs of one kind: all rows are inserted in
    one transaction before the first is handed out, so that a job already running (the
    background thread on SQLite) does not make the next insert wait for it."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    sessions = app.extensions["consult.sessions"]
    with session_scope(sessions) as session:
        rows = [Job(kind=kind, consultation_id=consultation.id if consultation else None,
                    requested_by_id=user.id if user else None, params=p) for p in params]
        session.add_all(rows)
        session.flush()
        ids = [row.id for row in rows]
    _dispatch(ids, app.config["DATABASE_URL"], sessions, fallback="thread",
              redis=_shared_redis(app.config["REDIS_URL"]))
    return ids


def _dispatch(job_ids: list[int], database_url: str, sessions: sessionmaker[Session], *,
              fallback: str, redis=None, queue_name: str | None = None) -> None:
    """Put the jobs on the RQ queue; what Redis cannot take runs here (``fallback``)."""
    left = list(job_ids)
    if redis is not None:
        from redis.exceptions import RedisError
        from rq import Queue

        queue = Queue(queue_name or QUEUE_NAME, connection=redis)
        try:
            while left:
                queue.enqueue(run_job, database_url, left[0], job_timeout=JOB_TIMEOUT,
                              description=f"consult job {left[0]}")
                left.pop(0)
        except RedisError:
            log.warning("Redis refused jobs %s: running them in-process", left, exc_info=True)
    elif left:
        log.info("Redis not reachable: running jobs %s in-process (%s)", left, fallback)
    if not left:
        return
    if fallback == "thread":
        _run_in_background(database_url, left, sessions)
    else:
        for job_id in left:
            run_job(database_url, job_id, sessions=sessions)


_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None
_futures: list[Future] = []
_executor_lock = threading.Lock()


def _run_in_background(database_url: str, job_ids: list[int], sessions: sessionmaker[Session]) -> None:
    global _executor, _executor_pid
    with _executor_lock:
        if _executor is None or _executor_pid != os.getpid():  # a fresh one after a fork
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="consult-job")
            _executor_pid = os.getpid()
            _futures.clear()
        _futures[:] = [f for f in _futures if not f.done()]
        for job_id in job_ids:
            _futures.append(_executor.submit(run_job, database_url, job_id, sessions=sessions))


def wait_for_background(timeout: float | None = 600) -> None:
    """Wait until the jobs this process runs in its background thread are done."""
    with _executor_lock:
        pending = list(_futures)
    for future in pending:
        future.result(timeout=timeout)


def run_queued(sessions: sessionmaker[Session], database_url: str, *, limit: int = 10_000) -> int:
    """Run, here and now, the jobs still ``queued`` in the database (oldest first), e.g.
    left by a web process that stopped before its background thread took them; ``consult
    worker --pending``. Returns how many this call ran (a job claimed elsewhere is skipped)."""
    with session_scope(sessions) as session:
        ids = list(session.scalars(select(Job.id).where(Job.status == JobStatus.QUEUED)
                                   .order_by(Job.id).limit(limit)))
    return sum(run_job(database_url, job_id, sessions=sessions) for job_id in ids)


# -- running ----------------------------------------------------------------------------

@dataclass
class _Context:
    database_url: str
    sessions: sessionmaker[Session]


_context: contextvars.ContextVar[_Context] = contextvars.ContextVar("consult_job_context")


def _claim(sessions: sessionmaker[Session], job_id: int) -> bool:
    """queued -> running in one statement: exactly one runner wins."""
    with session_scope(sessions) as session:
        claimed = session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
                                  .values(status=JobStatus.RUNNING, started_at=utcnow()))
        return claimed.rowcount == 1


def run_job(database_url: str, job_id: int, *, sessions: sessionmaker[Session] | None = None) -> bool:
    """Execute one job; called by the RQ worker (or in-process). Returns False when the
    job was not queued any more (already run or running elsewhere)."""
    engine = None
    if sessions is None:
        engine = make_engine(database_url)
        sessions = make_session_factory(engine)
    token = _context.set(_Context(database_url, sessions))
    try:
        if not _claim(sessions, job_id):
            log.info("job %s is not queued any more: skipped", job_id)
            return False
        waiting, parent_id = False, None
        try:
            with session_scope(sessions) as session:
                job = session.get(Job, job_id)
                parent_id = job.parent_id

                def progress(fraction: float) -> None:
                    job.progress = round(min(max(fraction, 0.0), 1.0), 3)

                result = HANDLERS[job.kind](session, job, progress)
                if result is WAITING:
                    waiting = True
                else:
                    job.status, job.progress, job.result = JobStatus.FINISHED, 1.0, result
                    job.finished_at = utcnow()
        except Exception as exc:  # noqa: BLE001 - a failed job is recorded, not lost
            log.exception("job %s failed", job_id)
            with session_scope(sessions) as session:
                job = session.get(Job, job_id)
                job.status, job.finished_at = JobStatus.FAILED, utcnow()
                job.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
                parent_id = job.parent_id
        if parent_id is not None:
            _update_parent(sessions, parent_id)
        if waiting:
            _update_parent(sessions, job_id)  # no children, or all done already
        return True
    finally:
        _context.reset(token)
        if engine is not None:
            engine.dispose()


def _spawn(session: Session, children: list[Job]) -> None:
    """Commit child jobs and hand them to the workers: on the queue this job came from,
    or, outside RQ, one after the other in this thread."""
    session.add_all(children)
    session.commit()
    ctx = _context.get()
    ids = [c.id for c in children]
    from rq import get_current_job

    current = get_current_job()
    if current is not None:
        _dispatch(ids, ctx.database_url, ctx.sessions, fallback="inline", redis=current.connection,
                  queue_name=current.origin)
    else:
        _dispatch(ids, ctx.database_url, ctx.sessions, fallback="inline")


_SUMMED = ("segments", "added", "removed", "kept_human_decisions")


def _update_parent(sessions: sessionmaker[Session], parent_id: int) -> None:
    """Derive a parent's progress from its children; finish it when they all are."""
    from consult.coding import CodingSummary, record_coding_run

    with session_scope(sessions) as session:
        parent = session.scalar(select(Job).where(Job.id == parent_id).with_for_update())
        if parent is None or parent.status != JobStatus.RUNNING:
            return
        children = session.execute(select(Job.status, Job.progress, Job.params, Job.result)
                                   .where(Job.parent_id == parent_id)).all()
        weight = [max(int((params or {}).get("count") or 1), 1) for _, _, params, _ in children]
        done = [status in DONE for status, *_ in children]
        total = sum(weight)
        if total:
            parent.progress = round(sum(w * (1.0 if d else p) for w, d, (_, p, *_) in
                                        zip(weight, done, children)) / total, 3)
        if not all(done):
            return
        result = dict(parent.result or {})
        for key in _SUMMED:
            result[key] = sum(int((r or {}).get(key) or 0) for *_, r in children)
        per_code: dict[str, int] = {}
        for *_, r in children:
            for key, n in ((r or {}).get("per_code") or {}).items():
                per_code[key] = per_code.get(key, 0) + n
        result["per_code"] = per_code
        failed = sum(1 for status, *_ in children if status == JobStatus.FAILED)
        result["failed_chunks"] = failed
        parent.result, parent.finished_at = result, utcnow()
        if failed:
            parent.status = JobStatus.FAILED
            parent.error = f"{failed} of {len(children)} chunks failed; see their jobs (parent_id={parent_id})"
        else:
            parent.status, parent.progress = JobStatus.FINISHED, 1.0
            if parent.kind == "code_consultation" and parent.consultation is not None:
                record_coding_run(session, parent.consultation, CodingSummary(
                    segments=result["segments"], suggestions_added=result["added"],
                    suggestions_removed=result["removed"],
                    kept_human_decisions=result["kept_human_decisions"],
                    coder=result.get("coder", "")), actor=f"job:{parent.id}")


# -- handlers ---------------------------------------------------------------------------

def _consultation(job: Job) -> Consultation:
    if job.consultation is None:
        raise ValueError("job has no consultation")
    return job.consultation


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@job_handler("code_consultation")
def _code(session: Session, job: Job, progress) -> Any:
    from consult.coding import CHUNK_SIZE, choose_coder, chunk_ranges, latest_coder, segment_consultation

    consultation = _consultation(job)
    learn = bool(job.params.get("learn"))
    retrain, only_new = bool(job.params.get("retrain")) or learn, bool(job.params.get("only_new"))
    created = segment_consultation(session, consultation)
    before = latest_coder(session, consultation)
    model_id = choose_coder(session, consultation, retrain=retrain, actor=f"job:{job.id}")
    size = max(int(job.params.get("chunk_size") or CHUNK_SIZE), 1)
    if only_new:
        ranges = _id_ranges(session, _without_assignments(consultation), size)
    elif learn:   # what people reviewed keeps its codes: re-rank only what is still to review
        ranges = _id_ranges(session, _unreviewed(consultation), size)
    else:
        ranges = chunk_ranges(session, consultation, size=size)
    version = consultation.codebook_version
    job.result = {"new_segments": created, "chunks": len(ranges), "coder_model": model_id,
                  "trained": model_id is not None and model_id != getattr(before, "id", None),
                  "coder": f"model:{model_id}" if model_id else f"rule:v{version.number}"}
    _spawn(session, [Job(kind="code_chunk", consultation_id=consultation.id, parent_id=job.id,
                         requested_by_id=job.requested_by_id,
                         params={"first": first, "last": last, "count": n, "model": model_id,
                                 "only_new": only_new, "unreviewed": learn})
                     for first, last, n in ranges])
    return WAITING


def _without_assignments(consultation: Consultation):
    """Segments of ``consultation`` that no coder and no person coded yet ("new text")."""
    coded = select(CodeAssignment.id).where(CodeAssignment.segment_id == Segment.id).exists()
    return select(Segment.id).where(Segment.consultation_id == consultation.id, Segment.furniture.is_(False), ~coded)


def _unreviewed(consultation: Consultation):
    """Segments of ``consultation`` still to review: without any code, or with a suggestion
    nobody decided on (the complement of "beoordeeld" on the review screen)."""
    any_code = select(CodeAssignment.id).where(CodeAssignment.segment_id == Segment.id).exists()
    open_code = select(CodeAssignment.id).where(
        CodeAssignment.segment_id == Segment.id, CodeAssignment.status == AssignmentStatus.SUGGESTED,
        CodeAssignment.decided_at.is_(None)).exists()
    return select(Segment.id).where(Segment.consultation_id == consultation.id, Segment.furniture.is_(False),
                                    ~any_code | open_code)


def _id_ranges(session: Session, ids_query, size: int) -> list[tuple[int, int, int]]:
    """Like :func:`consult.coding.chunk_ranges`, over the segment ids ``ids_query`` selects."""
    ids = list(session.scalars(ids_query.order_by(Segment.id)))
    return [(part[0], part[-1], len(part)) for part in (ids[i:i + size] for i in range(0, len(ids), size))]


@job_handler("code_chunk")
def _code_chunk(session: Session, job: Job, progress) -> dict[str, Any]:
    from consult.coding import code_segments, load_coder

    consultation = _consultation(job)
    prepared = load_coder(session, consultation, job.params.get("model"))
    count, done = max(int(job.params.get("count") or 1), 1), [0]

    def step(n: int) -> None:
        done[0] += n
        progress(done[0] / count)

    first, last = job.params["first"], job.params["last"]
    scope = _without_assignments(consultation) if job.params.get("only_new") else \
        _unreviewed(consultation) if job.params.get("unreviewed") else None
    if scope is not None:
        ids = list(session.scalars(scope.where(Segment.id.between(first, last))))
        summary = code_segments(session, consultation, prepared, segment_ids=ids, progress=step,
                                commit_batches=True)
    else:
        summary = code_segments(session, consultation, prepared, first_id=first, last_id=last,
                                progress=step, commit_batches=True)
    return {"segments": summary.segments, "added": summary.suggestions_added,
            "removed": summary.suggestions_removed, "kept_human_decisions": summary.kept_human_decisions,
            "per_code": summary.per_code, "coder": summary.coder,
            "pid": os.getpid(), "worker_pid": os.getppid(), "peak_rss_mb": peak_rss_mb()}


@job_handler("train_coder")
def _train(session: Session, job: Job, progress) -> dict[str, Any]:
    from consult.coding import train_coder

    model = train_coder(session, _consultation(job), actor=f"job:{job.id}")
    return {"coder_model": model.id, "metrics": model.metrics}


@job_handler("suggest_keywords")
def _suggest_keywords(session: Session, job: Job, progress) -> dict[str, Any]:
    from consult.coding import keyword_proposals

    return keyword_proposals(session, _consultation(job))


@job_handler("segment_response")
def _segment_response(session: Session, job: Job, progress) -> dict[str, Any]:
    from consult.coding import code_new_segments, segment_response

    response = session.get(Response, int(job.params["response"]))
    if response is None:
        return {"segments": 0, "note": "the response no longer exists"}
    segments = segment_response(session, response)
    summary = code_new_segments(session, response.survey.consultation, segments, actor=f"job:{job.id}")
    return {"segments": len(segments), "added": summary.suggestions_added if summary else 0}


@job_handler("segment_document")
def _segment_document(session: Session, job: Job, progress) -> dict[str, Any]:
    from consult.audit import record
    from consult.coding import code_new_segments, segment_document

    document = session.get(Document, job.document_id) if job.document_id else None
    if document is None:
        raise ValueError("job has no document")
    segments = segment_document(session, document)
    summary = code_new_segments(session, document.consultation, segments, actor=f"job:{job.id}")
    record(session, "segment_document", document, actor=f"job:{job.id}",
           details={"segments": len(segments)})
    return {"segments": len(segments), "added": summary.suggestions_added if summary else 0}


@job_handler("export")
def _export(session: Session, job: Job, progress) -> dict[str, Any]:
    from consult.downloads import run_export

    return run_export(session, job, progress)


@job_handler("send_mail")
def _send_mail(session: Session, job: Job, progress) -> dict[str, Any]:
    from consult.mail import send_job

    return send_job(session, job, progress, _context.get().database_url)


# -- starting from the screens -------------------------------------------------------------

ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
#: A job still ``running`` this long after it started is taken to have died with its process
#: (the in-process fallback); it no longer stops a new run from starting.
STALE_AFTER = timedelta(hours=6)


def last_finished_job(session: Session, consultation: Consultation, kind: str,
                      same: Callable[[dict[str, Any]], bool] = lambda params: True) -> Job | None:
    """The newest finished top-level job of ``kind`` for ``consultation`` whose params
    satisfy ``same``, or None (the review screen says when the learner last re-coded)."""
    for job in session.scalars(select(Job).where(
            Job.consultation_id == consultation.id, Job.kind == kind, Job.parent_id.is_(None),
            Job.status == JobStatus.FINISHED).order_by(Job.id.desc()).limit(20)):
        if same(job.params or {}):
            return job
    return None


def active_job(session: Session, consultation: Consultation, kind: str,
               same: Callable[[dict[str, Any]], bool] = lambda params: True) -> Job | None:
    """The oldest queued or running top-level job of ``kind`` for ``consultation`` whose
    params satisfy ``same``, or None. A job running for longer than :data:`STALE_AFTER`
    does not count."""
    stale = utcnow() - STALE_AFTER
    for job in session.scalars(select(Job).where(
            Job.consultation_id == consultation.id, Job.kind == kind, Job.parent_id.is_(None),
            Job.status.in_(ACTIVE)).order_by(Job.id)):
        if job.status == JobStatus.RUNNING and job.started_at is not None and job.started_at < stale:
            continue
        if same(job.params or {}):
            return job
    return None


def _lock_consultation(session: Session, consultation: Consultation) -> None:
    """Serialise "is one running? then start one" per consultation until commit. PostgreSQL:
    ``FOR NO KEY UPDATE`` (a job row's foreign key to the consultation does not wait on it);
    SQLite: a no-op write, which takes the database's one write lock."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Consultation).where(Consultation.id == consultation.id)
                        .values(id=Consultation.id).execution_options(synchronize_session=False))
    else:
        session.execute(select(Consultation.id).where(Consultation.id == consultation.id)
                        .with_for_update(key_share=True))


def start_once(app, session: Session, kind: str, *, consultation: Consultation, user: User,
               params: dict[str, Any], same: Callable[[dict[str, Any]], bool],
               audit_action: str) -> tuple[int, bool]:
    """Queue a job for ``consultation`` unless a ``same`` one is queued or running.

    Returns ``(job id, started)``: the new job, or the one already under way (nothing new
    is queued). The check and the insert happen under a per-consultation lock in
    ``session``, which is committed here; the start is audited as ``audit_action``.
    """
    from consult.audit import record

    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    _lock_consultation(session, consultation)
    running = active_job(session, consultation, kind, same)
    if running is not None:
        session.rollback()
        return running.id, False
    job = Job(kind=kind, consultation_id=consultation.id, requested_by_id=user.id, params=params)
    session.add(job)
    session.flush()
    record(session, audit_action, job, actor=user, details={"kind": kind, **params_for_audit(params)})
    session.commit()
    _dispatch([job.id], app.config["DATABASE_URL"], app.extensions["consult.sessions"], fallback="thread",
              redis=_shared_redis(app.config["REDIS_URL"]))
    return job.id, True


def params_for_audit(params: dict[str, Any]) -> dict[str, Any]:
    """The params worth an audit entry (not server paths)."""
    return {k: v for k, v in params.items() if k not in ("root",)}


def start_learning_if_due(app, session: Session, consultation: Consultation, user: User) -> int | None:
    """After a review decision: when :func:`consult.coding.learning_due`, start a learning
    run (``code_consultation`` with ``learn``: retrain the coder on the reviewed segments,
    then re-rank the segments still to review). Returns the new job's id, or None (not
    due, or a coding run is already under way: it will be due again after the next
    decision)."""
    from consult.coding import learning_due

    if not learning_due(session, consultation):
        return None
    job_id, started = start_once(app, session, "code_consultation", consultation=consultation, user=user,
                                 params={"learn": True}, same=lambda p: True, audit_action="start_learning_run")
    return job_id if started else None


def start_keyword_suggestions(app, session: Session, consultation: Consultation, user: User) -> tuple[int, bool]:
    """Start ``suggest_keywords`` (keywords per code from the accepted segments, for the
    codebook editor) unless one is queued or running. Returns ``(job id, started)``."""
    if consultation.codebook_version is None:
        raise ValueError("Deze raadpleging heeft nog geen codeboek. Kies eerst een codeboek.")
    return start_once(app, session, "suggest_keywords", consultation=consultation, user=user, params={},
                      same=lambda p: True, audit_action="start_keyword_suggestions")


def start_coding_run(app, session: Session, consultation: Consultation, user: User, *,
                     mode: str) -> tuple[int, bool]:
    """Start "Nieuwe tekst coderen" (``mode="new"``: code the segments that have no code
    yet, after segmenting what is not segmented) or "Coder opnieuw trainen"
    (``mode="retrain"``: train the learning coder on the reviewed segments, then code
    every segment). Refused while a coding run of the consultation is queued or running:
    two runs at once would only compete for the same segments. Returns ``(job id, started)``."""
    if mode not in ("new", "retrain"):
        raise ValueError(f"unknown coding mode {mode!r}")
    if consultation.codebook_version is None:
        raise ValueError("Deze raadpleging heeft nog geen codeboek. Kies eerst een codeboek.")
    params = {"retrain": True} if mode == "retrain" else {"only_new": True}
    return start_once(app, session, "code_consultation", consultation=consultation, user=user,
                      params=params, same=lambda p: True, audit_action="start_coding_run")


# -- presenting (the progress pages) --------------------------------------------------------

STATUS_LABELS = {
    JobStatus.QUEUED: "in de wachtrij",
    JobStatus.RUNNING: "bezig",
    JobStatus.FINISHED: "klaar",
    JobStatus.FAILED: "mislukt",
}

KIND_LABELS = {
    "code_consultation": "Tekst coderen",
    "code_chunk": "Deel van een codeerronde",
    "train_coder": "Coder trainen",
    "suggest_keywords": "Trefwoorden zoeken",
    "segment_response": "Antwoorden in stukken verdelen",
    "segment_document": "Verslag in stukken verdelen",
    "export": "Bestand maken",
    "send_mail": "E-mail versturen",
}

#: What failed, for "Het is niet gelukt om ...".
FAILED_WHAT = {
    "code_consultation": "de tekst te coderen",
    "code_chunk": "dit deel van de tekst te coderen",
    "train_coder": "de coder te trainen",
    "suggest_keywords": "trefwoorden te zoeken",
    "segment_response": "de antwoorden in stukken te verdelen",
    "segment_document": "het verslag in stukken te verdelen",
    "export": "het bestand te maken",
    "send_mail": "de e-mails te versturen",
}


def kind_label(job: Job) -> str:
    params = job.params or {}
    if job.kind == "code_consultation":
        if params.get("learn"):
            return "Coder leert van beoordelingen"
        if params.get("retrain"):
            return "Coder opnieuw trainen"
        if params.get("only_new"):
            return "Nieuwe tekst coderen"
    if job.kind == "export":
        from consult.downloads import export_label

        return export_label(params.get("what"), params.get("format"))
    return KIND_LABELS.get(job.kind, job.kind)


def live_progress(session: Session, job: Job) -> float:
    """``job.progress``, or for a running parent the weighted progress of its children now
    (the stored value only moves when a child finishes)."""
    if job.status != JobStatus.RUNNING:
        return 1.0 if job.status == JobStatus.FINISHED else float(job.progress or 0.0)
    children = session.execute(select(Job.status, Job.progress, Job.params).where(Job.parent_id == job.id)).all()
    if not children:
        return float(job.progress or 0.0)
    weight = [max(int((params or {}).get("count") or 1), 1) for _, _, params in children]
    done = sum(w * (1.0 if status in DONE else float(p or 0.0))
               for w, (status, p, _) in zip(weight, children))
    return round(done / sum(weight), 3)


def _n(n: int, one: str, many: str) -> str:
    return f"{n:,}".replace(",", ".") + " " + (one if n == 1 else many)


def step_text(session: Session, job: Job) -> str:
    """What a queued or running job is doing now, in Dutch."""
    if job.status == JobStatus.QUEUED:
        return "De taak wacht tot een verwerker vrij is. Dat duurt meestal niet lang."
    if job.kind == "code_consultation":
        children = session.execute(select(Job.status, Job.params).where(Job.parent_id == job.id)).all()
        if not children:
            if (job.params or {}).get("retrain") or (job.params or {}).get("learn"):
                return "Nieuwe tekst wordt in stukken verdeeld en de coder wordt getraind."
            return "Nieuwe tekst wordt in stukken verdeeld."
        total = sum(int((p or {}).get("count") or 0) for _, p in children)
        finished = sum(1 for st, _ in children if st in DONE)
        return f"De stukken worden gecodeerd: {finished} van {len(children)} delen klaar " \
               f"({_n(total, 'stuk', 'stukken')} in totaal)."
    if job.kind == "export":
        return "Het bestand wordt gemaakt. Een PDF kan een paar minuten duren."
    return "Bezig."


def result_summary(job: Job) -> list[str]:
    """Dutch sentences that say what a finished job did."""
    r = job.result or {}
    if job.kind == "code_consultation":
        lines = [f"{_n(int(r.get('segments') or 0), 'stuk', 'stukken')} gecodeerd: "
                 f"{_n(int(r.get('added') or 0), 'nieuw voorstel', 'nieuwe voorstellen')}."]
        if r.get("new_segments"):
            lines.append(f"Eerst {_n(int(r['new_segments']), 'nieuw stuk', 'nieuwe stukken')} gemaakt van nieuwe tekst.")
        if r.get("removed"):
            lines.append(f"{_n(int(r['removed']), 'eerder voorstel', 'eerdere voorstellen')} vervangen.")
        if r.get("kept_human_decisions"):
            kept = int(r['kept_human_decisions'])
            lines.append(f"{_n(kept, 'beslissing', 'beslissingen')} van mensen "
                         f"{'bleef zoals die was' if kept == 1 else 'bleven zoals ze waren'}.")
        if (job.params or {}).get("learn"):
            lines[0] = (f"De coder heeft geleerd van de beoordelingen en "
                        f"{_n(int(r.get('segments') or 0), 'stuk', 'stukken')} die nog te beoordelen zijn opnieuw "
                        f"gecodeerd: {_n(int(r.get('added') or 0), 'nieuw voorstel', 'nieuwe voorstellen')}.")
        if (job.params or {}).get("retrain") or (job.params or {}).get("learn"):
            if r.get("trained"):
                lines.append("De coder is opnieuw getraind op de beoordeelde stukken.")
            else:
                from consult.coding import MIN_TRAINING_SEGMENTS

                lines.append(f"De coder is niet getraind: daarvoor zijn minstens {MIN_TRAINING_SEGMENTS} "
                             "beoordeelde stukken nodig. De trefwoordregels hebben gecodeerd.")
        elif not r.get("segments"):
            lines = ["Er was geen nieuwe tekst om te coderen."]
        return lines
    if job.kind == "train_coder":
        return ["De coder is getraind op de beoordeelde stukken."]
    if job.kind == "suggest_keywords":
        n = sum(len(v) for v in (r.get("codes") or {}).values())
        return [f"{_n(n, 'trefwoord', 'trefwoorden')} gevonden in "
                f"{_n(int(r.get('segments') or 0), 'beoordeeld stuk', 'beoordeelde stukken')}. "
                "U ziet ze bij het codeboek."]
    if job.kind in ("segment_document", "segment_response"):
        return [f"{_n(int(r.get('segments') or 0), 'stuk', 'stukken')} gemaakt, "
                f"{_n(int(r.get('added') or 0), 'voorstel', 'voorstellen')} voor codes."]
    if job.kind == "export":
        from consult.downloads import export_summary

        return export_summary(job)
    if job.kind == "send_mail":
        from consult.mail import job_summary

        return job_summary(job.result)
    return ["De taak is klaar."]


def failure_message(job: Job) -> str:
    """The Dutch message for a failed job (never its error text: that is for administrators)."""
    what = FAILED_WHAT.get(job.kind, "deze taak uit te voeren")
    return (f"Het is niet gelukt om {what}. Er is niets verloren gegaan: wat al was opgeslagen "
            "en beoordeeld, blijft bewaard. Probeer het opnieuw. Lukt het weer niet? "
            "Vraag dan de beheerder om hulp.")
