"""Grid ray casting for the game's senses and rules (Numba, cached): wall distances along rays, line of sight,
what a shot hits and which enemies the player sees.

Both walk the grid cell by cell with the DDA of Amanatides & Woo: a ray from ``(x, y)`` crosses the next vertical
or horizontal cell edge, whichever is nearer, so the cost grows with the distance travelled, not the map size.
``walls`` is the ``(rows, cols)`` bool grid of :class:`~clgym.games.doom.grid_map.GridMap`; anything outside it
counts as wall.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["ray_distance", "ray_distances", "line_of_sight", "aim_target", "enemies_in_sight"]


@njit(cache=True, nogil=True)
def _march(walls: np.ndarray, x: float, y: float, dx: float, dy: float, limit: float) -> float:
    """Distance along the unit direction ``(dx, dy)`` to the first wall cell, or ``limit`` if none is nearer."""
    rows, cols = walls.shape
    col, row = int(math.floor(x)), int(math.floor(y))
    if not (0 <= row < rows and 0 <= col < cols) or walls[row, col]:
        return 0.0
    inf = math.inf
    step_col = 1 if dx > 0 else -1
    step_row = 1 if dy > 0 else -1
    t_delta_x = abs(1.0 / dx) if dx != 0.0 else inf
    t_delta_y = abs(1.0 / dy) if dy != 0.0 else inf
    if dx > 0:
        t_next_x = (col + 1.0 - x) * t_delta_x
    elif dx < 0:
        t_next_x = (x - col) * t_delta_x
    else:
        t_next_x = inf
    if dy > 0:
        t_next_y = (row + 1.0 - y) * t_delta_y
    elif dy < 0:
        t_next_y = (y - row) * t_delta_y
    else:
        t_next_y = inf
    while True:
        if t_next_x < t_next_y:
            t = t_next_x
            t_next_x += t_delta_x
            col += step_col
        else:
            t = t_next_y
            t_next_y += t_delta_y
            row += step_row
        if t >= limit:
            return limit
        if not (0 <= row < rows and 0 <= col < cols) or walls[row, col]:
            return t


@njit(cache=True, nogil=True)
def ray_distance(walls: np.ndarray, x: float, y: float, angle: float, max_distance: float) -> float:
    """Distance from ``(x, y)`` along ``angle`` (radians, from +x towards +y) to the first wall, capped at
    ``max_distance``; 0 if ``(x, y)`` is inside a wall."""
    return _march(walls, x, y, math.cos(angle), math.sin(angle), max_distance)


@njit(cache=True, nogil=True)
def ray_distances(
    walls: np.ndarray, x: float, y: float, angles: np.ndarray, max_distance: float, out: np.ndarray
) -> np.ndarray:
    """:func:`ray_distance` for each of ``angles`` (radians), written into ``out`` (same length) and returned."""
    for i in range(angles.shape[0]):
        a = angles[i]
        out[i] = _march(walls, x, y, math.cos(a), math.sin(a), max_distance)
    return out


@njit(cache=True, nogil=True)
def line_of_sight(walls: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> bool:
    """Whether the straight segment from ``(x0, y0)`` to ``(x1, y1)`` crosses no wall cell."""
    dx, dy = x1 - x0, y1 - y0
    length = math.sqrt(dx * dx + dy * dy)
    if length == 0.0:
        rows, cols = walls.shape
        col, row = int(math.floor(x0)), int(math.floor(y0))
        return 0 <= row < rows and 0 <= col < cols and not walls[row, col]
    return _march(walls, x0, y0, dx / length, dy / length, length) >= length


@njit(cache=True, nogil=True)
def _wrap(a: float) -> float:
    return (a + math.pi) % (2.0 * math.pi) - math.pi


@njit(cache=True, nogil=True)
def aim_target(
    walls: np.ndarray,
    x: float,
    y: float,
    heading: float,
    enemy_x: np.ndarray,
    enemy_y: np.ndarray,
    alive: np.ndarray,
    enemy_radius: float,
    weapon_range: float,
    tolerance: float,
) -> int:
    """Index of the enemy a hitscan shot along ``heading`` hits, or -1.

    An enemy is hit if the aim passes within its visible half-width (``asin(radius / distance)``) plus
    ``tolerance`` (radians), it is within ``weapon_range``, and the aim ray reaches it before any wall; of several,
    the nearest."""
    wall = _march(walls, x, y, math.cos(heading), math.sin(heading), weapon_range)
    best, best_d = -1, math.inf
    for i in range(enemy_x.shape[0]):
        if not alive[i]:
            continue
        dx, dy = enemy_x[i] - x, enemy_y[i] - y
        d = math.sqrt(dx * dx + dy * dy)
        if d > weapon_range or d >= best_d:
            continue
        off = abs(_wrap(math.atan2(dy, dx) - heading))
        half_width = math.asin(min(1.0, enemy_radius / d)) if d > 0.0 else math.pi
        if off <= half_width + tolerance and off < math.pi / 2 and d * math.cos(off) < wall:
            best, best_d = i, d
    return best


@njit(cache=True, nogil=True)
def enemies_in_sight(
    walls: np.ndarray,
    x: float,
    y: float,
    heading: float,
    enemy_x: np.ndarray,
    enemy_y: np.ndarray,
    alive: np.ndarray,
    max_distance: float,
    half_view: float,
    out_index: np.ndarray,
    out_distance: np.ndarray,
    out_bearing: np.ndarray,
) -> int:
    """Living enemies within ``max_distance``, within ``half_view`` (radians) of the heading and in line of
    sight, nearest first: writes their indices, distances and bearings (+ right) and returns how many."""
    n = 0
    for i in range(enemy_x.shape[0]):
        if not alive[i]:
            continue
        dx, dy = enemy_x[i] - x, enemy_y[i] - y
        d = math.sqrt(dx * dx + dy * dy)
        if d > max_distance:
            continue
        bearing = _wrap(math.atan2(dy, dx) - heading)
        if abs(bearing) > half_view or not line_of_sight(walls, x, y, enemy_x[i], enemy_y[i]):
            continue
        k = n  # insertion sort by distance: a handful of enemies
        while k > 0 and out_distance[k - 1] > d:
            out_index[k] = out_index[k - 1]
            out_distance[k] = out_distance[k - 1]
            out_bearing[k] = out_bearing[k - 1]
            k -= 1
        out_index[k], out_distance[k], out_bearing[k] = i, d, bearing
        n += 1
    return n
