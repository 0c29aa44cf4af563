"""Evaluating personal-data masking (:mod:`analysis.privacy`) against gold spans.

A benchmark is JSON lines, one sentence each: ``{"style", "text", "spans": [{"start", "end",
"kind", "text"}]}``; sentences without spans are look-alikes (nothing personal in them).
Figures, all character-based, since a mask that leaves part of a name visible leaks it:

- *recall per kind*: a gold span counts as masked when every character of it is covered by
  some predicted span (of any kind: "[adres]" over a name still hides it);
- *leak rate*: of the sentences with personal data, the share where any character of a gold
  span stays visible;
- *false alarms*: look-alike sentences that got any mask;
- *precision*: predicted spans that overlap a gold span, over all predicted spans.

:func:`parse_marked` reads the hand-writing format ``Bel [[phone|06-12345678]]``.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

__all__ = ["Gold", "Example", "Scores", "parse_marked", "read_jsonl", "write_jsonl", "evaluate"]

_MARK_RE = re.compile(r"\[\[(\w+)\|(.+?)\]\]")


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    kind: str
    text: str


@dataclass
class Example:
    text: str
    spans: list[Gold] = field(default_factory=list)
    style: str = ""


def parse_marked(line: str, style: str = "") -> Example:
    """``"Bel [[phone|06-12345678]]."`` -> the plain text with its gold spans."""
    parts, spans, pos, out_len = [], [], 0, 0
    for m in _MARK_RE.finditer(line):
        parts.append(line[pos:m.start()])
        out_len += m.start() - pos
        spans.append(Gold(out_len, out_len + len(m.group(2)), m.group(1), m.group(2)))
        parts.append(m.group(2))
        out_len += len(m.group(2))
        pos = m.end()
    parts.append(line[pos:])
    return Example("".join(parts), spans, style)


def read_jsonl(path: str | Path) -> list[Example]:
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        spans = [Gold(s["start"], s["end"], s["kind"], s["text"]) for s in row.get("spans", [])]
        for s in spans:
            if row["text"][s.start:s.end] != s.text:
                raise ValueError(f"{path}:{n}: span {s.text!r} does not match the text")
        out.append(Example(row["text"], spans, row.get("style", "")))
    return out


def write_jsonl(examples: Iterable[Example], path: str | Path) -> None:
    rows = [json.dumps({"style": e.style, "text": e.text,
                        "spans": [s.__dict__ for s in e.spans]}, ensure_ascii=False) for e in examples]
    Path(path).write_text("\n".join(rows) + "\n", encoding="utf-8")


@dataclass
class Scores:
    gold: Counter                 # gold spans per kind
    masked: Counter               # of which fully covered
    sentences: int                # sentences with personal data
    leaked: int                   # of which with any visible character of a gold span
    lookalikes: int               # sentences without personal data
    false_alarms: int             # of which with any mask
    predicted: int                # predicted spans
    predicted_on_gold: int        # of which overlapping a gold span
    misses: list[tuple[str, str, str]] = field(default_factory=list)   # (kind, gold text, sentence)
    alarms: list[tuple[str, str]] = field(default_factory=list)        # (predicted text, sentence)

    def recall(self, kind: str | None = None) -> float:
        g = self.gold[kind] if kind else sum(self.gold.values())
        m = self.masked[kind] if kind else sum(self.masked.values())
        return m / g if g else 1.0

    @property
    def leak_rate(self) -> float:
        return self.leaked / self.sentences if self.sentences else 0.0

    @property
    def precision(self) -> float:
        return self.predicted_on_gold / self.predicted if self.predicted else 1.0

    def to_dict(self) -> dict:
        return {"recall": {k: round(self.recall(k), 3) for k in sorted(self.gold)},
                "recall_all": round(self.recall(), 3), "leak_rate": round(self.leak_rate, 3),
                "sentences": self.sentences, "leaked": self.leaked, "lookalikes": self.lookalikes,
                "false_alarms": self.false_alarms, "precision": round(self.precision, 3)}

    def format(self) -> str:
        lines = [f"{'kind':14} {'gold':>5} {'masked':>7} {'recall':>7}"]
        for kind in sorted(self.gold):
            lines.append(f"{kind:14} {self.gold[kind]:5} {self.masked[kind]:7} {self.recall(kind):7.3f}")
        lines.append(f"{'all':14} {sum(self.gold.values()):5} {sum(self.masked.values()):7} {self.recall():7.3f}")
        lines.append(f"sentences leaking personal data: {self.leaked}/{self.sentences} = {self.leak_rate:.1%}")
        lines.append(f"look-alike sentences with a mask (false alarms): {self.false_alarms}/{self.lookalikes}")
        lines.append(f"precision (predicted spans on personal data): {self.predicted_on_gold}/{self.predicted}"
                     f" = {self.precision:.3f}")
        return "\n".join(lines)


def evaluate(examples: Sequence[Example], detect: Callable[[str], Iterable] | None = None) -> Scores:
    """Score ``detect(text)`` (default :func:`analysis.privacy.detect`; it returns objects
    with ``start`` and ``end``) on ``examples``."""
    if detect is None:
        from analysis.privacy import detect
    s = Scores(Counter(), Counter(), 0, 0, 0, 0, 0, 0)
    for ex in examples:
        predicted = list(detect(ex.text))
        covered = bytearray(len(ex.text))
        for p in predicted:
            covered[p.start:p.end] = b"\1" * (p.end - p.start)
        s.predicted += len(predicted)
        s.predicted_on_gold += sum(1 for p in predicted
                                   if any(p.start < g.end and g.start < p.end for g in ex.spans))
        if not ex.spans:
            s.lookalikes += 1
            if predicted:
                s.false_alarms += 1
                s.alarms.extend((ex.text[p.start:p.end], ex.text) for p in predicted)
            continue
        s.sentences += 1
        leaked = False
        for g in ex.spans:
            s.gold[g.kind] += 1
            if all(covered[g.start:g.end]):
                s.masked[g.kind] += 1
            else:
                leaked = True
                s.misses.append((g.kind, g.text, ex.text))
        s.leaked += leaked
    return s
