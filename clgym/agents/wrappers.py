"""Gymnasium wrappers for the SB3 agents on clgym envs: link ownership, the game's return, ablations, views.

- :class:`OwnedLink`: the env was given a :class:`~clgym.agents.agent_links.SilenceableLink`; closing the
  env closes it.
- :class:`GameReturn`: the env's own reward summed over the episode, in the last step's ``info["game_return"]``
  (what evaluation scores, whatever later wrappers do to the reward).
- :class:`ZeroSpikeObservation`: the zero-spike ablation of ``control="decoder"``: every spike count the agent
  would see is replaced by 0 (the culture, the game and the feedback run unchanged).
- :class:`LogCountObservation`: ``log(1 + count)`` of every spike count: a network burst sends a tick's counts
  from ~1 to hundreds, and on that raw scale the burst, not the stimulus-evoked spikes, dominates an MLP's input.
- :class:`SingleChannelStimActions`: ``control="encoder"`` as a ``Discrete`` action (for DQN): nothing, or one
  sensory channel at one of the rate levels, the only stimulation DishBrain's own encoder ever produces.
- :class:`TrackingShaping`: potential-based reward shaping of CLPong-v0 for training (the paddle following the
  ball); the game's own reward stays in ``info["game_reward"]``.
"""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from clgym.agents.agent_links import SilenceableLink


def _culture_env(env: gym.Env):
    culture_env = env.unwrapped
    if not hasattr(culture_env, "control") or not hasattr(culture_env, "connection"):
        raise ValueError(f"{type(culture_env).__name__} is not a clgym env; allowed: gym.make('CLPong-v0', ...) "
                         "or a Doom-lite id")
    return culture_env


def _pong(env: gym.Env):
    pong = _culture_env(env)
    if not hasattr(pong, "game_params"):
        raise ValueError(f"{type(pong).__name__} is not a CLPong-v0 env; allowed: gym.make('CLPong-v0', ...)")
    return pong


def _decoder_env(env: gym.Env, wrapper: str, hint: str = ""):
    """The clgym env under ``env``, which must be ``control="decoder"`` (the only mode whose observation is spikes)."""
    culture_env = _culture_env(env)
    if culture_env.control != "decoder":
        raise ValueError(f"{wrapper} needs control='decoder' (got {culture_env.control!r}){hint}")
    return culture_env


class OwnedLink(gym.Wrapper):
    """Close ``link`` (which the env was given and so never closes) when the env is closed."""

    def __init__(self, env: gym.Env, link: SilenceableLink):
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


class GameReturn(gym.Wrapper):
    """Sum the env's own reward over each episode; the last step's info carries it as ``"game_return"``."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self._sum = 0.0

    def reset(self, **kwargs):
        self._sum = 0.0
        return self.env.reset(**kwargs)

    def step(self, action):
        observation, reward, terminated, truncated, info = self.env.step(action)
        self._sum += float(reward)
        if terminated or truncated:
            info["game_return"] = self._sum
        return observation, reward, terminated, truncated, info


class ZeroSpikeObservation(gym.ObservationWrapper):
    """Zero-spike ablation: the decoder-mode observation with every count set to 0.

    Raises:
        ValueError: if the env is not ``control="decoder"`` (elsewhere the observation is the game, not spikes).
    """

    def __init__(self, env: gym.Env):
        super().__init__(env)
        _decoder_env(env, "ZeroSpikeObservation",
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
        _decoder_env(env, "LogCountObservation")
        base = env.observation_space
        self.observation_space = spaces.Box(np.log1p(base.low), np.log1p(base.high), dtype=np.float32)

    def observation(self, observation):
        return np.log1p(observation).astype(np.float32, copy=False)


class SingleChannelStimActions(gym.ActionWrapper):
    """``control="encoder"`` (``agent_stim="rate"``) with a ``Discrete(1 + channels x levels)`` action.

    Action 0 stimulates nothing; action ``1 + c * L + (k - 1)`` drives sensory channel ``c`` at rate level
    ``k`` (1..L) and leaves the others off.
    """

    def __init__(self, env: gym.Env):
        super().__init__(env)
        space = env.action_space
        if _culture_env(env).control != "encoder" or not isinstance(space, spaces.MultiDiscrete):
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
