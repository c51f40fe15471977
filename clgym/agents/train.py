"""Train SB3 agents (PPO, A2C, DQN) on a clgym env and measure them against baselines on the same axes.

``--env`` is any clgym id: ``CLPong-v0`` (default), ``CLDoomLite-v0`` or a Doom-lite scenario id such as
``CLDoomLiteBasic-v0``. The agent plays through a simulated culture and sees the env's own observation: in
``--mode decoder`` it reads the culture's spike counts and chooses the game action; in ``--mode encoder`` it
chooses the sensory stimulation and the env's fixed decoder turns the culture's spikes into the game action.
Every run trains ``--n-envs`` cultures in one process (``--vec dummy``, the in-process link) or one per worker
(``--vec subproc``), and compares, on the game's own axes (Pong: mean rally length, hit rate, episode return;
Doom: episode return, kill rate; each +- SEM):

- the agent, evaluated on the cultures it trained on (they persist, plasticity included);
- the agent with the spikes silenced at test time (a test-time zero-spike ablation);
- ``random_policy``: uniformly random actions on the same env;
- ``random_source``: the same algorithm and budget with the cl SDK's random source in place of the culture
  (no game information reaches the agent: it should stay at chance);
- ``zero_spikes``: the same algorithm and budget with every spike count zeroed.

Outputs in ``--out``: ``curve.png`` (the game's figure of merit vs env steps, agents as lines, the random
policy as a band), ``results.md`` / ``results.json`` (the table, throughput, the exact command),
``config.json``, ``runs/<run>/`` (``model.zip``, ``checkpoints/``, ``episodes.monitor.csv`` (SB3's
``VecMonitor``), ``vecnormalize.pkl`` (Doom), ``run.json``) and ``tb/`` (tensorboard: SB3's scalars plus
``clgym/...``).

Usage:
    clgym train --env CLPong-v0 --algo ppo --steps 200000 --culture small --shaping 5.0 --eval-episodes 100
        --out results/sb3/ppo_decoder_small          # one command (results/sb3/README.md)
    clgym train --env CLDoomLiteBasic-v0 --out results/doom         # PPO on Doom-lite Basic
    clgym train --quick --culture tiny --out out/sb3_quick          # a few thousand steps, ~1-2 minutes
    clgym train --eval results/sb3/ppo_decoder_small/runs/ppo/model.zip   # evaluate a saved model
    clgym train --ball-information 20000 --culture small           # Pong: ball information per observation
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
from pathlib import Path
from typing import Any

from clgym.agents import ALGOS, BASELINES, MODES, VEC_KINDS

QUICK = {"steps": 3_000, "n_envs": 2, "eval_episodes": 6, "bins": 4}
GAME_RUNS = {  # per game: the budget and culture of a full run, and whether observations/rewards are normalised
    "pong": {"steps": 200_000, "n_envs": 8, "eval_episodes": 60, "bins": 10, "culture": "dishbrain",
             "normalize": False},
    "doom": {"steps": 150_000, "n_envs": 4, "eval_episodes": 40, "bins": 10, "culture": "tiny", "normalize": True},
}


def game_of(env_id: str) -> str:
    return "pong" if env_id == "CLPong-v0" else "doom"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="clgym train", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    p.add_argument("--env", default="CLPong-v0", help="a clgym env id (CLPong-v0, CLDoomLite-v0, a scenario id)")
    p.add_argument("--algo", choices=ALGOS, default="ppo")
    p.add_argument("--mode", choices=MODES, default="decoder")
    p.add_argument("--steps", type=int, default=None, help="env steps per training run (Pong 200,000; Doom 150,000)")
    p.add_argument("--n-envs", type=int, default=None, help="cultures trained on at once (Pong 8, Doom 4)")
    p.add_argument("--culture", default=None, help="culture preset (default: Pong dishbrain, the env's own; Doom tiny)")
    p.add_argument("--seed", type=int, default=None,
                   help="env i runs culture seed SEED + i; also the SB3 seed (default 0; --eval: the run's)")
    p.add_argument("--observation", default=None,
                   help="decoder mode: the env's observation argument (CLPong-v0: 'channels', its default, per-channel "
                        "counts, or 'groups', counts summed per channel group, which lose the ball's place)")
    p.add_argument("--log-counts", action="store_true",
                   help="decoder mode: the agent sees log(1 + count) of every spike count (bursts otherwise swamp "
                        "the evoked counts)")
    p.add_argument("--history-ticks", type=int, default=None,
                   help="decoder mode: ticks of spike counts in an observation (default: the env's, 10)")
    p.add_argument("--episode-ticks", type=int, default=None,
                   help="CLPong-v0: truncate an episode after this many steps (default: the env's, 6,000 = 60 s)")
    p.add_argument("--feedback", default="stimulus", help="the env's feedback condition (default stimulus)")
    p.add_argument("--shaping", type=float, default=0.0,
                   help="CLPong-v0: weight of the potential-based tracking reward used for training (0: the game's "
                        "+-1 only; evaluation always scores the game)")
    p.add_argument("--vec", choices=VEC_KINDS, default="dummy")
    p.add_argument("--baselines", default=",".join(BASELINES),
                   help=f"comma-separated subset of {','.join(BASELINES)}, or 'none'")
    p.add_argument("--baseline-steps", type=int, default=None,
                   help="training budget of the random_source and zero_spikes agents (default: --steps)")
    p.add_argument("--random-spike-percentile", type=float, default=None,
                   help="random source detection percentile (default: the SDK's 99.995)")
    p.add_argument("--eval-episodes", type=int, default=None, help="episodes per evaluation (Pong 60, Doom 40)")
    p.add_argument("--stochastic-eval", action="store_true", help="sample actions at evaluation (default: greedy)")
    p.add_argument("--bins", type=int, default=None, help="learning-curve bins (default 10)")
    p.add_argument("--checkpoints", type=int, default=5, help="checkpoints per training run (0: none)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1: one core)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="SB3's progress bar while training (default: when stderr is a terminal)")
    p.add_argument("--out", default=None, help="output folder (default out/sb3/<env>_<algo>_<mode>_<culture>_s<seed>)")
    p.add_argument("--eval", metavar="MODEL_ZIP", default=None,
                   help="evaluate a saved model (its run.json gives algo and env) instead of training")
    p.add_argument("--ball-information", type=int, metavar="STEPS", default=None,
                   help="CLPong-v0, instead of training: how much ball information the decoder observation carries "
                        "(held-out classifier of the ball's half / band from STEPS steps of random play; channels vs "
                        "groups vs the random source)")
    p.add_argument("--quick", action="store_true",
                   help=f"smoke run: {QUICK['steps']:,} steps, {QUICK['n_envs']} envs, "
                        f"{QUICK['eval_episodes']} evaluation episodes")
    a = p.parse_args(argv)
    a.argv = list(sys.argv[1:] if argv is None else argv)
    a.given = sorted(k for k in ("seed", "n_envs", "out") if getattr(a, k) is not None)
    from clgym.envs import ENV_IDS

    if a.env not in ENV_IDS:
        p.error(f"--env {a.env!r} is not a clgym id; allowed: {', '.join(ENV_IDS)}")
    a.game = game_of(a.env)
    check_choices(p, a)
    if a.seed is None:
        a.seed = 0
    if a.seed < 0:
        p.error("--seed must be >= 0")
    preset = {**GAME_RUNS[a.game], **(QUICK if a.quick else {})}
    a.normalize = preset["normalize"]
    if a.culture is None:
        a.culture = preset["culture"]
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
    for option in ("observation", "history_ticks"):
        if getattr(a, option) is not None and a.mode != "decoder":
            p.error(f"--{option.replace('_', '-')} is only for --mode decoder")
    if a.log_counts and a.mode != "decoder":
        p.error("--log-counts is only for --mode decoder")
    if a.history_ticks is not None and a.history_ticks < 1:
        p.error("--history-ticks must be >= 1")
    if a.game != "pong":
        for option, unset in (("episode_ticks", None), ("shaping", 0.0), ("ball_information", None)):
            if getattr(a, option) != unset:
                p.error(f"--{option.replace('_', '-')} is only for CLPong-v0")
    if a.episode_ticks is not None and a.episode_ticks < 1:
        p.error("--episode-ticks must be >= 1")
    if a.ball_information is not None and (a.ball_information < 200 or a.mode != "decoder"):
        p.error("--ball-information needs at least 200 steps and --mode decoder")
    if a.out is None:
        a.out = f"out/sb3/{a.env}_{a.algo}_{a.mode}_{a.culture}_s{a.seed}" + ("_quick" if a.quick else "")
    return a


def check_choices(p: argparse.ArgumentParser, a: argparse.Namespace) -> None:
    """One argparse error line for a culture, feedback, observation or count the env would reject later."""
    from clgym.culture.config import PRESETS

    if a.culture is not None and a.culture not in PRESETS:
        p.error(f"--culture {a.culture!r} is unknown; allowed: {', '.join(PRESETS)}")
    if a.game == "pong":
        from clgym.envs.pong import FEEDBACKS, OBSERVATIONS
    else:
        from clgym.envs.doom_lite import FEEDBACKS, OBSERVATIONS
    if a.feedback not in FEEDBACKS:
        p.error(f"--feedback {a.feedback!r} is unknown for {a.env}; allowed: {', '.join(FEEDBACKS)}")
    allowed = OBSERVATIONS[a.mode] if a.mode in OBSERVATIONS else ()
    if a.observation is not None and a.mode == "decoder" and a.observation not in allowed:
        p.error(f"--observation {a.observation!r} is unknown for {a.env}, --mode {a.mode}; allowed: "
                f"{', '.join(allowed)}")
    for option, low in (("threads", 1), ("checkpoints", 0), ("baseline_steps", 1)):
        value = getattr(a, option)
        if value is not None and value < low:
            p.error(f"--{option.replace('_', '-')} {value} is out of range; allowed: >= {low}")
    if a.random_spike_percentile is not None and not 0 < a.random_spike_percentile < 100:
        p.error(f"--random-spike-percentile {a.random_spike_percentile:g} is out of range; allowed: 0 < p < 100")


def command_line(a: argparse.Namespace) -> str:
    return ("clgym train " + shlex.join(a.argv)) if a.argv else "clgym train"


def config_from_args(a: argparse.Namespace):
    from clgym.agents.algos import algo_kwargs
    from clgym.agents.env_factories import AgentEnvConfig

    env_kwargs = {k: v for k, v in (("observation", a.observation), ("history_ticks", a.history_ticks),
                                    ("episode_ticks", a.episode_ticks)) if v is not None}
    return AgentEnvConfig(env_id=a.env, mode=a.mode, culture=a.culture, log_counts=a.log_counts, feedback=a.feedback,
                          encoder_actions="single" if (a.mode == "encoder" and a.algo == "dqn") else "rate",
                          random_spike_percentile=a.random_spike_percentile, shaping=a.shaping,
                          shaping_gamma=algo_kwargs(a.algo, a.steps, a.n_envs, game=a.game)["gamma"],
                          env_kwargs=env_kwargs)


def open_venv(config, a: argparse.Namespace, monitor_file: str | None = None, normalize: bool | None = None):
    """The run's vectorised envs: monitored, and (Doom) with SB3's running normalisation of observations and rewards."""
    from clgym.agents.env_factories import make_agent_vec_env

    venv = make_agent_vec_env(config, a.n_envs, seed=a.seed, vec=a.vec, monitor_file=monitor_file)
    if a.normalize if normalize is None else normalize:
        from stable_baselines3.common.vec_env import VecNormalize

        from clgym.agents.algos import algo_kwargs

        venv = VecNormalize(venv, gamma=algo_kwargs(a.algo, a.steps, a.n_envs, game=a.game)["gamma"])
    return venv


def freeze(venv) -> None:
    """Evaluation from here on: the episode CSV keeps training episodes only, the normalisation statistics stop
    changing, and the rewards are the game's own."""
    from stable_baselines3.common.vec_env import VecMonitor, unwrap_vec_wrapper

    monitor = unwrap_vec_wrapper(venv, VecMonitor)
    if monitor is not None and monitor.results_writer is not None:
        monitor.results_writer.close()
        monitor.results_writer = None
    if hasattr(venv, "obs_rms"):
        venv.training, venv.norm_reward = False, False


