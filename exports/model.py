"""Plain data the exports work on. No Flask, no database.

``consult.reporting`` fills the *input* classes from the database; :mod:`exports.report`
turns a :class:`ReportInput` into a :class:`Report`; the renderers (HTML, PDF, DOCX,
Markdown) only read a :class:`Report`, so every format says the same.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

#: Counts below this are never shown broken down (small-group protection).
MIN_CELL = 5
SMALL = "minder dan 5"


def pct(x: float | None) -> str:
    """A share as a whole percentage, halves rounded up as Dutch readers expect (10 of 16:
    63%, where Python's ``round`` gives 62)."""
    return "–" if x is None else f"{math.floor(x * 100 + 0.5 + 1e-9):d}%"


def protect(n: int | None) -> str:
    """A count as shown in a breakdown: ``minder dan 5`` for 1..4."""
    if n is None:
        return "–"
    return SMALL if 0 < n < MIN_CELL else str(n)


# ----------------------------------------------------------------------------- input

@dataclass
class SegmentRow:
    id: int
    text: str                       # the masked text (the unmasked text only in exports for roles allowed it)
    source: str                     # "answer" or "document"
    source_label: str               # "inwoner, vragenlijst" / "verslag wijkbijeenkomst Keizerslanden"
    unit: str                       # contributor key: "response:12" or "meeting:3" / "document:4"
    codes: list[str] = field(default_factory=list)  # accepted code keys
    group: str | None = None        # stakeholder group label
    neighbourhood: str | None = None
    question: str | None = None     # question key for answers
    open_suggestions: int = 0       # automatic suggestions on it that nobody accepted or rejected yet


@dataclass
class CodeInfo:
    key: str
    label: str
    description: str = ""
    gloss: str = ""
    parent: str | None = None
    keywords: list[str] = field(default_factory=list)
    #: What the theme is about in words for readers of the report (optional). The
    #: description and gloss are coder instructions and never appear in a report.
    reader_text: str = ""


@dataclass
class MeetingInfo:
    title: str
    type_label: str
    held_on: date | None
    neighbourhood: str | None
    attendance: dict[str, int] = field(default_factory=dict)  # group label -> count
    unit: str = ""           # "meeting:3", as in SegmentRow.unit

    @property
    def total(self) -> int:
        return sum(self.attendance.values())


@dataclass
class RespondentInfo:
    unit: str                # "response:12"
    group: str | None
    neighbourhood: str | None
    channel: str             # Dutch label: online / papier / telefoon / bijeenkomst


@dataclass
class FindingInfo:
    kind: str                # finding / principle / scenario
    title: str
    statement: str
    codes: list[str] = field(default_factory=list)
    evidence: list[int] = field(default_factory=list)  # segment ids
    advice_points: list[str] = field(default_factory=list)  # advice point labels
    advantages: list[str] = field(default_factory=list)     # scenarios: voordelen
    disadvantages: list[str] = field(default_factory=list)  # scenarios: nadelen


@dataclass
class DecisionInfo:
    body: str
    taken_on: date | None
    reference: str
    text: str
    findings: list[str] = field(default_factory=list)        # finding titles
    advice_responses: list[str] = field(default_factory=list)  # "ASDD, punt 3: overgenomen"


@dataclass
class ParagraphInfo:
    label: str
    text: str
    confirmed: bool = True
    score: float | None = None


@dataclass
class AdvicePointInfo:
    label: str
    text: str
    stance: str | None = None          # Dutch label
    rationale: str = ""
    promised_action: str = ""
    owner: str = ""
    due_on: date | None = None
    status: str | None = None          # Dutch label
    decision_reference: str = ""
    paragraphs: list[ParagraphInfo] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # finding titles

    @property
    def answered(self) -> bool:
        return bool(self.paragraphs)


@dataclass
class AdviceInfo:
    advisory_body: str
    subject: str
    received_on: date | None
    requested: bool
    points: list[AdvicePointInfo] = field(default_factory=list)
    reaction_sender: str = ""
    reaction_sent_on: date | None = None
    #: Reaction paragraphs that acknowledge the advice as a whole ("De bovengenoemde adviezen
    #: worden zeer serieus genomen"): points without a specific answer got only these.
    general: list[ParagraphInfo] = field(default_factory=list)

    @property
    def unanswered(self) -> list[AdvicePointInfo]:
        return [p for p in self.points if not p.answered]


@dataclass
class AgreementInfo:
    coders: tuple[str, str]
    n_segments: int
    alpha_masi: float | None
    kappa_mean: float | None
    per_code: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ReportInput:
    title: str
    slug: str
    organisation: str
    starts_on: date | None = None
    ends_on: date | None = None
    introduction: str = ""
    background: str = ""
    decision_maker: str = ""
    meetings: list[MeetingInfo] = field(default_factory=list)
    respondents: list[RespondentInfo] = field(default_factory=list)
    segments: list[SegmentRow] = field(default_factory=list)
    codes: list[CodeInfo] = field(default_factory=list)
    findings: list[FindingInfo] = field(default_factory=list)
    decisions: list[DecisionInfo] = field(default_factory=list)
    advice: list[AdviceInfo] = field(default_factory=list)
    agreement: list[AgreementInfo] | None = None  # None: not available
    #: Display order of stakeholder groups and neighbourhoods (others follow alphabetically).
    group_order: list[str] = field(default_factory=list)
    neighbourhood_order: list[str] = field(default_factory=list)
    codebook_name: str = ""
    codebook_version: int | None = None
    generated_at: datetime | None = None


# ----------------------------------------------------------------------------- report

@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Chart:
    key: str
    title: str
    alt: str                 # short text alternative (alt / docx descr)
    png: bytes
    table: Table | None = None  # the data behind the chart (long text alternative)


@dataclass
class Quote:
    text: str
    source: str


@dataclass
class ThemeSection:
    key: str
    label: str
    description: str         # the code's reader-facing text ("" without one), never coder instructions
    n_segments: int
    n_respondents: int
    n_meetings: int
    share_respondents: float | None   # of all respondents
    summary: str
    top_words: list[tuple[str, int]]   # the word cloud's words, largest first, with how often they occur
    quotes: list[Quote]
    by_neighbourhood: Table
    by_group: Table
    wordcloud: Chart | None = None
    origin: str = ""                                       # "Genoemd in 4 van de 6 wijkbijeenkomsten en ..."
    highlights: list[str] = field(default_factory=list)   # the representative segments in the summary
    cloud_weights: dict[str, float] = field(default_factory=dict)  # word -> size in the word cloud
    #: Where in the survey the theme came from, in words: the wijken and groups that name it
    #: most ("Vooral genoemd door deelnemers uit Diepenveen (6 van de 17, 35%) ..."). The
    #: documents print this instead of the two tables above; the figures for every wijk and
    #: group are in the tables under the overview heat maps.
    spread: str = ""


@dataclass
class Divide:
    theme: str
    dimension: str           # "groep" / "wijk"
    group: str
    share_group: float
    share_others: float
    n_group: int
    count_group: str         # protected count
    p_value: float

    @property
    def direction(self) -> str:
        return "vaker" if self.share_group > self.share_others else "minder vaak"

    @property
    def who(self) -> str:
        """Who differs: "deelnemers uit Rivierenwijk", "deelnemers uit de groep ‘Cliënt / inwoner’"."""
        return f"deelnemers uit de groep ‘{self.group}’" if self.dimension == "groep" else f"deelnemers uit {self.group}"

    @property
    def sentence(self) -> str:
        """The difference as a sentence: "Deelnemers uit Rivierenwijk noemen vervoer vaker dan
        anderen (40% tegenover 20%)."."""
        return (f"{self.who[0].upper()}{self.who[1:]} noemen {self.theme.lower()} {self.direction} dan anderen "
                f"({pct(self.share_group)} tegenover {pct(self.share_others)}).")


@dataclass
class FindingSection:
    kind: str                # Dutch label: bevinding / uitgangspunt / scenario
    title: str
    statement: str
    themes: list[str]
    evidence: list[Quote]
    advice_points: list[str]
    support: list[str] = field(default_factory=list)  # e.g. "Mantelzorg: 92 fragmenten, 68 deelnemers"
    advantages: list[str] = field(default_factory=list)     # scenarios: voordelen
    disadvantages: list[str] = field(default_factory=list)  # scenarios: nadelen


@dataclass
class SummaryChoice:
    """An uitgangspunt or scenario as the samenvatting names it (§ 4 and § 5 of a verkenning)."""
    title: str
    sentence: str                                            # the first sentence of its statement
    advantages: list[str] = field(default_factory=list)      # voordelen
    disadvantages: list[str] = field(default_factory=list)   # nadelen


@dataclass
class Report:
    title: str
    subtitle: str
    organisation: str
    period: str
    generated_on: str
    introduction: str
    background: str
    approach: list[str]                 # paragraphs
    approach_tables: list[Table]
    totals: dict[str, int]
    overview_charts: list[Chart]
    themes: list[ThemeSection]
    divides: list[Divide]
    divides_note: str
    findings: list[FindingSection]
    scenarios: list[FindingSection]
    decisions: list[DecisionInfo]
    advice: list[AdviceInfo]
    codebook: Table
    method: list[str]
    agreement: list[str]
    agreement_table: Table | None
    #: Shown above everything while the review of the computer's suggestions is not finished.
    notice: str = ""
    #: Samenvatting: who took part (paragraphs), the main themes with one sentence each, then
    #: findings, advice, decisions and the state of the review (paragraphs).
    summary: list[str] = field(default_factory=list)
    summary_themes: list[tuple[str, str]] = field(default_factory=list)
    summary_state: list[str] = field(default_factory=list)
    #: The uitgangspunten and scenario's with their voordelen and nadelen, after the themes.
    summary_principles: list[SummaryChoice] = field(default_factory=list)
    summary_scenarios: list[SummaryChoice] = field(default_factory=list)
