"""Gymnasium wrappers for the SB3 agents on CLPong-v0: link ownership, ablations, observation and action views.

- :class:`OwnedLink`: the env was given a :class:`~clgym.agents.links.TapLink`; closing the env closes it.
- :class:`ZeroSpikeObservation`: the zero-spike ablation of ``control="decoder"``: every spike count the agent
  would see is replaced by 0 (the culture, the game and the feedback run unchanged).
- :class:`ChannelCountsObservation`: adds the last ``history`` ticks of per-channel spike counts (by default
  the 8 sensory channels) to the decoder observation. ``CLPong-v0`` sums the sensory channels into one count,
  which removes the place code (which band the ball is in); this wrapper is the prototype of the env change
  proposed in ``results/sb3/README.md``.
- :class:`LogCountObservation`: ``log(1 + count)`` of every spike count: a network burst sends a tick's counts
  from ~1 to hundreds, and on that raw scale the burst, not the stimulus-evoked spikes, dominates an MLP's input.
- :class:`SingleChannelStimActions`: ``control="encoder"`` as a ``Discrete`` action (for DQN): nothing, or one
  sensory channel at one of the rate levels, the only stimulation DishBrain's own encoder ever produces.
- :class:`TrackingShaping`: potential-based reward shaping for training (the paddle following the ball); the
  game's own reward stays in ``info["game_reward"]``, which evaluation scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from clgym.agents.links import TapLink
from clgym.envs.base import SPIKE_COUNT_CAP_PER_CHANNEL


def _pong(env: gym.Env):
    pong = env.unwrapped
    if not hasattr(pong, "control") or not hasattr(pong, "connection"):
        raise ValueError(f"{type(pong).__name__} is not a CLPong-v0 env; allowed: gym.make('CLPong-v0', ...)")
    return pong


def _decoder_pong(env: gym.Env, wrapper: str, hint: str = ""):
    """The CLPong-v0 under ``env``, which must be ``control="decoder"`` (the only mode whose observation is spikes)."""
    pong = _pong(env)
    if pong.control != "decoder":
        raise ValueError(f"{wrapper} needs control='decoder' (got {pong.control!r}){hint}")
    return pong


class OwnedLink(gym.Wrapper):
    """Close ``link`` (which the env was given and so never closes) when the env is closed."""

    def __init__(self, env: gym.Env, link: TapLink):
        super().__init__(env)
        self.link = link

    def set_drop_spikes(self, drop: bool) -> None:
        """Silence (``True``) or restore the spikes at the link: a test-time zero-spike ablation of any mode
        (``VecEnv.env_method("set_drop_spikes", True)`` reaches every env, in-process or in a subprocess)."""
        self.link.drop_spikes = bool(drop)

    def close(self):
        try:
            super().close()
        finally:
            self.link.close()


class ZeroSpikeObservation(gym.ObservationWrapper):
    """Zero-spike ablation: the decoder-mode observation with every count set to 0.

    Raises:
        ValueError: if the env is not ``control="decoder"`` (elsewhere the observation is the game, not spikes).
    """

    def __init__(self, env: gym.Env):
        super().__init__(env)
        _decoder_pong(env, "ZeroSpikeObservation",
                      "; for 'encoder' silence the spikes at the link: make_link(..., drop_spikes=True)")
        self._zeros = np.zeros(self.observation_space.shape, dtype=self.observation_space.dtype)

    def observation(self, observation):
        return self._zeros.copy()


class LogCountObservation(gym.ObservationWrapper):
    """Decoder-mode observation with every spike count ``n`` replaced by ``log(1 + n)`` (a fixed, stateless scale).

    Raises:
        ValueError: if the env is not ``control="decoder"`` (elsewhere the observation is the game, not spikes).
    """

    def __init__(self, env: gym.Env):
        super().__init__(env)
        _decoder_pong(env, "LogCountObservation")
        base = env.observation_space
        self.observation_space = spaces.Box(np.log1p(base.low), np.log1p(base.high), dtype=np.float32)

    def observation(self, observation):
        return np.log1p(observation).astype(np.float32, copy=False)


class ChannelCountsObservation(gym.Wrapper):
    """Decoder observation + per-channel spike counts of ``channels`` over the last ``history`` ticks.

    The new observation is ``concat(env_obs, counts.flatten())`` with ``counts`` of shape
    ``(history, len(channels))``, oldest tick first, each count clipped at 50 spikes per tick (the env's cap).
    The counts come from the env's :class:`~clgym.agents.links.TapLink`, so they are the very spikes the env
    decoded in the same tick.

    Args:
        env: a ``CLPong-v0`` env in ``control="decoder"`` running on a :class:`TapLink`.
        channels: channels to expose (default: the layout's sensory channels, in place order).
        history: ticks of history (default: the env's ``history_ticks``).
    """

    def __init__(self, env: gym.Env, channels: Sequence[int] | None = None, history: int | None = None):
        super().__init__(env)
        pong = _decoder_pong(env, "ChannelCountsObservation")
        if not isinstance(pong.connection.link, TapLink):
            raise ValueError("ChannelCountsObservation needs the env to run on a clgym.agents.links.TapLink "
                             "(make_env(..., obs='channels') builds one)")
        self.link: TapLink = pong.connection.link
        self.channels = np.asarray(pong.layout.sensory if channels is None else channels, dtype=np.int64)
        if self.channels.ndim != 1 or self.channels.size == 0 or self.channels.min() < 0 or self.channels.max() > 63:
            raise ValueError(f"channels={channels!r} is not allowed; allowed: a non-empty list of channels 0..63")
        self.history = int(pong.history_ticks if history is None else history)
        if self.history < 1:
            raise ValueError(f"history={history!r} is not allowed; allowed: an integer >= 1")
        self._counts = np.zeros((self.history, self.channels.size), dtype=np.float32)
        base = env.observation_space
        cap = np.full(self._counts.size, SPIKE_COUNT_CAP_PER_CHANNEL, dtype=np.float32)
        self.observation_space = spaces.Box(np.concatenate([base.low, np.zeros_like(cap)]),
                                            np.concatenate([base.high, cap]), dtype=np.float32)

    def _observation(self, observation: np.ndarray) -> np.ndarray:
        return np.concatenate([observation, self._counts.ravel()]).astype(np.float32, copy=False)

    def reset(self, **kwargs):
        observation, info = self.env.reset(**kwargs)
        self._counts[:] = 0.0  # as the env's own history: a new episode starts blind
        return self._observation(observation), info

    def step(self, action):
        observation, reward, terminated, truncated, info = self.env.step(action)
        self._counts[:-1] = self._counts[1:]
        np.minimum(self.link.last_channel_counts[self.channels], SPIKE_COUNT_CAP_PER_CHANNEL, out=self._counts[-1],
                   casting="unsafe")
        return self._observation(observation), reward, terminated, truncated, info


class SingleChannelStimActions(gym.ActionWrapper):
    """``control="encoder"`` (``agent_stim="rate"``) with a ``Discrete(1 + channels x levels)`` action.

    Action 0 stimulates nothing; action ``1 + c * L + (k - 1)`` drives sensory channel ``c`` at rate level
    ``k`` (1..L) and leaves the others off.
    """

    def __init__(self, env: gym.Env):
        super().__init__(env)
        space = env.action_space
        if _pong(env).control != "encoder" or not isinstance(space, spaces.MultiDiscrete):
            raise ValueError("SingleChannelStimActions needs control='encoder' with agent_stim='rate' "
                             f"(a MultiDiscrete action space; got {space})")
        self.n_channels = int(space.nvec.size)
        self.n_levels = int(space.nvec[0]) - 1
        self.action_space = spaces.Discrete(1 + self.n_channels * self.n_levels)

    def action(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action {action!r} is not in the action space {self.action_space}")
        rates = np.zeros(self.n_channels, dtype=np.int64)
        a = int(action)
        if a > 0:
            channel, level = divmod(a - 1, self.n_levels)
            rates[channel] = level + 1
        return rates


class TrackingShaping(gym.Wrapper):
    """Potential-based shaping (Ng, Harada & Russell 1999): ``r + coef * (gamma * phi(s') - phi(s))``.

    ``phi = -|ball_y - paddle_y| / height``: the reward rises as the paddle closes on the ball's height. Shaping
    of this form leaves the optimal policies unchanged; it only gives the agent a signal on every step instead
    of one per rally (the game gives +-1 several hundred steps after the actions that mattered). The policy
    still sees only its observation (spikes in decoder mode), so no game information reaches it at test time;
    the random-source baseline, trained with the same shaping, checks exactly that. ``phi`` of a terminal
    state is 0. The game's reward is passed on as ``info["game_reward"]``.

    Args:
        coef: shaping weight (the game's rewards are +-1).
        gamma: the agent's discount (the invariance holds for this gamma).
    """

    def __init__(self, env: gym.Env, coef: float = 1.0, gamma: float = 0.995):
        super().__init__(env)
        if not (math.isfinite(coef) and coef >= 0) or not 0 < gamma <= 1:
            raise ValueError(f"coef={coef!r}, gamma={gamma!r}; allowed: coef >= 0, 0 < gamma <= 1")
        _pong(env)
        self.coef, self.gamma = float(coef), float(gamma)
        self._phi = 0.0

    def _potential(self) -> float:
        pong = self.env.unwrapped
        return -abs(pong.game.ball_y - pong.game.paddle_y) / pong.game_params.height

    def reset(self, **kwargs):
        observation, info = self.env.reset(**kwargs)
        self._phi = self._potential()
        return observation, info

    def step(self, action):
        observation, reward, terminated, truncated, info = self.env.step(action)
        phi = 0.0 if terminated else self._potential()
        info["game_reward"] = reward
        shaped = reward + self.coef * (self.gamma * phi - self._phi)
        self._phi = phi
        return observation, shaped, terminated, truncated, info
