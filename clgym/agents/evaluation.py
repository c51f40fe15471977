"""Evaluation on each game's own axes, through SB3's ``evaluate_policy``; statistics with SEM from scipy.

An :class:`Episode` is what a finished episode leaves in the info of its last step: the game's return
(``info["game_return"]``, from :class:`~clgym.agents.wrappers.GameReturn`, so reward shaping never counts), its
length (``info["episode"]``, from SB3's ``VecMonitor``), whether it was truncated, and the game's own counts
(:attr:`GameScore.keywords`). A :class:`GameScore` summarises episodes of one game:

- :data:`PONG` (``CLPong-v0``; in the RL modes an episode ends at the first miss, so one episode is one rally):
  ``rally_mean`` +- ``rally_sem`` (hits per episode; a truncated episode counts with the hits it reached, a
  lower bound), ``hits_per_miss`` (DishBrain's "average rally length"; ``None`` without misses),
  ``hit_rate`` +- ``hit_rate_sem`` (binomial SEM over the paddle crossings), ``return_mean`` +- ``return_sem``;
- :data:`DOOM` (the Doom-lite ids): ``return_mean`` +- ``return_sem``, ``kill_rate`` +- ``kill_sem`` (share of
  episodes ending with every enemy dead: ``outcome == "cleared"``), ``length_mean``.

:func:`evaluate` runs any policy with SB3's ``predict`` (an SB3 model, :class:`~clgym.agents.RandomPolicy`...)
on a monitored ``VecEnv`` with ``evaluate_policy`` (episodes spread evenly over the envs) and summarises them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from clgym.envs.base import require_positive_int


@dataclass(frozen=True)
class Episode:
    """One finished episode: where it ended (env steps so far), the game's return, length, and the game's counts."""

    end_step: int
    ret: float
    length: int
    truncated: bool
    counts: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_info(cls, info: Mapping[str, Any], end_step: int, keywords: Sequence[str]) -> Episode:
        """From the info of an episode's last step in a monitored ``VecEnv`` (see the module docstring)."""
        return cls(int(end_step), float(info["game_return"]), int(info["episode"]["l"]),
                   bool(info.get("TimeLimit.truncated", False)), {k: info[k] for k in keywords})


def sem(values: Sequence[float] | np.ndarray) -> float:
    """Standard error of the mean (``scipy.stats.sem``, ddof=1); NaN for fewer than two values."""
    values = np.asarray(values, dtype=float)
    return float(stats.sem(values)) if values.size > 1 else math.nan


@dataclass(frozen=True)
class GameScore:
    """How a game's episodes are scored: what the env reports, how it is summarised and tabulated."""

    name: str
    keywords: tuple[str, ...]
    summarize: Callable[[Sequence[Episode]], dict[str, Any]]
    headline: tuple[str, str, str]
    """(mean key, SEM key, label) of the figure of merit: learning curves plot it, reports rank by it."""
    columns: tuple[tuple[str, str, str, int], ...]
    """The table's columns: (label, mean key, SEM key or "", digits)."""

    def row(self, name: str, summary: Mapping[str, Any]) -> str:
        cells = []
        for _, key, sem_key, digits in self.columns:
            value = summary.get(key)
            text = "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"
            if sem_key and text != "-":
                text += f" +- {summary[sem_key]:.{digits}f}"
            cells.append(text)
        return f"| {name} | " + " | ".join(cells) + f" | {summary['episodes']} |"

    def table(self, rows: Iterable[tuple[str, Mapping[str, Any]]]) -> str:
        header = "| policy / env | " + " | ".join(label for label, *_ in self.columns) + " | episodes |"
        rule = "|---|" + "---|" * (len(self.columns) + 1)
        return "\n".join([header, rule, *(self.row(name, summary) for name, summary in rows)])


def summarize_pong(episodes: Sequence[Episode]) -> dict[str, Any]:
    """CLPong-v0's statistics over ``episodes`` (see the module docstring); ``episodes`` may be empty."""
    n = len(episodes)
    hits = np.array([e.counts["hits"] for e in episodes], dtype=float)
    misses = np.array([e.counts["misses"] for e in episodes], dtype=float)
    returns = np.array([e.ret for e in episodes], dtype=float)
    total_hits, total_misses = int(hits.sum()), int(misses.sum())
    crossings = total_hits + total_misses
    p = total_hits / crossings if crossings else math.nan
    return {
        "episodes": n,
        "rally_mean": float(hits.mean()) if n else math.nan,
        "rally_sem": sem(hits),
        "hits_per_miss": (total_hits / total_misses) if total_misses else None,
        "hit_rate": p,
        "hit_rate_sem": math.sqrt(p * (1 - p) / crossings) if crossings else math.nan,
        "return_mean": float(returns.mean()) if n else math.nan,
        "return_sem": sem(returns),
        "hits": total_hits,
        "misses": total_misses,
        "truncated": int(sum(e.truncated for e in episodes)),
        "steps": int(sum(e.length for e in episodes)),
    }


