"""Run in Rasa's environment by tests/integration/test_engine_speedups.py; prints RESULT {json}.

The trained model answers the test stories' user messages (and the benchmark's) with the
speedups installed (rasa_project/kelisim_engine/speedups.py) and the real action server;
every time a policy asks for the conversation's states, Rasa's own function computes them
too, for every combination of its flags, and the two must be equal. Each answer handed out
must also be the caller's own to edit.

    python tests/support/speedups_check.py MODEL ACTIONS_URL
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "rasa_project"), str(ROOT)]


def conversations() -> list[list[str]]:
    from bench.messages import MESSAGES

    stories = yaml.safe_load((ROOT / "rasa_project/tests/test_stories.yml").read_text())
    found = [
        [str(step["user"]).strip() for step in story["steps"] if "user" in step]
        for story in stories["stories"]
    ]
    # Entity markup ([Павлодар](location)) is for the story test: the text is what people type.
    plain = [[re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", t) for t in c] for c in found]
    return [c for c in plain if c] + [MESSAGES * 3]


def _normal(value: Any) -> Any:
    """A graph's results as plain data: messages as their dicts, predictions as their fields;
    without the time events were made at (each run makes its own)."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if k != "timestamp"}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    if hasattr(value, "as_dict"):
        return _normal(value.as_dict())
    if hasattr(value, "__dict__"):
        return {k: _normal(v) for k, v in vars(value).items() if not k.startswith("_")}
    return value


def _first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(a.keys() ^ b.keys())}"
        for key in a:
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items, {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r:.80} != {b!r:.80}"


def debug_copies(speedups: Any) -> dict[str, Any]:
    """Which Rasa modules skip the copies for dropped debug lines, and that with debug on
    (and only then) the copies are made."""
    import importlib
    import logging

    from rasa.utils.log_utils import configure_structlog

    modules = {name: importlib.import_module(name) for name in speedups.DEBUG_COPYING}
    value = {"events": [{"a": 1}]}
    configure_structlog(logging.WARNING)
    dropped = {n: m.copy.deepcopy(value) is value for n, m in modules.items()}
    configure_structlog(logging.DEBUG)
    logged = {n: m.copy.deepcopy(value) == value and m.copy.deepcopy(value) is not value
              for n, m in modules.items()}  # fmt: skip
    configure_structlog(logging.WARNING)
    # A module that copies for anything but a debug line is left alone.
    refused = speedups.copies_only_for_debug_lines("import copy\nx = copy.deepcopy(y)\n")
    return {"dropped": dropped, "logged": logged, "other_use_refused": not refused}


async def stored_as_rasa_stores_them(agent: Any, states: Any) -> dict[str, Any]:
    """Each stored conversation as read back from our store and from Rasa's JSON of it: the
    same events, slots and states; and a turn that is not saved leaves no trace."""
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.events import SlotSet

    store = agent.tracker_store._tracker_store
    found: dict[str, Any] = {"conversations": 0, "pickled": 0, "differ": [], "leaked": 0}
    for key in list(store.store):
        found["conversations"] += 1
        found["pickled"] += isinstance(store.store[key], bytes)
        ours = await store.retrieve(key)
        theirs = InMemoryTrackerStore.deserialise_tracker(
            store, key, InMemoryTrackerStore.serialise_tracker(ours)
        )
        pairs = {
            "events": ([e.as_dict() for e in ours.events], [e.as_dict() for e in theirs.events]),
            "state": (ours.current_state(), theirs.current_state()),
            "slots": (ours.current_slot_values(), theirs.current_slot_values()),
            "states": (states(agent.domain, ours), states(agent.domain, theirs)),
        }
        found["differ"] += [
            f"{key}: {name}: {_first_difference(_normal(a), _normal(b))}"
            for name, (a, b) in pairs.items()
            if a != b
        ]
        # A turn that fails before Rasa saves it: the stored conversation must not have moved.
        before = len(ours.events)
        ours.update(SlotSet("language", "xx"))
        again = await store.retrieve(key)
        found["leaked"] += len(again.events) != before
    return found


