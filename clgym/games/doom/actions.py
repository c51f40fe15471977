"""What goes into a Doom-lite tick (an :class:`Action`) and what comes out of it (:class:`GameEvent`)."""

from __future__ import annotations

import numbers
from enum import IntEnum
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "Action",
    "ACTION_NAMES",
    "to_action",
    "GameEvent",
    "EVENT_KINDS",
    "SHOT",
    "MISS",
    "HIT",
    "KILL",
    "DAMAGE",
    "DEATH",
    "PICKUP_HEALTH",
    "PICKUP_AMMO",
    "GOAL",
    "SPAWN",
    "TIMEOUT",
]


class Action(IntEnum):
    """The player's actions, one per tick."""

    NOOP = 0
    TURN_LEFT = 1
    TURN_RIGHT = 2
    FORWARD = 3
    ATTACK = 4


ACTION_NAMES: tuple[str, ...] = tuple(a.name.lower() for a in Action)
"""Action names by index: ``("noop", "turn_left", "turn_right", "forward", "attack")``."""
_ALLOWED_ACTIONS = ", ".join(f"{a.value} {a.name.lower()}" for a in Action)
_ACTIONS = tuple(Action)
_N_ACTIONS = len(_ACTIONS)
_BY_NAME = {a.name.lower(): a for a in Action}


def to_action(action: Any) -> Action:
    """An :class:`Action` from an ``Action``, an integer (Python, NumPy or a 0-d integer array) or a name (any
    case).

    Raises:
        ValueError: For anything else, naming the value and the allowed actions.
    """
    if type(action) is int and 0 <= action < _N_ACTIONS:  # the common case, fast
        return _ACTIONS[action]
    if isinstance(action, np.ndarray) and action.ndim == 0 and action.dtype.kind in "iu":
        action = action.item()
    if isinstance(action, str):
        found = _BY_NAME.get(action.lower())
        if found is not None:
            return found
    elif isinstance(action, numbers.Integral) and not isinstance(action, bool | np.bool_):
        if 0 <= int(action) < len(Action):
            return Action(int(action))
    raise ValueError(f"action={action!r} is not allowed; allowed: {_ALLOWED_ACTIONS} (an index or a name)")


SHOT, MISS, HIT, KILL = "shot", "miss", "hit", "kill"
DAMAGE, DEATH = "damage", "death"
PICKUP_HEALTH, PICKUP_AMMO, GOAL = "pickup_health", "pickup_ammo", "goal"
SPAWN, TIMEOUT = "spawn", "timeout"


class GameEvent(NamedTuple):
    """Something that happened in a tick.

    ``kind`` is one of ``"shot"`` (amount: rounds left), ``"miss"``, ``"hit"`` / ``"kill"`` (enemy: who),
    ``"damage"`` (amount: health lost; enemy: the attacker), ``"death"``, ``"pickup_health"`` /
    ``"pickup_ammo"`` (amount: gained), ``"goal"``, ``"spawn"`` (enemy: who) and ``"timeout"``.
    """

    kind: str
    amount: float = 0.0
    enemy: int = -1


EVENT_KINDS: tuple[str, ...] = (SHOT, MISS, HIT, KILL, DAMAGE, DEATH, PICKUP_HEALTH, PICKUP_AMMO, GOAL, SPAWN, TIMEOUT)
"""Every event kind."""
