"""The Doom-lite sensory encoder: what the player sees -> the stimulation of one tick.

Two codes, each on its own channels of a :class:`~clgym.coding.doom.layout.DoomLayout`:

* **The nearest visible enemy** (DishBrain's place + rate code, as in CLPong): its *bearing* picks one of the
  bearing channels (place), its *distance* the pulse rate on that channel, 4 Hz at ``max_distance`` (or beyond)
  up to 40 Hz next to the player (the same ten 4 Hz steps as CLPong's ball-to-paddle distance). No enemy in
  view: the bearing channels are silent, and the next enemy to come into view is announced by a pulse at once.
  The bearing bands are *foveated*: band edges sit at ``half_fov * u**fovea`` for ``u`` spaced evenly in
  ``[-1, 1]``, so with the default ``fovea=2`` and 8 channels over a 90 degree view the edges are 0, +-2.8,
  +-11.25 and +-25.3 degrees: the two central bands are about as wide as a shot's aim window, and a player
  turning towards an enemy hears the switch between them exactly when it crosses the crosshair. ``fovea=1``
  gives equal bands. A bearing outside the view (an enemy reported all round) falls in the outermost band on
  its side.
* **Wall proximity**: the wall rays (left to right across the view) are cut into as many equal sectors as there
  are wall channels; each sector's nearest wall drives its channel at 4 Hz at ``wall_range`` up to 40 Hz at
  distance 0, and the channel is silent while the sector's walls are at ``wall_range`` or farther.

Pulses come from the deterministic phase accumulators of :class:`~clgym.coding.encoders.PlaceRateEncoder`: the
enemy code is one (with its band lookup replaced), and each wall channel is a one-channel one whose distance
axis ends at ``wall_range``. A steady rate ``r`` gives exactly ``r`` pulses per second, at most one per channel
per tick; a code that falls silent restarts its train, so the next signal on it fires at once.

Example:
    >>> import numpy as np
    >>> enc = DoomSensoryEncoder(bearing_channels=range(24, 32), wall_channels=(34, 35, 36, 37), n_rays=16)
    >>> rays = np.full(16, 16.0)                                           # no wall within range
    >>> [c.channels for c in enc.encode(rays, enemy_distance=9.0, enemy_bearing=0.01)]  # just right of centre
    [(28,)]
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import numpy as np

from clgym.coding.encoders import DISHBRAIN_RATES_HZ, PlaceRateEncoder, rate_level
from clgym.coding.stimulus import SENSORY_PULSE, Pulse, StimCommand, validate_channels

__all__ = ["bearing_band_edges", "BearingRateEncoder", "DoomSensoryEncoder"]


def bearing_band_edges(n_bands: int, half_fov: float, fovea: float = 2.0) -> tuple[float, ...]:
    """The ``n_bands - 1`` inner edges (radians, ascending) of foveated bearing bands over ``[-half_fov,
    half_fov]``: ``half_fov * sign(u) * |u| ** fovea`` for ``u = 2k / n_bands - 1``, ``k = 1 .. n_bands - 1``.

    Raises:
        ValueError: If ``n_bands < 2``, ``half_fov`` is not in ``(0, pi]`` or ``fovea`` is not >= 1.
    """
    if isinstance(n_bands, bool) or not isinstance(n_bands, int) or n_bands < 2:
        raise ValueError(f"n_bands = {n_bands!r}; allowed: an integer >= 2")
    if not (math.isfinite(half_fov) and 0 < half_fov <= math.pi):
        raise ValueError(f"half_fov = {half_fov!r}; allowed: a number of radians in (0, pi]")
    if not (math.isfinite(fovea) and fovea >= 1):
        raise ValueError(f"fovea = {fovea!r}; allowed: a number >= 1 (1: equal bands)")
    edges = []
    for k in range(1, n_bands):
        u = 2.0 * k / n_bands - 1.0
        edges.append(math.copysign(abs(u) ** fovea, u) * half_fov)
    return tuple(edges)


class BearingRateEncoder(PlaceRateEncoder):
    """The enemy code: :class:`PlaceRateEncoder` with the place axis being the bearing (foveated bands, see
    :func:`bearing_band_edges`) and the rate axis the enemy's distance.

    Args:
        channels: Bearing channels, left to right.
        half_fov: Half the field of view (radians).
        max_distance: Distance (cells) at and beyond which the slowest rate plays.
        fovea: Band spacing exponent (1: equal bands).
        rates_hz, tick_s, pulse: As for :class:`PlaceRateEncoder`.
    """

    def __init__(
        self,
        channels: Sequence[int],
        half_fov: float,
        max_distance: float,
        fovea: float = 2.0,
        rates_hz: Sequence[float] = DISHBRAIN_RATES_HZ,
        tick_s: float = 0.01,
        pulse: Pulse = SENSORY_PULSE,
    ) -> None:
        channels = validate_channels(channels, "BearingRateEncoder.channels")
        self.edges = bearing_band_edges(len(channels), half_fov, fovea)
        super().__init__(channels, 2.0 * half_fov, max_distance, rates_hz, tick_s, pulse)

    def band(self, bearing: float) -> int:  # the place lookup PlaceRateEncoder.encode uses
        """Bearing band ``0..n-1`` (0 leftmost) of a bearing in radians (+ right)."""
        if not math.isfinite(bearing):
            raise ValueError(f"enemy bearing must be finite, got {bearing!r}")
        return bisect.bisect_right(self.edges, bearing)

    def encode_enemy(self, distance: float, bearing: float) -> tuple[StimCommand, ...]:
        """This tick's pulse (``()`` or one command on the bearing's channel) for an enemy in view."""
        return self.encode(ball_x=distance, ball_y=bearing)  # PlaceRateEncoder: x -> rate, y -> place


class DoomSensoryEncoder:
    """What the player sees -> pulses (see the module docstring).

    Args:
        bearing_channels: Bearing place-code channels, left to right (a layout's ``bearing``).
        wall_channels: Wall-proximity channels, one per sector, left to right (a layout's ``wall``).
        n_rays: Wall rays per observation (the game's ``SensingParams.n_rays``); at least one per wall channel.
        fov_deg: The field of view the rays and bearings span (the game's ``fov_deg``).
        max_distance: Enemy distance at which the slowest rate plays (the game's sensing ``max_distance``).
        wall_range: Walls nearer than this (cells) are signalled.
        fovea: Bearing band spacing exponent (1: equal bands).
        rates_hz: Rates from far to near.
        tick_s: Tick duration in seconds.
        pulse: The pulse delivered.

    Attributes:
        last_band: Bearing band of the last :meth:`encode` (-1: no enemy in view).
        last_rate_hz: The enemy code's rate at the last :meth:`encode` (0: no enemy).
        last_wall_levels: Rate level per wall channel at the last :meth:`encode` (0 off, ``k``: ``rates_hz[k-1]``).

    Raises:
        ValueError: On bad or shared channels, fewer rays than wall channels, or a non-positive distance, range
            or field of view.
    """

    def __init__(
        self,
        bearing_channels: Sequence[int],
        wall_channels: Sequence[int],
        n_rays: int,
        fov_deg: float = 90.0,
        max_distance: float = 16.0,
        wall_range: float = 4.0,
        fovea: float = 2.0,
        rates_hz: Sequence[float] = DISHBRAIN_RATES_HZ,
        tick_s: float = 0.01,
        pulse: Pulse = SENSORY_PULSE,
    ) -> None:
        for name, value in (("max_distance", max_distance), ("wall_range", wall_range), ("fov_deg", fov_deg)):
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"DoomSensoryEncoder.{name} = {value!r}; allowed: a finite number > 0")
        wall = validate_channels(wall_channels, "DoomSensoryEncoder.wall_channels")
        if isinstance(n_rays, bool) or not isinstance(n_rays, int) or n_rays < len(wall):
            raise ValueError(f"DoomSensoryEncoder.n_rays = {n_rays!r}; allowed: an integer >= {len(wall)} "
                             "(one ray or more per wall channel)")
        self.enemy = BearingRateEncoder(bearing_channels, math.radians(fov_deg) / 2, max_distance, fovea,
                                        rates_hz, tick_s, pulse)
        shared = sorted(set(wall) & set(self.enemy.channels))
        if shared:
            raise ValueError(f"DoomSensoryEncoder: channel {shared[0]} is both a bearing and a wall channel; "
                             "allowed: disjoint groups")
        self.walls = tuple(PlaceRateEncoder((c,), 1.0, wall_range, rates_hz, tick_s, pulse) for c in wall)
        self.wall_channels = wall
        self.n_rays = n_rays
        self.wall_range = float(wall_range)
        self._n_levels = len(self.enemy.rates_hz)
        bounds = [int(part[0]) for part in np.array_split(np.arange(n_rays), len(wall))] + [n_rays]
        self._sectors = tuple(zip(bounds[:-1], bounds[1:], strict=True))  # (first ray, end) per wall channel
        self.reset()

    @property
    def bearing_channels(self) -> tuple[int, ...]:
        return self.enemy.channels

    def reset(self) -> None:
        """Restart every pulse train (the next enemy or wall signal fires at once)."""
        self.enemy.reset()
        for wall in self.walls:
            wall.reset()
        self.last_wall_levels = np.zeros(len(self.wall_channels), dtype=np.int64)

    @property
    def last_band(self) -> int:
        return self.enemy.last_band

    @property
    def last_rate_hz(self) -> float:
        return self.enemy.last_rate_hz

    def wall_levels(self, rays: np.ndarray | list[float]) -> np.ndarray:
        """Rate level per wall channel for wall distances ``rays`` (0 off, ``k``: ``rates_hz[k - 1]``)."""
        levels = np.zeros(len(self.walls), dtype=np.int64)
        for k, d in enumerate(self._sector_nearest(rays)):
            levels[k] = 0 if d >= self.wall_range else 1 + rate_level(d, self.wall_range, self._n_levels)
        return levels

    def _sector_nearest(self, rays: np.ndarray | list[float]) -> list[float]:
        """The nearest wall of each sector; raises ``ValueError`` for a wrong shape, a NaN or a negative distance."""
        values = rays.tolist() if isinstance(rays, np.ndarray) and rays.ndim == 1 else rays
        if not isinstance(values, list) or len(values) != self.n_rays:
            raise ValueError(f"rays must be a list or 1-d array of {self.n_rays} wall distances, got {rays!r}")
        nearest = []
        for start, end in self._sectors:
            d = values[start]
            for v in values[start + 1 : end]:
                if v < d or v != v:  # v != v: NaN, kept so that the check below sees it
                    d = v
            if not d >= 0.0:
                raise ValueError(f"wall distances must be numbers >= 0 (not NaN), got {values}")
            nearest.append(d)
        return nearest

    def encode(
        self, rays: np.ndarray | list[float], enemy_distance: float | None = None, enemy_bearing: float | None = None
    ) -> tuple[StimCommand, ...]:
        """Stimulation for this tick.

        Args:
            rays: Wall distance per ray, left to right (``n_rays`` of them, a 1-d array or a list of floats).
            enemy_distance: Distance of the nearest visible enemy (cells), ``None`` if none is in view.
            enemy_bearing: Its bearing (radians, + right), ``None`` if none is in view.

        Returns:
            At most one single-pulse command per channel: the enemy's bearing channel and each wall channel.
        """
        commands: tuple[StimCommand, ...] = ()
        if enemy_distance is None or enemy_bearing is None:
            if self.enemy.last_band >= 0:
                self.enemy.reset()  # the enemy left the view: announce the next one at once
        else:
            commands = self.enemy.encode_enemy(enemy_distance, enemy_bearing)
        levels = self.last_wall_levels
        wall_range = self.wall_range
        for k, d in enumerate(self._sector_nearest(rays)):
            wall = self.walls[k]
            if d >= wall_range:
                if levels[k]:
                    wall.reset()
                    levels[k] = 0
                continue
            commands += wall.encode(d, 0.0)
            levels[k] = 1 + rate_level(d, wall_range, self._n_levels)
        return commands
