"""Learning curves: episodes recorded during training, binned by env steps, and the PNG of several runs.

:class:`EpisodeRecorder` is an SB3 callback (PPO, A2C and DQN all expose ``infos`` and ``dones`` while
collecting) that keeps an :class:`~clgym.agents.evaluation.Episode` per finished training episode, with the env
step at which it ended, and writes the game's table columns (``clgym/<key>``, e.g. ``clgym/rally_mean``,
``clgym/hit_rate``) over the last ``window`` episodes to the SB3 logger, so they appear in tensorboard next to
SB3's own scalars.
The episodes' CSV is SB3's own: ``VecMonitor(filename, info_keywords=...)`` (see
:func:`~clgym.agents.env_factories.make_agent_vec_env`).

:func:`bin_curve` cuts a run's episodes into equal bins of env steps (by the step at which each episode ended)
and summarises each bin; :func:`plot_curves` draws the figure of merit vs env steps for agents (lines with an
SEM band) and fixed baselines (horizontal bands).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from clgym.agents.evaluation import PONG, Episode, GameScore


class EpisodeRecorder(BaseCallback):
    """Record every finished training episode of a monitored ``VecEnv`` of clgym envs.

    Args:
        score: the game's :class:`~clgym.agents.evaluation.GameScore` (what to keep and log).
        window: episodes over which the logged figures are averaged.
    """

    def __init__(self, score: GameScore = PONG, window: int = 50, verbose: int = 0):
        super().__init__(verbose)
        self.score = score
        self.window = int(window)
        self.episodes: list[Episode] = []

    def _on_step(self) -> bool:
        infos = self.locals["infos"]
        finished = np.flatnonzero(np.asarray(self.locals["dones"]).reshape(-1))
        for i in finished:
            self.episodes.append(Episode.from_info(infos[i], self.num_timesteps, self.score.keywords))
        if finished.size:
            recent = self.score.summarize(self.episodes[-self.window:])
            for _, key, _, _ in self.score.columns:
                if recent.get(key) is not None:
                    self.logger.record(f"clgym/{key}", recent[key])
            self.logger.record("clgym/episodes", len(self.episodes))
        return True


def bin_curve(episodes: Sequence[Episode], total_steps: int, n_bins: int = 10,
              score: GameScore = PONG) -> list[dict[str, Any]]:
    """Summaries of the episodes that ended in each of ``n_bins`` equal spans of ``[0, total_steps]``.

    Each bin dict: ``step_lo``, ``step_hi``, ``step_mid`` and ``score.summarize``'s fields (``episodes`` is 0
    for a bin no episode ended in; its means are NaN).
    """
    if n_bins < 1 or total_steps < 1:
        raise ValueError(f"n_bins={n_bins}, total_steps={total_steps}; allowed: both >= 1")
    edges = np.linspace(0, total_steps, n_bins + 1)
    ends = np.array([e.end_step for e in episodes])
    out = []
    for b in range(n_bins):
        lo, hi = edges[b], edges[b + 1]
        inside = (ends > lo) & (ends <= hi) if b else (ends >= lo) & (ends <= hi)
        chosen = [e for e, keep in zip(episodes, inside, strict=True) if keep]
        out.append({"step_lo": float(lo), "step_hi": float(hi), "step_mid": float((lo + hi) / 2),
                    **score.summarize(chosen)})
    return out


def plot_curves(curves: Mapping[str, Sequence[Mapping[str, Any]]], bands: Mapping[str, Mapping[str, Any]],
                path: str | Path, title: str = "", score: GameScore = PONG) -> Path:
    """The game's figure of merit vs env steps: a line (+- SEM) per curve, a band (+- SEM) per baseline.

    Args:
        curves: name -> :func:`bin_curve` output.
        bands: name -> a ``score.summarize`` dict (drawn across the whole x range).
        path: PNG to write.
        score: whose ``headline`` (mean key, SEM key, label) is plotted.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mean_key, sem_key, label = score.headline
    fig, ax = plt.subplots(figsize=(8, 4.8), dpi=120)
    colors = iter(plt.rcParams["axes.prop_cycle"].by_key()["color"] * 4)
    x_max = 1.0
    for name, bins in curves.items():
        x = np.array([b["step_mid"] for b in bins])
        y = np.array([b[mean_key] for b in bins], dtype=float)
        sem = np.nan_to_num(np.array([b[sem_key] for b in bins], dtype=float))
        x_max = max(x_max, max((b["step_hi"] for b in bins), default=1.0))
        color = next(colors)
        ax.plot(x, y, marker="o", ms=3, color=color, label=name)
        ax.fill_between(x, y - sem, y + sem, color=color, alpha=0.2)
    for name, stats in bands.items():
        mean, sem = stats[mean_key], np.nan_to_num(stats[sem_key])
        color = next(colors)
        ax.axhline(mean, ls="--", lw=1.2, color=color, label=f"{name} ({stats['episodes']} ep.)")
        ax.axhspan(mean - sem, mean + sem, color=color, alpha=0.15)
    ax.set_xlim(0, x_max)
    if score is PONG:
        ax.set_ylim(bottom=0)
    ax.set_xlabel("env steps (10 ms ticks)")
    ax.set_ylabel(label)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
