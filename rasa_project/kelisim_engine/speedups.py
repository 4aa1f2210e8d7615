"""Rasa 3.6 hot spots our profile found, fixed without changing what Rasa computes.

- `Event.resolve_by_type` walks every subclass of Event (with `inspect.isabstract` on each) for
  every event it deserialises: with a conversation loaded from the tracker store on every turn,
  that was an eighth of a turn (docs/benchmarks.md). The answer for a type name never changes
  once found, so it is remembered; names not found still go the original way (and raise).
- `Domain.states_for_tracker_history` replays the whole conversation (a tracker copy updated
  event by event) for every policy and every prediction, five times a turn: a quarter of a
  turn. The replay is done once per tracker as it stands (its events unchanged), and when
  the tracker has only gained events since (Rasa appends the user's message and each
  action's events within a turn), the replay goes on from where it stopped instead of
  starting over; Rasa's own loop runs over what it found. States are handed out as copies,
  because the featurizers edit them in place (`_choose_last_user_input`).
- Every `DialogueStateTracker` (one per replay, per stored conversation read, per copy) starts
  with `copy.copy` of each of the domain's slots, which goes through `__reduce_ex__` and
  `copyreg`: a tenth of a turn. `Slot.__copy__` does what that does for a plain object (a new
  instance of the class sharing a copy of its `__dict__`), directly.
- `DaskGraphRunner.run` works out the minimal graph for its targets, builds a dask graph and
  has dask order and schedule it, three times a turn, for a graph that never changes shape:
  the order is worked out once per set of targets and the nodes are called in it, each with
  its dependencies' results, as dask's synchronous scheduler calls them.
- `Domain.is_empty` builds an empty domain and turns both domains into dicts to compare them,
  once a turn for the same loaded domain: the answer is remembered per domain object.
- The processor and the memoization and rule policies deep-copy events and states to put
  them in debug log lines, and the copies are made before structlog drops the line: with
  debug off (the server's level is WARNING), those modules' `copy.deepcopy` hands the value
  over as it is, which the dropped line never reads. Only modules whose every use of `copy`
  is an argument of `structlogger.debug` are changed (checked in their source at start-up).
- `RulePolicy._get_possible_keys` tests every rule against every state of the conversation's
  last turns, several times a turn; conversations pass through the same few states over and
  over. Its answer for the same rule table and the same states is remembered (the set itself,
  which its two callers only read, so even its order is what Rasa's own call gives).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any


def install() -> None:
    _resolve_once()
    _states_once()
    _slot_copies()
    _plain_runner()
    _empty_domain_once()
    _no_copies_for_dropped_debug_lines()
    _rule_keys_once()


def _resolve_once() -> None:
    from rasa.shared.core import events

    original = events.Event.resolve_by_type
    if getattr(original, "kelisim_cached", False):
        return
    found: dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        cls = found.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default:
                found[type_name] = cls
        return cls

    resolve_by_type.kelisim_cached = True  # type: ignore[attr-defined]
    events.Event.resolve_by_type = staticmethod(resolve_by_type)


_TURNS = "_kelisim_turns"

# Events after which the replay of the events before them no longer holds as it was: they undo
# earlier events or start over (DialogueStateTracker.applied_events), or name a form, which
# changes how later runs of that form are applied.
_REWRITING = (
    "Restarted",
    "SessionStarted",
    "ActionReverted",
    "UserUtteranceReverted",
    "ActiveLoop",
)


@dataclass(frozen=True)
class _Turn:
    """What `states_for_tracker_history` reads of the tracker before one action."""

    state: dict[str, dict[str, Any]]
    latest_action: Any
    followup_action: Any
    latest_action_name: Any
    active_loop_name: Any
    hide_rule_turn: bool


@dataclass
class _Replay:
    """The conversation replayed up to its `count`-th event, and the turns found on the way."""

    count: int
    last: Any  # the `count`-th event itself: still there, the tracker only grew since
    domain: str  # _domain_token of the domain it was replayed with
    tracker: Any  # the replay after `count` events; nobody else holds it
    before: list[_Turn]  # one per action so far, each as the tracker stood before it


_TOKEN = "_kelisim_token"


def _domain_token(domain: Any) -> str:
    """A name for this domain object that no other domain gets, even after this one is gone
    (an id can come back): a replay kept with a stored conversation (the in-memory tracker
    store pickles it) must not go on under a model loaded since."""
    token: str | None = domain.__dict__.get(_TOKEN)
    if token is None:
        token = domain.__dict__[_TOKEN] = uuid.uuid4().hex
    return token


def _turn(domain: Any, tracker: Any, omit_unset_slots: bool, hide_rule_turn: bool) -> _Turn:
    return _Turn(
        domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots),
        domain._get_prev_action_sub_state(tracker),
        tracker.followup_action,
        tracker.latest_action_name,
        tracker.active_loop_name,
        hide_rule_turn,
    )


def _replay(domain: Any, tracker: Any, omit_unset_slots: bool) -> _Replay:
    """Rasa's generate_all_prior_trackers, keeping the replay to go on from."""
    from rasa.shared.core.events import ActionExecuted

    replay = tracker.init_copy()
    before: list[_Turn] = []
    for event in tracker.applied_events():
        if isinstance(event, ActionExecuted):
            before.append(_turn(domain, replay, omit_unset_slots, event.hide_rule_turn))
        replay.update(event)
    events = tracker.events
    last = events[-1] if events else None
    return _Replay(len(events), last, _domain_token(domain), replay, before)


