"""The review rule: people's decisions and automatic runs (analysis.coding.review)."""
import pytest

from analysis.coding.base import Assignment, Suggestion
from analysis.coding.review import decision_status, merge_suggestions, suggestions_to_assignments


def test_decisions_of_people():
    assert decision_status("rule", "accept") == "accepted"
    assert decision_status("model", "reject") == "rejected"
    assert decision_status("model", "undo") == "suggested"       # back to the coder's proposal
    assert decision_status("person", "undo") == "rejected"       # a person's code is never "suggested"
    assert decision_status("person", "accept") == "accepted"
    with pytest.raises(ValueError):
        decision_status("rule", "maybe")


def test_one_origin_word_for_people():
    Assignment(1, "WIJK", "person", "user:1", None, "accepted")
    with pytest.raises(ValueError):
        Assignment(1, "WIJK", "human", "user:1", None, "accepted")


def test_a_run_that_stands_for_several_coders_replaces_each_of_their_pending_items():
    existing = [
        Assignment(1, "WIJK", "rule", "rule:v1", 0.8, "suggested"),       # the rules' earlier proposal
        Assignment(1, "GELD", "model", "model:3", 0.7, "suggested"),      # an earlier model's
        Assignment(1, "JEUGD", "rule", "rule:v1", 0.6, "rejected"),       # decided: stays, blocks
        Assignment(2, "WIJK", "rule", "other:x", 0.9, "suggested"),       # a coder the run does not stand for
    ]
    new = (suggestions_to_assignments([1], [[Suggestion("JEUGD", 0.9, "model"), Suggestion("WIJK", 0.5, "model")]],
                                      "model:4")
           + suggestions_to_assignments([2], [[Suggestion("VERVOER", 0.6, "rule")]], "rule:v1"))
    res = merge_suggestions(existing, new, coder={"rule:v1", "model:3", "model:4"}, segment_ids=[1, 2])
    got = {(a.segment_id, a.code, a.coder, a.status) for a in res.assignments}
    assert got == {(1, "JEUGD", "rule:v1", "rejected"), (2, "WIJK", "other:x", "suggested"),
                   (1, "WIJK", "model:4", "suggested"), (2, "VERVOER", "rule:v1", "suggested")}
    assert sorted(a.code for a in res.removed) == ["GELD", "WIJK"]
    assert [a.code for a in res.blocked] == ["JEUGD"]
    with pytest.raises(ValueError):   # suggestions of a coder the run does not stand for
        merge_suggestions(existing, new, coder="model:4")
