"""Env factories for SB3: one :class:`AgentEnvConfig` describes an agent's env; its baselines are variations of it.

An :class:`AgentEnvConfig` fixes everything but the seed: the env id (``CLPong-v0``, ``CLDoomLite-v0`` or a
Doom-lite scenario id), the control mode, the culture, what plays the culture's part (``source``), the ablation
and the feedback condition; the observation is the env's own. :func:`make_env` builds one env from it on a
link of :mod:`clgym.agents.agent_links`; :func:`make_agent_vec_env` builds ``n_envs`` of them, each with its
own culture (culture seed ``seed + i``), either all in this process (``DummyVecEnv``: the
in-process link needs no subprocess, so one process holds many cultures) or one per worker process
(``SubprocVecEnv``; each worker builds its own link, nothing unpicklable crosses).

The baselines of the SB3 room are the agent's config with one field changed (:func:`baseline_config`):

- ``random_source``: the SDK's random source in place of the culture (no game information reaches the agent);
- ``zero_spikes``: the spikes the agent sees are all zero (decoder: :class:`ZeroSpikeObservation`; encoder:
  spikes dropped at the link, so the DishBrain decoder never moves the paddle);
- ``random_policy`` needs no config change: :class:`~clgym.agents.policies.RandomPolicy` on the agent's env.

>>> config = AgentEnvConfig(mode="decoder", culture="tiny")
>>> env = make_env(config, seed=3)
>>> env.observation_space.shape
(590,)
>>> env.close()
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

import clgym  # noqa: F401  (registers CLPong-v0)
from clgym.agents import BASELINES, MODES, VEC_KINDS
from clgym.agents.agent_links import SOURCES, make_link
from clgym.agents.evaluation import score_for
from clgym.agents.wrappers import (
    GameReturn,
    LogCountObservation,
    OwnedLink,
    SingleChannelStimActions,
    TrackingShaping,
    ZeroSpikeObservation,
)
from clgym.envs import ENV_IDS
from clgym.envs.base import require_choice, require_positive_int, require_seed

ABLATIONS = ("none", "zero_spikes")
ENCODER_ACTIONS = ("rate", "single")


@dataclass(frozen=True)
class AgentEnvConfig:
    """What an agent's env is, apart from its seed.

    Args:
        env_id: a clgym id: ``"CLPong-v0"``, ``"CLDoomLite-v0"`` or a Doom-lite scenario id.
        mode: ``"decoder"`` (the agent reads spike counts and moves the paddle) or ``"encoder"`` (the agent
            chooses the sensory stimulation; the DishBrain decoder moves the paddle).
        culture: culture preset (or dict / config) for ``source="culture"``.
        source: ``"culture"`` or ``"random"`` (the SDK's random source in place of the culture).
        ablation: ``"none"`` or ``"zero_spikes"``.
        log_counts: decoder mode only: the agent sees ``log(1 + count)`` of every spike count
            (:class:`~clgym.agents.wrappers.LogCountObservation`).
        feedback: the env's feedback condition (``"stimulus"``, ``"silent"``, ``"rest"``, and for Pong
            ``"no_feedback"``; the env checks it).
        encoder_actions: encoder mode only: ``"rate"`` (the env's ``MultiDiscrete`` rate levels) or
            ``"single"`` (one channel at one rate, ``Discrete``; needed by DQN).
        random_spike_percentile: ``source="random"``: the SDK source's detection percentile (``None``: its
            default, 99.995, about 1.3 spikes/s per channel; lower it to match a culture's firing rate).
        shaping: CLPong-v0 only: weight of :class:`~clgym.agents.wrappers.TrackingShaping` (0: the game's
            reward only).
        shaping_gamma: the discount the shaping is computed for (the agent's ``gamma``).
        env_kwargs: further env arguments (``observation``, ``history_ticks``, ``episode_ticks``, ``scenario``...).
    """

    env_id: str = "CLPong-v0"
    mode: str = "decoder"
    culture: Any = "dishbrain"  # the env's default culture
    source: str = "culture"
    ablation: str = "none"
    log_counts: bool = False
    feedback: str = "stimulus"
    encoder_actions: str = "rate"
    random_spike_percentile: float | None = None
    shaping: float = 0.0
    shaping_gamma: float = 0.995
    env_kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_choice("env_id", self.env_id, tuple(ENV_IDS))
        require_choice("mode", self.mode, MODES)
        require_choice("source", self.source, SOURCES)
        require_choice("ablation", self.ablation, ABLATIONS)
        require_choice("encoder_actions", self.encoder_actions, ENCODER_ACTIONS)
        percentile = self.random_spike_percentile
        if percentile is not None and not (isinstance(percentile, int | float) and 50 <= percentile < 100):
            raise ValueError(f"random_spike_percentile={percentile!r} is not allowed; allowed: None or 50 <= p < 100")
        if not (isinstance(self.shaping, int | float) and 0 <= self.shaping < float("inf")):
            raise ValueError(f"shaping={self.shaping!r} is not allowed; allowed: a finite number >= 0")
        if not (isinstance(self.shaping_gamma, int | float) and 0 < self.shaping_gamma <= 1):
            raise ValueError(f"shaping_gamma={self.shaping_gamma!r} is not allowed; allowed: 0 < gamma <= 1")
        if not isinstance(self.log_counts, bool):
            raise ValueError(f"log_counts={self.log_counts!r} is not allowed; allowed: True or False")
        if self.log_counts and self.mode != "decoder":
            raise ValueError("log_counts=True is not allowed with mode='encoder'; allowed: log_counts=False")
        if self.shaping > 0 and self.env_id != "CLPong-v0":
            raise ValueError(f"shaping={self.shaping!r} is not allowed with {self.env_id}; allowed: 0 (the tracking "
                             "shaping is Pong's)")
        reserved = {"control", "link", "culture", "feedback", "seed", "agent_stim"} & set(self.env_kwargs)
        if reserved:
            raise ValueError(f"env_kwargs may not set {sorted(reserved)}; allowed: the env's other arguments "
                             "(these are AgentEnvConfig fields or set by make_env)")

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["env_kwargs"] = dict(self.env_kwargs)
        return out


def baseline_config(config: AgentEnvConfig, baseline: str) -> AgentEnvConfig:
    """The env of a baseline: the agent's config with the culture replaced or its spikes silenced."""
    require_choice("baseline", baseline, BASELINES)
    if baseline == "random_source":
        return dataclasses.replace(config, source="random")
    if baseline == "zero_spikes":
        return dataclasses.replace(config, ablation="zero_spikes")
    return config


def make_env(config: AgentEnvConfig, seed: int = 0) -> gym.Env:
    """One env of ``config``; its culture (or random source) is seeded with ``seed``.

    The env owns its link (closing the env closes it) and, on ``reset(seed=s)``, reseeds the game only: the
    culture persists across episodes, as in a dish.
    """
    seed = require_seed("seed", seed)
    if seed is None:
        raise ValueError("seed=None is not allowed; allowed: an integer >= 0")
    silence_link = config.ablation == "zero_spikes" and config.mode == "encoder"
    link = make_link(config.source, config.culture, seed, drop_spikes=silence_link,
                     random_spike_percentile=config.random_spike_percentile)
    try:
        kwargs: dict[str, Any] = dict(config.env_kwargs)
        if config.mode == "encoder":
            kwargs["agent_stim"] = "rate"
        if "episode_ticks" in kwargs:  # Gymnasium's TimeLimit must not end an episode before the env does
            kwargs["max_episode_steps"] = kwargs["episode_ticks"]
        env: gym.Env = gym.make(config.env_id, control=config.mode, feedback=config.feedback, link=link, seed=seed,
                                **kwargs)
        env = GameReturn(OwnedLink(env, link))
        if config.ablation == "zero_spikes" and config.mode == "decoder":
            env = ZeroSpikeObservation(env)
        if config.log_counts:
            env = LogCountObservation(env)
        if config.mode == "encoder" and config.encoder_actions == "single":
            env = SingleChannelStimActions(env)
        if config.shaping > 0:
            env = TrackingShaping(env, config.shaping, config.shaping_gamma)
    except BaseException:
        link.close()
        raise
    return env


def env_factory(config: AgentEnvConfig, seed: int) -> Callable[[], gym.Env]:
    """A picklable no-argument constructor (what SB3's vectorised envs take)."""
    return _EnvFactory(config, seed)


@dataclass(frozen=True)
class _EnvFactory:
    config: AgentEnvConfig
    seed: int

    def __call__(self) -> gym.Env:
        return make_env(self.config, self.seed)


def make_agent_vec_env(config: AgentEnvConfig, n_envs: int = 1, seed: int = 0, vec: str = "dummy",
                       monitor_file: str | None = None):
    """``n_envs`` envs of ``config`` as a ``VecMonitor``-wrapped SB3 ``VecEnv``; env ``i``: culture seed ``seed + i``.

    Args:
        vec: ``"dummy"`` (all cultures in this process, stepped one after another) or ``"subproc"`` (one
            process per env).
        monitor_file: where SB3's ``VecMonitor`` writes one CSV row per episode (``<monitor_file>.monitor.csv``:
            return, length, time, the game's return and counts); ``None``: no file.

    The game of env ``i`` is seeded with ``seed + i`` at the first reset.
    """
    from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecMonitor

    n_envs = require_positive_int("n_envs", n_envs)
    require_choice("vec", vec, VEC_KINDS)
    factories = [env_factory(config, seed + i) for i in range(n_envs)]
    venv = DummyVecEnv(factories) if vec == "dummy" else SubprocVecEnv(factories, start_method="forkserver")
    venv.seed(seed)
    keywords = ("game_return", *score_for(config.env_id).keywords)
    return VecMonitor(venv, filename=monitor_file, info_keywords=keywords)


def make_vec_env(config: AgentEnvConfig, n_envs: int = 1, seed: int = 0, vec: str = "dummy",
                 monitor_file: str | None = None):
    """Deprecated name of :func:`make_agent_vec_env` (it shadowed SB3's ``make_vec_env(env_id, ...)``, which takes
    another signature); same arguments, same result."""
    import warnings

    warnings.warn("clgym.agents.make_vec_env is deprecated: it is not SB3's make_vec_env(env_id, ...); use "
                  "clgym.agents.make_agent_vec_env(config, ...)", DeprecationWarning, stacklevel=2)
    return make_agent_vec_env(config, n_envs, seed, vec, monitor_file)
