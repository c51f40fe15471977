"""Doom-lite frames: a first-person raycast view with a minimap (numpy + Numba), and the full clgym frame beside
the spike raster and MEA heatmap (pygame).

:class:`DoomView` draws one ``(H, W, 3)`` uint8 frame from a game snapshot, in three passes:

1. walls: one ray per screen column walks the grid (DDA); the hit's perpendicular distance gives the wall slice's
   height (``focal / distance``, square pixels) and goes into a z-buffer (:attr:`DoomView.depth`); walls are
   bricked, lit by ``exp(-distance / fog_distance)`` and darker on cell faces seen along y; ceiling and floor rows
   are lit by the distance they show;
2. sprites (enemies, health, ammo, goal) as billboards from far to near, each column drawn only where the sprite
   is nearer than the wall in the z-buffer;
3. overlays: a minimap (walls, items, enemies, the player and their field of view) and a HUD (crosshair, weapon
   with muzzle flash, health and ammo bars, a red flash when hurt).

:class:`DoomRenderer` is :class:`~clgym.render.pong_renderer.PongRenderer` with the Pong field replaced by the
first-person view and a health/ammo line: the raster, heatmap, score panel, ``push_tick``, ``draw`` and ``show``
are PongRenderer's own.

The snapshot is duck-typed (this module does not import the game): ``walls`` (bool ``(rows, cols)``),
``player_x``, ``player_y``, ``heading`` (radians, from +x towards +y), ``fov_deg``, ``health``, ``max_health``,
``ammo``, ``max_ammo``, ``enemy_x``, ``enemy_y``, ``enemy_alive``, ``item_x``, ``item_y``, ``item_kinds``
(``"health"``, ``"ammo"`` or ``"goal"``), ``item_present``, ``ticks_since_damage`` and ``ticks_since_shot``
(``None`` or ticks): :class:`clgym.games.doom.DoomState`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from clgym.cl1 import FRAMES_PER_SECOND
from clgym.coding.layout import ChannelLayout
from clgym.render._pygame import pygame
from clgym.render.pong_renderer import BACKGROUND, TEXT, TEXT_DIM, PongRenderer

__all__ = ["DoomViewStyle", "DoomView", "DoomRenderer", "sprite_atlas", "SPRITE_KINDS"]

Color = tuple[int, int, int]

SPRITE_KINDS: tuple[str, ...] = ("enemy", "health", "ammo", "goal")
"""Sprites in :func:`sprite_atlas` order."""
_SPRITE_SIZE = {"enemy": 0.8, "health": 0.4, "ammo": 0.35, "goal": 0.55}
"""Billboard height in cells."""
_SPRITE_LIFT = {"enemy": 0.5, "health": 0.2, "ammo": 0.175, "goal": 0.275}
"""Height of the billboard's centre above the floor in cells (the eye is at 0.5: enemies float at eye level)."""


@dataclass(frozen=True)
class DoomViewStyle:
    """Colours and lighting of :class:`DoomView`.

    Args:
        wall_rgb, ceiling_rgb, floor_rgb: Colours at full light.
        mortar_rgb: Colour of the brick joints at full light.
        fog_distance: Light falls as ``exp(-distance / fog_distance)`` (cells).
        min_light: Light never falls below this.
        side_shade: Light factor of wall faces seen along y (the classic two-tone raycaster look).
        bricks_per_cell: Bricks across and up one wall face.
        minimap_fraction: Largest minimap side as a fraction of the view width.
        minimap_opacity: Minimap opacity over the view.
        damage_flash_ticks: Ticks the screen stays tinted red after the player is hurt.
        muzzle_flash_ticks: Ticks the muzzle flash shows after a shot.
    """

    wall_rgb: Color = (150, 104, 80)
    mortar_rgb: Color = (84, 78, 74)
    ceiling_rgb: Color = (92, 92, 104)
    floor_rgb: Color = (112, 100, 84)
    fog_distance: float = 9.0
    min_light: float = 0.12
    side_shade: float = 0.72
    bricks_per_cell: tuple[int, int] = (2, 4)
    minimap_fraction: float = 0.26
    minimap_opacity: float = 0.8
    damage_flash_ticks: int = 12
    muzzle_flash_ticks: int = 5

    def __post_init__(self) -> None:
        if not (self.fog_distance > 0 and 0 <= self.min_light <= 1 and 0 < self.side_shade <= 1):
            raise ValueError("DoomViewStyle needs fog_distance > 0, 0 <= min_light <= 1, 0 < side_shade <= 1")
        if not (0 < self.minimap_fraction <= 1 and 0 <= self.minimap_opacity <= 1):
            raise ValueError("DoomViewStyle needs 0 < minimap_fraction <= 1 and 0 <= minimap_opacity <= 1")
        if min(self.bricks_per_cell) < 1:
            raise ValueError(f"bricks_per_cell = {self.bricks_per_cell}; allowed: two integers >= 1")


