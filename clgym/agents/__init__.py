"""SB3 agents on any clgym env id: env factories, baselines, ablations, evaluation, learning curves, training.

One job per module:

- :mod:`clgym.agents.agent_links`: the links agent envs run on (the culture, the SDK's random source,
  silenced spikes);
- :mod:`clgym.agents.wrappers`: link ownership, the game's return, the zero-spike ablation, a ``Discrete``
  encoder action, potential-based reward shaping (Pong);
- :mod:`clgym.agents.algos`: PPO / A2C / DQN with these games' defaults, timed training;
- :mod:`clgym.agents.env_factories`: :class:`AgentEnvConfig`, :func:`make_env`, :func:`make_agent_vec_env`,
  :func:`baseline_config`;
- :mod:`clgym.agents.policies`: :class:`RandomPolicy`, :class:`ConstantPolicy`;
- :mod:`clgym.agents.evaluation`: :func:`evaluate` (SB3's ``evaluate_policy``) and each game's
  :class:`GameScore` (Pong: rally length, hit rate; Doom: return, kill rate; with SEM);
- :mod:`clgym.agents.curves`: :class:`EpisodeRecorder` (SB3 callback), :func:`bin_curve`, :func:`plot_curves`;
- :mod:`clgym.agents.ball_information`: how much ball information a Pong observation carries;
- :mod:`clgym.agents.train`: the ``clgym train`` command.

Requires the ``rl`` extra (stable-baselines3).
"""

# The room's vocabulary, here so that ``clgym train --help`` needs none of the modules (SB3, the culture, scipy)
ALGOS = ("ppo", "a2c", "dqn")
MODES = ("decoder", "encoder")
BASELINES = ("random_policy", "random_source", "zero_spikes")
VEC_KINDS = ("dummy", "subproc")

_HOMES = {
    "SilenceableLink": "agent_links", "make_link": "agent_links",
    "AgentEnvConfig": "env_factories", "baseline_config": "env_factories", "env_factory": "env_factories",
    "make_env": "env_factories", "make_vec_env": "env_factories",
    "make_agent_vec_env": "env_factories",
    "DOOM": "evaluation", "PONG": "evaluation", "Episode": "evaluation", "GameScore": "evaluation",
    "evaluate": "evaluation", "score_for": "evaluation",
    "ConstantPolicy": "policies", "RandomPolicy": "policies",
    "GameReturn": "wrappers", "LogCountObservation": "wrappers", "OwnedLink": "wrappers",
    "SingleChannelStimActions": "wrappers", "TrackingShaping": "wrappers", "ZeroSpikeObservation": "wrappers",
}


def __getattr__(name: str):
    """Import the module that defines ``name`` on first use (``from clgym.agents import make_env`` works)."""
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f"clgym.agents.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALGOS",
    "BASELINES",
    "MODES",
    "VEC_KINDS",
    "DOOM",
    "PONG",
    "AgentEnvConfig",
    "ConstantPolicy",
    "Episode",
    "GameReturn",
    "GameScore",
    "LogCountObservation",
    "OwnedLink",
    "RandomPolicy",
    "SingleChannelStimActions",
    "SilenceableLink",
    "TrackingShaping",
    "ZeroSpikeObservation",
    "baseline_config",
    "env_factory",
    "evaluate",
    "make_env",
    "make_link",
    "make_agent_vec_env",
    "score_for",
]
