"""Train SB3 agents (PPO, A2C, DQN) on CLPong-v0 and measure them against baselines on the same axes.

The agent plays through a simulated culture: in ``--mode decoder`` it reads the culture's spike counts and
moves the paddle; in ``--mode encoder`` it chooses the sensory stimulation and DishBrain's decoder moves the
paddle from the culture's spikes. Every run trains ``--n-envs`` cultures in one process (``--vec dummy``, the
in-process link) or one per worker (``--vec subproc``), and compares, on mean rally length (hits per episode,
one episode = one rally), hit rate and episode return, each +- SEM:

- the agent, evaluated on the cultures it trained on (they persist, plasticity included);
- the agent with the spikes silenced at test time (a test-time zero-spike ablation);
- ``random_policy``: uniformly random actions on the same env;
- ``random_source``: the same algorithm and budget with the cl SDK's random source in place of the culture
  (no game information reaches the agent: it should stay at chance);
- ``zero_spikes``: the same algorithm and budget with every spike count zeroed.

Outputs in ``--out``: ``curve.png`` (mean rally length vs env steps, agents as lines, the random policy as a
band), ``results.md`` / ``results.json`` (the table, throughput, the exact command), ``config.json``,
``runs/<run>/`` (``model.zip``, ``checkpoints/``, ``episodes.csv``, ``run.json``) and ``tb/`` (tensorboard:
SB3's scalars plus ``clgym/rally_length`` and ``clgym/hit_rate``).

Usage:
    clgym train --algo ppo --mode decoder --steps 200000 --culture small --shaping 1.0 --history-ticks 20
        --eval-episodes 100 --out results/sb3/ppo_decoder_small     # (one command) results/sb3/README.md
    clgym train --quick --culture tiny --out out/sb3_quick          # a few thousand steps, ~1-2 minutes
    clgym train --eval results/sb3/ppo_decoder_small/runs/ppo/model.zip   # evaluate a saved model
    tensorboard --logdir results/sb3/ppo_decoder_small/tb
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

QUICK = {"steps": 3_000, "n_envs": 2, "eval_episodes": 6, "bins": 4}
DEFAULT_STEPS, DEFAULT_N_ENVS, DEFAULT_EVAL_EPISODES, DEFAULT_BINS = 200_000, 8, 60, 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from clgym.agents.algos import ALGOS
    from clgym.agents.envs import BASELINES, MODES, OBSERVATIONS, VEC_KINDS
    from clgym.envs.pong import FEEDBACKS

    p = argparse.ArgumentParser(prog="clgym train", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    p.add_argument("--algo", choices=ALGOS, default="ppo")
    p.add_argument("--mode", choices=MODES, default="decoder")
    p.add_argument("--steps", type=int, default=None, help=f"env steps per training run (default {DEFAULT_STEPS:,})")
    p.add_argument("--n-envs", type=int, default=None, help=f"cultures trained on at once (default {DEFAULT_N_ENVS})")
    p.add_argument("--culture", default="small", help="culture preset (tiny, small, default, large, huge)")
    p.add_argument("--seed", type=int, default=None,
                   help="env i runs culture seed SEED + i; also the SB3 seed (default 0; --eval: the run's)")
    p.add_argument("--obs", choices=OBSERVATIONS, default=None,
                   help="decoder mode: 'channels' (default: the env's spike counts per channel group plus "
                        "per-channel counts of the 8 sensory channels, which carry the ball's place code) or "
                        "'groups' (the env's counts alone; they carry no ball position: see --probe)")
    p.add_argument("--log-counts", action="store_true",
                   help="decoder mode: the agent sees log(1 + count) of every spike count (bursts otherwise swamp "
                        "the evoked counts)")
    p.add_argument("--history-ticks", type=int, default=None,
                   help="decoder mode: ticks of spike counts in an observation (default: the env's, 10)")
    p.add_argument("--episode-ticks", type=int, default=None,
                   help="truncate an episode after this many steps (default: the env's, 6,000 = 60 s)")
    p.add_argument("--feedback", choices=FEEDBACKS, default="stimulus")
    p.add_argument("--shaping", type=float, default=0.0,
                   help="weight of the potential-based tracking reward used for training (0: the game's +-1 only; "
                        "evaluation always scores the game)")
    p.add_argument("--vec", choices=VEC_KINDS, default="dummy")
    p.add_argument("--baselines", default=",".join(BASELINES),
                   help=f"comma-separated subset of {','.join(BASELINES)}, or 'none'")
    p.add_argument("--baseline-steps", type=int, default=None,
                   help="training budget of the random_source and zero_spikes agents (default: --steps)")
    p.add_argument("--random-spike-percentile", type=float, default=None,
                   help="random source detection percentile (default: the SDK's 99.995)")
    p.add_argument("--eval-episodes", type=int, default=None, help=f"episodes per evaluation (default "
                                                                    f"{DEFAULT_EVAL_EPISODES})")
    p.add_argument("--stochastic-eval", action="store_true", help="sample actions at evaluation (default: greedy)")
    p.add_argument("--bins", type=int, default=None, help=f"learning-curve bins (default {DEFAULT_BINS})")
    p.add_argument("--checkpoints", type=int, default=5, help="checkpoints per training run (0: none)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1: one core)")
    p.add_argument("--out", default=None, help="output folder (default out/sb3/<algo>_<mode>_<culture>_s<seed>)")
    p.add_argument("--eval", metavar="MODEL_ZIP", default=None,
                   help="evaluate a saved model (its run.json gives algo and env) instead of training")
    p.add_argument("--probe", type=int, metavar="STEPS", default=None,
                   help="instead of training: how much ball information the decoder observation carries (held-out "
                        "classifier of the ball's half / band from STEPS steps of random play; groups vs channels vs "
                        "the random source)")
    p.add_argument("--quick", action="store_true",
                   help=f"smoke run: {QUICK['steps']:,} steps, {QUICK['n_envs']} envs, "
                        f"{QUICK['eval_episodes']} evaluation episodes")
    a = p.parse_args(argv)
    a.argv = list(sys.argv[1:] if argv is None else argv)
    a.given = sorted(k for k in ("seed", "n_envs", "out") if getattr(a, k) is not None)
    if a.seed is None:
        a.seed = 0
    if a.seed < 0:
        p.error("--seed must be >= 0")
    preset = QUICK if a.quick else {"steps": DEFAULT_STEPS, "n_envs": DEFAULT_N_ENVS,
                                     "eval_episodes": DEFAULT_EVAL_EPISODES, "bins": DEFAULT_BINS}
    for key in ("steps", "n_envs", "eval_episodes", "bins"):
        if getattr(a, key) is None:
            setattr(a, key, preset[key])
        if getattr(a, key) < 1:
            p.error(f"--{key.replace('_', '-')} must be >= 1")
    a.baseline_steps = a.steps if a.baseline_steps is None else a.baseline_steps
    names = [] if a.baselines.strip() in ("", "none") else [b.strip() for b in a.baselines.split(",")]
    unknown = sorted(set(names) - set(BASELINES))
    if unknown:
        p.error(f"--baselines: unknown {unknown}; allowed: {', '.join(BASELINES)} or none")
    a.baselines = names
    if a.obs is None:
        a.obs = "channels" if a.mode == "decoder" else "groups"
    if a.obs == "channels" and a.mode != "decoder":
        p.error("--obs channels is only for --mode decoder")
    if a.log_counts and a.mode != "decoder":
        p.error("--log-counts is only for --mode decoder")
    if a.episode_ticks is not None and a.episode_ticks < 1:
        p.error("--episode-ticks must be >= 1")
    if a.probe is not None and a.probe < 200:
        p.error("--probe needs at least 200 steps")
    if a.history_ticks is not None and (a.mode != "decoder" or a.history_ticks < 1):
        p.error("--history-ticks must be >= 1 and is only for --mode decoder")
    if a.out is None:
        a.out = f"out/sb3/{a.algo}_{a.mode}_{a.culture}_s{a.seed}" + ("_quick" if a.quick else "")
    return a


def command_line(a: argparse.Namespace) -> str:
    return ("clgym train " + shlex.join(a.argv)) if a.argv else "clgym train"


def spec_from_args(a: argparse.Namespace):
    from clgym.agents.algos import algo_kwargs
    from clgym.agents.envs import EnvSpec

    return EnvSpec(mode=a.mode, culture=a.culture, obs=a.obs, log_counts=a.log_counts, feedback=a.feedback,
                   encoder_actions="single" if (a.mode == "encoder" and a.algo == "dqn") else "rate",
                   random_spike_percentile=a.random_spike_percentile, shaping=a.shaping,
                   shaping_gamma=algo_kwargs(a.algo, a.steps, a.n_envs)["gamma"],
                   env_kwargs={k: v for k, v in (("history_ticks", a.history_ticks),
                                                 ("episode_ticks", a.episode_ticks)) if v is not None})


class Progress(BaseCallback):
    """Print a line every tenth of the budget: steps, steps/s, rally length of the recent training episodes."""

    def __init__(self, name: str, total: int, recorder):
        super().__init__()
        self.name, self.total, self.recorder = name, total, recorder

    def _on_training_start(self) -> None:
        self.t0, self.next_at = time.perf_counter(), max(1, self.total // 10)

    def _on_step(self) -> bool:
        from clgym.agents.evaluation import summarize

        if self.num_timesteps >= self.next_at:
            self.next_at += max(1, self.total // 10)
            recent = summarize(self.recorder.episodes[-50:])
            rate = self.num_timesteps / (time.perf_counter() - self.t0)
            print(f"  [{self.name}] {self.num_timesteps:>8,} steps  {rate:6.0f} steps/s  rally (last "
                  f"{recent['episodes']} ep.) {recent['rally_mean']:.2f}  hit rate {recent['hit_rate']:.3f}",
                  flush=True)
        return True


def train_run(name: str, spec, a: argparse.Namespace, steps: int, out: Path) -> dict[str, Any]:
    """Train one agent on ``spec``; save model, checkpoints, episodes; return its venv, model and records."""
    from stable_baselines3.common.callbacks import CheckpointCallback

    from clgym.agents.algos import algo_kwargs, learn, make_model
    from clgym.agents.curves import EpisodeRecorder
    from clgym.agents.envs import make_vec_env

    run_dir = out / "runs" / name
    run_dir.mkdir(parents=True, exist_ok=True)
    print(f"training {name}: {a.algo.upper()} on {spec.mode} mode, source={spec.source}, ablation={spec.ablation}, "
          f"obs={spec.obs}, {steps:,} steps over {a.n_envs} envs", flush=True)
    venv = make_vec_env(spec, a.n_envs, seed=a.seed, vec=a.vec)
    model = make_model(a.algo, venv, steps, seed=a.seed, tensorboard_log=str(out / "tb"))
    recorder = EpisodeRecorder()
    callbacks = [recorder, Progress(name, steps, recorder)]
    if a.checkpoints > 0:
        every = max(1, steps // (a.checkpoints * a.n_envs))
        callbacks.append(CheckpointCallback(every, str(run_dir / "checkpoints"), name_prefix=a.algo))
    timing = learn(model, steps, callbacks, tb_log_name=name)
    model.save(run_dir / "model.zip")
    recorder.save_csv(run_dir / "episodes.csv")
    info = {"name": name, "algo": a.algo, "spec": spec.to_dict(), "seed": a.seed, "n_envs": a.n_envs, "vec": a.vec,
            "steps": steps, "hyperparameters": algo_kwargs(a.algo, steps, a.n_envs), "timing": timing}
    (run_dir / "run.json").write_text(json.dumps(info, indent=2))
    print(f"  [{name}] done: {timing['steps']:,} steps in {timing['wall_s']:.0f} s wall = {timing['steps_per_s']:.0f} "
          f"steps/s ({timing['steps_per_cpu_s']:.0f} per CPU-second)", flush=True)
    return {"venv": venv, "model": model, "episodes": recorder.episodes, "info": info}


def evaluate_rows(a, model, venv, label: str) -> list[tuple[str, dict[str, Any]]]:
    """The trained agent on ``venv``, then the same with the spikes silenced at the link."""
    from clgym.agents.evaluation import evaluate

    deterministic = not a.stochastic_eval
    rows = [(label, evaluate(model, venv, a.eval_episodes, deterministic=deterministic))]
    venv.env_method("set_drop_spikes", True)
    try:
        rows.append((f"{label}, spikes silenced at test",
                     evaluate(model, venv, a.eval_episodes, deterministic=deterministic)))
    finally:
        venv.env_method("set_drop_spikes", False)
    return rows


def random_policy_row(a, spec) -> tuple[str, dict[str, Any]]:
    from clgym.agents.envs import make_vec_env
    from clgym.agents.evaluation import evaluate
    from clgym.agents.policies import RandomPolicy

    venv = make_vec_env(spec, a.n_envs, seed=a.seed, vec=a.vec)
    try:
        return "random policy", evaluate(RandomPolicy(venv.action_space, a.seed), venv, a.eval_episodes)
    finally:
        venv.close()


def _clean(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in stats.items() if k != "episode_list"}


def write_report(out: Path, a, spec, rows, curves, timings, agent_name: str) -> None:
    from clgym.agents.curves import plot_curves
    from clgym.agents.evaluation import table

    bands = {name: stats for name, stats in rows if name == "random policy"}
    obs = a.obs + (", log counts" if a.log_counts else "")
    title = (f"{a.algo.upper()} on CLPong-v0 ({a.mode} mode, obs={obs}, culture={a.culture}, {a.n_envs} envs, "
             f"seed {a.seed})")
    plot_curves(curves, bands, out / "curve.png", title=title)
    random_stats = bands.get("random policy")
    agent = dict(rows).get(agent_name)
    ratio = None
    if random_stats and agent and random_stats["rally_mean"] > 0:
        ratio = agent["rally_mean"] / random_stats["rally_mean"]
    lines = [f"# {title}", "", f"Command: `{command_line(a)}`", "",
             f"Evaluation: {a.eval_episodes} episodes per row ({'stochastic' if a.stochastic_eval else 'greedy'} "
             "actions); an episode ends at the first miss, so its hits are one rally. Trained agents are evaluated "
             "on the cultures they trained on (plasticity carried over).", "", table(rows), ""]
    if ratio is not None:
        lines += [f"Agent / random policy, mean rally length: **{ratio:.2f}x**", ""]
    lines += ["Training throughput (env steps; one process, torch threads = "
              f"{a.threads}; CPU-second = this process's CPU time):", "",
              "| run | steps | wall s | steps/s (wall) | steps per CPU-second |", "|---|---|---|---|---|"]
    for name, t in timings.items():
        lines.append(f"| {name} | {t['steps']:,} | {t['wall_s']:.0f} | {t['steps_per_s']:.0f} | "
                     f"{t['steps_per_cpu_s']:.0f} |")
    lines += ["", "Learning curve (mean rally length +- SEM of the training episodes ending in each bin):", "",
              "| steps | " + " | ".join(curves) + " |", "|---|" + "---|" * len(curves)]
    if curves:
        for i in range(len(next(iter(curves.values())))):
            cells = []
            for bins in curves.values():
                b = bins[i]
                cells.append("-" if not b["episodes"] else f"{b['rally_mean']:.2f} +- {b['rally_sem']:.2f} "
                             f"({b['episodes']})")
            first = next(iter(curves.values()))[i]
            lines.append(f"| {first['step_lo']:,.0f}-{first['step_hi']:,.0f} | " + " | ".join(cells) + " |")
    lines += ["", f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}",
              ""]
    (out / "results.md").write_text("\n".join(lines))
    results = {"command": command_line(a), "spec": spec.to_dict(), "args": {k: v for k, v in vars(a).items()},
               "rows": {name: _clean(stats) for name, stats in rows}, "ratio_to_random": ratio,
               "timings": timings, "curves": {n: [_clean(b) for b in bins] for n, bins in curves.items()}}
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print("\n" + "\n".join(lines[4:]), flush=True)
    print(f"results in {out}/ (results.md, results.json, curve.png, runs/, tb/)", flush=True)


def main_train(a: argparse.Namespace) -> int:
    from clgym.agents.curves import bin_curve
    from clgym.agents.envs import baseline_spec
    from clgym.agents.evaluation import evaluate

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    spec = spec_from_args(a)
    (out / "config.json").write_text(json.dumps({"command": command_line(a), "args": vars(a), "spec": spec.to_dict()},
                                                indent=2, default=str))
    agent_name = a.algo
    runs = [(agent_name, spec, a.steps, agent_name)]
    labels = {"random_source": "{} trained on the random source", "zero_spikes": "{} trained on zero spikes"}
    for baseline in a.baselines:
        if baseline != "random_policy":
            runs.append((f"{a.algo}_{baseline}", baseline_spec(spec, baseline), a.baseline_steps,
                         labels[baseline].format(a.algo)))
    rows: list[tuple[str, dict[str, Any]]] = []
    curves, timings = {}, {}
    for name, run_spec, steps, label in runs:
        run = train_run(name, run_spec, a, steps, out)
        try:
            if name == agent_name:
                rows.extend(evaluate_rows(a, run["model"], run["venv"], label))
            else:
                rows.append((label, evaluate(run["model"], run["venv"], a.eval_episodes,
                                             deterministic=not a.stochastic_eval)))
        finally:
            run["venv"].close()
        curves[name] = bin_curve(run["episodes"], steps, a.bins)
        timings[name] = run["info"]["timing"]
    if "random_policy" in a.baselines:
        rows.append(random_policy_row(a, spec))
    write_report(out, a, spec, rows, curves, timings, agent_name)
    return 0


def main_eval(a: argparse.Namespace) -> int:
    """Evaluate a saved model on fresh cultures grown from its run's seeds (or ``--seed`` if given)."""
    from clgym.agents.algos import load_model
    from clgym.agents.envs import EnvSpec, make_vec_env
    from clgym.agents.evaluation import table

    model_path = Path(a.eval)
    run_json = model_path.parent / "run.json"
    if not model_path.exists() or not run_json.exists():
        print(f"clgym train --eval: need {model_path} and {run_json} (written by a training run)", file=sys.stderr)
        return 2
    info = json.loads(run_json.read_text())
    spec = EnvSpec(**info["spec"])
    seed = a.seed if "seed" in a.given else info["seed"]
    a.seed, a.algo = seed, info["algo"]
    a.n_envs = a.n_envs if "n_envs" in a.given else info["n_envs"]
    venv = make_vec_env(spec, a.n_envs, seed=seed, vec=a.vec)
    try:
        model = load_model(info["algo"], str(model_path), device="cpu")
        rows = evaluate_rows(a, model, venv, f"{info['name']} (fresh cultures, seeds {seed}..{seed + a.n_envs - 1})")
    finally:
        venv.close()
    rows.append(random_policy_row(a, spec))
    text = table(rows)
    print(text)
    out = Path(a.out) if "out" in a.given else model_path.parent
    out.mkdir(parents=True, exist_ok=True)
    (out / "eval.json").write_text(json.dumps({"command": command_line(a), "model": str(model_path),
                                               "rows": {n: _clean(s) for n, s in rows}}, indent=2, default=str))
    (out / "eval.md").write_text(f"Command: `{command_line(a)}`\n\n{text}\n")
    return 0


