"""Doom-lite: a grid-map first-person shooter in plain Python and Numba (no ViZDoom, no Gymnasium).

* :mod:`~clgym.games.doom.grid_map`: maps as lists of strings, validated (:class:`GridMap`).
* :mod:`~clgym.games.doom.params`: the rules as dataclasses (player, enemies, spawning, pickups, rewards, senses).
* :mod:`~clgym.games.doom.scenarios`: Basic, DefendTheCenter and DeadlyCorridor (:func:`make_scenario`).
* :mod:`~clgym.games.doom.game`: :class:`DoomGame`: ``step(action) -> events``, ``observe()``, ``nearest_enemy()``,
  ``state()`` for the renderer (:mod:`clgym.render.doom_view`).
* :mod:`~clgym.games.doom.actions`: the actions going in and the events coming out of a tick.
* :mod:`~clgym.games.doom.views`: what the player senses (:class:`Observation`) and what is drawn
  (:class:`DoomState`).
* :mod:`~clgym.games.doom.raycast`, :mod:`~clgym.games.doom.bodies`: the Numba kernels: grid ray casts (senses, shots,
  line of sight) and moving bodies (sliding collisions, the enemies' tick).
"""

from clgym.games.doom.actions import ACTION_NAMES, EVENT_KINDS, Action, GameEvent, to_action
from clgym.games.doom.game import DoomGame, Item
from clgym.games.doom.grid_map import MAP_CHARS, GridMap, circular_arena_rows
from clgym.games.doom.params import (
    EnemyParams,
    PickupParams,
    PlayerParams,
    RewardParams,
    SensingParams,
    SpawnParams,
)
from clgym.games.doom.scenarios import SCENARIOS, Scenario, custom, make_scenario
from clgym.games.doom.views import DoomState, EnemySighting, Observation

__all__ = [
    "ACTION_NAMES",
    "EVENT_KINDS",
    "Action",
    "DoomGame",
    "Item",
    "DoomState",
    "EnemySighting",
    "GameEvent",
    "Observation",
    "to_action",
    "MAP_CHARS",
    "GridMap",
    "circular_arena_rows",
    "EnemyParams",
    "PickupParams",
    "PlayerParams",
    "RewardParams",
    "SensingParams",
    "SpawnParams",
    "SCENARIOS",
    "Scenario",
    "custom",
    "make_scenario",
]
