"""Read-only views of a Doom-lite game: what the player senses and what a renderer draws."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = ["EnemySighting", "Observation", "DoomState"]


class EnemySighting(NamedTuple):
    """A visible enemy: its distance (cells), bearing (radians, + right) and slot index."""

    distance: float
    bearing: float
    index: int


@dataclass(frozen=True, slots=True)
class Observation:
    """What the player senses (:meth:`DoomGame.observe`).

    Attributes:
        rays: ``(n_rays,)`` wall distances across the field of view, left to right, capped at ``max_distance``.
        enemies: ``(enemy_slots, 3)`` rows ``(distance, bearing, present)`` of the nearest visible enemies,
            nearest first; empty slots are ``(max_distance, 0, 0)``.
        health: Player health.
        ammo: Rounds left.
    """

    rays: np.ndarray
    enemies: np.ndarray
    health: float
    ammo: int


@dataclass(frozen=True, slots=True)
class DoomState:
    """A snapshot for rendering. Arrays are fresh copies except ``walls`` (the map's, read-only).

    ``item_kinds`` holds ``"health"``, ``"ammo"`` or ``"goal"`` per item; ``ticks_since_damage`` and
    ``ticks_since_shot`` are ``None`` before the first one.
    """

    walls: np.ndarray
    player_x: float
    player_y: float
    heading: float
    fov_deg: float
    health: float
    max_health: float
    ammo: int
    max_ammo: int
    enemy_x: np.ndarray
    enemy_y: np.ndarray
    enemy_alive: np.ndarray
    enemy_radius: float
    item_x: np.ndarray
    item_y: np.ndarray
    item_kinds: tuple[str, ...]
    item_present: np.ndarray
    tick: int
    kills: int
    ticks_since_damage: int | None
    ticks_since_shot: int | None
