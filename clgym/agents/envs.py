"""Env factories for SB3: one :class:`EnvSpec` describes an agent's env; its baselines are variations of it.

An :class:`EnvSpec` fixes everything but the seed: the control mode, the culture, what plays the culture's
part (``source``), the ablation, the observation view and the feedback condition. :func:`make_env` builds one
``CLPong-v0`` from it on a link of :mod:`clgym.agents.links`; :func:`make_vec_env` builds ``n_envs`` of them,
each with its own culture (culture seed ``seed + i``), either all in this process (``DummyVecEnv``: the
in-process link needs no subprocess, so one process holds many cultures) or one per worker process
(``SubprocVecEnv``; each worker builds its own link, nothing unpicklable crosses).

The baselines of the SB3 room are the agent's spec with one field changed (:func:`baseline_spec`):

- ``random_source``: the SDK's random source in place of the culture (no game information reaches the agent);
- ``zero_spikes``: the spikes the agent sees are all zero (decoder: :class:`ZeroSpikeObservation`; encoder:
  spikes dropped at the link, so the DishBrain decoder never moves the paddle);
- ``random_policy`` needs no spec change: :class:`~clgym.agents.policies.RandomPolicy` on the agent's env.

>>> spec = EnvSpec(mode="decoder", culture="tiny")
>>> env = make_env(spec, seed=3)
>>> env.observation_space.shape
(30,)
>>> env.close()
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

import clgym  # noqa: F401  (registers CLPong-v0)
from clgym.agents.links import SOURCES, make_link
from clgym.agents.wrappers import (
    ChannelCountsObservation,
    LogCountObservation,
    OwnedLink,
    SingleChannelStimActions,
    TrackingShaping,
    ZeroSpikeObservation,
)
from clgym.envs.base import require_choice, require_positive_int, require_seed
from clgym.envs.pong import FEEDBACKS

MODES = ("decoder", "encoder")
ABLATIONS = ("none", "zero_spikes")
OBSERVATIONS = ("groups", "channels")
ENCODER_ACTIONS = ("rate", "single")
VEC_KINDS = ("dummy", "subproc")
BASELINES = ("random_policy", "random_source", "zero_spikes")


@dataclass(frozen=True)
class EnvSpec:
    """What an agent's env is, apart from its seed.

    Args:
        mode: ``"decoder"`` (the agent reads spike counts and moves the paddle) or ``"encoder"`` (the agent
            chooses the sensory stimulation; the DishBrain decoder moves the paddle).
        culture: culture preset (or dict / config) for ``source="culture"``.
        source: ``"culture"`` or ``"random"`` (the SDK's random source in place of the culture).
        ablation: ``"none"`` or ``"zero_spikes"``.
        obs: decoder mode only: ``"groups"`` (the env's observation: spikes per channel group) or
            ``"channels"`` (that, plus per-channel counts of the 8 sensory channels; the proposed env view).
        log_counts: decoder mode only: the agent sees ``log(1 + count)`` of every spike count
            (:class:`~clgym.agents.wrappers.LogCountObservation`).
        feedback: the env's feedback condition (``"stimulus"``, ``"silent"``, ``"no_feedback"``, ``"rest"``).
        encoder_actions: encoder mode only: ``"rate"`` (the env's ``MultiDiscrete`` rate levels) or
            ``"single"`` (one channel at one rate, ``Discrete``; needed by DQN).
        random_spike_percentile: ``source="random"``: the SDK source's detection percentile (``None``: its
            default, 99.995, about 1.3 spikes/s per channel; lower it to match a culture's firing rate).
        shaping: weight of :class:`~clgym.agents.wrappers.TrackingShaping` (0: the game's reward only).
        shaping_gamma: the discount the shaping is computed for (the agent's ``gamma``).
        env_kwargs: further ``CLPong-v0`` arguments (``history_ticks``, ``paddle_speed``, ``episode_ticks``...).
    """

    mode: str = "decoder"
    culture: Any = "small"
    source: str = "culture"
    ablation: str = "none"
    obs: str = "groups"
    log_counts: bool = False
    feedback: str = "stimulus"
    encoder_actions: str = "rate"
    random_spike_percentile: float | None = None
    shaping: float = 0.0
    shaping_gamma: float = 0.995
    env_kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_choice("mode", self.mode, MODES)
        require_choice("source", self.source, SOURCES)
        require_choice("ablation", self.ablation, ABLATIONS)
        require_choice("obs", self.obs, OBSERVATIONS)
        require_choice("feedback", self.feedback, FEEDBACKS)
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
        if self.obs == "channels" and self.mode != "decoder":
            raise ValueError("obs='channels' is not allowed with mode='encoder'; allowed: obs='groups'")
        reserved = {"control", "link", "culture", "feedback", "seed", "agent_stim"} & set(self.env_kwargs)
        if reserved:
            raise ValueError(f"env_kwargs may not set {sorted(reserved)}; allowed: the other CLPong-v0 arguments "
                             "(these are EnvSpec fields or set by make_env)")

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["env_kwargs"] = dict(self.env_kwargs)
        return out


def baseline_spec(spec: EnvSpec, baseline: str) -> EnvSpec:
    """The env of a baseline: the agent's spec with the culture replaced or its spikes silenced."""
    require_choice("baseline", baseline, BASELINES)
    if baseline == "random_source":
        return dataclasses.replace(spec, source="random")
    if baseline == "zero_spikes":
        return dataclasses.replace(spec, ablation="zero_spikes")
    return spec


def make_env(spec: EnvSpec, seed: int = 0) -> gym.Env:
    """One ``CLPong-v0`` for ``spec``; its culture (or random source) is seeded with ``seed``.

    The env owns its link (closing the env closes it) and, on ``reset(seed=s)``, reseeds the game only: the
    culture persists across episodes, as in a dish.
    """
    seed = require_seed("seed", seed)
    if seed is None:
        raise ValueError("seed=None is not allowed; allowed: an integer >= 0")
    silence_link = spec.ablation == "zero_spikes" and spec.mode == "encoder"
    link = make_link(spec.source, spec.culture, seed, drop_spikes=silence_link,
                     random_spike_percentile=spec.random_spike_percentile)
    try:
        kwargs: dict[str, Any] = dict(spec.env_kwargs)
        if spec.mode == "encoder":
            kwargs["agent_stim"] = "rate"
        env: gym.Env = gym.make("CLPong-v0", control=spec.mode, feedback=spec.feedback, link=link, seed=seed,
                                **kwargs)
        env = OwnedLink(env, link)
        if spec.obs == "channels":
            env = ChannelCountsObservation(env)
        if spec.ablation == "zero_spikes" and spec.mode == "decoder":
            env = ZeroSpikeObservation(env)
        if spec.log_counts:
            env = LogCountObservation(env)
        if spec.mode == "encoder" and spec.encoder_actions == "single":
            env = SingleChannelStimActions(env)
        if spec.shaping > 0:
            env = TrackingShaping(env, spec.shaping, spec.shaping_gamma)
    except BaseException:
        link.close()
        raise
    return env


def env_factory(spec: EnvSpec, seed: int) -> Callable[[], gym.Env]:
    """A picklable no-argument constructor (what SB3's vectorised envs take)."""
    return _EnvFactory(spec, seed)


@dataclass(frozen=True)
class _EnvFactory:
    spec: EnvSpec
    seed: int

    def __call__(self) -> gym.Env:
        return make_env(self.spec, self.seed)


def make_vec_env(spec: EnvSpec, n_envs: int = 1, seed: int = 0, vec: str = "dummy", monitor: bool = True):
    """``n_envs`` envs of ``spec`` as an SB3 ``VecEnv``; env ``i`` has culture seed ``seed + i``.

    Args:
        vec: ``"dummy"`` (all cultures in this process, stepped one after another) or ``"subproc"`` (one
            process per env).
        monitor: wrap in ``VecMonitor`` (SB3's episode return/length logging).

    The game of env ``i`` is seeded with ``seed + i`` at the first reset.
    """
    from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecMonitor

    n_envs = require_positive_int("n_envs", n_envs)
    require_choice("vec", vec, VEC_KINDS)
    factories = [env_factory(spec, seed + i) for i in range(n_envs)]
    venv = DummyVecEnv(factories) if vec == "dummy" else SubprocVecEnv(factories, start_method="forkserver")
    venv.seed(seed)
    return VecMonitor(venv) if monitor else venv
