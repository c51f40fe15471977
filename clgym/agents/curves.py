"""Learning curves: episodes recorded during training, binned by env steps, and the PNG of several runs.

:class:`EpisodeRecorder` is an SB3 callback (works for PPO, A2C and DQN: all expose ``infos`` and ``dones``
while collecting) that keeps an :class:`~clgym.agents.evaluation.Episode` per finished training episode and
writes ``clgym/rally_length`` and ``clgym/hit_rate`` (over the last ``window`` episodes) to the SB3 logger, so
they appear in tensorboard next to SB3's own scalars.

:func:`bin_curve` cuts a run's episodes into equal bins of env steps (by the step at which each episode ended)
and summarises each bin; :func:`plot_curves` draws mean rally length vs env steps for agents (lines with an
SEM band) and fixed baselines (horizontal bands).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from clgym.agents.evaluation import Episode, game_rewards, summarize


class EpisodeRecorder(BaseCallback):
    """Record every finished training episode of a ``CLPong-v0`` ``VecEnv``.

    Args:
        window: episodes over which the logged rally length and hit rate are averaged.
        step_offset: added to ``num_timesteps`` (a resumed run).
    """

    def __init__(self, window: int = 50, step_offset: int = 0, verbose: int = 0):
        super().__init__(verbose)
        self.window = int(window)
        self.step_offset = int(step_offset)
        self.episodes: list[Episode] = []
        self._returns: np.ndarray | None = None
        self._lengths: np.ndarray | None = None

    def _on_training_start(self) -> None:
        n = self.training_env.num_envs
        self._returns = np.zeros(n)
        self._lengths = np.zeros(n, dtype=int)

    def _on_step(self) -> bool:
        infos = self.locals["infos"]
        rewards = game_rewards(self.locals["rewards"], infos)
        dones = np.asarray(self.locals["dones"]).reshape(-1)
        self._returns += rewards
        self._lengths += 1
        finished = np.flatnonzero(dones)
        for i in finished:
            self.episodes.append(Episode.from_info(infos[i], self.num_timesteps + self.step_offset,
                                                   self._returns[i], self._lengths[i]))
            self._returns[i], self._lengths[i] = 0.0, 0
        if finished.size:
            recent = summarize(self.episodes[-self.window:])
            self.logger.record("clgym/rally_length", recent["rally_mean"])
            self.logger.record("clgym/hit_rate", recent["hit_rate"])
            self.logger.record("clgym/episodes", len(self.episodes))
        return True

    def save_csv(self, path: str | Path) -> Path:
        """Write the episodes as CSV (one row per episode; columns = :class:`Episode` fields)."""
        return write_episodes(self.episodes, path)


def write_episodes(episodes: Sequence[Episode], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [f.name for f in fields(Episode)]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        for episode in episodes:
            writer.writerow(asdict(episode))
    return path


def read_episodes(path: str | Path) -> list[Episode]:
    with Path(path).open(newline="") as handle:
        return [Episode(int(r["end_step"]), int(r["hits"]), int(r["misses"]), float(r["ret"]), int(r["length"]),
                        r["truncated"] == "True") for r in csv.DictReader(handle)]


def bin_curve(episodes: Sequence[Episode], total_steps: int, n_bins: int = 10) -> list[dict[str, Any]]:
    """Summaries of the episodes that ended in each of ``n_bins`` equal spans of ``[0, total_steps]``.

    Each bin dict: ``step_lo``, ``step_hi``, ``step_mid`` and :func:`~clgym.agents.evaluation.summarize`'s
    fields (``episodes`` is 0 for a bin no episode ended in; its means are NaN).
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
                    **summarize(chosen)})
    return out


def plot_curves(curves: Mapping[str, Sequence[Mapping[str, Any]]], bands: Mapping[str, Mapping[str, Any]],
                path: str | Path, title: str = "") -> Path:
    """Mean rally length vs env steps: a line (+- SEM) per curve, a horizontal band (+- SEM) per baseline.

    Args:
        curves: name -> :func:`bin_curve` output.
        bands: name -> a :func:`~clgym.agents.evaluation.summarize` dict (drawn across the whole x range).
        path: PNG to write.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.8), dpi=120)
    colors = iter(plt.rcParams["axes.prop_cycle"].by_key()["color"] * 4)
    x_max = 1.0
    for name, bins in curves.items():
        x = np.array([b["step_mid"] for b in bins])
        y = np.array([b["rally_mean"] for b in bins], dtype=float)
        sem = np.nan_to_num(np.array([b["rally_sem"] for b in bins], dtype=float))
        x_max = max(x_max, max((b["step_hi"] for b in bins), default=1.0))
        color = next(colors)
        ax.plot(x, y, marker="o", ms=3, color=color, label=name)
        ax.fill_between(x, y - sem, y + sem, color=color, alpha=0.2)
    for name, stats in bands.items():
        mean, sem = stats["rally_mean"], np.nan_to_num(stats["rally_sem"])
        color = next(colors)
        ax.axhline(mean, ls="--", lw=1.2, color=color, label=f"{name} ({stats['episodes']} ep.)")
        ax.axhspan(mean - sem, mean + sem, color=color, alpha=0.15)
    ax.set_xlim(0, x_max)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("env steps (10 ms ticks)")
    ax.set_ylabel("mean rally length (hits per episode)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