def _extended(domain: Any, tracker: Any, replay: _Replay, omit_unset_slots: bool) -> bool:
    """Go on from an earlier replay of the same tracker when it only gained events since and
    none of them changes how the earlier ones apply; False when it must start over.

    Within a turn Rasa appends the user's message and each action's events to one tracker and
    asks for its states before every prediction: replaying only what was appended makes that
    cost the new events, not the conversation."""
    from rasa.shared.core.events import ActionExecuted

    events = tracker.events
    count = replay.count
    if replay.domain != _domain_token(domain) or count == 0 or len(events) < count:
        return False
    if events[count - 1] is not replay.last:
        return False
    new = [events[i] for i in range(count, len(events))]
    if any(type(event).__name__ in _REWRITING for event in new):
        return False
    loops = {e.name for e in events if type(e).__name__ == "ActiveLoop" and e.name}
    if any(isinstance(e, ActionExecuted) and e.action_name in loops for e in new):
        return False  # a form's own run: applied_events may undo earlier ones
    for event in new:
        if isinstance(event, ActionExecuted):
            replay.before.append(
                _turn(domain, replay.tracker, omit_unset_slots, event.hide_rule_turn)
            )
        replay.tracker.update(event)
    replay.count = len(events)
    replay.last = events[-1] if events else None
    return True


def _turns(domain: Any, tracker: Any, omit_unset_slots: bool) -> list[_Turn]:
    """The conversation replayed once per tracker, going on from the last replay as it grows."""
    events = tracker.events
    # Events are only ever added (or the oldest dropped): the count and the last event (kept
    # alive by the memo, so its id is its own) tell whether the tracker moved on.
    now = (len(events), id(events[-1]) if events else None, id(domain))
    memo = tracker.__dict__.get(_TURNS)
    if memo is None:
        memo = tracker.__dict__[_TURNS] = {}
    found = memo.get(omit_unset_slots)
    if found is not None and found[0] == now:
        turns: list[_Turn] = found[1]
        return turns
    replay: _Replay | None = found[2] if found is not None else None
    if replay is None or not _extended(domain, tracker, replay, omit_unset_slots):
        replay = _replay(domain, tracker, omit_unset_slots)
        STATS["replayed"] += 1
    else:
        STATS["extended"] += 1
    turns = [*replay.before, _turn(domain, replay.tracker, omit_unset_slots, False)]
    memo[omit_unset_slots] = (now, turns, replay)
    return turns


