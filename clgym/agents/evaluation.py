"""Evaluation on the game's axes: mean rally length (hits per miss), hit rate and episode return, with SEM.

In the RL modes a ``CLPong-v0`` episode ends at the first miss (or is truncated after 60 s), so one episode
is one rally and its hits are the rally's length. :func:`summarize` turns episode records into:

- ``rally_mean`` +- ``rally_sem``: mean hits per episode (SEM over episodes). Truncated episodes count with
  the hits they reached (a censored rally: a lower bound); ``truncated`` says how many there were;
- ``hits_per_miss``: total hits / total misses (DishBrain's "average rally length"); ``None`` without misses;
- ``hit_rate`` +- ``hit_rate_sem``: hits / (hits + misses), binomial SEM over the paddle crossings;
- ``return_mean`` +- ``return_sem``: the env's reward summed per episode (+1 hit, -1 miss).

:func:`evaluate` runs any policy with SB3's ``predict`` (an SB3 model, :class:`~clgym.agents.RandomPolicy`,
...) on a ``VecEnv`` for a number of episodes, spreading them evenly over the envs as SB3's
``evaluate_policy`` does (so short episodes of a fast env do not crowd out long ones).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from clgym.envs.base import require_positive_int


@dataclass(frozen=True)
class Episode:
    """One finished episode: where it ended (env steps so far), its score and its length."""

    end_step: int
    hits: int
    misses: int
    ret: float
    length: int
    truncated: bool

    @classmethod
    def from_info(cls, info: dict[str, Any], end_step: int, ret: float, length: int) -> Episode:
        """From the info of an episode's last step (``hits``/``misses`` are per episode in ``CLPong-v0``)."""
        truncated = bool(info.get("TimeLimit.truncated", info.get("event") != "miss"))
        return cls(int(end_step), int(info["hits"]), int(info["misses"]), float(ret), int(length), truncated)


def game_rewards(rewards: np.ndarray, infos: Sequence[dict[str, Any]]) -> np.ndarray:
    """The game's rewards of a vector step: ``info["game_reward"]`` where a training wrapper (shaping) changed
    the reward, else the reward itself."""
    return np.array([info.get("game_reward", r) for r, info in zip(np.asarray(rewards).reshape(-1), infos,
                                                                    strict=True)], dtype=float)


def _sem(values: np.ndarray) -> float:
    return float(values.std(ddof=1) / math.sqrt(values.size)) if values.size > 1 else float("nan")


def summarize(episodes: Sequence[Episode]) -> dict[str, Any]:
    """The game's statistics over ``episodes`` (see the module docstring); ``episodes`` may be empty."""
    n = len(episodes)
    out: dict[str, Any] = {"episodes": n}
    if n == 0:
        return {**out, "rally_mean": float("nan"), "rally_sem": float("nan"), "hits_per_miss": None,
                "hit_rate": float("nan"), "hit_rate_sem": float("nan"), "return_mean": float("nan"),
                "return_sem": float("nan"), "hits": 0, "misses": 0, "truncated": 0, "steps": 0}
    hits = np.array([e.hits for e in episodes], dtype=float)
    misses = np.array([e.misses for e in episodes], dtype=float)
    returns = np.array([e.ret for e in episodes], dtype=float)
    total_hits, total_misses = int(hits.sum()), int(misses.sum())
    crossings = total_hits + total_misses
    p = total_hits / crossings if crossings else float("nan")
    return {
        **out,
        "rally_mean": float(hits.mean()),
        "rally_sem": _sem(hits),
        "hits_per_miss": (total_hits / total_misses) if total_misses else None,
        "hit_rate": p,
        "hit_rate_sem": math.sqrt(p * (1 - p) / crossings) if crossings else float("nan"),
        "return_mean": float(returns.mean()),
        "return_sem": _sem(returns),
        "hits": total_hits,
        "misses": total_misses,
        "truncated": int(sum(e.truncated for e in episodes)),
        "steps": int(sum(e.length for e in episodes)),
    }


def evaluate(policy, venv, n_episodes: int = 20, deterministic: bool = True,
             max_steps: int | None = None) -> dict[str, Any]:
    """Run ``policy`` on ``venv`` until ``n_episodes`` episodes have finished; return :func:`summarize` + timing.

    Args:
        policy: anything with SB3's ``predict(obs, state, episode_start, deterministic)``.
        venv: an SB3 ``VecEnv`` of ``CLPong-v0`` envs (e.g. :func:`~clgym.agents.make_vec_env`).
        n_episodes: episodes to collect, spread evenly over the envs.
        deterministic: passed to ``predict`` (SB3 models: greedy actions).
        max_steps: stop after this many vector steps even if fewer episodes finished (``None``: no limit).

    The envs are reset first (an episode in progress would otherwise be counted from its middle); cultures
    persist across resets, so evaluating the training envs keeps the cultures the agent learned on.

    Returns:
        The summary dict plus ``wall_s``, ``env_steps`` (steps taken, over all envs) and ``episode_list``
        (the :class:`Episode` records as dicts).
    """
    n_episodes = require_positive_int("n_episodes", n_episodes)
    n_envs = venv.num_envs
    targets = np.array([(n_episodes + i) // n_envs for i in range(n_envs)], dtype=int)
    counts = np.zeros(n_envs, dtype=int)
    returns = np.zeros(n_envs)
    lengths = np.zeros(n_envs, dtype=int)
    episodes: list[Episode] = []
    obs = venv.reset()
    state, starts = None, np.ones(n_envs, dtype=bool)
    steps, start = 0, time.perf_counter()
    while (counts < targets).any():
        if max_steps is not None and steps >= max_steps:
            break
        actions, state = policy.predict(obs, state=state, episode_start=starts, deterministic=deterministic)
        obs, rewards, dones, infos = venv.step(actions)
        steps += 1
        returns += game_rewards(rewards, infos)
        lengths += 1
        starts = dones
        for i in np.flatnonzero(dones):
            if counts[i] < targets[i]:
                episodes.append(Episode.from_info(infos[i], steps * n_envs, returns[i], lengths[i]))
                counts[i] += 1
            returns[i], lengths[i] = 0.0, 0
    result = summarize(episodes)
    result.update(wall_s=time.perf_counter() - start, env_steps=steps * n_envs,
                  episode_list=[asdict(e) for e in episodes])
    return result


def format_row(name: str, stats: dict[str, Any]) -> str:
    """A markdown table row: name, rally mean +- SEM, hits/miss, hit rate +- SEM, return +- SEM, episodes."""
    hpm = stats.get("hits_per_miss")
    return (f"| {name} | {stats['rally_mean']:.2f} +- {stats['rally_sem']:.2f} | "
            f"{'-' if hpm is None else f'{hpm:.2f}'} | {stats['hit_rate']:.3f} +- {stats['hit_rate_sem']:.3f} | "
            f"{stats['return_mean']:.2f} +- {stats['return_sem']:.2f} | {stats['episodes']} |")


TABLE_HEADER = ("| policy / env | mean rally length (hits per episode) | hits per miss | hit rate | episode return "
                "| episodes |\n|---|---|---|---|---|---|")


def table(rows: Iterable[tuple[str, dict[str, Any]]]) -> str:
    """A markdown table of :func:`format_row` rows under :data:`TABLE_HEADER`."""
    return "\n".join([TABLE_HEADER, *(format_row(name, stats) for name, stats in rows)])
