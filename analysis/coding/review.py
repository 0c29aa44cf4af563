"""The review rule: automatic suggestions never overwrite a person's decision.

One rule for both sides of review, used by ``consult.coding`` for the database:

* people (:func:`decision_status`): accepting or rejecting a code is a decision; undoing
  one puts a coder's suggestion back to ``suggested``, but a person's own code has no
  ``suggested`` state, so undoing it rejects it;
* automatic runs (:func:`merge_suggestions`): a run's suggestions are folded into the
  existing assignments without touching a decision.

An :class:`~analysis.coding.base.Assignment` is a code on a segment with its provenance
(``origin`` person/rule/model, ``coder``, ``confidence``, ``status``, ``evidence``).
A *human decision* is any assignment whose origin is ``person`` or whose status is
``accepted``/``rejected`` (a person accepted or rejected a suggestion).

:func:`merge_suggestions` folds the output of a new coder run into the existing
assignments:

* human decisions are kept unchanged, and a new suggestion for a (segment, code) pair
  a person already decided on is dropped (a rejected code is not proposed again);
* the still-``suggested`` items of the SAME coder on the segments of the new run are
  replaced by the new run's suggestions (a re-run replaces only its own pending items);
  a run may stand for several coders (a consultation's automatic coding replaces what
  its rules and earlier models proposed), then it replaces the pending items of each;
* pending suggestions of other coders, and everything on segments outside the run, stay.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Hashable, Iterable, Sequence

from analysis.coding.base import Assignment, Suggestion

__all__ = ["PERSON", "AUTOMATIC", "DECISIONS", "is_human_decision", "decision_status",
           "suggestions_to_assignments", "merge_suggestions", "MergeResult"]

#: The origin of a person's codes; the automatic origins.
PERSON = "person"
AUTOMATIC = ("rule", "model")
#: What a person can do with an assignment, and the status it gives.
DECISIONS = {"accept": "accepted", "reject": "rejected", "undo": "suggested"}


def is_human_decision(a: Assignment) -> bool:
    return a.origin == PERSON or a.status in ("accepted", "rejected")


def decision_status(origin: str, decision: str) -> str:
    """The status a person's ``decision`` (``accept``/``reject``/``undo``) gives an
    assignment of ``origin``; undoing a person's own code rejects it."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {tuple(DECISIONS)}, not {decision!r}")
    status = DECISIONS[decision]
    if status == "suggested" and origin == PERSON:
        return "rejected"  # a person's own code has no "suggested" state
    return status


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


def merge_suggestions(existing: Iterable[Assignment], new: Iterable[Assignment], *,
                      coder: str | Collection[str],
                      segment_ids: Iterable[Hashable] | None = None) -> MergeResult:
    """Merge a coder run's pending assignments ``new`` into ``existing`` (see module docstring).

    ``coder``: the id of the coder that produced ``new``, or the ids of the coders the run
    stands for; ``segment_ids``: the segments the run covered (default: the segments in
    ``new``; pass it so that a segment for which the re-run found nothing loses the
    coder's stale suggestions too).
    """
    coders = {coder} if isinstance(coder, str) else set(coder)
    existing = list(existing)
    new = list(new)
    for a in new:
        if a.coder not in coders or a.status != "suggested" or a.origin == PERSON:
            raise ValueError("new assignments must be pending suggestions of the given coder")
    covered = set(segment_ids) if segment_ids is not None else {a.segment_id for a in new}
    decided = {(a.segment_id, a.code) for a in existing if is_human_decision(a)}
    kept, removed = [], []
    for a in existing:
        if not is_human_decision(a) and a.coder in coders and a.segment_id in covered:
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
