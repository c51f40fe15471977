"""Encoders: game state (or an agent's choice) -> the stimulation of one tick.

:class:`PlaceRateEncoder` is DishBrain's sensory code (``docs/dishbrain.md``):

* place: the field's height is cut into ``n`` equal bands (``n`` = number of sensory channels, 8); the ball's
  band picks the channel (band 0 = smallest y);
* rate: the ball's distance to the paddle's wall picks a rate from 4 to 40 Hz in 4 Hz steps; the field width
  is cut into as many equal distance bands as rates, the nearest band gets 40 Hz, the farthest 4 Hz.

A rate is turned into pulses on 10 ms ticks by a deterministic phase accumulator (integer arithmetic in
micro-pulses, so exact): each tick the accumulator first fires one pulse if it holds a whole pulse, then
gains ``rate * tick_s`` pulses. A steady rate ``r`` therefore gives exactly ``r`` pulses per second (4 Hz: one
pulse every 25 ticks), a changing rate carries its phase over, and the first tick after :meth:`reset` fires at
once (the culture hears about a newly served ball immediately). At <= 40 Hz there is at most one pulse per
tick, so every pulse is a single ``StimCommand`` (no burst) on the ball's current channel.

:class:`AgentStimEncoder` is the "encoder" control mode: the agent picks, every tick, a rate level per sensory
channel (``kind="rate"``, the same accumulators) or which sensory channels pulse now (``kind="pulse"``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from gymnasium import spaces

from clgym.coding.stimulus import SENSORY_PULSE, Pulse, StimCommand, validate_channels

__all__ = [
    "DISHBRAIN_RATES_HZ",
    "PlaceRateEncoder",
    "AgentStimEncoder",
    "place_band",
    "rate_level",
]

DISHBRAIN_RATES_HZ: tuple[float, ...] = tuple(float(r) for r in range(4, 41, 4))
"""4, 8, ..., 40 Hz: the paper's rate code, far to near."""

_MICRO = 1_000_000  # accumulator units per pulse


