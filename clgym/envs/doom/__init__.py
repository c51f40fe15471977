"""Doom-lite: a grid-map first-person shooter in plain Python and Numba (no ViZDoom, no Gymnasium).

* :mod:`~clgym.envs.doom.grid_map`: maps as lists of strings, validated (:class:`GridMap`).
* :mod:`~clgym.envs.doom.params`: the rules as dataclasses (player, enemies, spawning, pickups, rewards, senses).
* :mod:`~clgym.envs.doom.scenarios`: Basic, DefendTheCenter and DeadlyCorridor (:func:`make_scenario`).
* :mod:`~clgym.envs.doom.game`: :class:`DoomGame`: ``step(action) -> events``, ``observe()``, ``nearest_enemy()``,
  ``state()`` for the renderer (:mod:`clgym.render.doom_view`).
* :mod:`~clgym.envs.doom.actions`: the actions going in and the events coming out of a tick.
* :mod:`~clgym.envs.doom.snapshots`: what the player senses (:class:`Observation`) and what is drawn
  (:class:`DoomState`).
* :mod:`~clgym.envs.doom.raycast`, :mod:`~clgym.envs.doom.bodies`: the Numba kernels: grid ray casts (senses, shots,
  line of sight) and moving bodies (sliding collisions, the enemies' tick).
"""

from clgym.envs.doom.actions import ACTION_NAMES, EVENT_KINDS, Action, GameEvent, to_action
from clgym.envs.doom.game import DoomGame, Item
from clgym.envs.doom.grid_map import MAP_CHARS, GridMap, circular_arena_rows
from clgym.envs.doom.params import (
    EnemyParams,
    PickupParams,
    PlayerParams,
    RewardParams,
    SensingParams,
    SpawnParams,
)
from clgym.envs.doom.scenarios import SCENARIOS, Scenario, custom, make_scenario
from clgym.envs.doom.snapshots import DoomState, EnemySighting, Observation

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
