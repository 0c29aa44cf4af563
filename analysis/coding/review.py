"""Review workflow support: automatic suggestions never overwrite a person's decision.

An :class:`~analysis.coding.base.Assignment` is a code on a segment with its provenance
(``origin`` human/rule/model, ``coder``, ``confidence``, ``status``, ``evidence``).
A *human decision* is any assignment whose origin is ``human`` or whose status is
``accepted``/``rejected`` (a person accepted or rejected a suggestion).

:func:`merge_suggestions` folds the output of a new coder run into the existing
assignments:

* human decisions are kept unchanged, and a new suggestion for a (segment, code) pair
  a person already decided on is dropped (a rejected code is not proposed again);
* the still-``suggested`` items of the SAME coder on the segments of the new run are
  replaced by the new run's suggestions (a re-run replaces only its own pending items);
* pending suggestions of other coders, and everything on segments outside the run, stay.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Iterable, Sequence

from analysis.coding.base import Assignment, Suggestion

__all__ = ["is_human_decision", "suggestions_to_assignments", "merge_suggestions", "MergeResult"]


def is_human_decision(a: Assignment) -> bool:
    return a.origin == "human" or a.status in ("accepted", "rejected")


def suggestions_to_assignments(segment_ids: Sequence[Hashable], suggestions: Sequence[Sequence[Suggestion]],
                               coder: str) -> list[Assignment]:
    """Pending assignments from a coder's output (``coder.code(texts)``) for ``segment_ids``."""
    if len(segment_ids) != len(suggestions):
        raise ValueError(f"{len(segment_ids)} segment ids but {len(suggestions)} suggestion lists")
    return [Assignment(segment_id=sid, code=s.code, origin=s.origin, coder=coder, confidence=s.confidence,
                       status="suggested", evidence=s.evidence)
            for sid, ss in zip(segment_ids, suggestions) for s in ss]


@dataclass(frozen=True)
class MergeResult:
    assignments: list[Assignment]
    added: list[Assignment]          # new suggestions that were taken over
    removed: list[Assignment]        # the coder's own earlier pending suggestions that were dropped
    blocked: list[Assignment]        # new suggestions dropped because a person already decided


def merge_suggestions(existing: Iterable[Assignment], new: Iterable[Assignment], *, coder: str,
                      segment_ids: Iterable[Hashable] | None = None) -> MergeResult:
    """Merge a coder run's pending assignments ``new`` into ``existing`` (see module docstring).

    ``coder``: the id of the coder that produced ``new``; ``segment_ids``: the segments the
    run covered (default: the segments in ``new``; pass it so that a segment for which
    the re-run found nothing loses the coder's stale suggestions too).
    """
    existing = list(existing)
    new = list(new)
    for a in new:
        if a.coder != coder or a.status != "suggested" or a.origin == "human":
            raise ValueError("new assignments must be pending suggestions of the given coder")
    covered = set(segment_ids) if segment_ids is not None else {a.segment_id for a in new}
    decided = {(a.segment_id, a.code) for a in existing if is_human_decision(a)}
    kept, removed = [], []
    for a in existing:
        if not is_human_decision(a) and a.coder == coder and a.segment_id in covered:
            removed.append(a)
        else:
            kept.append(a)
    added, blocked, seen = [], [], set()
    for a in new:
        key = (a.segment_id, a.code)
        if key in decided:
            blocked.append(a)
        elif key not in seen:
            seen.add(key)
            added.append(a)
    return MergeResult(kept + added, added, removed, blocked)
