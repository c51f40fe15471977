"""Doom-lite as plain Python: a grid world, a player, enemies, hitscan shooting and pickups. No Gymnasium, no
culture; one :meth:`DoomGame.step` is one tick (10 ms by default).

Conventions: ``x`` is the map column and ``y`` the map row (``y`` grows downwards, as the map is written);
``heading`` is in radians from +x towards +y, so ``turn_right`` increases it. A *bearing* is the angle of a thing
relative to the heading, in ``[-pi, pi)``, positive to the player's right.

A tick runs in this order: the player's action (turn, walk, or shoot), pickups and the goal, the enemies (see
:class:`~clgym.games.doom.params.EnemyParams`), respawns, then the end of the episode: ``terminated`` on death,
on reaching a goal, or (``end_when_all_killed``) once every enemy is dead; ``truncated`` at the timeout.
The tick's reward (:attr:`DoomGame.last_reward`) is the scenario's :class:`~clgym.games.doom.params.RewardParams`
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
from dataclasses import dataclass
from typing import Any

import numpy as np

from clgym.games.doom.actions import (
    DAMAGE,
    DEATH,
    GOAL,
    HIT,
    KILL,
    MISS,
    PICKUP_AMMO,
    PICKUP_HEALTH,
    SHOT,
    SPAWN,
    TIMEOUT,
    Action,
    GameEvent,
    to_action,
)
from clgym.games.doom.bodies import advance_enemies, move_player
from clgym.games.doom.raycast import aim_target, enemies_in_sight, ray_distances
from clgym.games.doom.scenarios import Scenario, make_scenario
from clgym.games.doom.views import DoomState, EnemySighting, Observation

__all__ = ["Item", "DoomGame", "wrap_angle"]

TWO_PI = 2.0 * math.pi


@dataclass(slots=True)
class Item:
    """A pickup or goal: ``kind`` is ``"health"``, ``"ammo"`` or ``"goal"``."""

    x: float
    y: float
    kind: str
    present: bool = True


def wrap_angle(a: float) -> float:
    """``a`` wrapped into ``[-pi, pi)``."""
    return (a + math.pi) % TWO_PI - math.pi


class DoomGame:
    """The Doom-lite game state and its tick.

    Args:
        scenario: A :class:`~clgym.games.doom.scenarios.Scenario` or the name of a built-in one (``"basic"``,
            ``"defend_the_center"``, ``"deadly_corridor"``).
        seed: Seed or ``np.random.Generator`` (enemy placement, first-attack delays, attack hits, respawns).

    Attributes:
        x, y, heading: Player position (cells) and heading (radians).
        health, ammo: Player health and rounds.
        enemy_x, enemy_y, enemy_health, enemy_alive: Enemies by slot (arrays). A dead enemy keeps its slot (and
            index) and, with respawning, comes back in it.
        enemy_cooldown: Ticks until each enemy may attack again; enemy_respawn_tick: tick of its respawn, or -1.
        items: :class:`Item` list (pickups and goals).
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
        self._timeout_ticks = sc.timeout_ticks
        rw = sc.reward
        self._event_rewards = {
            KILL: rw.kill,
            HIT: rw.hit,
            SHOT: rw.shot,
            MISS: rw.miss,
            DEATH: rw.death,
            PICKUP_HEALTH: rw.pickup,
            PICKUP_AMMO: rw.pickup,
            GOAL: rw.goal,
        }
        half_fov = math.radians(s.fov_deg) / 2
        self._ray_offsets = np.linspace(-half_fov, half_fov, s.n_rays) if s.n_rays > 1 else np.zeros(1)
        self._ray_angles = np.empty(s.n_rays)
        self._half_enemy_view = math.radians(s.enemy_view) / 2
        self._spawn_points = [(c + 0.5, r + 0.5) for c, r in grid.enemy_cells]
        self._spawn_x = np.array([x for x, _ in self._spawn_points])
        self._spawn_y = np.array([y for _, y in self._spawn_points])
        slots = s.enemy_slots
        self._seen_index = np.empty(max(1, len(grid.enemy_cells)), dtype=np.int64)
        self._seen_distance = np.empty(self._seen_index.shape[0])
        self._seen_bearing = np.empty(self._seen_index.shape[0])
        self._empty_slots = np.zeros((slots, 3))
        self._empty_slots[:, 0] = s.max_distance
        self._vector_scale = np.concatenate(
            (
                np.full(s.n_rays, 1.0 / s.max_distance),
                np.tile((1.0 / s.max_distance, 1.0 / math.pi, 1.0), slots),
                (1.0 / p.max_health, 1.0 / max(1, p.max_ammo)),
            )
        )

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
        starts = self._initial_spawn_points()
        n = len(starts)
        self.enemy_x = np.array([x for x, _ in starts], dtype=np.float64)
        self.enemy_y = np.array([y for _, y in starts], dtype=np.float64)
        self.enemy_health = np.full(n, float(sc.enemy.health))
        self.enemy_alive = np.ones(n, dtype=np.bool_)
        self.enemy_cooldown = self.rng.integers(0, self._enemy_cooldown_ticks + 1, size=n)
        self.enemy_respawn_tick = np.full(n, -1, dtype=np.int64)
        self._damage_by_enemy = np.zeros(n)
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

    @property
    def n_enemies(self) -> int:
        """Enemy slots (living or not)."""
        return int(self.enemy_x.shape[0])

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
            self.x, self.y = move_player(
                self.walls,
                self.x,
                self.y,
                step * math.cos(self.heading),
                step * math.sin(self.heading),
                sc.player.radius,
                self.enemy_x,
                self.enemy_y,
                self.enemy_alive,
                sc.enemy.radius,
            )
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
            elif sc.end_when_all_killed and not (self.enemy_alive.any() or (self.enemy_respawn_tick >= 0).any()):
                self.terminated, self.outcome = True, "cleared"
        if not self.terminated and self.tick >= self._timeout_ticks:
            events.append(GameEvent(TIMEOUT))
            self.truncated, self.outcome = True, "timeout"
        self.last_reward = self._reward(events)
        self.total_reward += self.last_reward
        return tuple(events)

    def _fire(self, events: list[GameEvent]) -> None:
        if self.fire_cooldown_ticks > 0 or self.ammo <= 0:
            return
        self.ammo -= 1
        self.shots += 1
        self.fire_cooldown_ticks = self._fire_cooldown_ticks
        self.last_shot_tick = self.tick
        events.append(GameEvent(SHOT, float(self.ammo)))
        p = self.scenario.player
        target = aim_target(
            self.walls,
            self.x,
            self.y,
            self.heading,
            self.enemy_x,
            self.enemy_y,
            self.enemy_alive,
            self.scenario.enemy.radius,
            p.weapon_range,
            self._aim_tolerance,
        )
        if target < 0:
            events.append(GameEvent(MISS))
            return
        self.enemy_health[target] -= p.shot_damage
        self.hits += 1
        if self.enemy_health[target] > 0:
            events.append(GameEvent(HIT, enemy=target))
            return
        self.enemy_alive[target] = False
        self.kills += 1
        if self._respawn_ticks is not None:
            self.enemy_respawn_tick[target] = self.tick + self._respawn_ticks
        events.append(GameEvent(KILL, enemy=target))

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
        e, p = self.scenario.enemy, self.scenario.player
        n = self.n_enemies
        if n == 0:
            return
        self.health = advance_enemies(
            self.walls,
            self.enemy_x,
            self.enemy_y,
            self.enemy_alive,
            self.enemy_cooldown,
            e.radius,
            self._enemy_step,
            e.stop_distance,
            e.sight_range,
            e.attack_range,
            self._enemy_cooldown_ticks,
            e.attack_damage,
            e.attack_accuracy,
            self.rng.random(n),
            self.x,
            self.y,
            p.radius,
            self.health,
            self._damage_by_enemy,
        )
        if self._damage_by_enemy.any():
            self.last_damage_tick = self.tick
            for i in np.flatnonzero(self._damage_by_enemy).tolist():
                events.append(GameEvent(DAMAGE, float(self._damage_by_enemy[i]), i))

    def _respawn_enemies(self, events: list[GameEvent]) -> None:
        if self._respawn_ticks is None:
            return
        due = np.flatnonzero((self.enemy_respawn_tick >= 0) & (self.enemy_respawn_tick <= self.tick))
        if due.size == 0:
            return
        touch = 2 * self.scenario.enemy.radius
        sx, sy = self._spawn_x, self._spawn_y
        from_player = np.hypot(sx - self.x, sy - self.y)
        far = from_player >= self.scenario.spawn.min_player_distance
        usable = (far if far.any() else np.ones_like(far)) & (from_player >= touch)
        for i in due.tolist():
            living = self.enemy_alive
            gaps = np.hypot(sx[:, None] - self.enemy_x[living], sy[:, None] - self.enemy_y[living])
            free = np.flatnonzero(usable & (gaps >= touch).all(axis=1))
            if free.size == 0:
                return  # every spawn point is taken: try again next tick
            k = int(free[self.rng.integers(free.size)])
            self.enemy_x[i], self.enemy_y[i] = sx[k], sy[k]
            self.enemy_health[i] = self.scenario.enemy.health
            self.enemy_alive[i] = True
            self.enemy_respawn_tick[i] = -1
            self.enemy_cooldown[i] = self.rng.integers(0, self._enemy_cooldown_ticks + 1)
            events.append(GameEvent(SPAWN, enemy=i))

    def _nearest_goal_distance(self) -> float:
        goals = [math.hypot(g.x - self.x, g.y - self.y) for g in self.items if g.kind == "goal" and g.present]
        return min(goals) if goals else 0.0

    def _reward(self, events: list[GameEvent]) -> float:
        rw = self.scenario.reward
        per_event = self._event_rewards
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
        n = self._see()
        idx, dist, bearing = self._seen_index, self._seen_distance, self._seen_bearing
        return [EnemySighting(float(dist[k]), float(bearing[k]), int(idx[k])) for k in range(n)]

    def _see(self) -> int:
        if self.n_enemies > self._seen_index.shape[0]:  # a hand-made game may hold more than 'E' cells
            self._seen_index = np.empty(self.n_enemies, dtype=np.int64)
            self._seen_distance = np.empty(self.n_enemies)
            self._seen_bearing = np.empty(self.n_enemies)
        return enemies_in_sight(
            self.walls,
            self.x,
            self.y,
            self.heading,
            self.enemy_x,
            self.enemy_y,
            self.enemy_alive,
            self.scenario.sensing.max_distance,
            self._half_enemy_view,
            self._seen_index,
            self._seen_distance,
            self._seen_bearing,
        )

    def nearest_enemy(self) -> EnemySighting | None:
        """The nearest visible enemy (for the culture's place code of bearing and rate code of distance), or
        ``None`` when none is visible."""
        if self._see() == 0:
            return None
        return EnemySighting(float(self._seen_distance[0]), float(self._seen_bearing[0]), int(self._seen_index[0]))

    def observe(self) -> Observation:
        """Wall rays across the field of view, the nearest visible enemies, health and ammo."""
        s = self.scenario.sensing
        np.add(self._ray_offsets, self.heading, out=self._ray_angles)
        rays = ray_distances(self.walls, self.x, self.y, self._ray_angles, s.max_distance, np.empty(s.n_rays))
        slots = self._empty_slots.copy()
        n = min(self._see(), s.enemy_slots)
        slots[:n, 0] = self._seen_distance[:n]
        slots[:n, 1] = self._seen_bearing[:n]
        slots[:n, 2] = 1.0
        return Observation(rays, slots, self.health, int(self.ammo))

    @property
    def observation_size(self) -> int:
        """Length of :meth:`observation_vector`."""
        s = self.scenario.sensing
        return s.n_rays + 3 * s.enemy_slots + 2

    def observation_vector(self) -> np.ndarray:
        """:meth:`observe` as one float32 vector: rays / max_distance, then per slot (distance / max_distance,
        bearing / pi, present), then health / max_health and ammo / max_ammo. All in ``[0, 1]`` except the
        bearings (``[-1, 1)``)."""
        obs = self.observe()
        raw = np.concatenate((obs.rays, obs.enemies.ravel(), (obs.health, obs.ammo)))
        return (raw * self._vector_scale).astype(np.float32)

    # ---- snapshots -------------------------------------------------------------------------------------------
    def state(self) -> DoomState:
        """A snapshot for renderers (see :class:`DoomState`)."""
        sc = self.scenario
        since = {
            k: None if t is None else self.tick - t
            for k, t in (("damage", self.last_damage_tick), ("shot", self.last_shot_tick))
        }
        return DoomState(
            walls=self.walls,
            player_x=self.x,
            player_y=self.y,
            heading=self.heading,
            fov_deg=sc.sensing.fov_deg,
            health=self.health,
            max_health=sc.player.max_health,
            ammo=self.ammo,
            max_ammo=sc.player.max_ammo,
            enemy_x=self.enemy_x.copy(),
            enemy_y=self.enemy_y.copy(),
            enemy_alive=self.enemy_alive.copy(),
            enemy_radius=sc.enemy.radius,
            item_x=np.array([it.x for it in self.items], dtype=float),
            item_y=np.array([it.y for it in self.items], dtype=float),
            item_kinds=tuple(it.kind for it in self.items),
            item_present=np.array([it.present for it in self.items], dtype=bool),
            tick=self.tick,
            kills=self.kills,
            ticks_since_damage=since["damage"],
            ticks_since_shot=since["shot"],
        )

    def score(self) -> dict[str, float | int]:
        """``{"kills", "health", "ammo", "return"}`` since :meth:`reset` (for the renderer's score panel)."""
        return {"kills": self.kills, "health": round(self.health), "ammo": self.ammo, "return": self.total_reward}
