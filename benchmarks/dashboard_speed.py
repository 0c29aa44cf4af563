"""Results dashboard speed: queries and time of ``consult.dashboard.consultation_dashboard``
on the demo consultation, optionally with many extra submitted responses.

    python3 benchmarks/dashboard_speed.py [--extra 10000] [--database URL]

Builds the demo in a fresh SQLite file (or the empty database at ``--database``), adds
``--extra`` synthetic responses (answers to every closed question, a participant with a
group and a neighbourhood, spread over the consultation's months), then prints the number of
SQL statements and the time of computing the dashboard, cold and warm.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from consult import migrate  # noqa: E402
from consult.dashboard import CLOSED_TYPES, consultation_dashboard  # noqa: E402
from consult.db import make_engine, make_session_factory, session_scope  # noqa: E402
from consult.demo import DEMO_SLUG, build_demo  # noqa: E402
from consult.models import (  # noqa: E402
    Answer, Channel, Consultation, Participant, QuestionType, Response, ResponseStatus, Survey,
)


def add_responses(s, c: Consultation, n: int, rng: random.Random) -> None:
    survey = s.scalars(select(Survey).where(Survey.consultation_id == c.id)).first()
    closed = [q for q in survey.questions if q.type in CLOSED_TYPES]
    hoods, groups = c.organisation.neighbourhoods, c.stakeholder_groups
    start = datetime.combine(c.starts_on, datetime.min.time())
    for i in range(n):
        p = Participant(consultation_id=c.id, neighbourhood=rng.choice(hoods), stakeholder_group=rng.choice(groups))
        when = start + timedelta(minutes=rng.randrange(60 * 24 * 120))
        r = Response(survey=survey, participant=p, channel=rng.choice(list(Channel)),
                     status=ResponseStatus.SUBMITTED, started_at=when, submitted_at=when)
        for q in closed:
            if q.type == QuestionType.SCALE:
                value = rng.randint(q.options.get("min", 1), q.options.get("max", 5))
            else:
                values = [ch["value"] for ch in q.options["choices"]]
                value = rng.sample(values, 2) if q.type == QuestionType.MULTIPLE_CHOICE else rng.choice(values)
            r.answers.append(Answer(question=q, value=value))
        s.add(r)
        if i % 2000 == 1999:
            s.flush()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--extra", type=int, default=0, help="synthetic responses to add")
    ap.add_argument("--database", help="an empty database (default: a temporary SQLite file)")
    args = ap.parse_args(argv)
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/dashboard.sqlite3"
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    t = time.perf_counter()
    with session_scope(sessions) as s:
        build_demo(s)
        c = Consultation.by_slug(s, DEMO_SLUG)
        add_responses(s, c, args.extra, random.Random(0))
    print(f"demo built (+{args.extra} responses) in {time.perf_counter() - t:.1f} s")
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    for run in ("cold", "warm"):
        with sessions() as s:
            c = Consultation.by_slug(s, DEMO_SLUG)
            statements.clear()
            t = time.perf_counter()
            d = consultation_dashboard(s, c)
            ms = 1000 * (time.perf_counter() - t)
        print(f"{run}: {len(statements)} statements, {ms:.0f} ms; {d.responses} responses, "
              f"{d.review.segments} segments ({d.review.reviewed} reviewed), {len(d.questions)} closed questions, "
              f"{len(d.per_day.cells)} bars in '{d.per_day.title}'")


if __name__ == "__main__":
    main()
