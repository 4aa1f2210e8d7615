"""Long conversations are compacted without changing what the policies see (Rasa's env)."""

from __future__ import annotations

from tests.support.rasa_side import run_check


def test_a_long_conversation_keeps_its_slots_and_last_turns_in_fewer_events() -> None:
    result = run_check("tracker_compaction_check.py")
    assert result["events_after"] < result["events_before"] / 3
    # The slots of a finished questionnaire (and a told danger) survive the rewrite.
    assert result["same_slots"]
    assert result["safety_concern"] is True
    # What MemoizationPolicy and the rules read: the last turns' states, unchanged.
    assert result["same_last_states"]
    assert result["same_latest_message"]
    assert result["sessions_after"] == 1
    # Short conversations and a running form are left as they are.
    assert result["short_left_alone"]
    assert result["form_left_alone"]
    # Saved turn after turn, a conversation never holds more than the limit (+ one turn).
    assert result["max_stored"] <= result["limit"] + 3
