"""The CLPong frame: the game, a scrolling spike raster, an 8 x 8 MEA heatmap and the score.

At the default 640 x 480::

    +--------------------------+---------------------------------+
    |  game (field, paddle,    |  MEA heatmap 8 x 8  |  score    |
    |  ball), y up             |  (log rate, groups  |  hits     |
    |                          |   outlined, stims)  |  misses   |
    |                          |  legend             |  rally    |
    +--------------------------+---------------------------------+
    |  raster: 64 channels (grouped: sensory, motor...) x last ~6 s  |
    +------------------------------------------------------------+

:meth:`PongRenderer.push_tick` is called every tick (cheap: one raster column and a leaky-rate update);
:meth:`PongRenderer.draw` composes a frame when one is wanted and returns it as ``(H, W, 3)`` uint8.
``draw`` never opens a window; :meth:`PongRenderer.show` does (the SDL ``dummy`` driver is selected when there
is no display, see :mod:`clgym.render._pygame`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from clgym.cl1 import FRAMES_PER_SECOND, N_CHANNELS, UNUSABLE_CHANNELS
from clgym.coding.layout import ChannelLayout
from clgym.coding.pong import pong_layout
from clgym.render._pygame import init_fonts, pygame
from clgym.render.heatmap import MEAHeatmap
from clgym.render.raster import SpikeRaster

__all__ = ["PongRenderer", "GROUP_PALETTE"]

Color = tuple[int, int, int]

BACKGROUND: Color = (22, 22, 28)
FIELD: Color = (0, 0, 0)
FIELD_BORDER: Color = (90, 90, 100)
TEXT: Color = (225, 225, 230)
TEXT_DIM: Color = (150, 150, 160)
STIM: Color = (255, 60, 200)
OTHER: Color = (150, 150, 150)
GROUP_PALETTE: tuple[Color, ...] = (
    (80, 200, 255),
    (90, 220, 120),
    (255, 160, 60),
    (240, 230, 90),
    (200, 130, 255),
)
"""Colours of the groups in order: sensory, then each motor region."""


class PongRenderer:
    """Draws CLPong frames for ``render_mode="rgb_array"`` and ``"human"``.

    Args:
        layout: Channel groups to colour (a :class:`~clgym.coding.layout.ChannelLayout`, or a mapping of group
            name to channels, first group = sensory). Default: :func:`~clgym.coding.pong.pong_layout`.
        size: Frame ``(width, height)`` in pixels (default 640 x 480).
        tick_s: Tick duration (for the time axis and the heatmap's rates).
        heatmap_tau_s: Time constant of the heatmap's rate estimate.
        title: Window title in human mode.
        fps: Frame-rate cap of :meth:`show` (``None``: no cap).
        sample_rate_hz: Clock of the spike timestamps (25 kHz on a CL1), for the culture clock shown.

    Example:
        >>> r = PongRenderer()
        >>> r.push_tick(np.array([34]), np.array([1000]), np.array([], dtype=int), 0)
        >>> frame = r.draw(game.state(), game.score())          # doctest: +SKIP
    """

    def __init__(
        self,
        layout: ChannelLayout | Mapping[str, Sequence[int]] | None = None,
        size: tuple[int, int] = (640, 480),
        tick_s: float = 0.01,
        heatmap_tau_s: float = 1.0,
        title: str = "clgym: CLPong",
        fps: float | None = None,
        sample_rate_hz: float = float(FRAMES_PER_SECOND),
    ) -> None:
        w, h = (int(size[0]), int(size[1]))
        if w < 320 or h < 240:
            raise ValueError(f"PongRenderer size = {size}; allowed: at least 320 x 240 pixels")
        self.size = (w, h)
        self.tick_s = float(tick_s)
        self.title, self.fps = title, fps
        self.sample_rate_hz = float(sample_rate_hz)
        layout = pong_layout() if layout is None else layout
        groups: dict[str, tuple[int, ...]] = dict(
            layout.groups if isinstance(layout, ChannelLayout) else {k: tuple(v) for k, v in layout.items()}
        )
        self.groups = groups
        self.group_colors = {name: GROUP_PALETTE[i % len(GROUP_PALETTE)] for i, name in enumerate(groups)}
        init_fonts()
        self._font = pygame.font.Font(None, max(14, h // 28))
        self._font_small = pygame.font.Font(None, max(12, h // 36))
        self._text_cache: dict[tuple[str, Color, bool], pygame.Surface] = {}
        self._compute_layout()
        grouped = [c for g in groups.values() for c in g]
        order = grouped + [c for c in range(N_CHANNELS) if c not in set(grouped)]
        colors = SpikeRaster.colors_for_groups(groups, self.group_colors, OTHER)
        self.raster = SpikeRaster(
            self.raster_rect.width,
            N_CHANNELS,
            self.raster_rect.height // N_CHANNELS,
            colors,
            dim_channels=sorted(UNUSABLE_CHANNELS),
            stim_color=STIM,
            channel_order=order,
        )
        self.heatmap = MEAHeatmap(
            cell=self.heatmap_rect.width // 8,
            tick_s=self.tick_s,
            tau_s=heatmap_tau_s,
            group_colors={n: (c, self.group_colors[n]) for n, c in groups.items()},
            unusable=sorted(UNUSABLE_CHANNELS),
            stim_color=STIM,
        )
        self._surface = pygame.Surface(self.size)
        self._static = self._make_static()
        self._window: pygame.Surface | None = None
        self._pixels: np.ndarray | None = None
        self._clock: Any = None
        self.closed_by_user = False
        self.tick_index: int | None = None
        self.culture_time_s: float | None = None

    # ---- geometry ------------------------------------------------------------------------------------------
    def _compute_layout(self) -> None:
        w, h = self.size
        m = 8
        rpc = max(1, int(h * 0.3) // N_CHANNELS)
        raster_h = N_CHANNELS * rpc
        label_w = 10
        self.raster_rect = pygame.Rect(m + label_w, h - m - raster_h, w - 2 * m - label_w, raster_h)
        top_h = self.raster_rect.top - m - 20 - m
        side = min(top_h, (w - 3 * m) // 2)
        self.game_rect = pygame.Rect(m, m, side, side)
        right_x = self.game_rect.right + 2 * m
        cell = max(8, min((w - right_x - m) * 6 // 10, top_h - 60) // 8)
        self.heatmap_rect = pygame.Rect(right_x, m + 18, cell * 8, cell * 8)
        self.score_rect = pygame.Rect(
            self.heatmap_rect.right + 2 * m, m + 18, w - self.heatmap_rect.right - 3 * m, 0
        )

    def _text(self, s: str, color: Color = TEXT, small: bool = False) -> pygame.Surface:
        key = (s, color, small)
        surf = self._text_cache.get(key)
        if surf is None:
            if len(self._text_cache) > 512:
                self._text_cache.clear()
            surf = (self._font_small if small else self._font).render(s, True, color)
            self._text_cache[key] = surf
        return surf

    def _make_static(self) -> pygame.Surface:
        """Everything that never changes: background, titles, legend, raster group strip."""
        s = pygame.Surface(self.size)
        s.fill(BACKGROUND)
        pygame.draw.rect(s, FIELD_BORDER, self.game_rect.inflate(2, 2), 1)
        # place-code bands: ticks right of the field in the sensory colour
        first = next(iter(self.groups), None)
        if first is not None:
            n, g = len(self.groups[first]), self.game_rect
            for i in range(1, n):
                y = g.bottom - round(i * g.height / n)
                pygame.draw.line(s, self.group_colors[first], (g.right + 2, y), (g.right + 5, y), 1)
        s.blit(self._text("MEA activity (log rate)", TEXT_DIM, True), (self.heatmap_rect.left, 8))
        y = self.heatmap_rect.bottom + 6
        x = self.heatmap_rect.left
        for name, color in (*self.group_colors.items(), ("stim", STIM)):
            pygame.draw.rect(s, color, (x, y + 3, 10, 10))
            label = self._text(name, TEXT_DIM, True)
            s.blit(label, (x + 14, y))
            x += 14 + label.get_width() + 10
            if x > self.size[0] - 60:
                x, y = self.heatmap_rect.left, y + 16
        secs = self.raster_rect.width * self.tick_s
        s.blit(
            self._text(f"spikes: 64 channels by group, last {secs:.1f} s (stims in magenta)", TEXT_DIM, True),
            (self.raster_rect.left, self.raster_rect.top - 16),
        )
        # group strip left of the raster
        rpc = self.raster.rows_per_channel
        for row, ch in enumerate(self.raster.channel_order.tolist()):
            color = next((self.group_colors[g] for g, cs in self.groups.items() if ch in cs), (45, 45, 50))
            pygame.draw.rect(s, color, (self.raster_rect.left - 8, self.raster_rect.top + row * rpc, 5, rpc))
        return s

    # ---- per tick ------------------------------------------------------------------------------------------
    def push_tick(
        self,
        spike_channels: np.ndarray,
        spike_timestamps: np.ndarray | None,
        stim_channels: np.ndarray,
        tick_index: int,
    ) -> None:
        """Record one tick: its spikes (channel, timestamp) and the channels stimulated in it.

        Args:
            spike_channels: Channel of each spike (int array, repeats allowed).
            spike_timestamps: Sample timestamp of each spike (same length) or ``None``; the raster resolves
                one tick per pixel, so timestamps only drive the culture clock shown on the frame.
            stim_channels: Channels stimulated in this tick (one entry per stimulated channel; repeats
                allowed).
            tick_index: Index of the tick; a jump leaves blank columns, a repeat or a step back just appends.

        Raises:
            ValueError: If the arrays disagree in length or hold channels outside 0..63.
        """
        sc = spike_channels if isinstance(spike_channels, np.ndarray) else np.asarray(spike_channels)
        st = stim_channels if isinstance(stim_channels, np.ndarray) else np.asarray(stim_channels)
        if sc.ndim != 1 or st.ndim != 1:
            raise ValueError(
                f"spike and stim channels must be 1-D arrays, got shapes {sc.shape} and {st.shape}"
            )
        if spike_timestamps is not None:
            ts = (
                spike_timestamps if isinstance(spike_timestamps, np.ndarray) else np.asarray(spike_timestamps)
            )
            if ts.shape != sc.shape:
                raise ValueError(
                    f"spike_timestamps has shape {ts.shape} for {sc.shape[0]} spike channels; give one each"
                )
            if ts.size:  # the SDK delivers a tick's spikes sorted by time
                self.culture_time_s = float(ts[-1]) / self.sample_rate_hz
        counts = None
        if sc.size:
            try:
                counts = np.bincount(sc, minlength=N_CHANNELS)  # also rejects negative or non-integer channels
            except (ValueError, TypeError):
                counts = None
            if counts is None or counts.shape[0] > N_CHANNELS:
                raise ValueError(f"spike channels must be integers in 0..63, got {sc.tolist()}")
        if st.size:
            stl = st.tolist()
            if st.dtype.kind not in "iu" or min(stl) < 0 or max(stl) > 63:
                raise ValueError(f"stim channels must be integers in 0..63, got {stl}")
        last = self.raster.last_tick
        gap = 1 if last is None or tick_index <= last else min(int(tick_index - last), 1 << 20)
        self.raster.push_counts(counts, st, tick_index)
        self.heatmap.push_counts(counts, st, gap)
        self.tick_index = int(tick_index)

    # ---- frames --------------------------------------------------------------------------------------------
    def _draw_game(self, s: pygame.Surface, g: Any) -> None:
        r = self.game_rect
        pygame.draw.rect(s, FIELD, r)
        sx, sy = r.width / float(g.width), r.height / float(g.height)
        # y up in the game, down on screen
        px = r.left + int(getattr(g, "paddle_x", 0.0) * sx)
        top = r.top + int((g.height - (g.paddle_y + g.paddle_length / 2)) * sy)
        pygame.draw.rect(s, (235, 235, 235), (px, top, 5, max(2, int(g.paddle_length * sy))))
        bx = r.left + int(g.ball_x * sx)
        by = r.top + int((g.height - g.ball_y) * sy)
        rad = max(3, int(getattr(g, "ball_radius", 0.0) * sx))
        pygame.draw.circle(s, (255, 255, 255), (bx, by), rad)

    def _draw_score(self, s: pygame.Surface, score: Mapping[str, Any], status: str | None) -> None:
        x, y = self.score_rect.left, self.score_rect.top
        lines: list[tuple[str, Color]] = []
        for k, v in score.items():
            lines.append((f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}", TEXT))
        if self.tick_index is not None:
            lines.append((f"t {self.tick_index * self.tick_s:7.2f} s", TEXT_DIM))
        if self.culture_time_s is not None:
            lines.append((f"dish {self.culture_time_s:7.2f} s", TEXT_DIM))
        for text, color in lines:
            surf = self._text(text, color)
            s.blit(surf, (x, y))
            y += surf.get_height() + 2
        if status:
            surf = self._text(status, STIM, True)
            s.blit(surf, (self.game_rect.left + 4, self.game_rect.bottom - surf.get_height() - 2))

    def draw_surface(
        self, game_state: Any, score: Mapping[str, Any], status: str | None = None
    ) -> pygame.Surface:
        """Compose the frame on the renderer's surface and return the surface (no copy)."""
        if callable(getattr(game_state, "state", None)):  # a PongGame: take its snapshot
            game_state = game_state.state()
        s = self._surface
        s.blit(self._static, (0, 0))
        self._draw_game(s, game_state)
        self.heatmap.blit(s, self.heatmap_rect.topleft)
        self.raster.blit(s, self.raster_rect.topleft)
        self._draw_score(s, score, status)
        return s

    def draw(self, game_state: Any, score: Mapping[str, Any], status: str | None = None) -> np.ndarray:
        """Compose a frame and return it as an ``(H, W, 3)`` uint8 array. Never opens a window.

        Args:
            game_state: The game (``PongGame`` or ``PongState``): ``ball_x``, ``ball_y``, ``paddle_y``,
                ``paddle_length``, ``width``, ``height`` (``paddle_x`` and ``ball_radius`` optional).
            score: Lines of the score panel, e.g. ``{"hits": 3, "misses": 2, "rally": 1}``.
            status: Optional note drawn on the field (e.g. ``"paused: miss feedback"``).
        """
        return self._to_array(self.draw_surface(game_state, score, status))

    def _to_array(self, surf: pygame.Surface) -> np.ndarray:
        """A fresh writeable ``(H, W, 3)`` copy of a 32-bit surface.

        Transposing whole 32-bit pixels and then picking the colour bytes is ~5x faster than copying pygame's
        byte-strided ``pixels3d`` view (which costs ~2 ms at 640 x 480).
        """
        w, h = self.size
        shifts = surf.get_shifts()[:3]
        if surf.get_bytesize() != 4 or not np.little_endian or any(sh % 8 for sh in shifts):
            return np.frombuffer(pygame.image.tobytes(surf, "RGB"), dtype=np.uint8).reshape(h, w, 3).copy()
        if self._pixels is None:
            self._pixels = np.empty(
                (h, w), dtype=np.uint32
            )  # reused: only the returned frame is fresh memory
        view = pygame.surfarray.pixels2d(surf)
        try:
            np.copyto(self._pixels, view.T)
        finally:
            del view
        as_bytes = self._pixels.view(np.uint8).reshape(h, w, 4)
        out = np.empty((h, w, 3), dtype=np.uint8)
        for c, sh in enumerate(shifts):
            out[..., c] = as_bytes[..., sh // 8]
        return out

    def raster_pixel_xy(self, channel: int, ticks_ago: int = 0) -> tuple[int, int]:
        """Frame ``(x, y)`` of a channel's raster pixel ``ticks_ago`` ticks before the newest column."""
        return (
            self.raster_rect.right - 1 - int(ticks_ago),
            self.raster_rect.top + self.raster.channel_row(channel),
        )

    # ---- human mode ----------------------------------------------------------------------------------------
    def show(self, frame: np.ndarray | None = None) -> bool:
        """Put a frame (default: the last drawn one) in the window, opening it on first use.

        Returns:
            ``False`` once the user has closed the window (the window is then gone), else ``True``.
        """
        if self.closed_by_user:
            return False
        if self._window is None:
            pygame.display.init()
            self._window = pygame.display.set_mode(self.size)
            pygame.display.set_caption(self.title)
            self._clock = pygame.time.Clock()
        if frame is None:
            self._window.blit(self._surface, (0, 0))
        else:
            arr = np.asarray(frame)
            if arr.shape != (self.size[1], self.size[0], 3):
                raise ValueError(f"frame shape {arr.shape}; allowed: ({self.size[1]}, {self.size[0]}, 3)")
            pygame.surfarray.blit_array(self._window, arr.transpose(1, 0, 2))
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                self.closed_by_user = True
                self.close()
                return False
        pygame.display.flip()
        if self.fps:
            self._clock.tick(self.fps)
        return True

    @property
    def window_open(self) -> bool:
        """Whether :meth:`show` has a window open."""
        return self._window is not None

    def close(self) -> None:
        """Close the window if one is open (safe to call twice)."""
        if self._window is not None:
            self._window = None
            pygame.display.quit()
