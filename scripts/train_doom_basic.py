"""Train PPO on CLDoomLiteBasic-v0 in decoder mode and compare it with a random policy.

The agent never sees the game: every 10 ms it reads the culture's spike counts (each bearing and wall channel on
its own, the four motor groups summed, over the last 10 ticks) and picks one of the five game actions. What it can
learn about the enemy reaches it only through the culture's responses to the sensory encoder's pulses (the enemy's
bearing as a place code, its distance as a rate). Basic's rewards are ViZDoom's: +100 for the kill, -5 per missed
shot, -0.35 per tick (-35 per second) alive; an episode ends with the kill or after 857 ticks (8.57 s).

Training runs ``--n-envs`` cultures side by side (one ``CLDoomLiteEnv`` each, in-process links, cultures grown
from ``--seed``, ``--seed`` + 1, ...; each culture persists across its episodes), observations and rewards
normalised by ``VecNormalize``. Every finished training episode is logged. Afterwards, on the same cultures (grown
again from the same seeds), each of these plays ``--eval-episodes`` episodes: the trained policy (stochastic and
deterministic, normalisation frozen); the stochastic policy on cultures that receive no stimulation at all
(``feedback="rest"``: no sensory encoder, no feedback; the control showing whether the agent's skill comes through
the culture's responses); and a uniformly random policy.

Outputs in ``--out`` (default ``results/doom``):

- ``ppo_basic_curve.png``: mean episode reward and kill rate vs env steps (training episodes in ``--bins`` bins,
  +- SEM), the random policy as a band, the evaluations as points at the end;
- ``ppo_basic.md``: the same as a table, the settings and the exact command;
- ``ppo_basic_episodes.csv``: every training episode (env steps at its end, reward, killed, length).

Usage:
    python scripts/train_doom_basic.py                       # the committed run (~10-15 min on 2 loaded cores)
    python scripts/train_doom_basic.py --quick --out /tmp/doom_quick    # a smoke run, well under a minute
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import platform
import shlex
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import numpy as np  # noqa: E402

SCENARIO_ID = "CLDoomLiteBasic-v0"
NO_INPUT_LABEL = "PPO, stochastic, culture without stimulation (feedback='rest')"
DEFAULTS = {"timesteps": 150_000, "n_envs": 4, "eval_episodes": 40, "bins": 10, "timeout_s": None}
QUICK = {"timesteps": 1_024, "n_envs": 2, "eval_episodes": 2, "bins": 2, "timeout_s": 1.5}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="\n\n".join(__doc__.split("\n\n")[1:]),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--timesteps", type=int, default=None, help=f"env steps of training ({DEFAULTS['timesteps']:,})")
    p.add_argument("--n-envs", type=int, default=None, help=f"cultures trained side by side ({DEFAULTS['n_envs']})")
    p.add_argument("--eval-episodes", type=int, default=None,
                   help=f"episodes per evaluation row ({DEFAULTS['eval_episodes']})")
    p.add_argument("--bins", type=int, default=None, help=f"bins of the learning curve ({DEFAULTS['bins']})")
    p.add_argument("--timeout-s", type=float, default=None,
                   help="shorten Basic's time limit to this many seconds (default: ViZDoom's 8.57 s; --quick: 1.5 s)")
    p.add_argument("--culture", default="tiny",
                   help="culture preset (default tiny: 250 neurons, ~4x faster than small, so the budget fits)")
    p.add_argument("--feedback", default="stimulus", help="feedback condition (stimulus, silent, rest)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("results/doom"))
    p.add_argument("--quick", action="store_true",
                   help="a smoke run: tiny budget, few and short (1.5 s) evaluation episodes")
    args = p.parse_args(argv)
    preset = QUICK if args.quick else DEFAULTS
    for key, value in preset.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.timeout_s is not None and not args.timeout_s > 0:
        p.error("--timeout-s must be > 0")
    for key in ("timesteps", "n_envs", "eval_episodes", "bins"):
        if getattr(args, key) < 1:
            p.error(f"--{key.replace('_', '-')} must be >= 1")
    return args


def make_env(args: argparse.Namespace, index: int, feedback: str | None = None):
    import gymnasium as gym

    import clgym  # noqa: F401  (registers the ids)
    from clgym.envs.doom import make_scenario

    changes = {} if args.timeout_s is None else {"timeout_s": args.timeout_s}
    return gym.make(SCENARIO_ID, scenario=make_scenario("basic", **changes), control="decoder", culture=args.culture,
                    feedback=feedback or args.feedback, seed=args.seed + index).unwrapped


class EpisodeLog:
    """Finished episodes of a ``VecEnv`` (as an SB3 callback during training, or fed by hand in evaluation)."""

    def __init__(self, n_envs: int):
        self.returns = np.zeros(n_envs)
        self.lengths = np.zeros(n_envs, dtype=np.int64)
        self.rows: list[tuple[int, float, bool, int]] = []  # (env steps at the end, reward, killed, length)

    def record(self, steps: int, rewards: np.ndarray, dones: np.ndarray, infos: list[dict]) -> None:
        self.returns += rewards
        self.lengths += 1
        for i in np.flatnonzero(dones).tolist():
            killed = infos[i].get("outcome") == "cleared"
            self.rows.append((steps, float(self.returns[i]), bool(killed), int(self.lengths[i])))
            self.returns[i], self.lengths[i] = 0.0, 0


def episode_callback(log: EpisodeLog, total: int, reports: int = 10):
    """Record training episodes; print a progress line (to stderr) ``reports`` times during training."""
    from stable_baselines3.common.callbacks import BaseCallback

    class Record(BaseCallback):
        next_report = total // reports
        started = time.perf_counter()

        def _on_step(self) -> bool:
            raw = self.training_env.get_original_reward()  # VecNormalize: the game's own rewards
            log.record(self.num_timesteps, raw, self.locals["dones"], self.locals["infos"])
            if self.num_timesteps >= self.next_report:
                self.next_report += max(1, total // reports)
                recent = log.rows[-50:]
                if recent:
                    s, elapsed = summary(recent), time.perf_counter() - self.started
                    print(f"{self.num_timesteps:,} steps, {len(log.rows)} episodes, {elapsed:.0f} s: last "
                          f"{s['episodes']} episodes: reward {s['reward']:.1f}, kill rate {s['kill_rate']:.2f}",
                          file=sys.stderr, flush=True)
            return True

    return Record()


def evaluate(vec_env, episodes: int, act) -> EpisodeLog:
    """Play until ``episodes`` episodes have finished (over all envs); ``act(obs) -> actions``."""
    log = EpisodeLog(vec_env.num_envs)
    obs = vec_env.reset()
    steps = 0
    while len(log.rows) < episodes:
        obs, _, dones, infos = vec_env.step(act(obs))
        steps += vec_env.num_envs
        log.record(steps, np.array([info["raw_reward"] for info in infos]), dones, infos)
    log.rows = log.rows[:episodes]
    return log


def summary(rows) -> dict[str, float]:
    rewards = np.array([r[1] for r in rows])
    kills = np.array([r[2] for r in rows], dtype=float)
    n = len(rows)

    def sem(x: np.ndarray) -> float:
        return float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")

    return {"episodes": n, "reward": float(rewards.mean()), "reward_sem": sem(rewards),
            "kill_rate": float(kills.mean()), "kill_sem": sem(kills),
            "length": float(np.mean([r[3] for r in rows]))}


def binned(rows, timesteps: int, bins: int) -> list[tuple[int, int, dict]]:
    edges = np.linspace(0, timesteps, bins + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        chosen = [r for r in rows if lo < r[0] <= hi]
        if chosen:
            out.append((int(lo), int(hi), summary(chosen)))
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import DummyVecEnv, VecEnvWrapper, VecNormalize

    torch.set_num_threads(1)  # a small MLP: more threads only contend on a shared machine

    class KeepRawReward(VecEnvWrapper):
        """Keep each step's game reward in its info (``"raw_reward"``), whatever wraps the env later."""

        def reset(self):
            return self.venv.reset()

        def step_wait(self):
            obs, rewards, dones, infos = self.venv.step_wait()
            for info, reward in zip(infos, rewards, strict=True):
                info["raw_reward"] = float(reward)
            return obs, rewards, dones, infos

    def vec(feedback: str | None = None):
        return KeepRawReward(DummyVecEnv([lambda i=i: make_env(args, i, feedback) for i in range(args.n_envs)]))

    args.out.mkdir(parents=True, exist_ok=True)
    command = "python scripts/train_doom_basic.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    started = time.perf_counter()

    # -- the random policy, on the cultures the agent will train on ------------------------------------------
    random_env = vec()
    rng = np.random.default_rng(args.seed)
    random_log = evaluate(random_env, args.eval_episodes, lambda obs: rng.integers(0, 5, size=args.n_envs))
    random_env.close()

    # -- training --------------------------------------------------------------------------------------------
    train_env = VecNormalize(vec(), norm_obs=True, norm_reward=True, gamma=0.99)
    n_steps = max(64, min(512, args.timesteps // args.n_envs))
    model = PPO("MlpPolicy", train_env, n_steps=n_steps, batch_size=min(256, n_steps * args.n_envs), n_epochs=4,
                learning_rate=3e-4, gamma=0.99, gae_lambda=0.95, ent_coef=0.01, clip_range=0.2,
                policy_kwargs={"net_arch": [64, 64]}, seed=args.seed, device="cpu", verbose=0)
    log = EpisodeLog(args.n_envs)
    train_started = time.perf_counter()
    model.learn(total_timesteps=args.timesteps, callback=episode_callback(log, args.timesteps))
    train_seconds = time.perf_counter() - train_started
    obs_rms = train_env.obs_rms
    train_env.close()

    # -- evaluation on the same cultures (grown again from the same seeds) -------------------------------------
    def frozen_env(feedback: str | None = None):
        env = VecNormalize(vec(feedback), norm_obs=True, norm_reward=False, training=False)
        env.obs_rms = obs_rms
        return env

    evaluations = {}
    for label, deterministic, feedback in (("PPO, stochastic policy", False, None),
                                           ("PPO, deterministic policy", True, None),
                                           (NO_INPUT_LABEL, False, "rest")):
        env = frozen_env(feedback)
        evaluations[label] = summary(evaluate(
            env, args.eval_episodes, lambda obs, d=deterministic: model.predict(obs, deterministic=d)[0]).rows)
        env.close()
    evaluations["random policy"] = summary(random_log.rows)
    total_seconds = time.perf_counter() - started

    # -- outputs ---------------------------------------------------------------------------------------------
    curve = binned(log.rows, args.timesteps, args.bins)
    write_episodes(args.out / "ppo_basic_episodes.csv", log.rows)
    plot(args.out / "ppo_basic_curve.png", curve, evaluations, args)
    table = report(args, command, curve, evaluations, log, train_seconds, total_seconds)
    (args.out / "ppo_basic.md").write_text(table)
    print(table)
    return 0


def write_episodes(path: Path, rows) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["env_steps", "reward", "killed", "length"])
        writer.writerows((s, f"{r:.2f}", int(k), n) for s, r, k, n in rows)


def plot(path: Path, curve, evaluations: dict[str, dict], args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    mid = np.array([(lo + hi) / 2 for lo, hi, _ in curve])
    end = args.timesteps
    for ax, key, sem_key, label in ((axes[0], "reward", "reward_sem", "mean episode reward"),
                                    (axes[1], "kill_rate", "kill_sem", "kill rate (episodes ending in the kill)")):
        y = np.array([s[key] for _, _, s in curve])
        e = np.nan_to_num(np.array([s[sem_key] for _, _, s in curve]))
        ax.plot(mid, y, "o-", color="tab:blue", label="PPO (training episodes)")
        ax.fill_between(mid, y - e, y + e, color="tab:blue", alpha=0.2)
        rnd = evaluations["random policy"]
        ax.axhspan(rnd[key] - np.nan_to_num(rnd[sem_key]), rnd[key] + np.nan_to_num(rnd[sem_key]), color="gray",
                   alpha=0.3, label="random policy (+- SEM)")
        ax.axhline(rnd[key], color="gray", lw=1)
        for (name, s), marker in zip(((n, s) for n, s in evaluations.items() if n != "random policy"), "s^v",
                                     strict=True):
            ax.errorbar([end], [s[key]], yerr=[np.nan_to_num(s[sem_key])], fmt=marker, capsize=3,
                        label=f"{name} (evaluation)")
        ax.set_xlabel("env steps (10 ms ticks)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[1].set_ylim(-0.05, 1.05)
    axes[1].legend(fontsize=8, loc="lower right")  # the kill rate panel has room below the random band
    fig.suptitle(f"PPO on {SCENARIO_ID}, decoder mode ({args.n_envs} '{args.culture}' cultures, "
                 f"feedback={args.feedback}, seed {args.seed}); +- SEM")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _fmt(s: dict) -> str:
    return (f"{s['episodes']} | {s['reward']:.1f} +- {s['reward_sem']:.1f} | {100 * s['kill_rate']:.0f} % +- "
            f"{100 * s['kill_sem']:.0f} | {s['length']:.0f}")


def report(args, command, curve, evaluations, log, train_seconds, total_seconds) -> str:
    from clgym.envs.doom import make_scenario

    timeout_ticks = make_scenario("basic").timeout_ticks if args.timeout_s is None else round(args.timeout_s / 0.01)
    limit_note = "" if args.timeout_s is None else f"; shortened by --timeout-s {args.timeout_s:g}"
    lines = [
        f"# PPO on {SCENARIO_ID} (decoder mode)",
        "",
        f"Command: `{command.strip()}`  ",
        f"{args.timesteps:,} env steps on {args.n_envs} `{args.culture}` cultures (seeds {args.seed}.."
        f"{args.seed + args.n_envs - 1}), feedback `{args.feedback}`; PPO (MLP 64x64, n_steps "
        f"{max(64, min(512, args.timesteps // args.n_envs))} per env, batch 256, 4 epochs, lr 3e-4, gamma 0.99, "
        f"ent_coef 0.01), VecNormalize on observations and rewards. Training took {train_seconds / 60:.1f} min "
        f"({args.timesteps / train_seconds:.0f} steps/s), everything {total_seconds / 60:.1f} min; "
        f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}.",
        "",
        "Rewards are the game's (ViZDoom Basic: +100 kill, -5 per missed shot, -0.35 per tick alive); an episode ends "
        f"with the kill or times out after {timeout_ticks} ticks (at about {-0.35 * timeout_ticks:.0f}{limit_note}).",
        "Kill rate: share of episodes ending in the kill. Values +- SEM over episodes.",
        "",
        "## Learning curve (training episodes, binned by the env step at which they ended)",
        "",
        "| env steps | episodes | mean reward | kill rate | mean length (ticks) |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {lo:,}-{hi:,} | {_fmt(s)} |" for lo, hi, s in curve]
    lines += [
        "",
        f"## Evaluation ({args.eval_episodes} episodes each, the training cultures grown again from their seeds)",
        "",
        "| policy | episodes | mean reward | kill rate | mean length (ticks) |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {name} | {_fmt(s)} |" for name, s in evaluations.items()]
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