# How often a conversation was replayed from its start and how often an earlier replay went
# on (read by tests/support/speedups_check.py).
STATS = {"replayed": 0, "extended": 0}


def _states_once() -> None:
    from rasa.shared.core.constants import PREVIOUS_ACTION
    from rasa.shared.core.domain import Domain

    original = Domain.states_for_tracker_history
    if getattr(original, "kelisim_cached", False):
        return

    def states_for_tracker_history(
        self: Any,
        tracker: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Any = None,
    ) -> list[Any]:
        # Rasa 3.6.21's own loop (rasa/shared/core/domain.py), over the remembered turns; a
        # state is copied (two levels: its values are immutable) before anything edits it.
        states: list[Any] = []
        last_ml_action_sub_state = None
        turn_was_hidden = False
        for turn in _turns(self, tracker, omit_unset_slots):
            if ignore_rule_only_turns:
                if not turn_was_hidden:
                    last_ml_action_sub_state = turn.latest_action
                if not turn.followup_action and turn.latest_action_name != turn.active_loop_name:
                    turn_was_hidden = turn.hide_rule_turn
                if turn_was_hidden:
                    continue
            state = {name: dict(sub) for name, sub in turn.state.items()}
            if ignore_rule_only_turns:
                self._remove_rule_only_features(state, rule_only_data)
                if states:
                    self._substitute_rule_only_user_input(state, states[-1])
                if last_ml_action_sub_state:
                    state[PREVIOUS_ACTION] = dict(last_ml_action_sub_state)
            states.append(self._clean_state(state))
        return states

    states_for_tracker_history.kelisim_cached = True  # type: ignore[attr-defined]
    states_for_tracker_history.rasa_original = original  # type: ignore[attr-defined]
    Domain.states_for_tracker_history = states_for_tracker_history


def _slot_copies() -> None:
    from rasa.shared.core.slots import Slot

    if "__copy__" in vars(Slot):
        return

    def __copy__(self: Any) -> Any:
        # copy.copy's own result for a class without __slots__, __copy__ or __reduce__ of its
        # own: cls.__new__(cls) and a shallow copy of the instance dict (copy._reconstruct).
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update(self.__dict__)
        return clone

    Slot.__copy__ = __copy__


_PLANS = "_kelisim_plans"


