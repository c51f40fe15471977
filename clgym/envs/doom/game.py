"""Doom-lite as plain Python: a grid world, a player, enemies, hitscan shooting and pickups. No Gymnasium, no
culture; one :meth:`DoomGame.step` is one tick (10 ms by default).

Conventions: ``x`` is the map column and ``y`` the map row (``y`` grows downwards, as the map is written);
``heading`` is in radians from +x towards +y, so ``turn_right`` increases it. A *bearing* is the angle of a thing
relative to the heading, in ``[-pi, pi)``, positive to the player's right.

A tick runs in this order: the player's action (turn, walk, or shoot), pickups and the goal, the enemies (see
:class:`~clgym.envs.doom.params.EnemyParams`), respawns, then the end of the episode: ``terminated`` on death,
on reaching a goal, or (``end_when_all_killed``) once every enemy is dead; ``truncated`` at the timeout.
The tick's reward (:attr:`DoomGame.last_reward`) is the scenario's :class:`~clgym.envs.doom.params.RewardParams`
applied to the tick's events.

Example:
    >>> game = DoomGame("basic", seed=0)
    >>> def aim_and_shoot(seen: EnemySighting) -> Action:
    ...     if abs(seen.bearing) < 0.02:
    ...         return Action.ATTACK
    ...     return Action.TURN_RIGHT if seen.bearing > 0 else Action.TURN_LEFT
    >>> while not game.done:
    ...     events = game.step(aim_and_shoot(game.nearest_enemy()))
    >>> game.outcome, game.kills
    ('cleared', 1)
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, NamedTuple

import numpy as np

from clgym.envs.doom.raycast import line_of_sight, ray_distance, ray_distances
from clgym.envs.doom.scenarios import Scenario, make_scenario

__all__ = [
    "Action",
    "ACTION_NAMES",
    "to_action",
    "GameEvent",
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
    "Enemy",
    "Item",
    "EnemySighting",
    "Observation",
    "DoomState",
    "DoomGame",
]

TWO_PI = 2.0 * math.pi


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


def to_action(action: Any) -> Action:
    """An :class:`Action` from an ``Action``, an integer (Python, NumPy or a 0-d integer array) or a name.

    Raises:
        ValueError: For anything else, naming the value and the allowed actions.
    """
    if isinstance(action, np.ndarray) and action.ndim == 0 and action.dtype.kind in "iu":
        action = action.item()
    if isinstance(action, str):
        try:
            return Action[action.upper()]
        except KeyError:
            pass
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


@dataclass(slots=True)
class Enemy:
    """An enemy slot. A dead enemy keeps its slot (and index) and may respawn in it."""

    x: float
    y: float
    health: float
    alive: bool = True
    cooldown_ticks: int = 0
    respawn_tick: int = -1


@dataclass(slots=True)
class Item:
    """A pickup or goal: ``kind`` is ``"health"``, ``"ammo"`` or ``"goal"``."""

    x: float
    y: float
    kind: str
    present: bool = True


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


def wrap_angle(a: float) -> float:
    """``a`` wrapped into ``[-pi, pi)``."""
    return (a + math.pi) % TWO_PI - math.pi


class DoomGame:
    """The Doom-lite game state and its tick.

    Args:
        scenario: A :class:`~clgym.envs.doom.scenarios.Scenario` or the name of a built-in one (``"basic"``,
            ``"defend_the_center"``, ``"deadly_corridor"``).
        seed: Seed or ``np.random.Generator`` (enemy placement, first-attack delays, attack hits, respawns).

    Attributes:
        x, y, heading: Player position (cells) and heading (radians).
        health, ammo: Player health and rounds.
        enemies: :class:`Enemy` slots; items: :class:`Item` list (pickups and goals).
        tick: Ticks since :meth:`reset`; kills, shots, hits: totals since then.
        last_reward, total_reward: Reward of the last tick and of the episode so far.
        terminated, truncated: Whether the episode ended (death / goal / cleared) or timed out.
        outcome: ``None`` while playing, then ``"death"``, ``"goal"``, ``"cleared"`` or ``"timeout"``.

    Raises:
        ValueError: On an unknown scenario name (the message lists the allowed ones).
    """

    def __init__(self, scenario: Scenario | str = "basic", seed: int | np.random.Generator | None = None) -> None:
        if isinstance(scenario, Scenario):
            self.scenario = scenario
        else:
            self.scenario = make_scenario(scenario)
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self._derive_tick_constants()
        self.reset()

    def _derive_tick_constants(self) -> None:
        sc = self.scenario
        p, e, s, dt = sc.player, sc.enemy, sc.sensing, sc.tick_s
        grid = sc.grid_map
        self.walls = grid.walls
        self._wall_rows: list[list[bool]] = grid.walls.tolist()
        self._move_step = p.move_speed * dt
        self._turn_step = math.radians(p.turn_speed_deg) * dt
        self._fire_cooldown_ticks = round(p.fire_cooldown_s / dt)
        self._aim_tolerance = math.radians(p.aim_tolerance_deg)
        self._enemy_step = e.speed * dt
        self._enemy_cooldown_ticks = max(1, round(e.attack_cooldown_s / dt))
        delay = sc.spawn.respawn_delay_s
        self._respawn_ticks = None if delay is None else max(1, round(delay / dt))
        self._living_reward = sc.reward.living_per_s * dt
        half_fov = math.radians(s.fov_deg) / 2
        self._ray_offsets = np.linspace(-half_fov, half_fov, s.n_rays) if s.n_rays > 1 else np.zeros(1)
        self._ray_angles = np.empty(s.n_rays)
        self._half_enemy_view = math.radians(s.enemy_view) / 2
        self._spawn_points = [(c + 0.5, r + 0.5) for c, r in grid.enemy_cells]

    # ---- episode ---------------------------------------------------------------------------------------------
    def reset(self, seed: int | np.random.Generator | None = None) -> None:
        """Start an episode: the player at ``'P'``, items on their cells, enemies spawned (reseed first if ``seed``
        is given)."""
        if seed is not None:
            self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        sc, p = self.scenario, self.scenario.player
        grid = sc.grid_map
        col, row = grid.player_start
        self.x, self.y = col + 0.5, row + 0.5
        self.heading = wrap_angle(math.radians(p.start_heading_deg))
        self.health = float(p.start_health)
        self.ammo = int(p.start_ammo)
        self.tick = self.kills = self.shots = self.hits = 0
        self.fire_cooldown_ticks = 0
        self.last_reward = self.total_reward = 0.0
        self.terminated = self.truncated = False
        self.outcome: str | None = None
        self.last_damage_tick: int | None = None
        self.last_shot_tick: int | None = None
        self.items = [Item(c + 0.5, r + 0.5, "health") for c, r in grid.health_cells]
        self.items += [Item(c + 0.5, r + 0.5, "ammo") for c, r in grid.ammo_cells]
        self.items += [Item(c + 0.5, r + 0.5, "goal") for c, r in grid.goal_cells]
        self.enemies: list[Enemy] = []
        for x, y in self._initial_spawn_points():
            self.enemies.append(Enemy(x, y, sc.enemy.health, cooldown_ticks=self._first_attack_delay()))
        self._goal_distance = self._nearest_goal_distance()

    def _initial_spawn_points(self) -> list[tuple[float, float]]:
        n = self.scenario.spawn.initial
        if n is None:
            return list(self._spawn_points)
        candidates = self._far_spawn_points()
        if len(candidates) < n:
            candidates = self._spawn_points
        chosen = self.rng.choice(len(candidates), size=n, replace=False)
        return [candidates[i] for i in sorted(chosen.tolist())]

    def _far_spawn_points(self) -> list[tuple[float, float]]:
        m = self.scenario.spawn.min_player_distance
        return [(x, y) for x, y in self._spawn_points if math.hypot(x - self.x, y - self.y) >= m]

    def _first_attack_delay(self) -> int:
        return int(self.rng.integers(0, self._enemy_cooldown_ticks + 1))

    @property
    def done(self) -> bool:
        """Whether the episode is over (terminated or truncated)."""
        return self.terminated or self.truncated

    @property
    def time_s(self) -> float:
        """Game time since :meth:`reset`."""
        return self.tick * self.scenario.tick_s

    # ---- the tick --------------------------------------------------------------------------------------------
    def step(self, action: Any = Action.NOOP) -> tuple[GameEvent, ...]:
        """Advance one tick with the player's ``action`` (an :class:`Action`, its index or its name).

        Returns:
            The tick's events (see :class:`GameEvent`), in the order they happened.

        Raises:
            ValueError: If ``action`` is not a valid action (the message lists them).
            RuntimeError: If the episode is over (call :meth:`reset`).
        """
        act = to_action(action)
        if self.terminated or self.truncated:
            raise RuntimeError(f"the episode is over ({self.outcome}); call reset() first")
        sc = self.scenario
        events: list[GameEvent] = []
        self.tick += 1
        if self.fire_cooldown_ticks > 0:
            self.fire_cooldown_ticks -= 1
        if act == Action.TURN_LEFT:
            self.heading = wrap_angle(self.heading - self._turn_step)
        elif act == Action.TURN_RIGHT:
            self.heading = wrap_angle(self.heading + self._turn_step)
        elif act == Action.FORWARD:
            step = self._move_step
            self.x, self.y = self._slide(self.x, self.y, step * math.cos(self.heading),
                                         step * math.sin(self.heading), sc.player.radius, None)
        elif act == Action.ATTACK:
            self._fire(events)
        reached_goal = self._collect_items(events)
        if reached_goal:
            self.terminated, self.outcome = True, "goal"
        else:
            self._update_enemies(events)
            self._respawn_enemies(events)
            if self.health <= 0:
                events.append(GameEvent(DEATH))
                self.terminated, self.outcome = True, "death"
            elif sc.end_when_all_killed and not any(e.alive or e.respawn_tick >= 0 for e in self.enemies):
                self.terminated, self.outcome = True, "cleared"
        if not self.terminated and self.tick >= sc.timeout_ticks:
            events.append(GameEvent(TIMEOUT))
            self.truncated, self.outcome = True, "timeout"
        self.last_reward = self._reward(events)
        self.total_reward += self.last_reward
        return tuple(events)

    def _blocked(self, x: float, y: float, r: float) -> bool:
        rows = self._wall_rows
        top, bottom, left, right = int(y - r), int(y + r), int(x - r), int(x + r)  # coordinates are > 0
        return rows[top][left] or rows[top][right] or rows[bottom][left] or rows[bottom][right]

    def _slide(self, x: float, y: float, dx: float, dy: float, r: float, mover: int | None) -> tuple[float, float]:
        """Move a body of radius ``r`` by ``(dx, dy)``, one axis at a time so it slides along walls; bodies
        (the player, other living enemies) block a move that would bring them closer than touching.
        ``mover`` is the enemy index moving, or ``None`` for the player."""
        n = max(1, math.ceil(max(abs(dx), abs(dy)) / r))  # sub-steps shorter than the radius: no tunnelling
        dx, dy = dx / n, dy / n
        for _ in range(n):
            if dx and not self._blocked(x + dx, y, r) and not self._bumps(x, y, x + dx, y, r, mover):
                x += dx
            if dy and not self._blocked(x, y + dy, r) and not self._bumps(x, y, x, y + dy, r, mover):
                y += dy
        return x, y

    def _bumps(self, x0: float, y0: float, x1: float, y1: float, r: float, mover: int | None) -> bool:
        enemy_r = self.scenario.enemy.radius
        bodies = [(e.x, e.y, enemy_r) for i, e in enumerate(self.enemies) if e.alive and i != mover]
        if mover is not None:
            bodies.append((self.x, self.y, self.scenario.player.radius))
        for bx, by, br in bodies:
            touch = r + br
            d1 = math.hypot(x1 - bx, y1 - by)
            if d1 < touch and d1 < math.hypot(x0 - bx, y0 - by):
                return True
        return False

    def _fire(self, events: list[GameEvent]) -> None:
        if self.fire_cooldown_ticks > 0 or self.ammo <= 0:
            return
        self.ammo -= 1
        self.shots += 1
        self.fire_cooldown_ticks = self._fire_cooldown_ticks
        self.last_shot_tick = self.tick
        events.append(GameEvent(SHOT, float(self.ammo)))
        target = self._aim_target()
        if target < 0:
            events.append(GameEvent(MISS))
            return
        enemy = self.enemies[target]
        enemy.health -= self.scenario.player.shot_damage
        self.hits += 1
        if enemy.health > 0:
            events.append(GameEvent(HIT, enemy=target))
            return
        enemy.alive = False
        self.kills += 1
        if self._respawn_ticks is not None:
            enemy.respawn_tick = self.tick + self._respawn_ticks
        events.append(GameEvent(KILL, enemy=target))

    def _aim_target(self) -> int:
        """Index of the enemy a shot hits (the nearest one the aim ray reaches before a wall), or -1."""
        p = self.scenario.player
        enemy_r = self.scenario.enemy.radius
        wall = ray_distance(self.walls, self.x, self.y, self.heading, p.weapon_range)
        best, best_d = -1, math.inf
        for i, e in enumerate(self.enemies):
            if not e.alive:
                continue
            dx, dy = e.x - self.x, e.y - self.y
            d = math.hypot(dx, dy)
            if d > p.weapon_range or d >= best_d:
                continue
            off = abs(wrap_angle(math.atan2(dy, dx) - self.heading))
            half_width = math.asin(min(1.0, enemy_r / d)) if d > 0 else math.pi
            if off <= half_width + self._aim_tolerance and off < math.pi / 2 and d * math.cos(off) < wall:
                best, best_d = i, d
        return best

    def _collect_items(self, events: list[GameEvent]) -> bool:
        """Take the items within reach; whether a goal was reached."""
        p, pk = self.scenario.player, self.scenario.pickups
        reached = False
        for item in self.items:
            if not item.present:
                continue
            d = math.hypot(item.x - self.x, item.y - self.y)
            if item.kind == "goal":
                if d <= pk.goal_reach:
                    item.present = False
                    events.append(GameEvent(GOAL))
                    reached = True
            elif d <= pk.reach:
                if item.kind == "health" and self.health < p.max_health:
                    gained = min(pk.health_amount, p.max_health - self.health)
                    self.health += gained
                    item.present = False
                    events.append(GameEvent(PICKUP_HEALTH, gained))
                elif item.kind == "ammo" and self.ammo < p.max_ammo:
                    gained = min(pk.ammo_amount, p.max_ammo - self.ammo)
                    self.ammo += gained
                    item.present = False
                    events.append(GameEvent(PICKUP_AMMO, float(gained)))
        return reached

    def _update_enemies(self, events: list[GameEvent]) -> None:
        e_p = self.scenario.enemy
        walls = self.walls
        for i, e in enumerate(self.enemies):
            if not e.alive:
                continue
            if e.cooldown_ticks > 0:
                e.cooldown_ticks -= 1
            d = math.hypot(self.x - e.x, self.y - e.y)
            if d > e_p.sight_range or not line_of_sight(walls, e.x, e.y, self.x, self.y):
                continue
            if self._enemy_step > 0 and d > e_p.stop_distance:
                advance = min(self._enemy_step, d - e_p.stop_distance) / d
                e.x, e.y = self._slide(e.x, e.y, (self.x - e.x) * advance, (self.y - e.y) * advance, e_p.radius, i)
                d = math.hypot(self.x - e.x, self.y - e.y)
            if e.cooldown_ticks == 0 and d <= e_p.attack_range and e_p.attack_damage > 0 and self.health > 0:
                e.cooldown_ticks = self._enemy_cooldown_ticks
                if self.rng.random() < e_p.attack_accuracy:
                    lost = min(e_p.attack_damage, self.health)
                    self.health -= lost
                    self.last_damage_tick = self.tick
                    events.append(GameEvent(DAMAGE, lost, i))

    def _respawn_enemies(self, events: list[GameEvent]) -> None:
        if self._respawn_ticks is None:
            return
        touch = 2 * self.scenario.enemy.radius
        for i, e in enumerate(self.enemies):
            if e.alive or e.respawn_tick < 0 or e.respawn_tick > self.tick:
                continue
            free = [
                (x, y)
                for x, y in (self._far_spawn_points() or self._spawn_points)
                if all(not o.alive or math.hypot(o.x - x, o.y - y) >= touch for o in self.enemies)
                and math.hypot(self.x - x, self.y - y) >= touch
            ]
            if not free:
                continue  # every spawn point is taken: try again next tick
            e.x, e.y = free[int(self.rng.integers(len(free)))]
            e.health, e.alive, e.respawn_tick = self.scenario.enemy.health, True, -1
            e.cooldown_ticks = self._first_attack_delay()
            events.append(GameEvent(SPAWN, enemy=i))

    def _nearest_goal_distance(self) -> float:
        goals = [math.hypot(g.x - self.x, g.y - self.y) for g in self.items if g.kind == "goal" and g.present]
        return min(goals) if goals else 0.0

    def _reward(self, events: list[GameEvent]) -> float:
        rw = self.scenario.reward
        per_event = {
            KILL: rw.kill,
            HIT: rw.hit,
            SHOT: rw.shot,
            MISS: rw.miss,
            DEATH: rw.death,
            PICKUP_HEALTH: rw.pickup,
            PICKUP_AMMO: rw.pickup,
            GOAL: rw.goal,
        }
        total = self._living_reward
        for ev in events:
            total += rw.damage_per_hp * ev.amount if ev.kind == DAMAGE else per_event.get(ev.kind, 0.0)
        if rw.progress_per_cell:
            d = 0.0 if any(ev.kind == GOAL for ev in events) else self._nearest_goal_distance()
            total += rw.progress_per_cell * (self._goal_distance - d)
            self._goal_distance = d
        return total

    # ---- senses ----------------------------------------------------------------------------------------------
    def bearing_to(self, x: float, y: float) -> float:
        """Bearing of the point ``(x, y)`` from the player (radians in ``[-pi, pi)``, + right)."""
        return wrap_angle(math.atan2(y - self.y, x - self.x) - self.heading)

    def visible_enemies(self) -> list[EnemySighting]:
        """Living enemies in line of sight, within ``max_distance`` and the enemy view angle, nearest first."""
        s = self.scenario.sensing
        seen = []
        for i, e in enumerate(self.enemies):
            if not e.alive:
                continue
            d = math.hypot(e.x - self.x, e.y - self.y)
            if d > s.max_distance:
                continue
            bearing = self.bearing_to(e.x, e.y)
            if abs(bearing) > self._half_enemy_view or not line_of_sight(self.walls, self.x, self.y, e.x, e.y):
                continue
            seen.append(EnemySighting(d, bearing, i))
        seen.sort()
        return seen

    def nearest_enemy(self) -> EnemySighting | None:
        """The nearest visible enemy (for the culture's place code of bearing and rate code of distance), or
        ``None`` when none is visible."""
        seen = self.visible_enemies()
        return seen[0] if seen else None

    def observe(self) -> Observation:
        """Wall rays across the field of view, the nearest visible enemies, health and ammo."""
        s = self.scenario.sensing
        np.add(self._ray_offsets, self.heading, out=self._ray_angles)
        rays = ray_distances(self.walls, self.x, self.y, self._ray_angles, s.max_distance, np.empty(s.n_rays))
        slots = np.zeros((s.enemy_slots, 3))
        slots[:, 0] = s.max_distance
        for k, seen in enumerate(self.visible_enemies()[: s.enemy_slots]):
            slots[k] = (seen.distance, seen.bearing, 1.0)
        return Observation(rays, slots, self.health, self.ammo)

    @property
    def observation_size(self) -> int:
        """Length of :meth:`observation_vector`."""
        s = self.scenario.sensing
        return s.n_rays + 3 * s.enemy_slots + 2

    def observation_vector(self) -> np.ndarray:
        """:meth:`observe` as one float32 vector: rays / max_distance, then per slot (distance / max_distance,
        bearing / pi, present), then health / max_health and ammo / max_ammo. All in ``[0, 1]`` except the
        bearings (``[-1, 1)``)."""
        s, p = self.scenario.sensing, self.scenario.player
        obs = self.observe()
        enemies = obs.enemies / (s.max_distance, math.pi, 1.0)
        tail = (obs.health / p.max_health, obs.ammo / max(1, p.max_ammo))
        return np.concatenate((obs.rays / s.max_distance, enemies.ravel(), tail)).astype(np.float32)

    # ---- snapshots -------------------------------------------------------------------------------------------
    def state(self) -> DoomState:
        """A snapshot for renderers (see :class:`DoomState`)."""
        sc = self.scenario
        n_e, n_i = len(self.enemies), len(self.items)
        since = {k: None if t is None else self.tick - t for k, t in
                 (("damage", self.last_damage_tick), ("shot", self.last_shot_tick))}
        return DoomState(
            walls=self.walls,
            player_x=self.x,
            player_y=self.y,
            heading=self.heading,
            fov_deg=sc.sensing.fov_deg,
            health=self.health,
            max_health=sc.player.max_health,
            ammo=self.ammo,
            enemy_x=np.fromiter((e.x for e in self.enemies), float, n_e),
            enemy_y=np.fromiter((e.y for e in self.enemies), float, n_e),
            enemy_alive=np.fromiter((e.alive for e in self.enemies), bool, n_e),
            enemy_radius=sc.enemy.radius,
            item_x=np.fromiter((it.x for it in self.items), float, n_i),
            item_y=np.fromiter((it.y for it in self.items), float, n_i),
            item_kinds=tuple(it.kind for it in self.items),
            item_present=np.fromiter((it.present for it in self.items), bool, n_i),
            tick=self.tick,
            kills=self.kills,
            ticks_since_damage=since["damage"],
            ticks_since_shot=since["shot"],
        )

    def score(self) -> dict[str, float | int]:
        """``{"kills", "health", "ammo", "return"}`` since :meth:`reset` (for the renderer's score panel)."""
        return {"kills": self.kills, "health": round(self.health), "ammo": self.ammo, "return": self.total_reward}
