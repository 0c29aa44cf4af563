"""Invitations by e-mail: 10,000 addresses queued and sent through a loopback SMTP server.

    python3 benchmarks/mail_speed.py [--addresses 10000] [--url postgresql+psycopg://...] [--json]

Starts an aiosmtpd server on 127.0.0.1 (it only counts what it receives), builds one
consultation with an invitation survey in a fresh database (SQLite in a temporary folder,
or the empty PostgreSQL database of ``--url``), then times:

- the dry run: reading and checking the list (``consult.invitations.check_list``);
- queuing: invitation codes, invitation rows, rendered messages and the mail log rows,
  committed and handed to ``send_mail`` jobs (``send_invitations``);
- sending: until every message is ``sent``, through the in-process job thread (no Redis),
  one SMTP connection per batch of ``consult.mail.BATCH_SIZE`` messages.

Prints messages per second for queuing, sending and end to end. Nothing asserts them.
"""
from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURVEY = """
slug: uitnodiging
title: Vragenlijst met uitnodiging
access: invitation
sections:
  - title: Vragen
    questions:
      - key: beter
        type: text_long
        label: Wat kan er beter?
"""


class Counter:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--addresses", type=int, default=10_000)
    ap.add_argument("--url", help="an empty PostgreSQL database (default: SQLite in a temporary folder)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from aiosmtpd.controller import Controller
    from sqlalchemy import func, select

    from consult import create_app, invitations, jobs, migrate
    from consult.db import session_scope
    from consult.models import (
        Consultation, ConsultationStatus, MailMessage, MailStatus, Organisation, Role, SurveyStatus, User,
    )
    from surveys.definition import parse_definition
    from surveys.store import create_survey

    tmp = Path(tempfile.mkdtemp(prefix="mail-speed-"))
    url = args.url or f"sqlite:///{tmp / 'mail.sqlite3'}"
    migrate.upgrade(url)
    counter, port = Counter(), free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp / "instance"), "SECRET_KEY": "b" * 40,
                      "REDIS_URL": "redis://127.0.0.1:1/0",  # no Redis: the in-process job thread sends
                      "MAIL_HOST": "127.0.0.1", "MAIL_PORT": port, "MAIL_SECURITY": "none",
                      "MAIL_SENDER": "Gemeente Deventer <participatie@deventer.nl>"})
    sessions = app.extensions["consult.sessions"]
    with session_scope(sessions) as s:
        org = Organisation(slug="deventer", name="Gemeente Deventer")
        c = Consultation(organisation=org, slug="bench", title="Wmo in Deventer", status=ConsultationStatus.OPEN,
                         contact="Bel 14 0570")
        s.add(c)
        s.flush()
        survey = create_survey(s, c, parse_definition(SURVEY), status=SurveyStatus.OPEN)
        user = User(email="beleid@deventer.nl", name="Beleid", role=Role.POLICY_WRITER)
        user.set_password("x" * 12)
        s.add(user)
        s.flush()
        survey_id, user_id = survey.id, user.id
    text = "\n".join(f"inwoner{i}@voorbeeld.nl" for i in range(args.addresses)) + "\n"

    from consult.models import Survey

    s = sessions()
    survey, user = s.get(Survey, survey_id), s.get(User, user_id)
    t0 = time.perf_counter()
    report = invitations.check_list(s, survey, text, secret=app.config["SECRET_KEY"])
    t_check = time.perf_counter() - t0
    t0 = time.perf_counter()
    sent = invitations.send_invitations(app, s, survey, text, base_url="https://consult.deventer.nl/", actor=user)
    t_queue = time.perf_counter() - t0
    jobs.wait_for_background(timeout=3600)
    t_total = time.perf_counter() - t0
    s.expire_all()
    by_status = dict(s.execute(select(MailMessage.status, func.count()).group_by(MailMessage.status)).all())
    first, last = s.execute(select(func.min(MailMessage.sent_at), func.max(MailMessage.sent_at))).one()
    s.close()
    controller.stop()
    send_seconds = (last - first).total_seconds() if first and last else float("nan")
    n = sent.queued
    result = {
        "addresses": args.addresses, "database": url.split(":")[0], "valid": len(report.entries),
        "check_seconds": round(t_check, 2), "queue_seconds": round(t_queue, 2),
        "queued_per_second": round(n / t_queue, 1),
        "sent": by_status.get(MailStatus.SENT, 0), "failed": by_status.get(MailStatus.FAILED, 0),
        "received_by_server": counter.received,
        "send_seconds": round(send_seconds, 2), "sent_per_second": round(n / send_seconds, 1) if send_seconds else None,
        "end_to_end_seconds": round(t_total, 2), "end_to_end_per_second": round(n / t_total, 1),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.addresses} addresses on {result['database']}:")
    print(f"  dry run (check the list)     {t_check:7.2f} s")
    print(f"  queue (codes, rows, render)  {t_queue:7.2f} s  {result['queued_per_second']:8.1f} messages/s")
    print(f"  send through loopback SMTP   {send_seconds:7.2f} s  {result['sent_per_second']:8.1f} messages/s "
          f"(first to last sent_at)")
    print(f"  end to end                   {t_total:7.2f} s  {result['end_to_end_per_second']:8.1f} messages/s")
    print(f"  sent {result['sent']}, failed {result['failed']}, received by the server {counter.received}")


if __name__ == "__main__":
    main()
