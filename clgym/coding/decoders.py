"""Decoders: spikes of a tick -> counts per channel group -> a game action.

:func:`channel_group_counts` turns the channels of a tick's spikes into counts per group (one ``bincount``);
:class:`MotorRegionDecoder` is DishBrain's motor readout, refit from the authors' replay frames
(``docs/dishbrain.md``): every 10 ms tick, for each motor region ``k`` with spike
count ``n_k``,

.. code-block:: text

    b_k    <- b_k + baseline_rate * (n_k - b_k)            (b_k starts at 0.2; time constant ~10 s at 0.001)
    action  = gain * (n_1 / b_1 - n_2 / b_2)                (gain 0.2)
    v_t     = velocity_decay * v_(t-1) + velocity_gain * action   (0.875, 0.45; field units per tick)

The baseline is updated *before* it divides (the order listed in the reference). That also bounds one tick's
term: if ``n_k > 0`` then ``b_k >= baseline_rate * n_k``, so ``n_k / b_k <= 1 / baseline_rate``, whereas the
pre-update baseline of a long-silent region can be arbitrarily small.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "channel_counts",
    "channel_group_counts",
    "make_group_index",
    "MotorDecoderParams",
    "MotorRegionDecoder",
]


def make_group_index(groups: Sequence[Sequence[int]], n_channels: int = 64) -> np.ndarray:
    """Int64 array ``(n_channels,)`` mapping each channel to the index of its group in ``groups`` (-1: none).

    Raises:
        ValueError: If a channel is out of range or in two groups.
    """
    index = np.full(n_channels, -1, dtype=np.int64)
    for gi, group in enumerate(groups):
        for c in group:
            c = int(c)
            if not 0 <= c < n_channels:
                raise ValueError(f"group {gi}: channel {c} is out of range; allowed: 0..{n_channels - 1}")
            if index[c] >= 0:
                raise ValueError(
                    f"group {gi}: channel {c} is already in group {index[c]}; groups must be disjoint"
                )
            index[c] = gi
    return index


def channel_counts(spike_channels: np.ndarray | Sequence[int], n_channels: int = 64) -> np.ndarray:
    """Spike count per channel: int64 array ``(n_channels,)``.

    Raises:
        ValueError: If a spike channel is not an integer in ``0..n_channels-1``.
    """
    ch = spike_channels if isinstance(spike_channels, np.ndarray) else np.asarray(spike_channels)
    if ch.size == 0:
        return np.zeros(n_channels, dtype=np.int64)
    try:
        counts = np.bincount(ch.ravel(), minlength=n_channels)  # rejects negative and non-integer entries
    except (TypeError, ValueError):
        counts = None
    if counts is None or counts.shape[0] > n_channels:
        if ch.dtype.kind not in "iu":
            raise ValueError(f"spike channels must be integers 0..{n_channels - 1}, got dtype {ch.dtype}")
        bad = next(c for c in ch.ravel().tolist() if not 0 <= c < n_channels)
        raise ValueError(f"spike channel {bad} is out of range; allowed: integers 0..{n_channels - 1}")
    return counts


def channel_group_counts(
    spike_channels: np.ndarray | Sequence[int], group_index: np.ndarray, n_groups: int | None = None
) -> np.ndarray:
    """Count spikes per channel group.

    Args:
        spike_channels: Channel of each spike of the window (any integer dtype, any order, repeats allowed).
        group_index: ``(n_channels,)`` int array, the group of each channel or -1 (see
            :func:`make_group_index` or :attr:`clgym.coding.layout.ChannelLayout.group_index`).
        n_groups: Length of the result (default ``group_index.max() + 1``).

    Returns:
        Int64 array ``(n_groups,)``; spikes on channels in no group are ignored.

    Raises:
        ValueError: If a spike channel is outside ``0..len(group_index)-1``.

    Example:
        >>> idx = make_group_index([(1, 2), (3,)])
        >>> channel_group_counts(np.array([1, 3, 3, 9, 2]), idx)
        array([2, 2])
    """
    if n_groups is None:
        n_groups = int(group_index.max()) + 1 if group_index.size else 0
    counts = channel_counts(spike_channels, group_index.size)
    member = group_index >= 0
    out = np.bincount(group_index[member], weights=counts[member], minlength=n_groups)[:n_groups]
    return out.astype(np.int64)


@dataclass(frozen=True)
class MotorDecoderParams:
    """Constants of :class:`MotorRegionDecoder` (defaults: DishBrain's fitted values).

    Args:
        gain: Action gain on the baseline-normalised counts (0.2).
        baseline_init: Initial baseline per region, in spikes per tick (0.2).
        baseline_rate: Update rate of the running baseline per tick (0.001, i.e. ~10 s at 10 ms ticks).
        velocity_decay: Carry-over of the paddle velocity per tick (0.875).
        velocity_gain: Weight of the action in the velocity (0.45), field units per tick per action unit.
        signs: Sign of each motor region in the action, ``(+1, -1)``: region 0 pushes the paddle to +y ("up").
        max_speed: Optional clip of ``|velocity|`` in field units per tick (``None``: no clip, as in the
            paper).
    """

    gain: float = 0.2
    baseline_init: float = 0.2
    baseline_rate: float = 0.001
    velocity_decay: float = 0.875
    velocity_gain: float = 0.45
    signs: tuple[float, ...] = (1.0, -1.0)
    max_speed: float | None = None

    def __post_init__(self) -> None:
        for name in ("gain", "velocity_gain"):
            v = getattr(self, name)
            if not math.isfinite(v):
                raise ValueError(f"MotorDecoderParams.{name} must be finite, got {v!r}")
        if not (math.isfinite(self.baseline_init) and self.baseline_init > 0):
            raise ValueError(f"MotorDecoderParams.baseline_init = {self.baseline_init!r}; allowed: > 0")
        if not 0 < self.baseline_rate <= 1:
            raise ValueError(
                f"MotorDecoderParams.baseline_rate = {self.baseline_rate!r}; allowed: 0 < rate <= 1"
            )
        if not 0 <= self.velocity_decay < 1:
            raise ValueError(
                f"MotorDecoderParams.velocity_decay = {self.velocity_decay!r}; allowed: 0 <= d < 1"
            )
        if len(self.signs) < 1 or not all(math.isfinite(s) for s in self.signs):
            raise ValueError(
                f"MotorDecoderParams.signs must be finite numbers, one per region, got {self.signs!r}"
            )
        if self.max_speed is not None and not self.max_speed > 0:
            raise ValueError(f"MotorDecoderParams.max_speed = {self.max_speed!r}; allowed: None or > 0")
        object.__setattr__(self, "signs", tuple(float(s) for s in self.signs))


class MotorRegionDecoder:
    """DishBrain's adaptive-gain motor decoder: counts per motor region -> paddle velocity.

    Args:
        params: The constants (default: the paper's fit, two regions ``(up, down)``).

    Attributes:
        baselines: Running baseline ``b_k`` of each region (spikes per tick).
        action: The last action ``gain * sum_k sign_k * n_k / b_k``.
        velocity: The paddle velocity ``v_t`` after the last :meth:`step`, in field units per tick.

    Example:
        >>> dec = MotorRegionDecoder()
        >>> v = dec.step([3, 0])     # region "up" fired: positive velocity
        >>> v > 0
        True
    """

    def __init__(self, params: MotorDecoderParams | None = None) -> None:
        self.params = params if params is not None else MotorDecoderParams()
        self.n_regions = len(self.params.signs)
        self.reset()

    def reset(self) -> None:
        """Restore the initial baselines and a still paddle."""
        self.baselines: list[float] = [float(self.params.baseline_init)] * self.n_regions
        self.action: float = 0.0
        self.velocity: float = 0.0

    def step(self, counts: Sequence[int] | np.ndarray) -> float:
        """Feed one tick's spike count per motor region; return the new paddle velocity.

        Raises:
            ValueError: If ``counts`` does not have one non-negative finite entry per region.
        """
        p = self.params
        c = counts.tolist() if isinstance(counts, np.ndarray) else list(counts)
        if len(c) != self.n_regions:
            raise ValueError(f"counts has {len(c)} entries; the decoder has {self.n_regions} motor regions")
        rate = p.baseline_rate
        action = 0.0
        b = self.baselines
        for k in range(self.n_regions):
            n = float(c[k])
            if not (n >= 0 and math.isfinite(n)):
                raise ValueError(f"counts[{k}] = {c[k]!r}; allowed: a finite count >= 0")
            bk = b[k] + rate * (n - b[k])
            b[k] = bk
            if n > 0:  # n > 0 implies bk >= rate * n > 0
                action += p.signs[k] * n / bk
        action *= p.gain
        v = p.velocity_decay * self.velocity + p.velocity_gain * action
        if p.max_speed is not None:
            v = min(p.max_speed, max(-p.max_speed, v))
        self.action = action
        self.velocity = v
        return v

    def run(self, counts: np.ndarray) -> np.ndarray:
        """Decode a whole ``(T, n_regions)`` array of counts tick by tick; return the ``(T,)`` velocities.

        Continues from the current state (call :meth:`reset` first for a fresh replay).
        """
        arr = np.asarray(counts)
        if arr.ndim != 2 or arr.shape[1] != self.n_regions:
            raise ValueError(f"counts must have shape (T, {self.n_regions}), got {arr.shape}")
        out = np.empty(arr.shape[0])
        for t in range(arr.shape[0]):
            out[t] = self.step(arr[t])
        return out
