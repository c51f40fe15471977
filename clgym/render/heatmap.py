"""An 8 x 8 MEA heatmap of recent activity: an exponentially weighted firing rate per channel on a log colour
scale.

Each tick the per-channel counts are added to a leaky sum (time constant ``tau_s``); its steady state divided
by the window gives a rate in Hz, shown from ``rate_min_hz`` (black) to ``rate_max_hz`` (white-yellow) on a
log scale, so a 0.1 Hz spontaneous electrode and a 100 Hz evoked burst are both readable. A fixed scale (not
per-frame normalisation) keeps colours comparable over time. Channels stimulated recently get an outline.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from clgym.render._pygame import pygame

__all__ = ["MEAHeatmap", "heat_lut"]

Color = tuple[int, int, int]

_ANCHORS = np.array(  # an inferno-like ramp: black, purple, red, orange, pale yellow
    [[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]], dtype=float
)


def heat_lut(n: int = 256) -> np.ndarray:
    """``(n, 3)`` uint8 colour ramp from black to pale yellow."""
    x = np.linspace(0, len(_ANCHORS) - 1, n)
    lo = np.minimum(x.astype(int), len(_ANCHORS) - 2)
    f = (x - lo)[:, None]
    return np.rint(_ANCHORS[lo] * (1 - f) + _ANCHORS[lo + 1] * f).astype(np.uint8)


class MEAHeatmap:
    """Leaky per-channel activity on a ``grid x grid`` MEA and its drawing.

    Args:
        cell: Pixel size of one electrode cell.
        grid: Electrodes per side (8; ``channel = row * grid + col``).
        tick_s: Tick duration in seconds.
        tau_s: Time constant of the leaky rate estimate.
        rate_min_hz: Rate shown black.
        rate_max_hz: Rate shown at the top of the ramp.
        group_colors: ``{name: (channels, colour)}`` outlines drawn once (e.g. sensory, motor regions).
        unusable: Channels crossed out.
        stim_color: Outline of recently stimulated channels.
        stim_hold_ticks: How long a stim outline stays.
    """

    def __init__(
        self,
        cell: int = 24,
        grid: int = 8,
        tick_s: float = 0.01,
        tau_s: float = 1.0,
        rate_min_hz: float = 0.1,
        rate_max_hz: float = 100.0,
        group_colors: Mapping[str, tuple[Sequence[int], Color]] | None = None,
        unusable: Sequence[int] = (),
        stim_color: Color = (255, 60, 200),
        stim_hold_ticks: int = 20,
    ) -> None:
        if not (0 < rate_min_hz < rate_max_hz) or tau_s <= 0 or tick_s <= 0 or cell < 2:
            raise ValueError(
                "MEAHeatmap needs 0 < rate_min_hz < rate_max_hz, tau_s > 0, tick_s > 0, cell >= 2"
            )
        self.cell, self.grid = int(cell), int(grid)
        self.n = self.grid * self.grid
        self.size = self.cell * self.grid
        self.tick_s, self.tau_s = float(tick_s), float(tau_s)
        self.decay = math.exp(-self.tick_s / self.tau_s)
        self._to_hz = (1.0 - self.decay) / self.tick_s  # leaky sum -> rate in steady state
        self._log_lo = math.log10(rate_min_hz)
        self._log_span = math.log10(rate_max_hz) - self._log_lo
        self._lut = heat_lut()
        self.stim_color = stim_color
        self.stim_hold_ticks = int(stim_hold_ticks)
        self._unusable = np.zeros(self.n, dtype=bool)
        self._unusable[list(unusable)] = True
        self._overlay = self._make_overlay(group_colors or {}, unusable)
        self._small = pygame.Surface((self.grid, self.grid))
        self.reset()

    def reset(self) -> None:
        """Forget all activity."""
        self.activity = np.zeros(self.n)
        self._t = 0
        self._last_stim = np.full(self.n, -(1 << 40), dtype=np.int64)

    def push_counts(self, counts: np.ndarray | None, stim_channels: np.ndarray, gap: int = 1) -> None:
        """Add one tick's spike counts per channel (``None``: no spikes); ``gap`` ticks passed since the last
        push.

        ``stim_channels`` must already be valid channel numbers.
        """
        self.activity *= self.decay if gap == 1 else self.decay**gap
        if counts is not None:
            self.activity += counts[: self.n]
        self._t += gap
        if stim_channels.size:
            self._last_stim[stim_channels] = self._t

    def push(self, spike_channels: np.ndarray, stim_channels: np.ndarray, gap: int = 1) -> None:
        """Add one tick's spikes given as channel numbers (see :meth:`push_counts`)."""
        counts = np.bincount(spike_channels, minlength=self.n) if spike_channels.size else None
        self.push_counts(counts, stim_channels, gap)

    def rates_hz(self) -> np.ndarray:
        """The current rate estimate per channel, in Hz (``(n,)``)."""
        return self.activity * self._to_hz

    def colors(self) -> np.ndarray:
        """``(n, 3)`` uint8 colour per channel."""
        r = self.rates_hz()
        with np.errstate(divide="ignore"):
            lvl = (np.log10(r) - self._log_lo) / self._log_span
        idx = np.clip(np.nan_to_num(lvl, neginf=0.0) * 255, 0, 255).astype(np.intp)
        out = self._lut[idx]
        out[self._unusable] = (40, 40, 46)
        return out

    def cell_rect(self, channel: int, topleft: tuple[int, int] = (0, 0)) -> pygame.Rect:
        """Pixel rectangle of a channel's cell."""
        row, col = divmod(int(channel), self.grid)
        return pygame.Rect(topleft[0] + col * self.cell, topleft[1] + row * self.cell, self.cell, self.cell)

    def _make_overlay(self, groups: Mapping[str, tuple[Sequence[int], Color]], unusable: Sequence[int]):
        ov = pygame.Surface((self.size, self.size), pygame.SRCALPHA)
        ov.fill((0, 0, 0, 0))
        for chans, color in groups.values():
            for ch in chans:
                pygame.draw.rect(ov, (*color, 255), self.cell_rect(ch).inflate(-2, -2), 1)
        for ch in unusable:
            r = self.cell_rect(ch).inflate(-6, -6)
            pygame.draw.line(ov, (110, 110, 120, 255), r.topleft, r.bottomright, 1)
            pygame.draw.line(ov, (110, 110, 120, 255), r.bottomleft, r.topright, 1)
        grid_col = (0, 0, 0, 255)
        for k in range(self.grid + 1):
            p = min(k * self.cell, self.size - 1)
            pygame.draw.line(ov, grid_col, (p, 0), (p, self.size - 1), 1)
            pygame.draw.line(ov, grid_col, (0, p), (self.size - 1, p), 1)
        return ov

    def blit(self, surface: pygame.Surface, topleft: tuple[int, int]) -> None:
        """Draw the heatmap with its outlines onto ``surface`` at ``topleft``."""
        img = self.colors().reshape(self.grid, self.grid, 3).transpose(1, 0, 2)  # (col, row, 3) for surfarray
        pygame.surfarray.blit_array(self._small, img)
        surface.blit(pygame.transform.scale(self._small, (self.size, self.size)), topleft)
        surface.blit(self._overlay, topleft)
        for ch in np.flatnonzero(self._t - self._last_stim < self.stim_hold_ticks).tolist():
            pygame.draw.rect(surface, self.stim_color, self.cell_rect(ch, topleft), 2)