def train_run(name: str, config, a: argparse.Namespace, steps: int, out: Path) -> dict[str, Any]:
    """Train one agent on ``config``; save model, checkpoints, episodes; return its venv, model and records."""
    from stable_baselines3.common.callbacks import CheckpointCallback

    from clgym.agents.algos import algo_kwargs, learn, make_model
    from clgym.agents.curves import EpisodeRecorder
    from clgym.agents.evaluation import score_for

    run_dir = out / "runs" / name
    run_dir.mkdir(parents=True, exist_ok=True)
    print(f"training {name}: {a.algo.upper()} on {config.env_id}, {config.mode} mode, source={config.source}, "
          f"ablation={config.ablation}, {steps:,} steps over {a.n_envs} envs", file=sys.stderr, flush=True)
    venv = open_venv(config, a, monitor_file=str(run_dir / "episodes"))
    model = make_model(a.algo, venv, steps, seed=a.seed, tensorboard_log=str(out / "tb"), game=a.game)
    recorder = EpisodeRecorder(score_for(config.env_id))
    callbacks = [recorder]
    if a.checkpoints > 0:
        every = max(1, steps // (a.checkpoints * a.n_envs))
        callbacks.append(CheckpointCallback(every, str(run_dir / "checkpoints"), name_prefix=a.algo))
    progress = sys.stderr.isatty() if a.progress is None else a.progress
    timing = learn(model, steps, callbacks, tb_log_name=name, progress_bar=progress)
    model.save(run_dir / "model.zip")
    if hasattr(venv, "obs_rms"):
        venv.save(str(run_dir / "vecnormalize.pkl"))
    info = {"name": name, "algo": a.algo, "config": config.to_dict(), "seed": a.seed, "n_envs": a.n_envs,
            "vec": a.vec, "steps": steps, "normalize": a.normalize,
            "hyperparameters": algo_kwargs(a.algo, steps, a.n_envs, game=a.game), "timing": timing}
    (run_dir / "run.json").write_text(json.dumps(info, indent=2))
    print(f"  [{name}] done: {timing['steps']:,} steps in {timing['wall_s']:.0f} s wall = {timing['steps_per_s']:.0f} "
          f"steps/s ({timing['steps_per_cpu_s']:.0f} per CPU-second)", file=sys.stderr, flush=True)
    return {"venv": venv, "model": model, "episodes": recorder.episodes, "info": info}


def evaluate_rows(a, model, venv, label: str, score) -> list[tuple[str, dict[str, Any]]]:
    """The trained agent on ``venv``, then the same with the spikes silenced at the link."""
    from clgym.agents.evaluation import evaluate

    freeze(venv)
    deterministic = not a.stochastic_eval
    rows = [(label, evaluate(model, venv, a.eval_episodes, deterministic=deterministic, score=score))]
    venv.env_method("set_drop_spikes", True)
    try:
        rows.append((f"{label}, spikes silenced at test",
                     evaluate(model, venv, a.eval_episodes, deterministic=deterministic, score=score)))
    finally:
        venv.env_method("set_drop_spikes", False)
    return rows


def random_policy_row(a, config, score) -> tuple[str, dict[str, Any]]:
    from clgym.agents.evaluation import evaluate
    from clgym.agents.policies import RandomPolicy

    venv = open_venv(config, a, normalize=False)
    try:
        return "random policy", evaluate(RandomPolicy(venv.action_space, a.seed), venv, a.eval_episodes, score=score)
    finally:
        venv.close()


def _clean(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in stats.items() if k != "episode_list"}


def write_report(out: Path, a, config, rows, curves, timings, agent_name: str, score) -> None:
    from clgym.agents.curves import plot_curves

    bands = {name: stats for name, stats in rows if name == "random policy"}
    observation = (a.observation or "the env's default") + (", log counts" if a.log_counts else "")
    title = (f"{a.algo.upper()} on {a.env} ({a.mode} mode, observation {observation}, culture={a.culture}, "
             f"{a.n_envs} envs, seed {a.seed})")
    plot_curves(curves, bands, out / "curve.png", title=title, score=score)
    mean_key, _, label = score.headline
    random_stats, agent = bands.get("random policy"), dict(rows).get(agent_name)
    ratio, ratio_text = None, None
    if score.name == "pong" and random_stats and agent:
        from clgym.agents.evaluation import ratio_to_random

        ratio, ratio_text = ratio_to_random(agent, random_stats, mean_key)
    lines = [f"# {title}", "", f"Command: `{command_line(a)}`", "",
             f"Evaluation: {a.eval_episodes} episodes per row ({'stochastic' if a.stochastic_eval else 'greedy'} "
             "actions). Trained agents are evaluated on the cultures they trained on (plasticity carried over).",
             "", score.table(rows), ""]
    if ratio_text is not None:
        lines += [f"Agent / random policy, {label}: {ratio_text}", ""]
    lines += ["Training throughput (env steps; one process, torch threads = "
              f"{a.threads}; CPU-second = this process's CPU time):", "",
              "| run | steps | wall s | steps/s (wall) | steps per CPU-second |", "|---|---|---|---|---|"]
    for name, t in timings.items():
        lines.append(f"| {name} | {t['steps']:,} | {t['wall_s']:.0f} | {t['steps_per_s']:.0f} | "
                     f"{t['steps_per_cpu_s']:.0f} |")
    _, sem_key, _ = score.headline
    lines += ["", f"Learning curve ({label} +- SEM of the training episodes ending in each bin):", "",
              "| steps | " + " | ".join(curves) + " |", "|---|" + "---|" * len(curves)]
    for i in range(len(next(iter(curves.values()), []))):
        cells = ["-" if not bins[i]["episodes"] else f"{bins[i][mean_key]:.2f} +- {bins[i][sem_key]:.2f} "
                 f"({bins[i]['episodes']})" for bins in curves.values()]
        first = next(iter(curves.values()))[i]
        lines.append(f"| {first['step_lo']:,.0f}-{first['step_hi']:,.0f} | " + " | ".join(cells) + " |")
    lines += ["", f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}",
              ""]
    (out / "results.md").write_text("\n".join(lines))
    results = {"command": command_line(a), "config": config.to_dict(), "args": vars(a),
               "rows": {name: _clean(stats) for name, stats in rows}, "ratio_to_random": ratio,
               "timings": timings, "curves": {n: [_clean(b) for b in bins] for n, bins in curves.items()}}
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print("\n" + "\n".join(lines[4:]), flush=True)
    print(f"results in {out}/ (results.md, results.json, curve.png, runs/, tb/)", flush=True)


