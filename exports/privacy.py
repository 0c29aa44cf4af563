"""Last line of defence against personal data in anything that leaves consult.

Masking (``Segment.masked_text``) is done upstream; exports still check every quote and
free text for e-mail addresses and phone numbers and remove them, because a single
missed address in a public report is one too many.
"""
from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: Dutch phone numbers: 06-12345678, 0570 123456, +31 6 1234 5678, (0570) 12 34 56, 0800-1234.
PHONE = re.compile(
    r"(?<![\w])(?:\+31[\s-]?(?:\(0\))?[\s-]?|0031[\s-]?|\(0\d{1,3}\)[\s-]?|0)"
    r"\d(?:[\s-]?\d){5,9}(?![\w])")

REDACTED = "[verwijderd]"


def contains_personal_data(text: str | None) -> bool:
    if not text:
        return False
    return bool(EMAIL.search(text) or PHONE.search(text))


def scrub(text: str | None) -> str:
    """``text`` with e-mail addresses and phone numbers replaced by ``[verwijderd]``."""
    if not text:
        return ""
    text = EMAIL.sub(REDACTED, text)
    return PHONE.sub(REDACTED, text)
