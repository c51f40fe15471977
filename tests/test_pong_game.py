"""Behaviour of the DishBrain Pong game logic (clgym.games.pong)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clgym.games.pong import PongGame, PongParams


def _tracking_velocity(game: PongGame) -> float:
    """A perfect player: move the paddle centre onto the ball's height."""
    return game.ball_y - game.paddle_y


def test_serve_from_centre_heads_away_from_the_paddle():
    signs = set()
    for seed in range(40):
        g = PongGame(seed=seed)
        assert (g.ball_x, g.ball_y) == (300.0, 300.0)
        assert g.ball_vx == 2.0  # the paddle is on the left wall: away is +x
        assert 0.04 <= abs(g.ball_vy) <= 1.92
        signs.add(np.sign(g.ball_vy))
    assert signs == {-1.0, 1.0}


def test_serve_y_speed_is_uniform_over_the_range():
    g = PongGame(seed=0)
    speeds = []
    for _ in range(4000):
        g.serve()
        speeds.append(abs(g.ball_vy))
    speeds = np.array(speeds)
    assert speeds.min() >= 0.04 and speeds.max() <= 1.92
    # uniform on [0.04, 1.92]: mean 0.98, and each quarter of the range holds ~25 %
    assert speeds.mean() == pytest.approx(0.98, abs=0.03)
    quarters = np.histogram(speeds, bins=4, range=(0.04, 1.92))[0] / len(speeds)
    assert np.all(np.abs(quarters - 0.25) < 0.03)


def test_ball_crosses_the_field_in_3_seconds():
    g = PongGame(seed=1)
    g.ball_x, g.ball_vx, g.ball_vy = 0.0, 2.0, 0.0
    for _ in range(299):
        g.step(0.0)
    assert g.ball_x == pytest.approx(598.0) and g.ball_vx > 0
    g.step(0.0)  # tick 300 = 3 s: the ball reaches the right wall and turns
    assert g.ball_x == pytest.approx(600.0) and g.ball_vx < 0
    assert PongParams().ticks_to_cross == 300


def test_first_arrival_at_the_paddle_is_4_5_seconds_after_the_serve():
    for seed in range(5):
        g = PongGame(seed=seed)
        events = [g.step(0.0) for _ in range(450)]
        assert events[:449] == [None] * 449
        assert events[449] in ("hit", "miss")


def test_hit_reflects_x_and_keeps_the_y_speed():
    g = PongGame(seed=2)
    g.ball_x, g.ball_y, g.ball_vx, g.ball_vy = 10.0, 300.0, -2.0, 0.7
    events = [g.step(0.0) for _ in range(5)]
    assert events == [None, None, None, None, "hit"]
    assert g.ball_vx == 2.0 and g.ball_vy == 0.7
    assert g.ball_x == pytest.approx(0.0) and g.ball_y == pytest.approx(303.5)
    assert (g.hits, g.misses, g.rally) == (1, 0, 1)
    g.step(0.0)
    assert g.ball_x == pytest.approx(2.0)


def test_paddle_edge_counts_as_a_hit_and_just_beyond_is_a_miss():
    for offset, expected in ((124.9, "hit"), (125.0, "hit"), (125.2, "miss")):
        g = PongGame(seed=0)
        g.ball_x, g.ball_y, g.ball_vx, g.ball_vy = 2.0, 300.0 + offset, -2.0, 0.0
        assert g.step(0.0) == expected


def test_miss_recentres_the_paddle_and_serves_again():
    g = PongGame(seed=3)
    g.paddle_y = 125.0
    g.ball_x, g.ball_y, g.ball_vx, g.ball_vy = 4.0, 560.0, -2.0, 0.5
    g.rally = 2
    assert g.step(0.0) is None
    assert g.step(-5.0) == "miss"
    assert g.paddle_y == 300.0
    assert (g.ball_x, g.ball_y, g.ball_vx) == (300.0, 300.0, 2.0)
    assert (g.misses, g.rally, g.last_rally) == (1, 0, 2)


def test_no_feedback_leaves_the_ball_in_play_after_a_miss():
    g = PongGame(PongParams(reset_ball_on_miss=False), seed=3)
    g.paddle_y = 125.0
    g.ball_x, g.ball_y, g.ball_vx, g.ball_vy = 1.0, 560.0, -2.0, 0.5
    assert g.step(0.0) == "miss"
    assert g.ball_x == pytest.approx(1.0) and g.ball_vx == 2.0  # bounced off the wall behind the paddle
    assert g.ball_y == pytest.approx(560.5)
    assert g.paddle_y == 300.0  # the paddle is still re-centred (its own parameter)
    g2 = PongGame(PongParams(reset_ball_on_miss=False, recenter_paddle_on_miss=False), seed=3)
    g2.paddle_y = 125.0
    g2.ball_x, g2.ball_y, g2.ball_vx, g2.ball_vy = 1.0, 560.0, -2.0, 0.5
    g2.step(0.0)
    assert g2.paddle_y == 125.0