# ---- kernels ---------------------------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def _brick_hash(a: int, b: int) -> float:
    """A fixed pseudo-random number in [0, 1) per brick."""
    h = (a * 73856093) ^ (b * 19349663)
    h = (h ^ (h >> 13)) * 1274126177
    return ((h ^ (h >> 16)) & 1023) / 1024.0


@njit(cache=True, nogil=True)
def _draw_walls(
    frame: np.ndarray,
    depth: np.ndarray,
    walls: np.ndarray,
    px: float,
    py: float,
    dir_x: float,
    dir_y: float,
    right_x: float,
    right_y: float,
    tan_half_fov: float,
    focal: float,
    wall_rgb: np.ndarray,
    mortar_rgb: np.ndarray,
    ceiling_rows: np.ndarray,
    floor_rows: np.ndarray,
    fog_distance: float,
    min_light: float,
    side_shade: float,
    bricks_x: int,
    bricks_y: int,
) -> None:
    height, width = frame.shape[0], frame.shape[1]
    rows, cols = walls.shape
    half_h = height / 2.0
    for x in range(width):
        cam = (2.0 * (x + 0.5) / width - 1.0) * tan_half_fov
        rdx, rdy = dir_x + right_x * cam, dir_y + right_y * cam  # forward component 1: t is forward distance
        col, row = int(math.floor(px)), int(math.floor(py))
        t_dx = abs(1.0 / rdx) if rdx != 0.0 else 1e30
        t_dy = abs(1.0 / rdy) if rdy != 0.0 else 1e30
        step_c = 1 if rdx > 0 else -1
        step_r = 1 if rdy > 0 else -1
        next_x = (col + 1.0 - px) * t_dx if rdx > 0 else (px - col) * t_dx
        next_y = (row + 1.0 - py) * t_dy if rdy > 0 else (py - row) * t_dy
        side, dist = 0, 0.0
        for _ in range(4 * (rows + cols)):
            if next_x < next_y:
                dist, next_x, col, side = next_x, next_x + t_dx, col + step_c, 0
            else:
                dist, next_y, row, side = next_y, next_y + t_dy, row + step_r, 1
            if not (0 <= row < rows and 0 <= col < cols) or walls[row, col]:
                break
        dist = max(dist, 1e-4)
        depth[x] = dist
        along = py + dist * rdy if side == 0 else px + dist * rdx  # where on the face the ray hit
        u = along - math.floor(along)
        line_h = focal / dist
        top = half_h - line_h / 2.0
        light = max(min_light, math.exp(-dist / fog_distance)) * (side_shade if side == 1 else 1.0)
        for y in range(height):
            yc = y + 0.5
            if yc < top:
                for c in range(3):
                    frame[y, x, c] = ceiling_rows[y, c]
            elif yc >= top + line_h:
                for c in range(3):
                    frame[y, x, c] = floor_rows[y, c]
            else:
                v = (yc - top) / line_h * bricks_y
                course = int(v)
                w = u * bricks_x + 0.5 * (course & 1)
                joint = v - course < 0.08 or w - math.floor(w) < 0.05
                if joint:
                    for c in range(3):
                        frame[y, x, c] = min(255.0, mortar_rgb[c] * light)
                else:
                    brick = 0.82 + 0.18 * _brick_hash(col * 64 + int(w), row * 64 + course + 8 * side)
                    for c in range(3):
                        frame[y, x, c] = min(255.0, wall_rgb[c] * light * brick)