def main_train(a: argparse.Namespace) -> int:
    from clgym.agents.curves import bin_curve
    from clgym.agents.env_factories import baseline_config
    from clgym.agents.evaluation import evaluate, score_for

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    config, score = config_from_args(a), score_for(a.env)
    (out / "config.json").write_text(json.dumps({"command": command_line(a), "args": vars(a),
                                                 "config": config.to_dict()}, indent=2, default=str))
    agent_name = a.algo
    runs = [(agent_name, config, a.steps, agent_name)]
    labels = {"random_source": "{} trained on the random source", "zero_spikes": "{} trained on zero spikes"}
    for baseline in a.baselines:
        if baseline != "random_policy":
            runs.append((f"{a.algo}_{baseline}", baseline_config(config, baseline), a.baseline_steps,
                         labels[baseline].format(a.algo)))
    rows: list[tuple[str, dict[str, Any]]] = []
    curves, timings = {}, {}
    for name, run_config, steps, label in runs:
        run = train_run(name, run_config, a, steps, out)
        try:
            if name == agent_name:
                rows.extend(evaluate_rows(a, run["model"], run["venv"], label, score))
            else:
                freeze(run["venv"])
                rows.append((label, evaluate(run["model"], run["venv"], a.eval_episodes,
                                             deterministic=not a.stochastic_eval, score=score)))
        finally:
            run["venv"].close()
        curves[name] = bin_curve(run["episodes"], steps, a.bins, score)
        timings[name] = run["info"]["timing"]
    if "random_policy" in a.baselines:
        rows.append(random_policy_row(a, config, score))
    write_report(out, a, config, rows, curves, timings, agent_name, score)
    return 0


