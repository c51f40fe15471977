"""SB3 agents on CLPong-v0: env factories, baselines, ablations, evaluation, learning curves.

One job per module:

- :mod:`clgym.agents.links`: the links agent envs run on (culture tapped per channel, the SDK's random source,
  silenced spikes);
- :mod:`clgym.agents.wrappers`: link ownership, the zero-spike ablation, the per-channel observation, a
  ``Discrete`` encoder action, potential-based reward shaping;
- :mod:`clgym.agents.algos`: PPO / A2C / DQN with this game's defaults, timed training;
- :mod:`clgym.agents.envs`: :class:`EnvSpec`, :func:`make_env`, :func:`make_vec_env`, :func:`baseline_spec`;
- :mod:`clgym.agents.policies`: :class:`RandomPolicy`, :class:`ConstantPolicy`;
- :mod:`clgym.agents.evaluation`: :func:`evaluate` and :func:`summarize` (rally length, hit rate, return,
  with SEM);
- :mod:`clgym.agents.curves`: :class:`EpisodeRecorder` (SB3 callback), :func:`bin_curve`, :func:`plot_curves`;
- :mod:`clgym.agents.probe`: :func:`ball_information`, how much ball information an observation carries.

Training itself is ``scripts/train_sb3.py`` (``clgym train``). Requires the ``rl`` extra (stable-baselines3).
"""

from clgym.agents.envs import BASELINES, EnvSpec, baseline_spec, env_factory, make_env, make_vec_env
from clgym.agents.evaluation import Episode, evaluate, summarize, table
from clgym.agents.links import TapLink, make_link
from clgym.agents.policies import ConstantPolicy, RandomPolicy
from clgym.agents.wrappers import (
    ChannelCountsObservation,
    LogCountObservation,
    OwnedLink,
    SingleChannelStimActions,
    TrackingShaping,
    ZeroSpikeObservation,
)

__all__ = [
    "BASELINES",
    "ChannelCountsObservation",
    "LogCountObservation",
    "ConstantPolicy",
    "EnvSpec",
    "Episode",
    "OwnedLink",
    "RandomPolicy",
    "SingleChannelStimActions",
    "TapLink",
    "TrackingShaping",
    "ZeroSpikeObservation",
    "baseline_spec",
    "env_factory",
    "evaluate",
    "make_env",
    "make_link",
    "make_vec_env",
    "summarize",
    "table",
]