def main_probe(a: argparse.Namespace) -> int:
    """Ball information in the observation: the env's group counts, per-channel counts, the random source."""
    import dataclasses

    from clgym.agents.probe import ball_information

    if a.mode != "decoder":
        print("clgym train --probe: only for --mode decoder (the agent's observation is spikes)", file=sys.stderr)
        return 2
    base = spec_from_args(a)
    variants = {"groups (CLPong-v0's decoder observation)": dataclasses.replace(base, obs="groups"),
                "channels (+ per-channel counts of the 8 sensory channels)": dataclasses.replace(base, obs="channels"),
                "channels, SDK random source in place of the culture":
                    dataclasses.replace(base, obs="channels", source="random")}
    history = base.env_kwargs.get("history_ticks", 10)
    lines = [f"Command: `{command_line(a)}`", "",
             f"Held-out accuracy (last 30 % of {a.probe:,} steps of random play, culture `{a.culture}`, seed {a.seed}, "
             f"{history} ticks of history) of a one-hidden-layer classifier reading the observation; chance = the "
             "most common class of the test steps.", "",
             "| observation | ball half | ball band (of 8) | ball half, ball within 150 units of the paddle |",
             "|---|---|---|---|"]
    results = {}
    for name, spec in variants.items():
        print(f"probing {name} ...", flush=True)
        r = results[name] = ball_information(spec, steps=a.probe, seed=a.seed)
        lines.append(f"| {name} | " + " | ".join(f"{r[k]['accuracy']:.3f} (chance {r[k]['chance']:.3f})"
                                                for k in ("half", "band", "half_near_paddle")) + " |")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"probe_h{history}.md").write_text("\n".join(lines) + "\n")
    (out / f"probe_h{history}.json").write_text(json.dumps({"command": command_line(a), "results": results}, indent=2))
    print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    import torch

    torch.set_num_threads(a.threads)
    if a.probe is not None:
        return main_probe(a)
    return main_eval(a) if a.eval else main_train(a)


if __name__ == "__main__":
    sys.exit(main())