def main_eval(a: argparse.Namespace) -> int:
    """Evaluate a saved model on fresh cultures grown from its run's seeds (or ``--seed`` if given)."""
    from clgym.agents.algos import load_model
    from clgym.agents.env_factories import AgentEnvConfig
    from clgym.agents.evaluation import score_for

    model_path = Path(a.eval)
    run_json = model_path.parent / "run.json"
    if not model_path.exists() or not run_json.exists():
        print(f"clgym train --eval: need {model_path} and {run_json} (written by a training run)", file=sys.stderr)
        return 2
    info = json.loads(run_json.read_text())
    config = AgentEnvConfig(**info["config"])
    score = score_for(config.env_id)
    a.seed = a.seed if "seed" in a.given else info["seed"]
    a.algo, a.env, a.game, a.normalize = info["algo"], config.env_id, game_of(config.env_id), False
    a.n_envs = a.n_envs if "n_envs" in a.given else info["n_envs"]
    venv = open_venv(config, a)
    statistics = model_path.parent / "vecnormalize.pkl"
    if statistics.exists():  # the normalisation the agent was trained with
        from stable_baselines3.common.vec_env import VecNormalize

        venv = VecNormalize.load(str(statistics), venv)
    try:
        model = load_model(info["algo"], str(model_path), device="cpu")
        rows = evaluate_rows(a, model, venv, f"{info['name']} (fresh cultures, seeds {a.seed}.."
                                              f"{a.seed + a.n_envs - 1})", score)
    finally:
        venv.close()
    rows.append(random_policy_row(a, config, score))
    text = score.table(rows)
    print(text)
    out = Path(a.out) if "out" in a.given else model_path.parent
    out.mkdir(parents=True, exist_ok=True)
    (out / "eval.json").write_text(json.dumps({"command": command_line(a), "model": str(model_path),
                                               "rows": {n: _clean(s) for n, s in rows}}, indent=2, default=str))
    (out / "eval.md").write_text(f"Command: `{command_line(a)}`\n\n{text}\n")
    return 0


