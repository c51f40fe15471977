"""The three Doom-lite scenarios, modelled on ViZDoom's ``basic``, ``defend_the_center`` and ``deadly_corridor``.

================== ============================================ ============================================
scenario           ViZDoom original                             here
================== ============================================ ============================================
basic              a rectangular room, one monster at a random  the same room; the player turns (ViZDoom's
                   place on the far wall, killed by one shot;    strafes), one passive enemy on a random 'E'
                   +101 kill, -5 per missed shot, -1 per tic;    cell of the far wall; +100 kill, -5 per miss,
                   ends on the kill or after 300 tics            -35/s alive; ends on the kill or at 300/35 s
defend_the_center  a round arena, the player in the middle can   a round arena of radius 8; 5 melee enemies
                   only turn and shoot; melee monsters spawn     from the rim that walk in and bite, killed
                   along the wall and approach; 26 rounds;       ones respawn after 1 s; 26 rounds; +1 kill,
                   +1 kill, -1 death; 2100 tics                  -1 death; ends on death or at 60 s
deadly_corridor    a corridor with 6 shooting monsters on both  a 5-wide corridor, 3 shooters on each side
                   sides, the goal (a vest) at its end; +dX     (2 hits each); +64 per cell closer to the goal
                   towards the vest, -100 death; 2100 tics      ('G', 64 Doom units a cell), -100 death;
                                                                ends on the goal, death or at 60 s
================== ============================================ ============================================

Every scenario is a frozen :class:`Scenario`; change any part with :meth:`Scenario.replace` or
``make_scenario(name, **changes)``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from clgym.games.doom.grid_map import GridMap, circular_arena_rows
from clgym.games.doom.params import (
    DOOM_UNITS_PER_CELL,
    VIZDOOM_TICS_PER_S,
    EnemyParams,
    PickupParams,
    PlayerParams,
    RewardParams,
    SensingParams,
    SpawnParams,
)

__all__ = [
    "Scenario",
    "SCENARIOS",
    "make_scenario",
    "custom",
    "basic",
    "defend_the_center",
    "deadly_corridor",
]


@dataclass(frozen=True)
class Scenario:
    """A map and the rules played on it.

    Args:
        name: Short name (a key of :data:`SCENARIOS` for the built-in ones).
        map_rows: The map (see :mod:`clgym.games.doom.grid_map`); validated on construction.
        player, enemy, spawn, pickups, reward, sensing: The rules (:mod:`clgym.games.doom.params`).
        timeout_s: Episode length limit in game seconds (the episode is then truncated).
        tick_s: Game time per :meth:`DoomGame.step` (10 ms: one culture tick).
        end_when_all_killed: End the episode (terminated) once no enemy is alive and none is due to respawn.
        description: One line for people.

    Raises:
        ValueError: On a malformed map, a non-positive ``timeout_s``/``tick_s``, or a spawn rule the map cannot
            satisfy (more initial enemies than ``'E'`` cells).
    """

    name: str
    map_rows: tuple[str, ...]
    player: PlayerParams = PlayerParams()
    enemy: EnemyParams = EnemyParams()
    spawn: SpawnParams = SpawnParams()
    pickups: PickupParams = PickupParams()
    reward: RewardParams = RewardParams()
    sensing: SensingParams = SensingParams()
    timeout_s: float = 60.0
    tick_s: float = 0.01
    end_when_all_killed: bool = False
    description: str = ""
    grid_map: GridMap = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.map_rows, list | tuple):
            object.__setattr__(self, "map_rows", tuple(self.map_rows))
        grid = GridMap.parse(self.map_rows)
        object.__setattr__(self, "grid_map", grid)
        for name in ("timeout_s", "tick_s"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v > 0):
                raise ValueError(f"Scenario.{name} = {v!r}; allowed: a finite number > 0 (seconds)")
        if self.tick_s > self.timeout_s:
            raise ValueError(f"Scenario.tick_s = {self.tick_s} is longer than timeout_s = {self.timeout_s}")
        n_spawn = len(grid.enemy_cells)
        if self.spawn.initial is not None and self.spawn.initial > n_spawn:
            raise ValueError(
                f"Scenario {self.name!r}: spawn.initial = {self.spawn.initial} but the map has {n_spawn} 'E' "
                f"cells; allowed: at most {n_spawn}"
            )

    @property
    def timeout_ticks(self) -> int:
        """Ticks after which the episode is truncated."""
        return max(1, round(self.timeout_s / self.tick_s))

    def replace(self, **changes: Any) -> Scenario:
        """A copy with some fields changed (``dataclasses.replace``), validated again."""
        return dataclasses.replace(self, **changes)


BASIC_MAP = (
    "############",
    "#.........E#",
    "#.........E#",
    "#.........E#",
    "#P........E#",
    "#.........E#",
    "#.........E#",
    "#.........E#",
    "############",
)
"""ViZDoom's basic room: the player against the west wall facing east; the enemy appears on one of the 'E' cells
along the east wall."""

DEADLY_CORRIDOR_MAP = (
    "########################",
    "#....E....E....E.......#",
    "#......................#",
    "#P....................G#",
    "#......................#",
    "#......E....E....E.....#",
    "########################",
)
"""A corridor 21 cells (1344 Doom units, ViZDoom's is ~1300) from the start to the goal, three shooters along
each side."""

ARENA_RADIUS_CELLS = 8
"""DefendTheCenter's arena radius."""


def basic() -> Scenario:
    """One passive enemy across the room: aim and shoot (ViZDoom ``basic``)."""
    return Scenario(
        name="basic",
        map_rows=BASIC_MAP,
        player=PlayerParams(start_heading_deg=0.0, start_ammo=50),
        enemy=EnemyParams(health=1.0, speed=0.0, attack_range=0.0, attack_damage=0.0),
        spawn=SpawnParams(initial=1),
        reward=RewardParams(kill=100.0, miss=-5.0, living_per_s=-1.0 * VIZDOOM_TICS_PER_S),
        timeout_s=300 / VIZDOOM_TICS_PER_S,
        end_when_all_killed=True,
        description="one enemy on the far wall: turn, aim and shoot before 300 tics",
    )


def defend_the_center() -> Scenario:
    """Melee enemies walk in from the rim of a round arena: turn and shoot, survive (ViZDoom
    ``defend_the_center``)."""
    return Scenario(
        name="defend_the_center",
        map_rows=tuple(circular_arena_rows(ARENA_RADIUS_CELLS)),
        player=PlayerParams(start_heading_deg=0.0, start_ammo=26),
        enemy=EnemyParams(health=1.0, speed=1.5, stop_distance=0.7, attack_range=0.9, attack_damage=10.0),
        spawn=SpawnParams(initial=5, respawn_delay_s=1.0, min_player_distance=ARENA_RADIUS_CELLS - 1.5),
        reward=RewardParams(kill=1.0, death=-1.0),
        timeout_s=2100 / VIZDOOM_TICS_PER_S,
        description="enemies close in from all sides; 26 rounds; survive 2100 tics",
    )


def deadly_corridor() -> Scenario:
    """Advance down a corridor past shooters on both sides to the goal (ViZDoom ``deadly_corridor``)."""
    return Scenario(
        name="deadly_corridor",
        map_rows=DEADLY_CORRIDOR_MAP,
        player=PlayerParams(start_heading_deg=0.0, start_ammo=52),
        enemy=EnemyParams(
            health=2.0,
            speed=0.0,
            sight_range=7.0,
            attack_range=7.0,
            attack_damage=15.0,
            attack_cooldown_s=1.0,
            attack_accuracy=0.5,
        ),
        reward=RewardParams(progress_per_cell=DOOM_UNITS_PER_CELL, death=-100.0),
        timeout_s=2100 / VIZDOOM_TICS_PER_S,
        description="reach the goal at the end of a corridor lined with shooters",
    )


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "basic": basic,
    "defend_the_center": defend_the_center,
    "deadly_corridor": deadly_corridor,
}
"""The built-in scenarios by name."""


def make_scenario(name: str, **changes: Any) -> Scenario:
    """A built-in scenario by name, with optional field changes (see :meth:`Scenario.replace`).

    Raises:
        ValueError: If ``name`` is not a built-in scenario (the message lists them) or a change is invalid.
    """
    if not isinstance(name, str) or name not in SCENARIOS:
        raise ValueError(f"scenario={name!r} is not allowed; allowed: {', '.join(map(repr, SCENARIOS))}")
    scenario = SCENARIOS[name]()
    return scenario.replace(**changes) if changes else scenario


def custom(map_rows: Sequence[str], name: str = "custom", **fields_: Any) -> Scenario:
    """A scenario on your own map with default rules unless given (a convenience for tests and experiments)."""
    return Scenario(name=name, map_rows=tuple(map_rows), **fields_)
