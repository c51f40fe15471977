"""Behaviour of the Doom-lite game (clgym.games.doom): maps, actions, shooting, enemies, pickups, scenarios, senses."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clgym.games.doom import (
    ACTION_NAMES,
    EVENT_KINDS,
    MAP_CHARS,
    SCENARIOS,
    Action,
    DoomGame,
    EnemyParams,
    EnemySighting,
    GridMap,
    PickupParams,
    PlayerParams,
    RewardParams,
    SensingParams,
    SpawnParams,
    circular_arena_rows,
    custom,
    make_scenario,
    to_action,
)
from clgym.games.doom.bodies import _in_wall
from clgym.games.doom.raycast import line_of_sight, ray_distance

PASSIVE = EnemyParams(speed=0.0, attack_range=0.0, attack_damage=0.0)


# ---- scripted players -----------------------------------------------------------------------------------------------
def aim_at(bearing: float, tolerance: float = 0.02) -> Action:
    """Turn towards a bearing, shoot once on it."""
    if abs(bearing) < tolerance:
        return Action.ATTACK
    return Action.TURN_RIGHT if bearing > 0 else Action.TURN_LEFT


def basic_player(game: DoomGame) -> Action:
    seen = game.nearest_enemy()
    return Action.NOOP if seen is None else aim_at(seen.bearing)


def turret(game: DoomGame) -> Action:
    """DefendTheCenter: shoot what is in view, otherwise keep turning."""
    seen = game.nearest_enemy()
    return Action.TURN_RIGHT if seen is None else aim_at(seen.bearing)


def corridor_runner(game: DoomGame, engage_within: float = 8.0) -> Action:
    """Shoot enemies in view within ``engage_within``, otherwise head for the goal."""
    seen = game.nearest_enemy()
    if seen is not None and seen.distance <= engage_within:
        return aim_at(seen.bearing)
    goal = next(item for item in game.items if item.kind == "goal")
    bearing = game.bearing_to(goal.x, goal.y)
    if abs(bearing) > 0.05:
        return Action.TURN_RIGHT if bearing > 0 else Action.TURN_LEFT
    return Action.FORWARD


def play(game: DoomGame, policy, max_ticks: int = 100_000) -> list:
    events = []
    while not game.done and game.tick < max_ticks:
        events.extend(game.step(policy(game)))
    return events


# ---- maps -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "rows, problem",
    [
        (["#####", "#P.x#", "#####"], "unknown character 'x' at row 1, column 3"),
        (["#####", "#P.#", "#####"], "not rectangular: row 1 has 4 characters but row 0 has 5"),
        (["#####", "#...#", "#####"], "no player start 'P'"),
        (["#####", "#PP.#", "#####"], "2 player starts"),
        (["#####", "#P...", "#####"], "open border: row 1, column 4 is '.'"),
        (["##.##", "#P..#", "#####"], "open border: row 0, column 2 is '.'"),
        (["#####", "#P..#"], "2 rows; at least 3 needed"),
        ("#####", "expected a list of strings"),
        (["#####", ["#P..#"], "#####"], "row 1 is a list, not a string"),
    ],
)
def test_malformed_map_names_the_problem_and_the_allowed_characters(rows, problem):
    with pytest.raises(ValueError) as info:
        GridMap.parse(rows)
    message = str(info.value)
    assert problem in message
    assert "allowed characters" in message
    for char, meaning in MAP_CHARS.items():
        assert f"{char!r} {meaning}" in message


def test_map_contents_are_indexed_by_column_and_row():
    m = GridMap.parse(["#######", "#P.E.G#", "#H.A.E#", "#######"])
    assert (m.width, m.height) == (7, 4)
    assert m.player_start == (1, 1)
    assert m.enemy_cells == ((3, 1), (5, 2))
    assert (m.health_cells, m.ammo_cells, m.goal_cells) == (((1, 2),), ((3, 2),), ((5, 1),))
    assert m.walls.sum() == 7 * 4 - 10 and not m.walls.flags.writeable
    assert m.is_wall_at(0.5, 0.5) and not m.is_wall_at(1.5, 1.5) and m.is_wall_at(-3.0, 1.5)


def _expected_problem(rows: list[str]) -> bool:
    """An independent statement of the map rules: whether ``rows`` is malformed."""
    if len(rows) < 3 or len({len(r) for r in rows}) != 1 or len(rows[0]) < 3:
        return True
    if any(ch not in MAP_CHARS for r in rows for ch in r):
        return True
    if sum(r.count("P") for r in rows) != 1:
        return True
    border = rows[0] + rows[-1] + "".join(r[0] + r[-1] for r in rows)
    return set(border) != {"#"}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet="#.PEHAGx ", min_size=0, max_size=7),
        min_size=0,
        max_size=6,
    )
)
def test_map_validation_accepts_exactly_the_well_formed_maps(rows):
    if _expected_problem(rows):
        with pytest.raises(ValueError, match="allowed characters"):
            GridMap.parse(rows)
    else:
        m = GridMap.parse(rows)
        assert m.walls.shape == (len(rows), len(rows[0]))
        assert m.walls[0].all() and m.walls[-1].all() and m.walls[:, 0].all() and m.walls[:, -1].all()
        assert rows[m.player_start[1]][m.player_start[0]] == "P"


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 12), st.integers(0, 2**31 - 1))
def test_circular_arenas_are_valid_and_playable(radius, seed):
    rows = circular_arena_rows(radius)
    m = GridMap.parse(rows)
    centre = len(rows) // 2
    assert m.player_start == (centre, centre)
    assert m.enemy_cells and all(math.hypot(c - centre, r - centre) > radius - 1.5 for c, r in m.enemy_cells)
    game = DoomGame(custom(rows, enemy=PASSIVE), seed=seed)
    for _ in range(5):
        game.step(Action.FORWARD)
    assert not _in_wall(game.walls, game.x, game.y, game.scenario.player.radius)


def test_circular_arena_rejects_a_bad_radius():
    for bad in (1, 2.5, "8", True):
        with pytest.raises(ValueError, match="radius"):
            circular_arena_rows(bad)


# ---- actions --------------------------------------------------------------------------------------------------------
def test_actions_by_index_name_and_numpy_integer():
    assert ACTION_NAMES == ("noop", "turn_left", "turn_right", "forward", "attack")
    for i, name in enumerate(ACTION_NAMES):
        assert to_action(i) is to_action(name) is to_action(name.upper()) is to_action(np.int64(i)) is Action(i)
        assert to_action(np.array(i)) is Action(i)


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.integers().filter(lambda v: not 0 <= v < len(Action)),
        st.text().filter(lambda s: s.lower() not in ACTION_NAMES),
        st.floats(allow_nan=True),
        st.booleans(),
        st.none(),
        st.lists(st.integers(0, 4), min_size=1, max_size=3),
    )
)
def test_invalid_actions_are_rejected_naming_the_allowed_ones(bad):
    game = DoomGame("basic", seed=0)
    with pytest.raises(ValueError) as info:
        game.step(bad)
    message = str(info.value)
    assert repr(bad) in message
    assert all(f"{i} {name}" in message for i, name in enumerate(ACTION_NAMES))
    assert game.tick == 0  # a rejected action does not advance the game


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(sorted(SCENARIOS)),
    st.integers(0, 2**31 - 1),
    st.lists(st.integers(0, len(Action) - 1), min_size=1, max_size=400),
)
def test_any_action_sequence_keeps_the_world_consistent(name, seed, actions):
    game = DoomGame(name, seed=seed)
    p, e = game.scenario.player, game.scenario.enemy
    for a in actions:
        if game.done:
            with pytest.raises(RuntimeError, match="reset"):
                game.step(a)
            game.reset()
        events = game.step(a)
        assert all(ev.kind in EVENT_KINDS for ev in events)
        assert not _in_wall(game.walls, game.x, game.y, p.radius)
        alive = game.enemy_alive
        assert not any(
            _in_wall(game.walls, x, y, e.radius) for x, y in zip(game.enemy_x[alive], game.enemy_y[alive], strict=True)
        )
        assert not _bodies_overlap(game)
        assert 0 <= game.health <= p.max_health and 0 <= game.ammo <= p.max_ammo
        assert math.isfinite(game.last_reward) and -math.pi <= game.heading < math.pi
        assert game.done == (game.terminated or game.truncated)


def test_same_seed_same_game_and_seeds_vary_the_enemy():
    def trace(seed):
        game = DoomGame("defend_the_center", seed=seed)
        return [(game.tick, ev) for _ in range(800) if not game.done for ev in game.step(turret(game))]

    assert trace(5) == trace(5)
    assert trace(5) != trace(6)
    starts = {(float(DoomGame("basic", seed=s).enemy_y[0])) for s in range(30)}
    assert len(starts) >= 5  # Basic's enemy appears on different cells of the far wall


# ---- Basic ----------------------------------------------------------------------------------------------------------
def test_scripted_player_clears_basic_within_the_time_limit():
    for seed in range(20):
        game = DoomGame("basic", seed=seed)
        events = play(game, basic_player)
        assert game.outcome == "cleared" and game.terminated and not game.truncated
        assert game.tick < game.scenario.timeout_ticks
        assert [ev.kind for ev in events].count("kill") == 1
        living = game.scenario.reward.living_per_s * game.scenario.tick_s
        assert game.total_reward == pytest.approx(100.0 + living * game.tick)


def test_basic_rewards_kill_miss_and_time_like_vizdoom():
    game = DoomGame("basic", seed=3)
    game.heading = -math.pi / 2  # face the north wall: a sure miss
    events = game.step(Action.ATTACK)
    assert [ev.kind for ev in events] == ["shot", "miss"]
    living = -1.0 * 35 * 0.01  # ViZDoom's -1 per 35 Hz tic, paid per 10 ms tick
    assert game.last_reward == pytest.approx(-5.0 + living)
    play(game, turret)  # turn right until the enemy is in view, then aim and shoot
    assert game.outcome == "cleared"
    assert game.total_reward == pytest.approx(100.0 - 5.0 * (game.shots - 1) + living * game.tick)


def test_doing_nothing_in_basic_times_out():
    game = DoomGame("basic", seed=0)
    events = play(game, lambda g: Action.NOOP)
    assert game.truncated and not game.terminated and game.outcome == "timeout"
    assert game.tick == game.scenario.timeout_ticks == round(300 / 35 / 0.01)
    assert events[-1].kind == "timeout"
    assert game.total_reward == pytest.approx(-300.0, rel=1e-3)  # -1 per tic for 300 tics


# ---- shooting, walls, movement --------------------------------------------------------------------------------------
def test_walls_block_shots():
    clear = DoomGame(custom(["#######", "#P...E#", "#######"], enemy=PASSIVE), seed=0)
    assert [ev.kind for ev in clear.step(Action.ATTACK)] == ["shot", "kill"]
    blocked = DoomGame(custom(["#######", "#P.#.E#", "#######"], enemy=PASSIVE), seed=0)
    assert [ev.kind for ev in blocked.step(Action.ATTACK)] == ["shot", "miss"]
    assert blocked.enemy_alive[0]


def test_shots_hit_the_nearest_enemy_within_the_aim_tolerance():
    scenario = custom(["########", "#P.E.E.#", "#......#", "########"], enemy=PASSIVE)
    game = DoomGame(scenario, seed=0)
    assert [ev.enemy for ev in game.step(Action.ATTACK) if ev.kind == "kill"] == [0]  # the nearer one
    game.fire_cooldown_ticks = 0
    game.heading = math.radians(30)  # well off both enemies
    assert [ev.kind for ev in game.step(Action.ATTACK)] == ["shot", "miss"]
    assert game.enemy_alive[1]


def test_fire_cooldown_and_running_out_of_ammo():
    scenario = custom(["#####", "#P..#", "#####"], player=PlayerParams(start_ammo=3, fire_cooldown_s=0.25))
    game = DoomGame(scenario, seed=0)
    shots_at = [game.tick for _ in range(200) for ev in game.step(Action.ATTACK) if ev.kind == "shot"]
    assert shots_at == [1, 26, 51]  # one every 25 ticks, then the gun is empty
    assert game.ammo == 0 and game.shots == 3


def test_tough_enemies_take_several_hits():
    game = DoomGame(custom(["######", "#P..E#", "######"], enemy=EnemyParams(health=2.0, speed=0.0)), seed=0)
    kinds = [ev.kind for _ in range(60) for ev in game.step(Action.ATTACK) if ev.kind in ("hit", "kill")]
    assert kinds == ["hit", "kill"] and game.kills == 1 and game.hits == 2


def test_walls_block_movement_and_the_player_slides_along_them():
    game = DoomGame(custom(["######", "#P...#", "#....#", "#....#", "######"], enemy=PASSIVE), seed=0)
    for _ in range(300):
        game.step(Action.FORWARD)
    assert game.x == pytest.approx(5.0 - 0.25, abs=0.05) and game.y == pytest.approx(1.5)
    game.heading = math.radians(60)  # into the east wall at an angle: slide south along it
    for _ in range(300):
        game.step(Action.FORWARD)
    assert game.x == pytest.approx(4.75, abs=0.05) and game.y == pytest.approx(4.0 - 0.25, abs=0.05)


def test_the_player_cannot_walk_through_an_enemy():
    game = DoomGame(custom(["#######", "#P..E.#", "#######"], enemy=PASSIVE), seed=0)
    for _ in range(200):
        game.step(Action.FORWARD)
    assert game.x == pytest.approx(4.5 - 0.3 - 0.25, abs=0.05)


# ---- enemies --------------------------------------------------------------------------------------------------------
def test_enemies_approach_and_damage_the_player():
    game = DoomGame("defend_the_center", seed=1)
    nearest = [float(np.hypot(game.enemy_x - game.x, game.enemy_y - game.y).min())]
    damage = []
    while not game.done:
        damage += [ev for ev in game.step(Action.NOOP) if ev.kind == "damage"]
        nearest.append(float(np.hypot(game.enemy_x - game.x, game.enemy_y - game.y).min()))
    assert nearest[0] > 6.0 and min(nearest) < 0.8  # they came in from the rim
    assert np.all(np.diff(nearest[: int(np.argmin(nearest))]) <= 1e-9)  # steadily closer
    assert damage and all(ev.amount == 10.0 and ev.enemy >= 0 for ev in damage[:-1])
    assert sum(ev.amount for ev in damage) == pytest.approx(100.0)
    assert game.outcome == "death" and game.health == 0 and game.last_reward == pytest.approx(-1.0)
    assert game.tick < game.scenario.timeout_ticks


def _bodies_overlap(game: DoomGame) -> bool:
    p, e = game.scenario.player.radius, game.scenario.enemy.radius
    xs, ys = game.enemy_x[game.enemy_alive], game.enemy_y[game.enemy_alive]
    to_player = np.hypot(xs - game.x, ys - game.y)
    between = np.hypot(xs[:, None] - xs, ys[:, None] - ys) + np.eye(xs.size) * 1e9
    return bool((to_player < p + e - 1e-9).any() or (between < 2 * e - 1e-9).any())


def test_enemies_that_would_stop_inside_the_player_are_held_off_by_bodies():
    enemy = EnemyParams(speed=3.0, stop_distance=0.31, attack_damage=1.0, attack_range=0.6)
    scenario = make_scenario("defend_the_center", enemy=enemy, player=PlayerParams(start_health=100.0))
    game = DoomGame(scenario, seed=3)
    closest = math.inf
    for _ in range(1500):
        if game.done:
            break
        game.step(Action.NOOP)
        assert not _bodies_overlap(game)
        closest = min(closest, float(np.hypot(game.enemy_x - game.x, game.enemy_y - game.y).min()))
    assert closest == pytest.approx(0.25 + 0.3, abs=0.05)  # touching, not closer
    assert game.health < 100.0


def test_enemies_without_line_of_sight_stay_put():
    game = DoomGame(custom(["#########", "#P..#..E#", "#########"]), seed=0)
    start = (game.enemy_x[0], game.enemy_y[0])
    for _ in range(300):
        assert game.step(Action.NOOP) == ()
    assert (game.enemy_x[0], game.enemy_y[0]) == start
    assert not line_of_sight(game.walls, game.x, game.y, *start)


def test_ranged_enemies_hit_with_their_accuracy():
    enemy = EnemyParams(speed=0.0, attack_range=10.0, attack_damage=1.0, attack_cooldown_s=0.1, attack_accuracy=0.3)
    scenario = custom(["########", "#P....E#", "########"], enemy=enemy, player=PlayerParams(max_health=1e6,
                      start_health=1e6), timeout_s=1e3)  # fmt: skip
    game = DoomGame(scenario, seed=2)
    hits = sum(1 for _ in range(20_000) for ev in game.step(Action.NOOP) if ev.kind == "damage")
    attacks = 20_000 // 10
    assert hits / attacks == pytest.approx(0.3, abs=0.04)


def test_defend_the_center_turret_kills_and_enemies_respawn():
    game = DoomGame("defend_the_center", seed=4)
    events = play(game, turret)
    kills = [ev for ev in events if ev.kind == "kill"]
    spawns = [ev for ev in events if ev.kind == "spawn"]
    assert len(kills) == 26 == game.shots  # every round a kill: 26 rounds
    assert len(spawns) >= 20
    idle = DoomGame("defend_the_center", seed=4)
    play(idle, lambda g: Action.NOOP)
    assert game.tick > 2 * idle.tick  # shooting buys time


# ---- pickups and goal -----------------------------------------------------------------------------------------------
def test_health_and_ammo_pickups():
    scenario = custom(["#######", "#P.H.A#", "#######"], player=PlayerParams(start_ammo=5), pickups=PickupParams())
    game = DoomGame(scenario, seed=0)
    game.health = 90.0
    events = [ev for _ in range(200) for ev in game.step(Action.FORWARD)]
    assert [(ev.kind, ev.amount) for ev in events] == [("pickup_health", 10.0), ("pickup_ammo", 10.0)]
    assert game.health == 100.0 and game.ammo == 15
    assert not any(item.present for item in game.items)


def test_health_is_left_lying_at_full_health():
    game = DoomGame(custom(["#####", "#PH.#", "#####"]), seed=0)
    for _ in range(100):
        assert game.step(Action.FORWARD) == ()
    assert game.items[0].present and game.health == 100.0


def test_scripted_player_reaches_the_deadly_corridor_goal():
    for seed in range(10):
        game = DoomGame("deadly_corridor", seed=seed)
        events = play(game, corridor_runner)
        assert game.outcome == "goal" and game.terminated
        assert events[-1].kind == "goal" and game.kills == 6
        assert game.total_reward == pytest.approx(64.0 * 21)  # +64 per cell closer, 21 cells


def test_deadly_corridor_is_deadly_for_a_player_who_does_not_shoot():
    deaths = 0
    for seed in range(10):
        game = DoomGame("deadly_corridor", seed=seed)
        play(game, lambda g: corridor_runner(g, engage_within=0.0))
        deaths += game.outcome == "death"
        assert game.shots == 0
    assert deaths >= 7


# ---- senses ---------------------------------------------------------------------------------------------------------
def test_rays_are_shorter_facing_a_wall():
    game = DoomGame("basic", seed=0)  # player at (1.5, 4.5) in a room 10 cells wide
    n = game.scenario.sensing.n_rays
    east = game.observe().rays
    half_step = math.radians(90 / (n - 1) / 2)  # the two middle rays are this far off the heading
    assert east[[n // 2 - 1, n // 2]] == pytest.approx([(11.0 - 1.5) / math.cos(half_step)] * 2)
    assert east.min() > 4.0
    game.heading = math.pi  # the west wall (x = 1) is 0.5 cells away
    west = game.observe().rays
    assert np.all(west < east)
    assert west[[n // 2 - 1, n // 2]] == pytest.approx([0.5 / math.cos(half_step)] * 2)
    angles = game.heading + np.linspace(-math.pi / 4, math.pi / 4, n)
    expected = [ray_distance(game.walls, game.x, game.y, a, 16.0) for a in angles]
    np.testing.assert_allclose(west, expected)


def test_observation_reports_the_visible_enemies_nearest_first():
    scenario = custom(
        ["#########", "#.......#", "#P..E..E#", "#.......#", "#########"],
        enemy=PASSIVE,
        sensing=SensingParams(n_rays=8, enemy_slots=3),
    )
    game = DoomGame(scenario, seed=0)
    obs = game.observe()
    assert obs.rays.shape == (8,) and obs.enemies.shape == (3, 3)
    np.testing.assert_allclose(obs.enemies, [[3.0, 0.0, 1.0], [6.0, 0.0, 1.0], [16.0, 0.0, 0.0]])
    assert (obs.health, obs.ammo) == (100.0, 50)
    game.heading = math.radians(-20)
    seen = game.nearest_enemy()
    assert isinstance(seen, EnemySighting) and seen.index == 0
    assert seen.bearing == pytest.approx(math.radians(20)) and seen.distance == pytest.approx(3.0)
    vec = game.observation_vector()
    assert vec.dtype == np.float32 and vec.shape == (game.observation_size,) == (8 + 9 + 2,)
    assert np.all(vec[:8] <= 1.0) and vec[8] == pytest.approx(3 / 16) and vec[-2:].tolist() == [1.0, 0.25]


def test_enemies_outside_the_view_or_behind_walls_are_not_reported():
    rows = ["###########", "#E..P..#.E#", "#.........#", "#....E....#", "###########"]
    game = DoomGame(custom(rows, enemy=PASSIVE), seed=0)  # facing east: 0 behind, 1 behind a wall, 2 aside
    assert game.visible_enemies() == [] and game.nearest_enemy() is None
    assert not game.observe().enemies[:, 2].any()
    game.heading = math.pi / 2  # facing south
    assert [s.index for s in game.visible_enemies()] == [2]
    all_round = DoomGame(custom(rows, enemy=PASSIVE, sensing=SensingParams(enemy_view_deg=360.0)), seed=0)
    assert [s.index for s in all_round.visible_enemies()] == [2, 0]  # nearest first; never 1


# ---- scenarios and parameters ---------------------------------------------------------------------------------------
def test_unknown_scenario_names_the_allowed_ones():
    for bad in ("doom", "Basic", 3, None):
        with pytest.raises(ValueError) as info:
            DoomGame(bad)
        assert repr(bad) in str(info.value)
        assert all(repr(name) in str(info.value) for name in ("basic", "defend_the_center", "deadly_corridor"))


def test_scenarios_take_changes_and_check_them():
    s = make_scenario("basic", timeout_s=2.0)
    assert s.timeout_ticks == 200 and DoomGame(s).scenario.name == "basic"
    with pytest.raises(ValueError, match="timeout_s"):
        make_scenario("basic", timeout_s=0)
    with pytest.raises(ValueError, match="spawn.initial = 9 but the map has 7 'E' cells"):
        make_scenario("basic", spawn=SpawnParams(initial=9))
    with pytest.raises(ValueError, match="malformed map"):
        make_scenario("basic", map_rows=("###", "#P.", "###"))


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda: PlayerParams(radius=0.5), "radius"),
        (lambda: PlayerParams(start_health=150.0), "start_health"),
        (lambda: PlayerParams(start_ammo=-1), "start_ammo"),
        (lambda: EnemyParams(attack_accuracy=1.5), "attack_accuracy"),
        (lambda: EnemyParams(stop_distance=0.1), "stop_distance"),
        (lambda: SpawnParams(initial=1.5), "initial"),
        (lambda: RewardParams(kill=math.nan), "kill"),
        (lambda: SensingParams(fov_deg=180.0), "fov_deg"),
        (lambda: SensingParams(n_rays=0), "n_rays"),
        (lambda: PickupParams(ammo_amount=0), "ammo_amount"),
    ],
)
def test_bad_parameters_name_the_field_and_what_is_allowed(make, field):
    with pytest.raises(ValueError, match=rf"\.{field} = .*; allowed: "):
        make()