def place_band(y: float, field_height: float, n_bands: int) -> int:
    """Band ``0..n_bands-1`` of a y coordinate in ``[0, field_height]`` (clipped), band 0 at ``y = 0``."""
    if not math.isfinite(y):
        raise ValueError(f"ball y must be finite, got {y!r}")
    b = int(y * n_bands // field_height)
    return 0 if b < 0 else (n_bands - 1 if b >= n_bands else b)


def rate_level(distance: float, max_distance: float, n_levels: int) -> int:
    """Rate level ``0..n_levels-1`` of a distance (the fastest, ``n_levels-1``, at distance 0), clipped."""
    if not math.isfinite(distance):
        raise ValueError(f"distance must be finite, got {distance!r}")
    lvl = int((max_distance - abs(distance)) * n_levels // max_distance)
    return 0 if lvl < 0 else (n_levels - 1 if lvl >= n_levels else lvl)


def _rate_increments(rates_hz: Sequence[float], tick_s: float) -> np.ndarray:
    rates = np.asarray(rates_hz, dtype=float)
    if rates.ndim != 1 or rates.size < 1:
        raise ValueError(f"rates_hz must be a non-empty sequence of rates, got {rates_hz!r}")
    if not math.isfinite(tick_s) or tick_s <= 0:
        raise ValueError(f"tick_s = {tick_s!r}; allowed: a positive duration in seconds")
    max_rate = 1.0 / tick_s
    if not np.all(np.isfinite(rates)) or np.any(rates <= 0) or np.any(rates > max_rate):
        raise ValueError(
            f"rates_hz = {tuple(rates.tolist())}; allowed: 0 < rate <= {max_rate:g} Hz "
            f"(one pulse per tick of {tick_s * 1e3:g} ms)"
        )
    return np.rint(rates * tick_s * _MICRO).astype(np.int64)


class PlaceRateEncoder:
    """DishBrain's place + rate sensory encoder.

    Args:
        channels: Sensory channels in place order (e.g. ``pong_layout().sensory``); band ``i`` ->
            ``channels[i]``.
        field_height: Height of the field (the place axis), in field units.
        max_distance: Distance from the paddle's wall at which the slowest rate starts (the field width).
        rates_hz: Rates from far to near (default 4..40 Hz in 4 Hz steps).
        tick_s: Tick duration in seconds (10 ms).
        pulse: The pulse delivered (default :data:`~clgym.coding.stimulus.SENSORY_PULSE`, 1 uA x 200 us).

    Example:
        >>> enc = PlaceRateEncoder((34, 35, 36, 37, 29, 28, 27, 26))
        >>> enc.encode(ball_x=10.0, ball_y=590.0)[0].channels   # top band, near the paddle: 40 Hz on ch 26
        (26,)
    """

    def __init__(
        self,
        channels: Sequence[int],
        field_height: float = 600.0,
        max_distance: float = 600.0,
        rates_hz: Sequence[float] = DISHBRAIN_RATES_HZ,
        tick_s: float = 0.01,
        pulse: Pulse = SENSORY_PULSE,
    ) -> None:
        self.channels = validate_channels(channels, "PlaceRateEncoder.channels")
        for name, v in (("field_height", field_height), ("max_distance", max_distance)):
            if not (math.isfinite(v) and v > 0):
                raise ValueError(
                    f"PlaceRateEncoder.{name} = {v!r}; allowed: a positive number of field units"
                )
        self.field_height = float(field_height)
        self.max_distance = float(max_distance)
        self.rates_hz = tuple(float(r) for r in rates_hz)
        self.tick_s = float(tick_s)
        self._inc = _rate_increments(self.rates_hz, self.tick_s).tolist()
        self.pulse = pulse
        # One precomputed single-pulse command per channel: encoding allocates nothing per tick.
        self._commands = tuple(StimCommand((c,), pulse) for c in self.channels)
        self.reset()

    @property
    def n_bands(self) -> int:
        """Number of place bands (= sensory channels)."""
        return len(self.channels)

    def reset(self) -> None:
        """Restart the pulse train: the next :meth:`encode` fires a pulse."""
        self._acc = _MICRO
        self.last_band: int = -1
        self.last_rate_hz: float = 0.0

    def band(self, ball_y: float) -> int:
        """Place band of a ball height."""
        return place_band(ball_y, self.field_height, self.n_bands)

    def rate_hz(self, distance: float) -> float:
        """Pulse rate for a distance between the ball and the paddle's wall."""
        return self.rates_hz[rate_level(distance, self.max_distance, len(self.rates_hz))]

    def encode(self, ball_x: float, ball_y: float, paddle_x: float = 0.0) -> tuple[StimCommand, ...]:
        """Stimulation for this tick: ``()`` or one single-pulse command on the ball's band channel.

        Args:
            ball_x: Ball x in field units.
            ball_y: Ball y in field units (``0 .. field_height``).
            paddle_x: x of the paddle's wall (the distance is ``|ball_x - paddle_x|``).
        """
        band = self.band(ball_y)
        lvl = rate_level(ball_x - paddle_x, self.max_distance, len(self._inc))
        self.last_band = band
        self.last_rate_hz = self.rates_hz[lvl]
        acc = self._acc
        fired = acc >= _MICRO
        if fired:
            acc -= _MICRO
        self._acc = acc + self._inc[lvl]
        return (self._commands[band],) if fired else ()


class AgentStimEncoder:
    """Agent-chosen sensory stimulation ("encoder" control mode).

    Args:
        channels: The channels the agent may stimulate (e.g. the layout's sensory channels).
        kind: ``"rate"``: the action is a rate level per channel, ``0`` = off, ``k`` = ``rates_hz[k-1]``,
            turned into pulses by per-channel phase accumulators; ``"pulse"``: the action is 0/1 per channel,
            1 = one pulse on that channel this tick.
        rates_hz: Available rates for ``kind="rate"`` (default 4..40 Hz).
        tick_s: Tick duration in seconds.
        pulse: The pulse delivered.

    Attributes:
        action_space: ``MultiDiscrete([len(rates_hz) + 1] * n)`` for ``"rate"``, ``MultiBinary(n)`` for
            ``"pulse"``.
    """

    KINDS = ("rate", "pulse")

    def __init__(
        self,
        channels: Sequence[int],
        kind: str = "rate",
        rates_hz: Sequence[float] = DISHBRAIN_RATES_HZ,
        tick_s: float = 0.01,
        pulse: Pulse = SENSORY_PULSE,
    ) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"AgentStimEncoder kind = {kind!r}; allowed: {self.KINDS}")
        self.kind = kind
        self.channels = validate_channels(channels, "AgentStimEncoder.channels")
        self._channel_arr = np.asarray(self.channels, dtype=np.int64)
        self.pulse = pulse
        self.rates_hz = tuple(float(r) for r in rates_hz)
        self.tick_s = float(tick_s)
        n = len(self.channels)
        # increment per level, level 0 = off
        self._inc = np.concatenate([[0], _rate_increments(self.rates_hz, self.tick_s)])
        if kind == "rate":
            self.action_space: spaces.Space = spaces.MultiDiscrete(np.full(n, len(self.rates_hz) + 1))
        else:
            self.action_space = spaces.MultiBinary(n)
        self._cache: dict[tuple[int, ...], StimCommand] = {}
        self.reset()

    def reset(self) -> None:
        """Restart all pulse trains (each channel's next "on" tick fires at once)."""
        self._acc = np.full(len(self.channels), _MICRO, dtype=np.int64)

    def _check(self, action: object) -> np.ndarray:
        """The action as int64 levels if :attr:`action_space` contains it (Gymnasium's own rule, the same one
        every env applies to its actions), else ``ValueError`` naming the action and the space."""
        if not self.action_space.contains(action):
            hi = len(self.rates_hz) if self.kind == "rate" else 1
            raise ValueError(
                f"action {action!r} is not in the action space {self.action_space}; allowed: "
                f"{len(self.channels)} integers in 0..{hi} (action_space.contains)"
            )
        return np.asarray(action, dtype=np.int64)

    def encode(self, action: object) -> tuple[StimCommand, ...]:
        """Stimulation for this tick: ``()`` or one command covering every channel that pulses now.

        Raises:
            ValueError: If ``action`` is not in :attr:`action_space` (the message shows the action and the
                space).
        """
        a = self._check(action)
        if self.kind == "rate":
            fire = (self._acc >= _MICRO) & (a > 0)
            self._acc[fire] -= _MICRO
            self._acc += self._inc[a]  # an idle channel (level 0) neither gains nor loses phase
        else:
            fire = a > 0
        if not fire.any():
            return ()
        key = tuple(self._channel_arr[fire].tolist())
        cmd = self._cache.get(key)
        if cmd is None:
            cmd = self._cache[key] = StimCommand(key, self.pulse)
        return (cmd,)
