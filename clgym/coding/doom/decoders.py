"""The Doom-lite motor decoder: spike counts of four motor groups -> one of five actions per tick.

DishBrain's Pong decoder (:class:`~clgym.coding.decoders.MotorRegionDecoder`) compares two regions against their
own running baselines and integrates the difference into a paddle velocity. With four groups and a discrete
action, the same ingredients become an evidence race. Every 10 ms tick, for each motor group ``k`` with spike
count ``n_k``:

.. code-block:: text

    b_k  <- b_k + baseline_rate * (n_k - b_k)          (adaptive baseline, DishBrain's 0.2 start, ~10 s at 0.001)
    e_k  <- evidence_decay * e_k + n_k / b_k            (leaky evidence; DishBrain's 0.875 velocity decay)
    z_k   = (1 - evidence_decay) * e_k                  (activity relative to the group's own baseline:
                                                         about 1 while the group fires at its usual rate)
    action = the group with the largest z_k if that z_k >= threshold and no other group ties it, else noop

The baseline is updated before it divides (as in :class:`MotorRegionDecoder`, which also bounds ``n_k / b_k`` by
``1 / baseline_rate``). Dividing by the baseline makes groups of different sizes and spontaneous rates
comparable; the leaky evidence (time constant ~8 ticks) turns sparse per-tick counts into actions that last long
enough to turn or walk; the threshold (default 1.5 x the usual rate) leaves the player idle while no group
stands out. An exact tie between the leading groups (e.g. two silent groups at the start) is a noop rather than a
preference for the group listed first.

Example:
    >>> dec = DoomMotorDecoder()
    >>> dec.step([0, 0, 0, 3])    # only "attack" fired: index 3 of the groups
    3
    >>> dec.step([0, 0, 0, 0])    # its evidence lingers
    3
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["DoomDecoderParams", "DoomMotorDecoder", "NOOP_GROUP"]

NOOP_GROUP = -1
"""What :meth:`DoomMotorDecoder.step` returns when no group wins."""


@dataclass(frozen=True)
class DoomDecoderParams:
    """Constants of :class:`DoomMotorDecoder`.

    Args:
        n_groups: Motor groups (4: turn_left, turn_right, forward, attack).
        baseline_init: Initial baseline per group, in spikes per tick (DishBrain's 0.2).
        baseline_rate: Update rate of the running baselines per tick (DishBrain's 0.001, ~10 s).
        evidence_decay: Carry-over of each group's evidence per tick (DishBrain's 0.875 velocity decay).
        threshold: Smallest baseline-relative activity ``z`` that triggers the group's action.
    """

    n_groups: int = 4
    baseline_init: float = 0.2
    baseline_rate: float = 0.001
    evidence_decay: float = 0.875
    threshold: float = 1.5

    def __post_init__(self) -> None:
        def fail(name: str, allowed: str) -> None:
            raise ValueError(f"DoomDecoderParams.{name} = {getattr(self, name)!r}; allowed: {allowed}")

        if isinstance(self.n_groups, bool) or not isinstance(self.n_groups, int) or self.n_groups < 1:
            fail("n_groups", "an integer >= 1")
        if not (math.isfinite(self.baseline_init) and self.baseline_init > 0):
            fail("baseline_init", "a finite number > 0")
        if not 0 < self.baseline_rate <= 1:
            fail("baseline_rate", "0 < rate <= 1")
        if not 0 <= self.evidence_decay < 1:
            fail("evidence_decay", "0 <= decay < 1")
        if not (math.isfinite(self.threshold) and self.threshold > 0):
            fail("threshold", "a finite number > 0")


class DoomMotorDecoder:
    """Per-tick motor-group counts -> the winning group or :data:`NOOP_GROUP` (see the module docstring).

    Args:
        params: The constants (:class:`DoomDecoderParams`).

    Attributes:
        baselines: Running baseline ``b_k`` of each group (spikes per tick).
        activity: ``z_k`` of each group after the last :meth:`step`.
        group: The last decision (a group index, or :data:`NOOP_GROUP`).
    """

    def __init__(self, params: DoomDecoderParams | None = None) -> None:
        self.params = params if params is not None else DoomDecoderParams()
        self.n_groups = self.params.n_groups
        self.reset()

    def reset(self) -> None:
        """Initial baselines, no evidence, no action."""
        self.baselines: list[float] = [float(self.params.baseline_init)] * self.n_groups
        self._evidence: list[float] = [0.0] * self.n_groups
        self.group: int = NOOP_GROUP

    def clear_evidence(self) -> None:
        """Forget the evidence (a new episode starts idle) but keep the baselines, which belong to the culture."""
        self._evidence = [0.0] * self.n_groups
        self.group = NOOP_GROUP

    @property
    def activity(self) -> np.ndarray:
        return np.array(self._evidence) * (1.0 - self.params.evidence_decay)

    def step(self, counts: Sequence[int] | np.ndarray) -> int:
        """Feed one tick's spike count per group; return the winning group's index or :data:`NOOP_GROUP`.

        Raises:
            ValueError: If ``counts`` does not hold one finite count >= 0 per group.
        """
        c = counts.tolist() if isinstance(counts, np.ndarray) else list(counts)
        if len(c) != self.n_groups:
            raise ValueError(f"counts has {len(c)} entries; the decoder has {self.n_groups} motor groups")
        p = self.params
        rate, decay = p.baseline_rate, p.evidence_decay
        b, e = self.baselines, self._evidence
        best, best_k, tied = -1.0, NOOP_GROUP, False
        for k in range(self.n_groups):
            n = float(c[k])
            if not (n >= 0 and math.isfinite(n)):
                raise ValueError(f"counts[{k}] = {c[k]!r}; allowed: a finite count >= 0")
            bk = b[k] + rate * (n - b[k])
            b[k] = bk
            ek = decay * e[k] + (n / bk if n > 0 else 0.0)  # n > 0 implies bk >= rate * n > 0
            e[k] = ek
            if ek > best:
                best, best_k, tied = ek, k, False
            elif ek == best:
                tied = True
        won = not tied and best * (1.0 - decay) >= p.threshold
        self.group = best_k if won else NOOP_GROUP
        return self.group

    def run(self, counts: np.ndarray) -> np.ndarray:
        """Decode a ``(T, n_groups)`` array tick by tick from the current state; the ``(T,)`` decisions."""
        arr = np.asarray(counts)
        if arr.ndim != 2 or arr.shape[1] != self.n_groups:
            raise ValueError(f"counts must have shape (T, {self.n_groups}), got {arr.shape}")
        return np.array([self.step(row) for row in arr], dtype=np.int64)