@njit(cache=True, nogil=True)
def _draw_sprites(
    frame: np.ndarray,
    depth: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    textures: np.ndarray,
    sizes: np.ndarray,
    lifts: np.ndarray,
    atlas: np.ndarray,
    px: float,
    py: float,
    dir_x: float,
    dir_y: float,
    right_x: float,
    right_y: float,
    focal: float,
    fog_distance: float,
    min_light: float,
) -> None:
    """Billboards, farthest first, z-tested per column against the walls' ``depth``."""
    height, width = frame.shape[0], frame.shape[1]
    n = xs.shape[0]
    forward = np.empty(n)
    for i in range(n):
        forward[i] = (xs[i] - px) * dir_x + (ys[i] - py) * dir_y
    tex_size = atlas.shape[1]
    for i in np.argsort(-forward):
        f = forward[i]
        if f < 0.05:
            continue
        lateral = (xs[i] - px) * right_x + (ys[i] - py) * right_y
        size = focal * sizes[i] / f
        left = width / 2.0 + focal * lateral / f - size / 2.0
        top = height / 2.0 + focal * (0.5 - lifts[i]) / f - size / 2.0
        light = max(min_light, math.exp(-f / fog_distance))
        tex = textures[i]
        for x in range(max(0, int(math.floor(left))), min(width, int(math.ceil(left + size)))):
            if f >= depth[x]:
                continue
            u = min(tex_size - 1, max(0, int((x + 0.5 - left) / size * tex_size)))
            for y in range(max(0, int(math.floor(top))), min(height, int(math.ceil(top + size)))):
                v = min(tex_size - 1, max(0, int((y + 0.5 - top) / size * tex_size)))
                if atlas[tex, v, u, 3] > 127:
                    for c in range(3):
                        frame[y, x, c] = min(255.0, atlas[tex, v, u, c] * light)


@njit(cache=True, nogil=True)
def _tint(frame: np.ndarray, rgb: np.ndarray, amount: float) -> None:
    """Blend every pixel towards ``rgb`` by ``amount`` in [0, 1]."""
    keep = 1.0 - amount
    for y in range(frame.shape[0]):
        for x in range(frame.shape[1]):
            for c in range(3):
                frame[y, x, c] = frame[y, x, c] * keep + rgb[c] * amount


# ---- sprites ---------------------------------------------------------------------------------------------------
def sprite_atlas(size: int = 32) -> np.ndarray:
    """``(len(SPRITE_KINDS), size, size, 4)`` uint8 RGBA billboards drawn procedurally: a floating red one-eyed
    demon, a medikit, a box of rounds and a green armour vest."""
    yy, xx = (np.mgrid[0:size, 0:size] + 0.5) / size  # [0, 1), y down
    atlas = np.zeros((len(SPRITE_KINDS), size, size, 4), dtype=np.uint8)

    def paint(k: int, mask: np.ndarray, rgb: Color) -> None:
        atlas[k][mask] = (*rgb, 255)

    r = np.hypot(xx - 0.5, yy - 0.5)
    demon = SPRITE_KINDS.index("enemy")
    paint(demon, r < 0.48, (120, 20, 20))
    paint(demon, r < 0.42, (200, 40, 35))
    eye = np.hypot(xx - 0.5, yy - 0.38)
    paint(demon, eye < 0.15, (235, 235, 225))
    paint(demon, eye < 0.09, (40, 190, 60))
    paint(demon, eye < 0.04, (10, 10, 10))
    mouth = (np.abs(xx - 0.5) < 0.22) & (np.abs(yy - 0.7) < 0.07)
    paint(demon, mouth, (60, 0, 0))
    teeth = mouth & (yy < 0.68) & ((xx * 20).astype(int) % 2 == 0)
    paint(demon, teeth, (240, 240, 230))
    kit = SPRITE_KINDS.index("health")
    paint(kit, (np.abs(xx - 0.5) < 0.45) & (np.abs(yy - 0.55) < 0.35), (230, 230, 230))
    cross = ((np.abs(xx - 0.5) < 0.08) & (np.abs(yy - 0.55) < 0.25)) | (
        (np.abs(xx - 0.5) < 0.25) & (np.abs(yy - 0.55) < 0.08)
    )
    paint(kit, cross, (210, 20, 20))
    ammo = SPRITE_KINDS.index("ammo")
    paint(ammo, (np.abs(xx - 0.5) < 0.45) & (np.abs(yy - 0.62) < 0.3), (95, 90, 40))
    for cx in (0.3, 0.5, 0.7):
        paint(ammo, (np.abs(xx - cx) < 0.06) & (yy > 0.12) & (yy < 0.45), (230, 190, 60))
    goal = SPRITE_KINDS.index("goal")
    body = (np.abs(xx - 0.5) < 0.36 - 0.12 * (yy < 0.25)) & (yy > 0.08) & (yy < 0.95)
    paint(goal, body, (30, 150, 40))
    paint(goal, body & (np.abs(xx - 0.5) < 0.06), (20, 90, 25))
    paint(goal, (np.abs(xx - 0.5) < 0.12) & (yy < 0.25), (0, 0, 0))
    atlas[goal][(np.abs(xx - 0.5) < 0.12) & (yy < 0.25), 3] = 0  # the neck hole
    return atlas


