"""Behaviour of the CLPong renderer, headless (SDL dummy video driver)."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"  # before pygame is imported anywhere

import time  # noqa: E402

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from clgym.coding import UNUSABLE_CHANNELS, pong_layout  # noqa: E402
from clgym.games.pong import PongGame  # noqa: E402
from clgym.render import GROUP_PALETTE, PongRenderer  # noqa: E402
from clgym.render.pong_renderer import STIM  # noqa: E402

NONE = np.zeros(0, dtype=np.int64)
LAYOUT = pong_layout()
SENSORY_COLOR, UP_COLOR, DOWN_COLOR = GROUP_PALETTE[:3]


@pytest.fixture
def renderer():
    r = PongRenderer(LAYOUT)
    yield r
    r.close()


def _px(frame, xy):
    x, y = xy
    return tuple(int(v) for v in frame[y, x])


def test_rgb_array_frame_shape_and_no_window(renderer):
    game = PongGame(seed=0)
    frame = renderer.draw(game.state(), game.score())
    assert frame.shape == (480, 640, 3) and frame.dtype == np.uint8
    assert frame.flags.writeable and frame.flags.c_contiguous
    assert not renderer.window_open
    assert pygame.display.get_surface() is None  # drawing never opened a window
    big = PongRenderer(LAYOUT, size=(800, 600))
    assert big.draw(game, game.score()).shape == (600, 800, 3)  # the game itself is a valid state too


def test_frames_are_fresh_arrays(renderer):
    game = PongGame(seed=0)
    first = renderer.draw(game.state(), game.score())
    snapshot = first.copy()
    for _ in range(50):
        game.step(3.0)
    second = renderer.draw(game.state(), game.score())
    assert np.array_equal(first, snapshot)  # a kept frame is not overwritten by the next draw
    assert not np.array_equal(first, second)


def test_raster_shows_a_spike_where_pushed(renderer):
    game = PongGame(seed=0)
    s0, u0, d0 = LAYOUT.sensory[2], LAYOUT.motor[0][5], LAYOUT.motor[1][7]
    renderer.push_tick(np.array([s0, u0]), np.array([10, 20]), NONE, 0)
    renderer.push_tick(np.array([d0]), None, NONE, 1)
    for t in range(2, 6):
        renderer.push_tick(NONE, None, NONE, t)
    frame = renderer.draw(game.state(), game.score())
    assert _px(frame, renderer.raster_pixel_xy(s0, ticks_ago=5)) == SENSORY_COLOR
    assert _px(frame, renderer.raster_pixel_xy(u0, ticks_ago=5)) == UP_COLOR
    assert _px(frame, renderer.raster_pixel_xy(d0, ticks_ago=4)) == DOWN_COLOR
    background = _px(frame, renderer.raster_pixel_xy(s0, ticks_ago=4))
    assert background not in (SENSORY_COLOR, UP_COLOR, DOWN_COLOR, STIM)
    # nothing else in those two columns
    for ch in range(64):
        if ch not in (s0, u0) and ch not in UNUSABLE_CHANNELS:
            assert _px(frame, renderer.raster_pixel_xy(ch, ticks_ago=5)) == background
    # the spikes scroll left as ticks pass
    renderer.push_tick(NONE, None, NONE, 6)
    frame = renderer.draw(game.state(), game.score())
    assert _px(frame, renderer.raster_pixel_xy(s0, ticks_ago=6)) == SENSORY_COLOR
    assert _px(frame, renderer.raster_pixel_xy(s0, ticks_ago=5)) == background


def test_stims_are_marked_over_spikes(renderer):
    ch = LAYOUT.sensory[0]
    renderer.push_tick(np.array([ch, LAYOUT.sensory[1]]), None, np.array([ch]), 0)
    frame = renderer.draw(PongGame(seed=0), {})
    assert _px(frame, renderer.raster_pixel_xy(ch)) == STIM
    assert _px(frame, renderer.raster_pixel_xy(LAYOUT.sensory[1])) == SENSORY_COLOR


def test_skipped_ticks_leave_blank_columns(renderer):
    ch = LAYOUT.motor[0][0]
    renderer.push_tick(np.array([ch]), None, NONE, 0)
    renderer.push_tick(np.array([ch]), None, NONE, 10)
    frame = renderer.draw(PongGame(seed=0), {})
    assert _px(frame, renderer.raster_pixel_xy(ch, 0)) == UP_COLOR
    assert _px(frame, renderer.raster_pixel_xy(ch, 10)) == UP_COLOR
    assert all(_px(frame, renderer.raster_pixel_xy(ch, k)) != UP_COLOR for k in range(1, 10))


def _cell_centre(renderer, channel):
    return renderer.heatmap.cell_rect(channel, renderer.heatmap_rect.topleft).center


def test_heatmap_lights_up_the_active_channel(renderer):
    hot, cold = 9, 10
    for t in range(200):
        renderer.push_tick(np.array([hot] * 2), None, NONE, t)  # 200 Hz
    frame = renderer.draw(PongGame(seed=0), {})
    hot_px = np.array(_px(frame, _cell_centre(renderer, hot)))
    cold_px = np.array(_px(frame, _cell_centre(renderer, cold)))
    assert hot_px.sum() > 500 and cold_px.sum() < 30
    assert renderer.heatmap.rates_hz()[hot] == pytest.approx(200 * (1 - np.exp(-2.0)), rel=0.02)


def test_game_is_drawn_with_y_up(renderer):
    game = PongGame(seed=0)
    game.ball_x, game.ball_y, game.paddle_y = 450.0, 500.0, 200.0
    frame = renderer.draw(game.state(), {"hits": 0})
    g = renderer.game_rect
    bx = g.left + int(450 / 600 * g.width)
    by = g.top + int((600 - 500) / 600 * g.height)
    assert _px(frame, (bx, by)) == (255, 255, 255)  # ball in the upper part of the field
    paddle_y = g.top + int((600 - 200) / 600 * g.height)
    assert _px(frame, (g.left + 2, paddle_y)) == (235, 235, 235)  # paddle in the lower part, on the left
    assert _px(frame, (g.left + 2, g.top + int(0.1 * g.height))) == (0, 0, 0)


def test_score_panel_changes_with_the_score(renderer):
    game = PongGame(seed=0)
    a = renderer.draw(game.state(), {"hits": 1, "misses": 0, "rally": 1})
    b = renderer.draw(game.state(), {"hits": 2, "misses": 0, "rally": 2})
    r = renderer.score_rect
    region = (slice(r.top, r.top + 60), slice(r.left, r.right))
    assert not np.array_equal(a[region], b[region])


def test_human_mode_opens_and_closes_a_window(renderer):
    frame = renderer.draw(PongGame(seed=0), {})
    assert renderer.show(frame) is True
    assert renderer.window_open
    assert pygame.display.get_surface().get_size() == (640, 480)
    assert renderer.show() is True  # shows the last drawn frame
    with pytest.raises(ValueError, match="frame shape"):
        renderer.show(frame[:10])
    renderer.close()
    assert not renderer.window_open and not pygame.display.get_init()


def test_bad_pushes_raise(renderer):
    with pytest.raises(ValueError, match="spike_timestamps"):
        renderer.push_tick(np.array([1, 2]), np.array([5]), NONE, 0)
    with pytest.raises(ValueError, match="0..63"):
        renderer.push_tick(np.array([64]), None, NONE, 0)
    with pytest.raises(ValueError, match="0..63"):
        renderer.push_tick(np.array([-1]), None, NONE, 0)
    with pytest.raises(ValueError, match="stim channels"):
        renderer.push_tick(NONE, None, np.array([70]), 0)
    with pytest.raises(ValueError, match="at least 320 x 240"):
        PongRenderer(size=(100, 100))


def test_draw_is_fast_enough_for_30_fps():
    r = PongRenderer(LAYOUT)
    game = PongGame(seed=0)
    rng = np.random.default_rng(0)
    costs = []
    for t in range(300):
        r.push_tick(rng.integers(0, 64, size=rng.poisson(3)), None, NONE, t)
        if t % 3 == 0:
            t0 = time.perf_counter()
            r.draw(game.state(), game.score())
            costs.append(time.perf_counter() - t0)
    assert (
        np.median(costs) < 5e-3
    )  # the budget at 640 x 480 (measured ~1 ms, scripts/bench_render.py)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 63), max_size=80),
    st.lists(st.integers(0, 63), max_size=8),
    st.integers(0, 3000),
)
def test_property_raster_column_matches_the_push(spikes, stims, tick):
    r = PongRenderer(LAYOUT)
    r.push_tick(np.array(spikes, dtype=np.int64), None, np.array(stims, dtype=np.int64), tick)
    frame = r.draw(PongGame(seed=0), {})
    group_color = {c: GROUP_PALETTE[i] for i, g in enumerate(LAYOUT.groups.values()) for c in g}
    empty = _px(frame, r.raster_pixel_xy(LAYOUT.sensory[0], ticks_ago=1))
    for ch in range(64):
        got = _px(frame, r.raster_pixel_xy(ch))
        if ch in stims:
            assert got == STIM
        elif ch in spikes:
            assert got == group_color.get(ch, (150, 150, 150))
        elif ch not in UNUSABLE_CHANNELS:
            assert got == empty