def summarize_doom(episodes: Sequence[Episode]) -> dict[str, Any]:
    """Doom-lite's statistics over ``episodes`` (see the module docstring); ``episodes`` may be empty."""
    n = len(episodes)
    returns = np.array([e.ret for e in episodes], dtype=float)
    kills = np.array([e.counts["outcome"] == "cleared" for e in episodes], dtype=float)
    return {"episodes": n, "return_mean": float(returns.mean()) if n else math.nan, "return_sem": sem(returns),
            "kill_rate": float(kills.mean()) if n else math.nan, "kill_sem": sem(kills),
            "length_mean": float(np.mean([e.length for e in episodes])) if n else math.nan,
            "truncated": int(sum(e.truncated for e in episodes)), "steps": int(sum(e.length for e in episodes))}


PONG = GameScore("pong", ("hits", "misses"), summarize_pong,
                 ("rally_mean", "rally_sem", "mean rally length (hits per episode)"),
                 (("mean rally length (hits per episode)", "rally_mean", "rally_sem", 2),
                  ("hits per miss", "hits_per_miss", "", 2), ("hit rate", "hit_rate", "hit_rate_sem", 3),
                  ("episode return", "return_mean", "return_sem", 2)))
DOOM = GameScore("doom", ("outcome",), summarize_doom, ("return_mean", "return_sem", "mean episode return"),
                 (("mean episode return", "return_mean", "return_sem", 1), ("kill rate", "kill_rate", "kill_sem", 2),
                  ("mean length (ticks)", "length_mean", "", 0)))


MIN_EPISODES_FOR_RATIO = 20
"""Episodes each side needs before a report divides one mean by another: a ratio of two means of 6 episodes
(a smoke run's) swings by whole multiples from one seed to the next."""


def ratio_to_random(agent: Mapping[str, Any], random_policy: Mapping[str, Any], key: str) -> tuple[float | None, str]:
    """``(ratio, text)`` of ``agent[key] / random_policy[key]``; ``(None, "too few ...")`` when it would mislead.

    A ratio is given only with at least :data:`MIN_EPISODES_FOR_RATIO` episodes on each side and a random-policy
    mean above zero; otherwise the text says why, with the sample sizes.
    """
    n_agent, n_random = int(agent["episodes"]), int(random_policy["episodes"])
    if min(n_agent, n_random) < MIN_EPISODES_FOR_RATIO:
        return None, (f"too few episodes for a ratio (n = {n_agent} agent, {n_random} random; at least "
                      f"{MIN_EPISODES_FOR_RATIO} each)")
    denominator, numerator = random_policy.get(key), agent.get(key)
    if not denominator or numerator is None or math.isnan(numerator) or math.isnan(denominator) or denominator <= 0:
        return None, f"no ratio: the random policy's mean is {denominator} (n = {n_random})"
    ratio = float(numerator) / float(denominator)
    return ratio, f"**{ratio:.2f}x** (n = {n_agent} agent, {n_random} random episodes)"


def score_for(env_id: str) -> GameScore:
    """The :class:`GameScore` of a clgym env id (``CLPong-v0``, ``CLDoomLite-v0`` or a Doom-lite scenario id)."""
    from clgym.envs import ENV_IDS

    if env_id not in ENV_IDS:
        raise ValueError(f"env_id={env_id!r} is not allowed; allowed: {', '.join(ENV_IDS)}")
    return PONG if env_id == "CLPong-v0" else DOOM


def evaluate(policy, venv, n_episodes: int = 20, deterministic: bool = True,
             score: GameScore = PONG) -> dict[str, Any]:
    """Run ``policy`` on ``venv`` with SB3's ``evaluate_policy`` for ``n_episodes``; return ``score``'s summary.

    Args:
        policy: anything with SB3's ``predict(obs, state, episode_start, deterministic)``.
        venv: a ``VecMonitor``-wrapped ``VecEnv`` of clgym envs (:func:`~clgym.agents.make_agent_vec_env`).
        n_episodes: episodes to collect, spread evenly over the envs (``evaluate_policy``'s rule).
        deterministic: passed to ``predict`` (SB3 models: greedy actions).

    The envs are reset first; cultures persist across resets, so evaluating the training envs keeps the
    cultures the agent learned on. Returns the summary plus ``wall_s``, ``env_steps`` (the evaluated
    episodes' steps) and ``episode_list`` (the :class:`Episode` records as dicts).
    """
    from stable_baselines3.common.evaluation import evaluate_policy

    n_episodes = require_positive_int("n_episodes", n_episodes)
    episodes: list[Episode] = []

    def keep(local_vars: dict[str, Any], _globals: dict[str, Any]) -> None:
        if local_vars["done"]:  # evaluate_policy calls back only for episodes it still counts
            end = sum(e.length for e in episodes) + int(local_vars["info"]["episode"]["l"])
            episodes.append(Episode.from_info(local_vars["info"], end, score.keywords))

    start = time.perf_counter()
    evaluate_policy(policy, venv, n_eval_episodes=n_episodes, deterministic=deterministic,
                    return_episode_rewards=True, callback=keep)
    result = score.summarize(episodes)
    result.update(wall_s=time.perf_counter() - start, env_steps=sum(e.length for e in episodes),
                  episode_list=[asdict(e) for e in episodes])
    return result