def main() -> None:
    model, actions_url = sys.argv[1], sys.argv[2]
    # As `import a.b as b`: mypy's incremental cache can lose `from a import b` (mypy#20799).
    import kelisim_engine.serve as serve
    import kelisim_engine.speedups as speedups

    serve.without_tensorflow(model)
    speedups.install()
    from kelisim_engine.tracker_stores import CompactInMemoryTrackerStore
    from rasa.core.agent import Agent
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

    logging.basicConfig(level=logging.WARNING)
    fast = Domain.states_for_tracker_history
    original = fast.rasa_original
    seen: dict[str, Any] = {"calls": 0, "differ": [], "shared": 0}

    def checked(
        self: Any,
        tracker: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Any = None,
    ) -> Any:
        seen["calls"] += 1
        for omit in (False, True):
            for ignore in (False, True):
                ours = fast(self, tracker, omit, ignore, rule_only_data)
                theirs = original(self, tracker, omit, ignore, rule_only_data)
                if ours != theirs and len(seen["differ"]) < 5:
                    seen["differ"].append({"omit": omit, "ignore": ignore, "ours": repr(ours)})
        answer = fast(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        # Edit what was handed out as the featurizers do; the next answer must not see it.
        for state in answer:
            for sub in state.values():
                sub["edited"] = True
        again = fast(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        seen["shared"] += any("edited" in sub for state in again for sub in state.values())
        return again

    Domain.states_for_tracker_history = checked

    from rasa.engine.runner.dask import DaskGraphRunner

    plain = DaskGraphRunner.run
    dask_run = plain.rasa_original
    seen["runs"] = 0
    seen["runs_differ"] = []

    def both(self: Any, inputs: Any = None, targets: Any = None) -> Any:
        # Nodes read their inputs and never change them (the NLU graph builds its message from
        # the user's), so dask's run and ours can each run on the same inputs.
        seen["runs"] += 1
        ours, theirs = plain(self, inputs, targets), dask_run(self, inputs, targets)
        where = _first_difference(_normal(ours), _normal(theirs))
        if where is not None and len(seen["runs_differ"]) < 5:
            seen["runs_differ"].append(where)
        return ours

    DaskGraphRunner.run = both

    from rasa.core.policies.rule_policy import RulePolicy

    remembered = RulePolicy._get_possible_keys
    computed = remembered.rasa_original
    seen["rule_keys"] = 0
    seen["rule_keys_differ"] = []

    def keys_both(self: Any, lookup: Any, states: Any) -> Any:
        # The same keys in the same order (a tie between rules of one length goes to the
        # first met), from a fresh copy of the states so nothing is shared between the two.
        seen["rule_keys"] += 1
        ours = remembered(self, lookup, states)
        theirs = computed(self, lookup, copy.deepcopy(states))
        if list(ours) != list(theirs) and len(seen["rule_keys_differ"]) < 5:
            seen["rule_keys_differ"].append(repr(states)[:300])
        return ours

    RulePolicy._get_possible_keys = keys_both
    agent = Agent.load(
        model,
        tracker_store=CompactInMemoryTrackerStore(Domain.empty()),
        action_endpoint=EndpointConfig(f"{actions_url}/webhook"),
    )
    if agent.tracker_store is not None and agent.domain is not None:
        agent.tracker_store.domain = agent.domain

    async def talk() -> int:
        answered = 0
        for number, texts in enumerate(conversations()):
            for text in texts:
                answers = await agent.handle_text(text, sender_id=f"check-{number}")
                answered += bool(answers)
        return answered

    assert agent.domain is not None
    seen["slots"] = len(agent.domain.slots)
    seen["slot_copies_differ"] = []
    for slot in agent.domain.slots:
        ours = copy.copy(slot)
        # What copy.copy did before Slot.__copy__: reduce and reconstruct.
        theirs = copy._reconstruct(slot, None, *slot.__reduce_ex__(4))  # type: ignore[attr-defined]
        if type(ours) is not type(theirs) or vars(ours) != vars(theirs) or ours is slot:
            seen["slot_copies_differ"].append(slot.name)
    seen["answered"] = asyncio.run(talk())
    seen["replays"] = dict(speedups.STATS)
    seen["rule_keys_remembered"] = sum(
        len(node._component.__dict__.get(speedups._KEYS, {}))
        for node in agent.processor.graph_runner._instantiated_nodes.values()
        if isinstance(getattr(node, "_component", None), RulePolicy)
    )
    seen["is_empty"] = [
        Domain.is_empty(d) == Domain.is_empty.rasa_original(d)
        for d in (agent.domain, Domain.empty())
    ]
    seen["debug_copies"] = debug_copies(speedups)
    seen["stored"] = asyncio.run(stored_as_rasa_stores_them(agent, original))
    seen["conversations"] = len(conversations())
    print("RESULT " + json.dumps(seen, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
