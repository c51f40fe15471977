"""A scrolling spike raster kept as a ring buffer: one column per tick, written once, never redrawn.

A push writes one ``(n_channels,)`` column of codes (0 = nothing, 1 = spike, 2 = stim) into a ring of
``width`` ticks: a handful of numpy operations whatever the window length. A draw colours only the columns
pushed since the previous draw (through a per-channel colour table) into an RGB ring and copies that ring,
oldest column first, onto the target surface with one ``blit_array``. Neither cost depends on the number of
spikes on screen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from clgym.render._pygame import pygame

__all__ = ["SpikeRaster"]

Color = tuple[int, int, int]

NOTHING, SPIKE, STIM = 0, 1, 2


class SpikeRaster:
    """Ring-buffer raster of ``n_channels`` rows x ``width`` ticks.

    Args:
        width: Ticks shown (pixel columns).
        n_channels: Channels (each drawn as ``rows_per_channel`` pixel rows).
        rows_per_channel: Pixel rows per channel.
        channel_colors: ``(n_channels, 3)`` spike colour of each channel (its group's colour).
        background: Background of a normal channel row.
        dim_channels: Channels drawn on a darker background (e.g. the unusable 0/4/7/56/63).
        dim_background: Background of the dimmed rows.
        stim_color: Colour marking a stimulated channel in its tick's column (drawn over spikes).
        channel_order: Channels from the top row down (default ``0..n-1``); e.g. group by group.
    """

    def __init__(
        self,
        width: int,
        n_channels: int = 64,
        rows_per_channel: int = 2,
        channel_colors: np.ndarray | Sequence[Color] | None = None,
        background: Color = (12, 12, 16),
        dim_channels: Sequence[int] = (),
        dim_background: Color = (30, 30, 36),
        stim_color: Color = (255, 60, 200),
        channel_order: Sequence[int] | None = None,
    ) -> None:
        if width < 1 or n_channels < 1 or rows_per_channel < 1:
            raise ValueError(
                f"SpikeRaster needs width, n_channels and rows_per_channel >= 1, got "
                f"{width}, {n_channels}, {rows_per_channel}"
            )
        self.width = int(width)
        self.n_channels = n = int(n_channels)
        self.rows_per_channel = int(rows_per_channel)
        self.height = n * self.rows_per_channel
        colors = (
            np.full((n, 3), 200, dtype=np.uint8)
            if channel_colors is None
            else np.asarray(channel_colors, dtype=np.uint8)
        )
        if colors.shape != (n, 3):
            raise ValueError(f"channel_colors must have shape ({n}, 3), got {colors.shape}")
        order = np.arange(n) if channel_order is None else np.asarray(channel_order, dtype=np.int64)
        if sorted(order.tolist()) != list(range(n)):
            raise ValueError(f"channel_order must be a permutation of 0..{n - 1}")
        self.channel_order = order
        self._row_of = np.empty(n, dtype=np.int64)
        self._row_of[order] = np.arange(n)
        bg = np.tile(np.asarray(background, dtype=np.uint8), (n, 1))
        for c in dim_channels:
            bg[int(c)] = dim_background
        # colour table indexed by display row * 3 + code
        table = np.empty((n, 3, 3), dtype=np.uint8)
        table[:, NOTHING] = bg[order]
        table[:, SPIKE] = colors[order]
        table[:, STIM] = stim_color
        self._table = table.reshape(n * 3, 3)
        self._row_base = (np.arange(n) * 3).astype(np.intp)
        self._codes = np.zeros((self.width, n), dtype=np.uint8)  # channel order; rows are ordered on refresh
        self._rgb = np.empty((self.width, self.height, 3), dtype=np.uint8)
        self.clear()

    def clear(self) -> None:
        """Blank the raster."""
        self._codes[:] = NOTHING
        self._rgb[:] = np.repeat(self._table[self._row_base], self.rows_per_channel, axis=0)[None]
        self.head = 0  # next column to write (= the oldest one)
        self._stale = 0  # columns pushed since the RGB ring was last brought up to date
        self.last_tick: int | None = None

    # ---- per tick ------------------------------------------------------------------------------------------
    def push_counts(
        self, counts: np.ndarray | None, stim_channels: np.ndarray, tick_index: int | None = None
    ) -> None:
        """Write one tick from per-channel spike counts (``(n_channels,)`` or ``None`` for no spikes).

        ``stim_channels`` must already be valid channel numbers. Ticks skipped since the last push (by
        ``tick_index``) become blank columns.
        """
        gap = 1
        if tick_index is not None:
            if self.last_tick is not None and tick_index > self.last_tick:
                gap = min(int(tick_index - self.last_tick), self.width)
            self.last_tick = int(tick_index)
        codes, w = self._codes, self.width
        head = self.head
        for _ in range(gap - 1):  # blank the skipped ticks
            codes[head] = NOTHING
            head = (head + 1) % w
        col = codes[head]
        if counts is None:
            col[:] = NOTHING
        else:
            np.minimum(counts, SPIKE, out=col, casting="unsafe")
        if stim_channels.size:
            col[stim_channels] = STIM
        self.head = (head + 1) % w
        self._stale = min(self._stale + gap, w)

    def push(
        self, spike_channels: np.ndarray, stim_channels: np.ndarray, tick_index: int | None = None
    ) -> None:
        """Write one tick from the channels of its spikes and stims.

        Raises:
            ValueError: If a channel is outside ``0..n_channels-1``.
        """
        n = self.n_channels
        for name, arr in (("spike", spike_channels), ("stim", stim_channels)):
            if arr.size and (arr.min() < 0 or arr.max() >= n):
                raise ValueError(f"{name} channels must be in 0..{n - 1}, got {arr.tolist()}")
        counts = np.bincount(spike_channels, minlength=n) if spike_channels.size else None
        self.push_counts(counts, stim_channels, tick_index)

    # ---- drawing -------------------------------------------------------------------------------------------
    def _refresh(self) -> None:
        """Colour the columns pushed since the last refresh."""
        k = self._stale
        if k == 0:
            return
        cols = (np.arange(self.head - k, self.head) % self.width) if k < self.width else np.arange(self.width)
        idx = self._codes[cols][:, self.channel_order].astype(np.intp) + self._row_base  # (k, n) display rows
        rgb = self._table[idx]  # (k, n, 3)
        if self.rows_per_channel > 1:
            rgb = np.repeat(rgb, self.rows_per_channel, axis=1)
        self._rgb[cols] = rgb
        self._stale = 0

    def image(self) -> np.ndarray:
        """The raster in time order, oldest column first: ``(width, height, 3)`` (pygame's x-major layout)."""
        self._refresh()
        h = self.head
        if h == 0:
            return self._rgb
        return np.concatenate((self._rgb[h:], self._rgb[:h]))

    def channel_row(self, channel: int) -> int:
        """Top pixel row of a channel in the raster image."""
        return int(self._row_of[channel]) * self.rows_per_channel

    def pixel(self, channel: int, ticks_ago: int = 0, row: int = 0) -> np.ndarray:
        """RGB of a channel's ``row``-th pixel row, ``ticks_ago`` ticks before the newest column."""
        if not 0 <= ticks_ago < self.width:
            raise ValueError(f"ticks_ago must be in 0..{self.width - 1}, got {ticks_ago}")
        self._refresh()
        return self._rgb[(self.head - 1 - ticks_ago) % self.width, self.channel_row(channel) + row].copy()

    def blit(self, surface: pygame.Surface, topleft: tuple[int, int]) -> None:
        """Copy the raster onto ``surface`` at ``topleft`` (newest tick at the right edge)."""
        self._refresh()
        h, w = self.head, self.width
        if h == 0:
            pygame.surfarray.blit_array(surface.subsurface(pygame.Rect(topleft, (w, self.height))), self._rgb)
            return
        x, y = topleft
        # two blits in time order instead of concatenating a copy
        pygame.surfarray.blit_array(surface.subsurface(pygame.Rect(x, y, w - h, self.height)), self._rgb[h:])
        pygame.surfarray.blit_array(
            surface.subsurface(pygame.Rect(x + w - h, y, h, self.height)), self._rgb[:h]
        )

    @staticmethod
    def colors_for_groups(
        groups: Mapping[str, Sequence[int]],
        palette: Mapping[str, Color],
        default: Color,
        n_channels: int = 64,
    ) -> np.ndarray:
        """``(n_channels, 3)`` colours: each channel gets its group's palette colour, else ``default``."""
        out = np.tile(np.asarray(default, dtype=np.uint8), (n_channels, 1))
        for name, chans in groups.items():
            if name in palette:
                out[list(chans)] = palette[name]
        return out
