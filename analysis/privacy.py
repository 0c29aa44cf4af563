"""Detecting and masking personal data in Dutch text (no Flask imports).

Finds names of private persons, e-mail addresses, phone numbers (06-..., 0570-...,
+31...), BSN (only numbers that pass the 11-proof), IBAN (only with a valid checksum),
street addresses (street + house number) and postcodes (1234 AB). Rules only, so it is
fast (a few hundred thousand characters per second) and explainable; it errs on the side
of masking a capitalised word after a title ("mevrouw De Vries") and recognises common
Dutch first names followed by a surname.

This is the one home of consult's personal-data patterns. Segments are masked with every
kind (:func:`mask`); anything that leaves consult (reports, data exports) is checked once
more for contact details, the kinds in :data:`CONTACT` (:func:`contains_personal_data`,
:func:`scrub`, :func:`mask_same_length`).

>>> mask("Mevrouw Jansen (06-12345678) woont op de Kerkstraat 12.")
'Mevrouw [naam] ([telefoonnummer]) woont op de [adres].'
>>> scrub("Bel 06-12345678 of mail p.smit@voorbeeld.nl.")
'Bel [verwijderd] of mail [verwijderd].'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

__all__ = ["Span", "detect", "mask", "bsn_valid", "iban_valid", "LABELS", "CONTACT", "REDACTED",
           "contains_personal_data", "scrub", "mask_same_length"]

LABELS = {
    "name": "[naam]", "email": "[e-mailadres]", "phone": "[telefoonnummer]", "bsn": "[BSN]",
    "iban": "[IBAN]", "address": "[adres]", "postcode": "[postcode]",
}
#: Contact details: the kinds exports check every quote and free text for, last of all.
CONTACT = frozenset({"email", "phone"})
#: What :func:`scrub` puts in place of a contact detail.
REDACTED = "[verwijderd]"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    text: str

    @property
    def label(self) -> str:
        return LABELS[self.kind]


def bsn_valid(digits: str) -> bool:
    """The Dutch BSN 11-proof (elfproef) for a 9-digit number."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    return total % 11 == 0


def iban_valid(iban: str) -> bool:
    """ISO 13616 mod-97 check."""
    iban = re.sub(r"\s", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        return False
    if iban.startswith("NL") and not re.fullmatch(r"NL\d{2}[A-Z]{4}\d{10}", iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_CAP = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_TUSSEN = r"(?:van der|van den|van de|van 't|van het|in 't|op de|de la|van|de|der|den|ter|ten|te|'t|d')"
_INITIALS = rf"(?:[{_UPPER}]\.\s?){{1,4}}"
_SURNAME = rf"(?:(?:{_TUSSEN}|{_TUSSEN.replace('van', 'Van').replace('de', 'De')})\s)?{_CAP}"

EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)31[\s-]?(?:\(0\)[\s-]?)?[1-9](?:[\s-]?\d){8}"
    r"|\(0[1-9]\d{1,2}\)\s?\d(?:[\s-]?\d){5,6}|0[1-9](?:[\s-]?\d){8})(?![\w-])")
BSN_RE = re.compile(r"(?<![\w.-])\d{3}[.\s]?\d{2}[.\s]?\d{2}[.\s]?\d{2}(?![\w-])|(?<![\w.-])\d{9}(?![\w-])")
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b")
POSTCODE_RE = re.compile(r"\b[1-9]\d{3}\s?(?!SA\b|SD\b|SS\b)[A-Z]{2}\b")
_STREET_SUFFIX = (r"straat|laan|weg|plein|singel|gracht|kade|dijk|steeg|pad|hof|park|dreef|markt|"
                  r"ring|boulevard|allee|erf|wal|veld|plantsoen|kamp|hoek|brink|berg|baan|dam|"
                  r"zijde|oord|horst|haven|burcht|akker|es|stede")
ADDRESS_RE = re.compile(
    rf"\b(?:[{_UPPER}][{_LOWER}]+[\s-]){{0,3}}[{_UPPER}][{_LOWER}]*(?:{_STREET_SUFFIX})"
    rf"\s\d{{1,5}}(?:\s?[a-zA-Z](?![\w]))?(?:-\d{{1,4}})?")
TITLE_RE = re.compile(
    rf"\b(?:[Mm]evrouw|[Mm]evr\.|[Mm]w\.|[Mm]eneer|[Mm]ijnheer|[Dd]hr\.|[Dd]e heer|[Hh]eer|[Jj]uffrouw|"
    rf"[Oo]ma|[Oo]pa|[Tt]ante|[Oo]om|[Bb]uurman|[Bb]uurvrouw)\s+"
    rf"((?:{_INITIALS}\s?)?(?:{_CAP}\s)?{_SURNAME}(?:\s{_SURNAME})?)")
INTRO_RE = re.compile(
    rf"\b(?:[Mm]ijn naam is|[Ii]k heet|[Ii]k ben|[Hh]eet|[Gg]enaamd)\s+((?:{_CAP})(?:\s{_SURNAME})?)")

