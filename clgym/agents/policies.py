"""Policies that need no training, with SB3's ``predict`` interface (so :func:`~clgym.agents.evaluate` and
SB3 models are interchangeable).

- :class:`RandomPolicy`: uniform actions from the action space, seeded: the chance baseline.
- :class:`ConstantPolicy`: the same action every step (e.g. "stay"): what an agent that ignores its
  observation can at best converge to, and the zero-spike ablation's ceiling.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces


class RandomPolicy:
    """Uniformly random actions from ``action_space`` for a batch of ``n`` observations.

    Args:
        action_space: the (single) env's action space.
        seed: seed of the policy's own RNG (independent of the envs').
    """

    def __init__(self, action_space: spaces.Space, seed: int | None = 0):
        self.action_space = action_space
        self.rng = np.random.default_rng(seed)

    def _sample(self) -> np.ndarray:
        space = self.action_space
        if isinstance(space, spaces.Discrete):
            return np.asarray(space.start + self.rng.integers(space.n))
        if isinstance(space, spaces.MultiDiscrete):
            return space.start + self.rng.integers(space.nvec)
        if isinstance(space, spaces.MultiBinary):
            return self.rng.integers(2, size=space.shape, dtype=space.dtype)
        if isinstance(space, spaces.Box):
            return self.rng.uniform(space.low, space.high).astype(space.dtype)
        raise ValueError(f"RandomPolicy does not support {space}; allowed: Discrete, MultiDiscrete, MultiBinary, Box")

    def predict(self, observation, state=None, episode_start=None, deterministic: bool = False):
        n = len(observation)
        return np.stack([self._sample() for _ in range(n)]), None


class ConstantPolicy:
    """Always ``action`` (must be in ``action_space``)."""

    def __init__(self, action_space: spaces.Space, action):
        if not action_space.contains(np.asarray(action) if not isinstance(action, int) else action):
            raise ValueError(f"action {action!r} is not in the action space {action_space}")
        self.action_space = action_space
        self.action = np.asarray(action)

    def predict(self, observation, state=None, episode_start=None, deterministic: bool = False):
        n = len(observation)
        return np.stack([self.action] * n), None
