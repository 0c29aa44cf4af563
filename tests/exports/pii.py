"""A deliberately wide net for contact details, to check exported text against.

Independent of :mod:`analysis.privacy` (the one module that detects and masks personal
data) on purpose: it is looser (any e-mail-like token, any run of 7 to 11 digits that
starts like a Dutch phone number), so a test using it fails on anything that merely
looks like an address or a number the masking let through.
"""
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: Dutch phone numbers: 06-12345678, 0570 123456, +31 6 1234 5678, (0570) 12 34 56, 0800-1234.
PHONE = re.compile(
    r"(?<![\w])(?:\+31[\s-]?(?:\(0\))?[\s-]?|0031[\s-]?|\(0\d{1,3}\)[\s-]?|0)"
    r"\d(?:[\s-]?\d){5,9}(?![\w])")