def _plan(schema: Any, targets: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """Every node the targets need, each after what it needs, with its needs in order."""
    planned: list[tuple[str, tuple[str, ...]]] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done or name not in schema.nodes:
            return  # done, or an input placeholder (its value comes with the inputs)
        done.add(name)
        needs = tuple(schema.nodes[name].needs.values())
        for need in needs:
            visit(need)
        planned.append((name, needs))

    for target in targets:
        visit(target)
    return planned


def _plain_runner() -> None:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    original = DaskGraphRunner.run
    if getattr(original, "kelisim_plain", False):
        return

    def run(self: Any, inputs: Any = None, targets: Any = None) -> dict[str, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        plans = self.__dict__.setdefault(_PLANS, {})
        plan = plans.get(tuple(run_targets))
        if plan is None:
            plan = _plan(self._graph_schema.minimal_graph_schema(run_targets), run_targets)
            plans[tuple(run_targets)] = plan
        results: dict[str, Any] = {}
        names = {name for name, _ in plan}
        for input_name, input_value in (inputs or {}).items():
            # As DaskGraphRunner._add_inputs_to_graph: an input is (name, value) for the nodes.
            if isinstance(input_value, str) and input_value in names:
                raise GraphRunError(
                    f"Input value '{input_value}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are the "
                    f"same as node names in the graph schema."
                )
            results[input_name] = (input_name, input_value)
        try:
            for name, needs in plan:
                if name not in results:  # an input given for a node replaces it, as in dask
                    node = self._instantiated_nodes[name]
                    results[name] = node(*(results[need] for need in needs))
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(results[target] for target in run_targets)

    run.kelisim_plain = True  # type: ignore[attr-defined]
    run.rasa_original = original  # type: ignore[attr-defined]
    DaskGraphRunner.run = run


_EMPTY = "_kelisim_is_empty"


def _empty_domain_once() -> None:
    from rasa.shared.core.domain import Domain

    original = Domain.is_empty
    if getattr(original, "kelisim_cached", False):
        return

    def is_empty(self: Any) -> bool:
        found: bool | None = self.__dict__.get(_EMPTY)
        if found is None:
            found = self.__dict__[_EMPTY] = bool(original(self))
        return found

    is_empty.kelisim_cached = True  # type: ignore[attr-defined]
    is_empty.rasa_original = original  # type: ignore[attr-defined]
    Domain.is_empty = is_empty


# Rasa modules that deep-copy values for debug log lines only.
DEBUG_COPYING = (
    "rasa.core.processor",
    "rasa.core.policies.memoization",
    "rasa.core.policies.rule_policy",
)


def copies_only_for_debug_lines(source: str) -> bool:
    """True when every `copy.<name>` in `source` is inside a `structlogger.debug(...)` call."""
    import ast

    tree = ast.parse(source)
    inside: set[int] = set()
    for node in ast.walk(tree):
        func = getattr(node, "func", None)
        if (
            isinstance(node, ast.Call)
            and isinstance(func, ast.Attribute)
            and func.attr == "debug"
            and isinstance(func.value, ast.Name)
            and func.value.id == "structlogger"
        ):
            inside.update(id(sub) for sub in ast.walk(node))
    uses = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "copy"
    ]
    return all(id(node) in inside for node in uses)


def debug_dropped() -> bool:
    """True when structlog drops debug lines (Rasa's filtering logger below DEBUG)."""
    import logging

    import structlog  # type: ignore[import-not-found]  # Rasa's, not in the app's environment

    wrapper = structlog.get_config()["wrapper_class"]
    dropping = structlog.make_filtering_bound_logger(logging.INFO)
    return getattr(wrapper, "debug", None) is dropping.debug


class _CopyForDebugLines:
    """The `copy` module as the modules of DEBUG_COPYING see it."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        import copy

        return value if debug_dropped() else copy.deepcopy(value, memo)


def _no_copies_for_dropped_debug_lines() -> None:
    import importlib
    import inspect

    for name in DEBUG_COPYING:
        module = importlib.import_module(name)
        if module.__dict__.get("copy") is _CopyForDebugLines:
            continue
        if copies_only_for_debug_lines(inspect.getsource(module)):
            module.copy = _CopyForDebugLines  # type: ignore[attr-defined]


_KEYS = "_kelisim_rule_keys"
_KEYS_KEPT = 4096  # different state histories remembered per policy before starting afresh


def _frozen_states(states: list[Any]) -> tuple[Any, ...] | None:
    """States as a dictionary key, or None when a value cannot be one."""
    try:
        frozen = tuple(
            tuple(sorted((kind, tuple(sorted(sub.items()))) for kind, sub in state.items()))
            for state in states
        )
        hash(frozen)
    except (TypeError, AttributeError):
        return None
    return frozen


def _rule_keys_once() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    original = RulePolicy._get_possible_keys
    if getattr(original, "kelisim_cached", False):
        return

    def _get_possible_keys(self: Any, lookup: Any, states: list[Any]) -> Any:
        frozen = _frozen_states(states)
        if frozen is None:
            return original(self, lookup, states)
        memo = self.__dict__.get(_KEYS)
        if memo is None or len(memo) > _KEYS_KEPT:
            memo = self.__dict__[_KEYS] = {}
        key = (id(lookup), frozen)
        found = memo.get(key)
        if found is None or found[0] is not lookup:
            found = memo[key] = (lookup, original(self, lookup, states))
        return found[1]

    _get_possible_keys.kelisim_cached = True  # type: ignore[attr-defined]
    _get_possible_keys.rasa_original = original  # type: ignore[attr-defined]
    RulePolicy._get_possible_keys = _get_possible_keys