def main_ball_information(a: argparse.Namespace) -> int:
    """Ball information in CLPong-v0's decoder observation: per-channel counts, group sums, the random source."""
    import dataclasses

    from clgym.agents.ball_information import accuracy_text, ball_information

    base = config_from_args(a)
    kwargs = dict(base.env_kwargs)
    variants = {"channels (CLPong-v0's decoder observation)": {**kwargs, "observation": "channels"},
                "groups (counts summed per channel group)": {**kwargs, "observation": "groups"}}
    configs = {name: dataclasses.replace(base, env_kwargs=v) for name, v in variants.items()}
    configs["channels, SDK random source in place of the culture"] = dataclasses.replace(
        base, env_kwargs=variants["channels (CLPong-v0's decoder observation)"], source="random")
    history = kwargs.get("history_ticks", 10)
    lines = [f"Command: `{command_line(a)}`", "",
             f"Held-out accuracy (last 30 % of {a.ball_information:,} steps of random play, culture `{a.culture}`, "
             f"seed {a.seed}, {history} ticks of history) of a one-hidden-layer classifier reading the observation; "
             "chance = the most common class of the test steps.", "",
             "| observation | ball half | ball band (of 8) | ball half, ball within 150 units of the paddle |",
             "|---|---|---|---|"]
    results = {}
    for name, config in configs.items():
        print(f"decoding the ball from {name} ...", file=sys.stderr, flush=True)
        r = results[name] = ball_information(config, steps=a.ball_information, seed=a.seed)
        lines.append(f"| {name} | " + " | ".join(accuracy_text(r[k]) for k in ("half", "band", "half_near_paddle"))
                     + " |")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"ball_information_h{history}.md").write_text("\n".join(lines) + "\n")
    (out / f"ball_information_h{history}.json").write_text(json.dumps({"command": command_line(a),
                                                                        "results": results}, indent=2))
    print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    import torch

    torch.set_num_threads(a.threads)
    if a.ball_information is not None:
        return main_ball_information(a)
    return main_eval(a) if a.eval else main_train(a)


if __name__ == "__main__":
    sys.exit(main())
