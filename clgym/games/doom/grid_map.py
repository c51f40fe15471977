"""Doom-lite maps: a grid of one-unit cells written as a list of strings, validated on parse.

One character per cell, row 0 at the top. A cell ``(col, row)`` covers ``[col, col + 1) x [row, row + 1)`` in
world coordinates (``x`` = column, ``y`` = row, so ``y`` grows downwards on the minimap). Things start at the
centre of their cell::

    ############
    #P........E#      '#' wall, '.' floor, 'P' player start (exactly one), 'E' enemy (or enemy spawn point),
    #....H....E#      'H' health, 'A' ammo, 'G' goal; every cell of the outermost rows and columns is a wall
    ############

Example:
    >>> m = GridMap.parse(["#####", "#P.E#", "#####"])
    >>> m.width, m.height, m.player_start, m.enemy_cells
    (5, 3, (1, 1), ((3, 1),))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "WALL",
    "FLOOR",
    "PLAYER",
    "ENEMY",
    "HEALTH",
    "AMMO",
    "GOAL",
    "MAP_CHARS",
    "GridMap",
    "circular_arena_rows",
]

WALL, FLOOR, PLAYER, ENEMY, HEALTH, AMMO, GOAL = "#", ".", "P", "E", "H", "A", "G"
MAP_CHARS: dict[str, str] = {
    WALL: "wall",
    FLOOR: "floor",
    PLAYER: "player start",
    ENEMY: "enemy",
    HEALTH: "health",
    AMMO: "ammo",
    GOAL: "goal",
}
"""Every character a map may hold, and what it means."""

_ALLOWED = "allowed characters: " + ", ".join(f"{c!r} {meaning}" for c, meaning in MAP_CHARS.items())

Cell = tuple[int, int]


def _map_error(problem: str) -> ValueError:
    return ValueError(
        f"malformed map: {problem}; a map is a list of equal-length strings with exactly one 'P' and walls "
        f"all round its border; {_ALLOWED}"
    )


@dataclass(frozen=True, eq=False)
class GridMap:
    """A parsed and validated map. Build it with :meth:`parse`.

    Attributes:
        rows: The map as given.
        walls: ``(height, width)`` bool array, ``True`` on walls (read-only).
        player_start: ``(col, row)`` of the ``'P'`` cell.
        enemy_cells, health_cells, ammo_cells, goal_cells: ``(col, row)`` of each such cell, row by row.
    """

    rows: tuple[str, ...]
    walls: np.ndarray
    player_start: Cell
    enemy_cells: tuple[Cell, ...]
    health_cells: tuple[Cell, ...]
    ammo_cells: tuple[Cell, ...]
    goal_cells: tuple[Cell, ...]

    @classmethod
    def parse(cls, rows: Sequence[str]) -> GridMap:
        """Validate a map and index its contents.

        Args:
            rows: One string per row, all the same length (see the module docstring for the characters).

        Raises:
            ValueError: If the map is not a list of strings, is smaller than 3 x 3, is not rectangular, holds an
                unknown character, has no or several player starts, or has a non-wall cell on its border. The
                message names the problem and lists the allowed characters.
        """
        if isinstance(rows, str) or not isinstance(rows, Sequence):
            raise _map_error(f"expected a list of strings (one per row), got {type(rows).__name__}")
        for r, line in enumerate(rows):
            if not isinstance(line, str):
                raise _map_error(f"row {r} is a {type(line).__name__}, not a string")
        if len(rows) < 3:
            raise _map_error(f"{len(rows)} rows; at least 3 needed (a wall, a floor row, a wall)")
        width = len(rows[0])
        for r, line in enumerate(rows):
            if len(line) != width:
                raise _map_error(f"not rectangular: row {r} has {len(line)} characters but row 0 has {width}")
        if width < 3:
            raise _map_error(f"{width} columns; at least 3 needed")
        found: dict[str, list[Cell]] = {c: [] for c in MAP_CHARS}
        for r, line in enumerate(rows):
            for c, ch in enumerate(line):
                cells = found.get(ch)
                if cells is None:
                    raise _map_error(f"unknown character {ch!r} at row {r}, column {c}")
                cells.append((c, r))
        height = len(rows)
        for r, line in enumerate(rows):
            for c, ch in enumerate(line):
                on_border = r in (0, height - 1) or c in (0, width - 1)
                if on_border and ch != WALL:
                    raise _map_error(
                        f"open border: row {r}, column {c} is {ch!r}, but every border cell must be {WALL!r}"
                    )
        starts = found[PLAYER]
        if not starts:
            raise _map_error(f"no player start {PLAYER!r}")
        if len(starts) > 1:
            raise _map_error(f"{len(starts)} player starts {PLAYER!r} at (col, row) {starts}; exactly one allowed")
        walls = np.array([[ch == WALL for ch in line] for line in rows], dtype=np.bool_)
        walls.flags.writeable = False
        return cls(
            rows=tuple(rows),
            walls=walls,
            player_start=starts[0],
            enemy_cells=tuple(found[ENEMY]),
            health_cells=tuple(found[HEALTH]),
            ammo_cells=tuple(found[AMMO]),
            goal_cells=tuple(found[GOAL]),
        )

    @property
    def width(self) -> int:
        """Columns (x extent)."""
        return int(self.walls.shape[1])

    @property
    def height(self) -> int:
        """Rows (y extent)."""
        return int(self.walls.shape[0])

    def is_wall_at(self, x: float, y: float) -> bool:
        """Whether the world point ``(x, y)`` lies in a wall cell (points outside the map count as wall)."""
        col, row = math.floor(x), math.floor(y)
        if not (0 <= row < self.height and 0 <= col < self.width):
            return True
        return bool(self.walls[row, col])


def circular_arena_rows(radius: int, spawn_ring: bool = True) -> list[str]:
    """A round room of ``radius`` cells with the player start in the middle (DefendTheCenter's arena).

    Floor cells are those whose centre lies within ``radius + 0.5`` of the centre cell's centre; everything else
    is wall. With ``spawn_ring``, every floor cell touching a wall (8-neighbourhood) is an ``'E'`` spawn point.

    Raises:
        ValueError: If ``radius`` is not an integer >= 2.
    """
    if isinstance(radius, bool) or not isinstance(radius, int) or radius < 2:
        raise ValueError(f"radius={radius!r} is not allowed; allowed: an integer >= 2 (cells)")
    size = 2 * radius + 3  # the circle, plus a wall all round
    centre = size // 2
    offsets = np.arange(size) - centre
    floor = offsets[None, :] ** 2 + offsets[:, None] ** 2 <= (radius + 0.5) ** 2  # +0.5: no one-cell nubs
    grid = np.where(floor, FLOOR, WALL).astype("<U1")
    if spawn_ring:
        padded = np.pad(~floor, 1, constant_values=True)
        touches_wall = np.zeros_like(floor)
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                touches_wall |= padded[1 + dr : 1 + dr + size, 1 + dc : 1 + dc + size]
        grid[floor & touches_wall] = ENEMY
    grid[centre, centre] = PLAYER
    return ["".join(row) for row in grid]
