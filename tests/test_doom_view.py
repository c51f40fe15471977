"""Behaviour of the Doom-lite renderer (clgym.render.doom_view), headless."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"  # before pygame is imported anywhere

import dataclasses  # noqa: E402
import math  # noqa: E402

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402

from clgym.games.doom import Action, DoomGame, EnemyParams, custom  # noqa: E402
from clgym.games.doom.raycast import ray_distance  # noqa: E402
from clgym.render.doom_view import SPRITE_KINDS, DoomRenderer, DoomView, DoomViewStyle, sprite_atlas  # noqa: E402

PASSIVE = EnemyParams(speed=0.0, attack_range=0.0, attack_damage=0.0)
ROOM = ["#########", "#.......#", "#.......#", "#...P...#", "#.......#", "#.......#", "#########"]


def bare_view(**kwargs) -> DoomView:
    return DoomView(320, 240, minimap=False, hud=False, **kwargs)


def room_game(rows=ROOM, **kwargs) -> DoomGame:
    return DoomGame(custom(rows, enemy=PASSIVE, **kwargs), seed=0)


def test_frame_shape_dtype_and_fresh_arrays():
    game = DoomGame("deadly_corridor", seed=0)
    view = DoomView()
    a, b = view.render(game.state()), view.render(game.state())
    assert a.shape == (240, 320, 3) and a.dtype == np.uint8 and a.flags.c_contiguous
    assert a is not b and np.array_equal(a, b)
    out = np.zeros((240, 320, 3), dtype=np.uint8)
    assert view.render(game.state(), out=out) is out and np.array_equal(out, a)
    with pytest.raises(ValueError, match=r"\(240, 320, 3\) uint8"):
        view.render(game.state(), out=np.zeros((240, 320, 4), dtype=np.uint8))
    assert DoomView(160, 100).render(game.state()).shape == (100, 160, 3)


def test_bad_view_arguments():
    for w, h in ((8, 240), (320, 0), (True, 240)):
        with pytest.raises(ValueError, match="at least 16 x 16"):
            DoomView(w, h)
    with pytest.raises(ValueError, match="fov_deg"):
        DoomView(fov_deg=180)


FLAT = DoomViewStyle(
    wall_rgb=(250, 0, 0),
    mortar_rgb=(200, 0, 0),
    ceiling_rgb=(0, 0, 250),
    floor_rgb=(0, 250, 0),
    fog_distance=1e12,
    min_light=1.0,
    side_shade=1.0,
)
"""Unlit primaries: red walls, blue ceiling, green floor."""


def test_a_wall_in_front_fills_the_centre_column():
    game = room_game()  # facing east from (4.5, 3.5): the east wall is 3.5 cells away
    view = bare_view(style=FLAT)
    far = view.render(game.state())[:, 160]
    assert view.depth[160] == pytest.approx(3.5, rel=0.01)
    is_wall = (far[:, 0] > 0) & (far[:, 1] == 0) & (far[:, 2] == 0)
    wall_rows = np.flatnonzero(is_wall)
    assert len(wall_rows) == pytest.approx(160 / 3.5, abs=2)  # focal / distance, centred on the horizon
    assert wall_rows.mean() == pytest.approx(119.5, abs=1)
    assert (far[: wall_rows[0]] == (0, 0, 250)).all() and (far[wall_rows[-1] + 1 :] == (0, 250, 0)).all()
    game.x = 7.6  # 0.4 cells from the east wall: it fills the column from top to bottom
    near = view.render(game.state())[:, 160]
    assert view.depth[159:161] == pytest.approx([0.4, 0.4], rel=0.01)
    assert (near[:, 0] > 0).all() and (near[:, 1:] == 0).all()


def test_the_depth_buffer_matches_the_games_rays():
    game = DoomGame("deadly_corridor", seed=0)
    view = bare_view()
    for x, y, heading in ((1.5, 3.5, 0.0), (6.2, 2.1, 2.0), (12.0, 4.4, -2.7), (20.3, 3.0, 0.8)):
        game.x, game.y, game.heading = x, y, heading
        view.render(game.state())
        for col in (0, 57, 160, 250, 319):
            cam = (2 * (col + 0.5) / 320 - 1) * math.tan(math.radians(45))
            offset = math.atan(cam)
            euclid = ray_distance(game.walls, x, y, heading + offset, 64.0)
            assert view.depth[col] == pytest.approx(euclid * math.cos(offset), rel=1e-6)


def test_enemy_sprite_in_front_is_drawn_and_hidden_behind_a_wall():
    open_room = room_game(["#########", "#.......#", "#...P.E.#", "#.......#", "#########"])
    empty = room_game(["#########", "#.......#", "#...P...#", "#.......#", "#########"])
    walled = room_game(["#########", "#.......#", "#...P#E.#", "#.......#", "#########"])
    view = bare_view()
    with_enemy, without = view.render(open_room.state()), view.render(empty.state())
    differs = np.abs(with_enemy.astype(int) - without.astype(int)).sum(axis=2) > 0
    rows, cols = np.nonzero(differs)
    focal = 160.0
    size = focal * 0.8 / 2.0  # an 0.8-cell billboard 2 cells ahead
    assert cols.min() >= 160 - size / 2 - 1 and cols.max() <= 160 + size / 2 + 1
    assert differs.sum() > 0.5 * size * size
    red = with_enemy[differs]
    assert (red[:, 0] > red[:, 1] + 40).mean() > 0.5  # mostly the demon's red
    hidden = view.render(walled.state())
    walled_empty = room_game(["#########", "#.......#", "#...P#..#", "#.......#", "#########"])
    assert np.array_equal(hidden, view.render(walled_empty.state()))


def test_sprites_behind_the_player_are_not_drawn_and_dead_enemies_vanish():
    game = room_game(["#########", "#.......#", "#.E.P...#", "#.......#", "#########"])
    empty = room_game(["#########", "#.......#", "#...P...#", "#.......#", "#########"])
    view = bare_view()
    assert np.array_equal(view.render(game.state()), view.render(empty.state()))
    game.heading = math.pi
    facing = view.render(game.state())
    game.enemy_alive[0] = False
    empty.heading = math.pi
    assert not np.array_equal(facing, view.render(game.state()))
    assert np.array_equal(view.render(game.state()), view.render(empty.state()))


def test_items_are_drawn_as_their_own_sprites():
    atlas = sprite_atlas(32)
    assert atlas.shape == (len(SPRITE_KINDS), 32, 32, 4) and atlas.dtype == np.uint8
    opaque = atlas[..., 3] > 127
    assert opaque.sum(axis=(1, 2)).min() > 100
    for a in range(len(SPRITE_KINDS)):
        for b in range(a + 1, len(SPRITE_KINDS)):
            assert not np.array_equal(atlas[a], atlas[b])
    view = bare_view()
    frames = {}
    for char in "HAG":
        frames[char] = view.render(room_game(["#########", "#.......#", "#...P." + char + ".#", "#.......#",
                                              "#########"]).state())  # fmt: skip
    assert not np.array_equal(frames["H"], frames["A"]) and not np.array_equal(frames["A"], frames["G"])


def test_minimap_and_hud_overlays():
    game = DoomGame("defend_the_center", seed=0)
    plain = bare_view().render(game.state())
    with_map = DoomView(320, 240, hud=False).render(game.state())
    changed = np.abs(with_map.astype(int) - plain.astype(int)).sum(axis=2) > 0
    rows, cols = np.nonzero(changed)
    assert rows.max() < 120 and cols.min() > 320 - 0.26 * 320 - 4  # the top-right corner only
    assert (with_map[changed] == (255, 230, 60)).all(axis=1).any()  # the player's dot
    assert (with_map[changed] == (240, 40, 40)).all(axis=1).sum() >= 5  # enemies
    hud = DoomView(320, 240, minimap=False).render(game.state())
    assert tuple(hud[120, 160 + 6]) == (240, 240, 240)  # crosshair
    state = game.state()
    hurt = DoomView(320, 240, minimap=False).render(dataclasses.replace(state, ticks_since_damage=0))
    assert hurt[..., 0].astype(int).sum() > hud[..., 0].astype(int).sum()
    assert hurt[..., 1].astype(int).sum() < hud[..., 1].astype(int).sum()
    game.step(Action.ATTACK)
    firing = DoomView(320, 240, minimap=False).render(game.state())
    assert (firing[150:240, 140:180] == (255, 220, 90)).all(axis=2).sum() > 20  # muzzle flash


def test_the_view_follows_the_games_field_of_view():
    game = room_game()
    wide, narrow = DoomView(hud=False, minimap=False), DoomView(hud=False, minimap=False, fov_deg=60)
    wide.render(game.state())
    narrow.render(game.state())
    edge = 1 - 1 / 320  # camera coordinate of the first column's centre
    assert wide.depth[0] == pytest.approx(2.5 / edge)  # 90 degrees: the left edge ray meets the north wall
    assert narrow.depth[0] == pytest.approx(3.5)  # 60 degrees: it reaches the east wall first


def test_doom_renderer_composes_the_view_with_raster_and_heatmap():
    game = DoomGame("deadly_corridor", seed=0)
    r = DoomRenderer({"sensory": (27, 28), "turn_left": (1, 2), "attack": (60, 61)})
    try:
        for t in range(30):
            r.push_tick(np.array([27, 60]), None, np.array([27]) if t == 29 else np.zeros(0, int), t)
            game.step(Action.FORWARD)
        frame = r.draw(game, game.score())
        assert frame.shape == (480, 640, 3) and frame.dtype == np.uint8
        v = r.view_rect
        view_alone = DoomView(v.width, v.height).render(game.state())
        assert np.array_equal(frame[v.top : v.bottom, v.left : v.right], view_alone)
        x, y = r.raster_pixel_xy(60, ticks_ago=1)
        assert tuple(frame[y, x]) == r.group_colors["attack"]
        x, y = r.raster_pixel_xy(27, ticks_ago=0)
        assert tuple(frame[y, x]) == (255, 60, 200)  # the stim of the last tick
        assert not r.window_open and pygame.display.get_surface() is None
    finally:
        r.close()
    default = DoomRenderer(size=(800, 600))
    assert default.groups == {} and default.draw(game, game.score()).shape == (600, 800, 3)
