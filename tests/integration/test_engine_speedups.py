"""Rasa's hot spots, sped up in rasa_project/kelisim_engine/speedups.py, give what Rasa's own
code gives on our model and our conversations (the check runs in Rasa's environment)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.stack import Stack
from tests.support.rasa_side import run_check

pytestmark = pytest.mark.integration


def test_the_remembered_replay_gives_rasas_own_states(trained_model: Path, stack: Stack) -> None:
    result = run_check("speedups_check.py", str(trained_model), stack.actions_url)
    assert result["differ"] == []
    assert result["slots"] > 10
    assert result["slot_copies_differ"] == []
    assert result["shared"] == 0  # what one caller edits, the next never sees
    # Within a turn the replay went on from where it stopped more often than it started over
    # (forms and session starts start over), and every such answer was Rasa's own.
    assert result["replays"]["extended"] > 2 * result["replays"]["replayed"] > 0
    # The in-memory store keeps pickles: read back, each conversation is what Rasa's JSON of
    # it gives, and a turn not saved leaves the stored conversation as it was.
    # The rules' matches are remembered and were asked for again and again, always equal
    # (in order too) to what Rasa's own function gives.
    assert result["rule_keys"] > result["rule_keys_remembered"] > 0
    assert result["rule_keys_differ"] == []
    assert result["is_empty"] == [True, True]
    # Debug lines' copies are skipped only while debug lines are dropped.
    copies = result["debug_copies"]
    assert all(copies["dropped"].values())
    assert len(copies["dropped"]) == 3
    assert all(copies["logged"].values())
    assert copies["other_use_refused"]
    stored = result["stored"]
    assert stored["conversations"] == stored["pickled"] == result["conversations"]
    assert stored["differ"] == []
    assert stored["leaked"] == 0
    # The graph run in a remembered order gives what dask's run gives, every time.
    assert result["runs"] > 3 * result["answered"]
    assert result["runs_differ"] == []
    # Every story's messages were answered, and the policies asked many times over.
    assert result["answered"] >= 40
    assert result["calls"] > 5 * result["conversations"]