# ---- the view --------------------------------------------------------------------------------------------------
class DoomView:
    """First-person frames of a Doom-lite game.

    Args:
        width, height: Frame size in pixels (320 x 240 by default).
        fov_deg: Horizontal field of view (``None``: the snapshot's ``fov_deg``, the game's).
        style: Colours and lighting (:class:`DoomViewStyle`).
        minimap: Draw the minimap in the top-right corner.
        hud: Draw the crosshair, weapon, health and ammo bars and the damage flash.

    Attributes:
        depth: ``(width,)`` forward distance to the wall seen in each column, from the last :meth:`render`.

    Example:
        >>> view = DoomView(320, 240)
        >>> frame = view.render(game.state())      # doctest: +SKIP
        >>> frame.shape
        (240, 320, 3)
    """

    def __init__(
        self,
        width: int = 320,
        height: int = 240,
        fov_deg: float | None = None,
        style: DoomViewStyle | None = None,
        minimap: bool = True,
        hud: bool = True,
    ) -> None:
        if isinstance(width, bool) or isinstance(height, bool) or int(width) < 16 or int(height) < 16:
            raise ValueError(f"DoomView size {width} x {height}; allowed: at least 16 x 16 pixels")
        if fov_deg is not None and not 0 < fov_deg < 180:
            raise ValueError(f"fov_deg = {fov_deg}; allowed: None (the game's) or a number in (0, 180)")
        self.width, self.height = int(width), int(height)
        self.fov_deg = fov_deg
        self.style = style if style is not None else DoomViewStyle()
        self.minimap, self.hud = bool(minimap), bool(hud)
        self.depth = np.zeros(self.width)
        self._atlas = sprite_atlas()
        self._kind_index = {k: i for i, k in enumerate(SPRITE_KINDS)}
        s = self.style
        self._wall_rgb = np.asarray(s.wall_rgb, dtype=np.float64)
        self._mortar_rgb = np.asarray(s.mortar_rgb, dtype=np.float64)
        self._rows_for_fov: dict[float, tuple[np.ndarray, np.ndarray, float]] = {}
        self._minimap_cache: dict[tuple[bytes, tuple[int, ...]], np.ndarray] = {}
        self._weapon_mask = self._make_weapon_mask()

    def _camera(self, fov_deg: float) -> tuple[np.ndarray, np.ndarray, float]:
        """Ceiling and floor colour per row, and the focal length in pixels, for a field of view."""
        cached = self._rows_for_fov.get(fov_deg)
        if cached is None:
            s, h = self.style, self.height
            focal = (self.width / 2.0) / math.tan(math.radians(fov_deg) / 2.0)
            below_horizon = np.abs(np.arange(h) + 0.5 - h / 2.0)
            distance = focal * 0.5 / np.maximum(below_horizon, 1e-6)  # of the floor/ceiling point each row shows
            light = np.maximum(s.min_light, np.exp(-distance / s.fog_distance))[:, None]
            ceiling = np.clip(np.asarray(s.ceiling_rgb) * light, 0, 255).astype(np.uint8)
            floor = np.clip(np.asarray(s.floor_rgb) * light, 0, 255).astype(np.uint8)
            cached = (ceiling, floor, focal)
            self._rows_for_fov[fov_deg] = cached
        return cached

    def render(self, state: Any, out: np.ndarray | None = None) -> np.ndarray:
        """Draw the player's view of ``state`` (see the module docstring) into ``out`` (a fresh array if ``None``).

        Returns:
            The ``(height, width, 3)`` uint8 frame.

        Raises:
            ValueError: If ``out`` has the wrong shape or dtype.
        """
        h, w = self.height, self.width
        if out is None:
            out = np.empty((h, w, 3), dtype=np.uint8)
        elif out.shape != (h, w, 3) or out.dtype != np.uint8 or not out.flags.c_contiguous:
            raise ValueError(f"out must be a C-contiguous ({h}, {w}, 3) uint8 array, got {out.shape} {out.dtype}")
        s = self.style
        fov = float(state.fov_deg if self.fov_deg is None else self.fov_deg)
        ceiling, floor, focal = self._camera(fov)
        px, py, heading = float(state.player_x), float(state.player_y), float(state.heading)
        dir_x, dir_y = math.cos(heading), math.sin(heading)
        right_x, right_y = -dir_y, dir_x  # y grows down the map, so the right hand is +90 degrees
        walls = np.asarray(state.walls)
        _draw_walls(
            out, self.depth, walls, px, py, dir_x, dir_y, right_x, right_y,
            math.tan(math.radians(fov) / 2.0), focal, self._wall_rgb, self._mortar_rgb, ceiling, floor,
            s.fog_distance, s.min_light, s.side_shade, s.bricks_per_cell[0], s.bricks_per_cell[1],
        )  # fmt: skip
        xs, ys, kinds = self._sprites(state)
        if xs.size:
            sizes = np.array([_SPRITE_SIZE[SPRITE_KINDS[k]] for k in kinds.tolist()])
            lifts = np.array([_SPRITE_LIFT[SPRITE_KINDS[k]] for k in kinds.tolist()])
            _draw_sprites(
                out, self.depth, xs, ys, kinds, sizes, lifts, self._atlas, px, py, dir_x, dir_y, right_x, right_y,
                focal, s.fog_distance, s.min_light,
            )  # fmt: skip
        if self.hud:
            self._draw_hud(out, state)
        if self.minimap:
            self._draw_minimap(out, state, walls, fov)
        return out

    def _sprites(self, state: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        alive = np.asarray(state.enemy_alive, dtype=bool)
        present = np.asarray(state.item_present, dtype=bool)
        item_kinds = np.array([self._kind_index[k] for k in state.item_kinds], dtype=np.int64)
        xs = np.concatenate((np.asarray(state.enemy_x, float)[alive], np.asarray(state.item_x, float)[present]))
        ys = np.concatenate((np.asarray(state.enemy_y, float)[alive], np.asarray(state.item_y, float)[present]))
        kinds = np.concatenate((np.full(int(alive.sum()), self._kind_index["enemy"]), item_kinds[present]))
        return xs, ys, kinds.astype(np.int64)

    # ---- overlays ----------------------------------------------------------------------------------------------
    def _make_weapon_mask(self) -> np.ndarray:
        """A pistol seen from behind: 1 = metal, 2 = shadow, at the bottom centre."""
        h, w = self.height, self.width
        gw, gh = max(4, w // 14), max(6, h // 6)
        mask = np.zeros((gh, gw), dtype=np.uint8)
        mask[:, :] = 1
        mask[:, : max(1, gw // 5)] = 2
        mask[: max(1, gh // 8), :] = 2
        return mask

    def _draw_hud(self, frame: np.ndarray, state: Any) -> None:
        h, w = self.height, self.width
        since_damage = state.ticks_since_damage
        if since_damage is not None and since_damage < self.style.damage_flash_ticks:
            _tint(frame, np.array([200.0, 0.0, 0.0]), 0.35 * (1 - since_damage / self.style.damage_flash_ticks))
        cx, cy, arm = w // 2, h // 2, max(2, w // 80)
        frame[cy, cx - 2 * arm : cx - arm + 1] = frame[cy, cx + arm : cx + 2 * arm + 1] = (240, 240, 240)
        frame[cy - 2 * arm : cy - arm + 1, cx] = frame[cy + arm : cy + 2 * arm + 1, cx] = (240, 240, 240)
        gun = self._weapon_mask
        gh, gw = gun.shape
        top, left = h - gh, cx - gw // 2
        since_shot = state.ticks_since_shot
        if since_shot is not None and since_shot < self.style.muzzle_flash_ticks:
            fh = max(3, gh // 2)
            flash = frame[max(0, top - fh) : top, max(0, left - gw // 4) : left + gw + gw // 4]
            flash[:] = (255, 220, 90)
            flash[fh // 3 : fh - fh // 3, gw // 3 : -gw // 3 or None] = (255, 255, 220)
        region = frame[top:, left : left + gw]
        region[gun == 1] = (110, 110, 118)
        region[gun == 2] = (55, 55, 60)
        bar_w, bar_h, margin = max(10, w // 5), max(2, h // 80), max(2, w // 100)
        for k, (value, top_value, rgb) in enumerate(
            ((state.health, state.max_health, (200, 30, 30)), (state.ammo, max(1, state.max_ammo), (220, 190, 50)))
        ):
            y0 = h - margin - (2 - k) * (bar_h + 2)
            frame[y0 : y0 + bar_h, margin : margin + bar_w] = (30, 30, 30)
            filled = int(round(bar_w * min(1.0, max(0.0, float(value) / float(top_value)))))
            frame[y0 : y0 + bar_h, margin : margin + filled] = rgb

    def minimap_image(self, walls: np.ndarray, cell_px: int) -> np.ndarray:
        """The map's walls and floor, ``cell_px`` pixels a cell: ``(rows * cell_px, cols * cell_px, 3)`` uint8
        (cached per map)."""
        key = (np.ascontiguousarray(walls).tobytes(), (*walls.shape, cell_px))
        img = self._minimap_cache.get(key)
        if img is None:
            base = np.where(walls[..., None], np.uint8(150), np.uint8(28)).astype(np.uint8).repeat(3, axis=2)
            base[walls] = (150, 140, 130)
            img = base.repeat(cell_px, axis=0).repeat(cell_px, axis=1)
            if len(self._minimap_cache) > 16:
                self._minimap_cache.clear()
            self._minimap_cache[key] = img
        return img

    def _draw_minimap(self, frame: np.ndarray, state: Any, walls: np.ndarray, fov_deg: float) -> None:
        rows, cols = walls.shape
        side = max(8, int(self.width * self.style.minimap_fraction))
        cell = max(1, min(side // cols, side // rows, (self.height - 4) // rows))
        img = self.minimap_image(walls, cell)
        mh, mw = img.shape[:2]
        if mh + 2 > self.height or mw + 2 > self.width:
            return  # the map does not fit this view
        y0, x0 = 2, self.width - mw - 2
        region = frame[y0 : y0 + mh, x0 : x0 + mw]
        a = self.style.minimap_opacity
        region[:] = (region * (1 - a) + img * a).astype(np.uint8)

        def dot(x: float, y: float, rgb: Color, radius: int) -> None:
            cx, cy = int(x * cell), int(y * cell)
            region[max(0, cy - radius) : cy + radius + 1, max(0, cx - radius) : cx + radius + 1] = rgb

        def ray(angle: float, length: float, rgb: Color) -> None:
            t = np.linspace(0.0, length, max(2, int(length * cell)))
            xs = ((state.player_x + t * math.cos(angle)) * cell).astype(int)
            ys = ((state.player_y + t * math.sin(angle)) * cell).astype(int)
            ok = (xs >= 0) & (xs < mw) & (ys >= 0) & (ys < mh)
            region[ys[ok], xs[ok]] = rgb

        r = max(1, cell // 3)
        item_rgb = {"health": (240, 240, 240), "ammo": (230, 190, 60), "goal": (40, 220, 60)}
        for x, y, kind, present in zip(state.item_x, state.item_y, state.item_kinds, state.item_present, strict=True):
            if present:
                dot(x, y, item_rgb[kind], r)
        for x, y, alive in zip(state.enemy_x, state.enemy_y, state.enemy_alive, strict=True):
            if alive:
                dot(x, y, (240, 40, 40), r)
        half = math.radians(fov_deg) / 2
        for edge in (-half, half):
            ray(state.heading + edge, 2.0, (110, 110, 60))
        ray(state.heading, 1.5, (255, 255, 120))
        dot(state.player_x, state.player_y, (255, 230, 60), r)


# ---- the full frame --------------------------------------------------------------------------------------------
class DoomRenderer(PongRenderer):
    """The CLDoomLite frame: the first-person view (with its minimap) and a health/ammo line where CLPong draws
    its field, beside the same MEA heatmap, score panel and spike raster (everything else is
    :class:`~clgym.render.pong_renderer.PongRenderer`).

    Args:
        layout: Channel groups to colour (a :class:`~clgym.coding.layout.ChannelLayout` or a mapping of group name
            to channels, first group = sensory); ``None``: no groups (all channels one colour).
        size, tick_s, heatmap_tau_s, title, fps, sample_rate_hz: As for ``PongRenderer``.
        style: The view's colours and lighting (:class:`DoomViewStyle`).

    Example:
        >>> r = DoomRenderer()
        >>> r.push_tick(np.array([34]), None, np.array([], dtype=int), 0)
        >>> frame = r.draw(game.state(), game.score())     # doctest: +SKIP
    """

    def __init__(
        self,
        layout: ChannelLayout | Mapping[str, Sequence[int]] | None = None,
        size: tuple[int, int] = (640, 480),
        tick_s: float = 0.01,
        heatmap_tau_s: float = 1.0,
        title: str = "clgym: CLDoomLite",
        fps: float | None = None,
        sample_rate_hz: float = float(FRAMES_PER_SECOND),
        style: DoomViewStyle | None = None,
    ) -> None:
        super().__init__({} if layout is None else layout, size, tick_s, heatmap_tau_s, title, fps, sample_rate_hz)
        g = self.game_rect
        self.view_rect = pygame.Rect(g.left, g.top, g.width, g.width * 3 // 4)
        self.status_rect = pygame.Rect(g.left, self.view_rect.bottom, g.width, g.bottom - self.view_rect.bottom)
        self.view = DoomView(self.view_rect.width, self.view_rect.height, style=style)
        self._view_frame = np.empty((self.view.height, self.view.width, 3), dtype=np.uint8)

    def _make_static(self) -> pygame.Surface:
        s = super()._make_static()
        g = self.game_rect  # clear Pong's place-code ticks right of the field: they mark ball heights
        pygame.draw.rect(s, BACKGROUND, (g.right + 1, g.top - 1, 6, g.height + 2))
        return s

    def _draw_game(self, s: pygame.Surface, g: Any) -> None:
        frame = self.view.render(g, out=self._view_frame)
        pygame.surfarray.blit_array(s.subsurface(self.view_rect), frame.transpose(1, 0, 2))
        st = self.status_rect
        pygame.draw.rect(s, (0, 0, 0), st)
        x, y = st.left + 4, st.top + 4
        for text, color in (
            (f"health {round(float(g.health))}", TEXT),
            (f"ammo {int(g.ammo)}", TEXT),
            (f"kills {int(getattr(g, 'kills', 0))}", TEXT_DIM),
        ):
            surf = self._text(text, color)
            if y + surf.get_height() <= st.bottom:
                s.blit(surf, (x, y))
            x += surf.get_width() + 14
