"""The rules of Doom-lite as frozen dataclasses: player, enemies, spawning, pickups, rewards and senses.

Units: lengths in cells (one map character; a Doom player's 16-unit radius is 0.25 cells, i.e. 64 Doom map
units per cell), times in seconds, angles in degrees. The game converts speeds and cooldowns to its tick
(``Scenario.tick_s``, 10 ms by default) once, at reset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

__all__ = [
    "DOOM_UNITS_PER_CELL",
    "VIZDOOM_TICS_PER_S",
    "PlayerParams",
    "EnemyParams",
    "SpawnParams",
    "PickupParams",
    "RewardParams",
    "SensingParams",
]

DOOM_UNITS_PER_CELL = 64.0
"""Doom map units per cell (a Doom player's radius is 16 units; ours is 0.25 cells)."""
VIZDOOM_TICS_PER_S = 35.0
"""Doom's game clock: ViZDoom's timeouts and per-tic rewards are counted in these tics."""


def _check(owner: object, name: str, allowed: str, ok: bool) -> None:
    if not ok:
        value = getattr(owner, name)
        raise ValueError(f"{type(owner).__name__}.{name} = {value!r}; allowed: {allowed}")


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _positive(owner: object, *names: str) -> None:
    for n in names:
        v = getattr(owner, n)
        _check(owner, n, "a finite number > 0", _is_number(v) and v > 0)


def _non_negative(owner: object, *names: str) -> None:
    for n in names:
        v = getattr(owner, n)
        _check(owner, n, "a finite number >= 0", _is_number(v) and v >= 0)


def _whole(owner: object, name: str, minimum: int) -> None:
    v = getattr(owner, name)
    ok = isinstance(v, int) and not isinstance(v, bool) and v >= minimum
    _check(owner, name, f"an integer >= {minimum}", ok)


@dataclass(frozen=True)
class PlayerParams:
    """The player and the weapon.

    Args:
        radius: Collision radius (cells).
        move_speed: Forward speed (cells per second).
        turn_speed_deg: Turning speed (degrees per second).
        start_heading_deg: Heading at reset (0 = +x, east; 90 = +y, down the map).
        max_health: Health cap (a health pickup is only taken below it).
        start_health: Health at reset.
        start_ammo: Rounds at reset.
        max_ammo: Ammo cap (an ammo pickup is only taken below it).
        fire_cooldown_s: Time between shots; ``attack`` during it does nothing.
        shot_damage: Damage one hit does to an enemy.
        weapon_range: Longest hitscan distance (cells).
        aim_tolerance_deg: Extra angle beyond an enemy's visible half-width that still counts as a hit.
    """

    radius: float = 0.25
    move_speed: float = 4.0
    turn_speed_deg: float = 180.0
    start_heading_deg: float = 0.0
    max_health: float = 100.0
    start_health: float = 100.0
    start_ammo: int = 50
    max_ammo: int = 200
    fire_cooldown_s: float = 0.25
    shot_damage: float = 1.0
    weapon_range: float = 64.0
    aim_tolerance_deg: float = 1.0

    def __post_init__(self) -> None:
        _positive(self, "move_speed", "turn_speed_deg", "max_health", "shot_damage", "weapon_range")
        _non_negative(self, "fire_cooldown_s", "aim_tolerance_deg")
        _check(self, "radius", "a number in (0, 0.5) cells", _is_number(self.radius) and 0 < self.radius < 0.5)
        _check(self, "start_heading_deg", "a finite number", _is_number(self.start_heading_deg))
        _check(
            self,
            "start_health",
            f"a number in (0, max_health={self.max_health}]",
            _is_number(self.start_health) and 0 < self.start_health <= self.max_health,
        )
        _whole(self, "max_ammo", 0)
        _whole(self, "start_ammo", 0)
        _check(self, "start_ammo", f"<= max_ammo={self.max_ammo}", self.start_ammo <= self.max_ammo)


@dataclass(frozen=True)
class EnemyParams:
    """What every enemy of a scenario does: when it sees the player (a clear line within ``sight_range``) it
    walks towards them until ``stop_distance`` and attacks whenever they are within ``attack_range`` and its
    cooldown has run out; each attack hits with probability ``attack_accuracy``.

    Args:
        health: Hit points (shots to kill = ceil(health / the player's shot_damage)).
        radius: Body radius (cells), for collisions and for being hit.
        speed: Walking speed (cells per second; 0 = stands still).
        sight_range: Farthest distance at which it notices the player (cells).
        stop_distance: Centre-to-centre distance at which it stops approaching (cells).
        attack_range: Farthest distance it attacks from (cells; about 1 for melee, more for shooters).
        attack_damage: Health the player loses per hit.
        attack_cooldown_s: Time between attacks (the first one comes after a random part of it).
        attack_accuracy: Probability that an attack hits.
    """

    health: float = 1.0
    radius: float = 0.3
    speed: float = 1.5
    sight_range: float = 32.0
    stop_distance: float = 0.7
    attack_range: float = 0.9
    attack_damage: float = 10.0
    attack_cooldown_s: float = 1.0
    attack_accuracy: float = 1.0

    def __post_init__(self) -> None:
        _positive(self, "health", "sight_range", "attack_cooldown_s")
        _non_negative(self, "speed", "attack_range", "attack_damage")
        _check(self, "radius", "a number in (0, 0.5) cells", _is_number(self.radius) and 0 < self.radius < 0.5)
        _check(
            self,
            "attack_accuracy",
            "a probability in [0, 1]",
            _is_number(self.attack_accuracy) and 0 <= self.attack_accuracy <= 1,
        )
        _check(
            self,
            "stop_distance",
            f"a number > radius ({self.radius})",
            _is_number(self.stop_distance) and self.stop_distance > self.radius,
        )


@dataclass(frozen=True)
class SpawnParams:
    """Where and when enemies appear. The map's ``'E'`` cells are the spawn points.

    Args:
        initial: Enemies at reset: ``None`` puts one on every ``'E'`` cell; a number picks that many ``'E'`` cells
            at random (Basic: 1 of the cells along the far wall).
        respawn_delay_s: ``None``: the dead stay dead. Otherwise a killed enemy comes back this long after its
            death at a random ``'E'`` cell (DefendTheCenter).
        min_player_distance: Spawn points closer than this to the player are not used while farther ones exist.
    """

    initial: int | None = None
    respawn_delay_s: float | None = None
    min_player_distance: float = 0.0

    def __post_init__(self) -> None:
        if self.initial is not None:
            _whole(self, "initial", 0)
        if self.respawn_delay_s is not None:
            _non_negative(self, "respawn_delay_s")
        _non_negative(self, "min_player_distance")


@dataclass(frozen=True)
class PickupParams:
    """Pickups (``'H'``, ``'A'``) and the goal (``'G'``): taken when the player's centre comes within reach.

    Args:
        health_amount: Health restored by an ``'H'`` (capped at ``max_health``).
        ammo_amount: Rounds given by an ``'A'`` (capped at ``max_ammo``).
        reach: Pickup distance from the item's cell centre (cells).
        goal_reach: Distance from the goal's cell centre that counts as reaching it (cells).
    """

    health_amount: float = 25.0
    ammo_amount: int = 10
    reach: float = 0.5
    goal_reach: float = 0.5

    def __post_init__(self) -> None:
        _positive(self, "health_amount", "reach", "goal_reach")
        _whole(self, "ammo_amount", 1)


@dataclass(frozen=True)
class RewardParams:
    """Reward of a tick: the sum of the terms below for what happened in it.

    Args:
        kill: Per enemy killed.
        hit: Per shot that hit an enemy without killing it.
        shot: Per shot fired (hit or not).
        miss: Per shot that hit no enemy.
        damage_per_hp: Per health point the player lost (use a negative value for a penalty).
        death: When the player dies.
        pickup: Per item picked up.
        goal: When the player reaches the goal.
        progress_per_cell: Per cell the player got closer to the nearest goal (negative when moving away).
        living_per_s: Every second alive, paid per tick (``living_per_s * tick_s``).
    """

    kill: float = 0.0
    hit: float = 0.0
    shot: float = 0.0
    miss: float = 0.0
    damage_per_hp: float = 0.0
    death: float = 0.0
    pickup: float = 0.0
    goal: float = 0.0
    progress_per_cell: float = 0.0
    living_per_s: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            _check(self, f.name, "a finite number", _is_number(v))


@dataclass(frozen=True)
class SensingParams:
    """What :meth:`DoomGame.observe` reports.

    Args:
        n_rays: Wall-distance rays, spread evenly across the field of view, left to right.
        fov_deg: Horizontal field of view of the rays (and of the renderer).
        max_distance: Rays and enemy distances are capped at this (cells); farther enemies are not reported.
        enemy_slots: How many of the nearest visible enemies are reported.
        enemy_view_deg: Enemies are reported within this angle around the heading (``None``: ``fov_deg``,
            what the player sees; 360: all round). An enemy must also be in line of sight.
    """

    n_rays: int = 16
    fov_deg: float = 90.0
    max_distance: float = 16.0
    enemy_slots: int = 4
    enemy_view_deg: float | None = None

    def __post_init__(self) -> None:
        _whole(self, "n_rays", 1)
        _whole(self, "enemy_slots", 1)
        _positive(self, "max_distance")
        _check(self, "fov_deg", "a number in (0, 180)", _is_number(self.fov_deg) and 0 < self.fov_deg < 180)
        if self.enemy_view_deg is not None:
            v = self.enemy_view_deg
            _check(self, "enemy_view_deg", "None or a number in (0, 360]", _is_number(v) and 0 < v <= 360)

    @property
    def enemy_view(self) -> float:
        """The angle (degrees) within which enemies are reported."""
        return self.fov_deg if self.enemy_view_deg is None else float(self.enemy_view_deg)
