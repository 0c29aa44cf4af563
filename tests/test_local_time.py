"""Times are stored in UTC and shown, dated and named in Dutch time (consult.db)."""
from __future__ import annotations

from datetime import date, datetime

from consult.db import local_day_start, to_local
from consult.web.filters import dutch_date
from consult.web.jobs import moment


def test_a_late_evening_is_dated_and_shown_in_dutch_time():
    # 23:30 UTC on 1 December is 00:30 on 2 December in Amsterdam (winter time, UTC+1)
    stored = datetime(2026, 12, 1, 23, 30)
    assert dutch_date(stored) == "2 december 2026"
    assert moment(stored) == "2 december 2026 om 00:30"
    # summer time is UTC+2
    assert to_local(datetime(2026, 7, 1, 22, 15)).strftime("%d %H:%M") == "02 00:15"
    # a date has no time zone: it is shown as it is
    assert dutch_date(date(2026, 12, 1)) == "1 december 2026"
    assert dutch_date(None) == "onbekend"


def test_a_local_day_starts_at_its_utc_moment():
    assert local_day_start(date(2026, 12, 2)) == datetime(2026, 12, 1, 23, 0)
    assert local_day_start(date(2026, 7, 2)) == datetime(2026, 7, 1, 22, 0)