def test_top_and_bottom_walls_reflect():
    g = PongGame(seed=0)
    g.ball_x, g.ball_y, g.ball_vx, g.ball_vy = 300.0, 599.0, 2.0, 1.5
    g.step(0.0)
    assert g.ball_y == pytest.approx(599.5) and g.ball_vy == -1.5
    g.ball_y, g.ball_vy = 0.5, -1.5
    g.step(0.0)
    assert g.ball_y == pytest.approx(1.0) and g.ball_vy == 1.5


def test_paddle_stays_inside_the_field():
    g = PongGame(seed=0)
    g.step(1000.0)
    assert g.paddle_y == 475.0
    g.step(-1000.0)
    assert g.paddle_y == 125.0
    with pytest.raises(ValueError, match="paddle_velocity"):
        g.step(float("nan"))


def test_a_perfect_player_never_misses_and_rally_counts_hits():
    g = PongGame(seed=4)
    events = [g.step(_tracking_velocity(g)) for _ in range(6000)]
    assert events.count("miss") == 0
    # 4.5 s to the first hit, then one every 6 s (there and back)
    assert events.count("hit") == 1 + (6000 - 450) // 600
    assert g.rally == g.hits


def test_same_seed_same_game():
    def trajectory(seed):
        g = PongGame(seed=seed)
        return [(g.step(0.3 * np.sin(t / 50)), round(g.ball_y, 9)) for t in range(3000)]

    assert trajectory(7) == trajectory(7)
    assert trajectory(7) != trajectory(8)


def test_reset_zeroes_the_score_and_reseeds():
    g = PongGame(seed=1)
    for _ in range(1000):
        g.step(0.0)
    assert g.misses > 0
    g.reset(seed=1)
    assert (g.hits, g.misses, g.rally, g.tick) == (0, 0, 0, 0)
    assert g.ball_vy == PongGame(seed=1).ball_vy


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"width": 0}, "width"),
        ({"paddle_length": 700}, "paddle_length"),
        ({"serve_vy_min": 2.0, "serve_vy_max": 1.0}, "serve y-speed"),
        ({"ball_speed_x": -2}, "ball_speed_x"),
        ({"serve_x": 700}, "serve_x"),
    ],
)
def test_bad_parameters_raise(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        PongParams(**kwargs)


def test_state_snapshot_has_what_the_env_and_renderer_need():
    g = PongGame(seed=0)
    s = g.state()
    assert dataclasses.asdict(s) == {
        "ball_x": g.ball_x,
        "ball_y": g.ball_y,
        "ball_vx": g.ball_vx,
        "ball_vy": g.ball_vy,
        "paddle_y": g.paddle_y,
        "paddle_x": 0.0,
        "paddle_length": 250.0,
        "width": 600.0,
        "height": 600.0,
        "ball_radius": 0.0,
        "tick": 0,
    }
    assert g.score() == {"hits": 0, "misses": 0, "rally": 0}


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**31),
    st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=1500),
    st.booleans(),
    st.floats(0, 20),
)
def test_property_game_invariants(seed, velocities, reset_ball, radius):
    g = PongGame(PongParams(reset_ball_on_miss=reset_ball, ball_radius=radius), seed=seed)
    vy = abs(g.ball_vy)
    hits = misses = 0
    for v in velocities:
        x_before = g.ball_x
        ev = g.step(v)
        assert radius - 1e-9 <= g.ball_x <= 600 - radius + 1e-9
        assert radius - 1e-9 <= g.ball_y <= 600 - radius + 1e-9
        assert 125.0 <= g.paddle_y <= 475.0
        assert abs(g.ball_vx) == 2.0
        if ev is not None:
            assert x_before - 2.0 <= radius + 1e-9  # events only happen at the paddle's wall
        if ev == "miss" and reset_ball:
            vy = abs(g.ball_vy)
            assert (g.ball_x, g.ball_y, g.ball_vx) == (300.0, 300.0, 2.0)
        else:
            assert abs(g.ball_vy) == pytest.approx(vy)  # reflections never change the y-speed
        hits += ev == "hit"
        misses += ev == "miss"
    assert (g.hits, g.misses) == (hits, misses)
