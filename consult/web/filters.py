"""Jinja filters for Dutch presentation (dates, numbers)."""
from __future__ import annotations

from datetime import date, datetime

from consult.db import to_local

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")


def dutch_date(value: date | datetime | None) -> str:
    """A date, or the local date of a stored (naive UTC) moment: "1 december 2026"."""
    if value is None:
        return "onbekend"
    if isinstance(value, datetime) and value.tzinfo is None:
        value = to_local(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def dutch_number(value: int | float) -> str:
    return f"{value:,}".replace(",", ".")


def register(app) -> None:
    from consult.security import shown_text

    app.jinja_env.filters["afgeschermd"] = shown_text
    app.jinja_env.filters["datum"] = dutch_date
    app.jinja_env.filters["getal"] = dutch_number