#: Common Dutch first names (CBS top lists, both sexes); ambiguous words left out.
FIRST_NAMES = frozenset("""
Aad Aafke Adam Adriaan Agnes Albert Alexander Alie Amber Amy Andrea Anita Anja Anke Anna Anne Annemarie
Annie Anouk Ans Antoon Arie Arjan Arjen Astrid Bart Bas Bea Ben Bep Bernard Bert Bianca Bram Bregje
Britt Carla Carolien Caroline Cees Chantal Charlotte Chris Corrie Daan Daniel Danny Dennis Dick Dirk Dina
Diana Dirkje Dora Edwin Els Elly Emma Erik Esther Eva Evert Femke Fenna Floor Frank Frans Freek Fleur
Gerard Gerda Gerrit Gert Gijs Gerrie Greet Guus Hanneke Hans Harm Harry Hein Henk Hendrik Herman Hennie
Hester Hilde Ilse Ineke Inge Ingrid Irene Jaap Jacob Jan Janneke Jannie Jasper Jeroen Jesse Joke Joost
Jolanda Joop Joris Josephine Joyce Judith Julia Kees Kim Klaas Koen Kevin Lars Laura Lieke Linda Lisa
Lotte Lucas Luuk Maarten Marco Margriet Maria Marian Marieke Marijke Marleen Martijn Martin Mats
Max Meike Mirjam Monique Nadia Nicole Niels Noor Pieter Piet Priscilla Ria Richard Rik Rob Robert
Roel Ruud Saskia Sander Sanne Sara Sem Sjaak Sophie Stefan Suzanne Teun Thijs Thomas Tim Tineke Tom
Truus Twan Vera Wendy Wil Willem Wim Yvonne Zoë Fatima Mohamed Ahmed Yusuf Mehmet Ayse Emre Priya
""".split())

FIRST_NAME_RE = re.compile(rf"\b(?:{'|'.join(sorted(FIRST_NAMES, key=len, reverse=True))})\b(?:\s{_SURNAME})?")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def detect(text: str, kinds: Iterable[str] | None = None) -> list[Span]:
    """Personal data in ``text``: non-overlapping spans, in order (longest first wins);
    only spans of ``kinds`` (e.g. :data:`CONTACT`) when given."""
    found: list[Span] = []
    # only the kinds asked for are looked for, so another kind never hides one of them
    want = LABELS.keys() if kinds is None else frozenset(kinds)

    def add(start: int, end: int, kind: str) -> None:
        found.append(Span(start, end, kind, text[start:end]))

    for m in EMAIL_RE.finditer(text) if "email" in want else ():
        add(m.start(), m.end(), "email")
    for m in IBAN_RE.finditer(text) if "iban" in want else ():
        if iban_valid(m.group()):
            add(m.start(), m.end(), "iban")
    for m in BSN_RE.finditer(text) if "bsn" in want else ():
        if bsn_valid(_digits(m.group())) and not _digits(m.group()).startswith("0"):
            add(m.start(), m.end(), "bsn")
    for m in PHONE_RE.finditer(text) if "phone" in want else ():
        digits = _digits(m.group())
        national = digits[2:] if digits.startswith("31") else digits[4:] if digits.startswith("0031") else digits
        if (digits.startswith(("31", "0031")) and len(national) == 9) or (
                digits.startswith("0") and len(digits) == 10):
            add(m.start(), m.end(), "phone")
    for m in POSTCODE_RE.finditer(text) if "postcode" in want else ():
        add(m.start(), m.end(), "postcode")
    for m in ADDRESS_RE.finditer(text) if "address" in want else ():
        add(m.start(), m.end(), "address")
    if "name" in want:
        for regex in (TITLE_RE, INTRO_RE):
            for m in regex.finditer(text):
                add(m.start(1), m.end(1), "name")
        for m in FIRST_NAME_RE.finditer(text):
            add(m.start(), m.end(), "name")

    # keep the longest span where spans overlap
    found.sort(key=lambda s: (s.start, -(s.end - s.start)))
    out: list[Span] = []
    for span in found:
        if out and span.start < out[-1].end:
            if span.end - span.start > out[-1].end - out[-1].start:
                out[-1] = span
            continue
        out.append(span)
    return out


def mask(text: str, spans: list[Span] | None = None, *, kinds: Iterable[str] | None = None,
         replace: Callable[[Span], str] | None = None) -> str:
    """``text`` with every detected span (of ``kinds``, default all) replaced by
    ``replace(span)``, by default its label, e.g. ``[telefoonnummer]``."""
    spans = detect(text, kinds) if spans is None else spans
    replace = replace or (lambda span: span.label)
    parts, pos = [], 0
    for span in spans:
        parts.append(text[pos:span.start])
        parts.append(replace(span))
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts)


def contains_personal_data(text: str | None, kinds: Iterable[str] | None = CONTACT) -> bool:
    """Whether ``text`` holds personal data of ``kinds`` (default: contact details;
    ``None``: any kind)."""
    return bool(text) and bool(detect(text, kinds))


def scrub(text: str | None, kinds: Iterable[str] | None = CONTACT) -> str:
    """``text`` with personal data of ``kinds`` (default: contact details) replaced by
    ``[verwijderd]``; ``""`` for no text."""
    return mask(text, kinds=kinds, replace=lambda _span: REDACTED) if text else ""


def mask_same_length(text: str | None, kinds: Iterable[str] | None = CONTACT) -> str:
    """Personal data of ``kinds`` (default: contact details) replaced by ``x`` characters
    of the same length, so character offsets into the text stay valid (REFI-QDA
    selections, segments)."""
    return mask(text, kinds=kinds, replace=lambda span: "x" * (span.end - span.start)) if text else ""
