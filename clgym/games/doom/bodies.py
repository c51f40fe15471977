"""Moving bodies on the grid (Numba, cached): sliding collisions for the player and the enemies' tick.

Bodies are discs. A move is split into sub-steps shorter than the radius (no tunnelling through a wall) and
each sub-step is tried one axis at a time, so a body pressed against a wall slides along it. Another body blocks
a move only if the move would bring the two closer than touching, so overlapping bodies can always separate.
Enemies are held as arrays (``enemy_x``, ``enemy_y``, ``alive``, ``cooldown``), indexed by enemy slot.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from clgym.games.doom.raycast import line_of_sight

__all__ = ["move_player", "advance_enemies"]


@njit(cache=True, nogil=True)
def _in_wall(walls: np.ndarray, x: float, y: float, r: float) -> bool:
    """Whether a disc of radius ``r`` < 0.5 at ``(x, y)`` overlaps a wall cell (its bounding square's corners)."""
    rows, cols = walls.shape
    top, bottom = int(math.floor(y - r)), int(math.floor(y + r))
    left, right = int(math.floor(x - r)), int(math.floor(x + r))
    if top < 0 or left < 0 or bottom >= rows or right >= cols:
        return True
    return walls[top, left] or walls[top, right] or walls[bottom, left] or walls[bottom, right]


@njit(cache=True, nogil=True)
def _closer_than_touching(bx: float, by: float, touch: float, x0: float, y0: float, x1: float, y1: float) -> bool:
    d1 = math.hypot(x1 - bx, y1 - by)
    return d1 < touch and d1 < math.hypot(x0 - bx, y0 - by)


@njit(cache=True, nogil=True)
def _bumps(
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    r: float,
    enemy_x: np.ndarray,
    enemy_y: np.ndarray,
    alive: np.ndarray,
    enemy_radius: float,
    mover: int,
    player_x: float,
    player_y: float,
    player_radius: float,
) -> bool:
    """Whether moving from ``(x0, y0)`` to ``(x1, y1)`` pushes into another body. ``mover`` is the moving enemy's
    index (the player then counts as a body), or -1 for the player."""
    if mover >= 0 and _closer_than_touching(player_x, player_y, r + player_radius, x0, y0, x1, y1):
        return True
    touch = r + enemy_radius
    for i in range(enemy_x.shape[0]):
        if alive[i] and i != mover and _closer_than_touching(enemy_x[i], enemy_y[i], touch, x0, y0, x1, y1):
            return True
    return False


@njit(cache=True, nogil=True)
def _slide(
    walls: np.ndarray,
    x: float,
    y: float,
    dx: float,
    dy: float,
    r: float,
    enemy_x: np.ndarray,
    enemy_y: np.ndarray,
    alive: np.ndarray,
    enemy_radius: float,
    mover: int,
    player_x: float,
    player_y: float,
    player_radius: float,
) -> tuple[float, float]:
    n = max(1, int(math.ceil(max(abs(dx), abs(dy)) / r)))
    sx, sy = dx / n, dy / n
    for _ in range(n):
        if sx != 0.0 and not _in_wall(walls, x + sx, y, r):
            if not _bumps(
                x, y, x + sx, y, r, enemy_x, enemy_y, alive, enemy_radius, mover, player_x, player_y, player_radius
            ):
                x += sx
        if sy != 0.0 and not _in_wall(walls, x, y + sy, r):
            if not _bumps(
                x, y, x, y + sy, r, enemy_x, enemy_y, alive, enemy_radius, mover, player_x, player_y, player_radius
            ):
                y += sy
    return x, y


@njit(cache=True, nogil=True)
def move_player(
    walls: np.ndarray,
    x: float,
    y: float,
    dx: float,
    dy: float,
    radius: float,
    enemy_x: np.ndarray,
    enemy_y: np.ndarray,
    alive: np.ndarray,
    enemy_radius: float,
) -> tuple[float, float]:
    """The player's position after trying to move by ``(dx, dy)`` (walls and living enemies block)."""
    return _slide(walls, x, y, dx, dy, radius, enemy_x, enemy_y, alive, enemy_radius, -1, x, y, radius)


@njit(cache=True, nogil=True)
def advance_enemies(
    walls: np.ndarray,
    enemy_x: np.ndarray,
    enemy_y: np.ndarray,
    alive: np.ndarray,
    cooldown: np.ndarray,
    enemy_radius: float,
    step: float,
    stop_distance: float,
    sight_range: float,
    attack_range: float,
    cooldown_ticks: int,
    attack_damage: float,
    attack_accuracy: float,
    attack_rolls: np.ndarray,
    player_x: float,
    player_y: float,
    player_radius: float,
    health: float,
    damage_out: np.ndarray,
) -> float:
    """One tick of every living enemy, in slot order; returns the player's health afterwards.

    Each counts its attack cooldown down; if it sees the player (within ``sight_range``, clear line) it walks
    ``step`` towards them (not closer than ``stop_distance``), then attacks if the player is within
    ``attack_range`` and its cooldown is over (restarting it at ``cooldown_ticks``). The attack hits if that
    enemy's ``attack_rolls`` entry (uniform in [0, 1)) is below ``attack_accuracy``. Health lost to each enemy is
    written to ``damage_out`` (zeroed first); nobody attacks a dead player.
    """
    damage_out[:] = 0.0
    for i in range(enemy_x.shape[0]):
        if not alive[i]:
            continue
        if cooldown[i] > 0:
            cooldown[i] -= 1
        d = math.hypot(player_x - enemy_x[i], player_y - enemy_y[i])
        if d > sight_range or not line_of_sight(walls, enemy_x[i], enemy_y[i], player_x, player_y):
            continue
        if step > 0.0 and d > stop_distance:
            advance = min(step, d - stop_distance) / d
            enemy_x[i], enemy_y[i] = _slide(
                walls,
                enemy_x[i],
                enemy_y[i],
                (player_x - enemy_x[i]) * advance,
                (player_y - enemy_y[i]) * advance,
                enemy_radius,
                enemy_x,
                enemy_y,
                alive,
                enemy_radius,
                i,
                player_x,
                player_y,
                player_radius,
            )
            d = math.hypot(player_x - enemy_x[i], player_y - enemy_y[i])
        if cooldown[i] == 0 and d <= attack_range and attack_damage > 0.0 and health > 0.0:
            cooldown[i] = cooldown_ticks
            if attack_rolls[i] < attack_accuracy:
                lost = min(attack_damage, health)
                health -= lost
                damage_out[i] = lost
    return health
