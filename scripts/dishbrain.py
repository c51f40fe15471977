"""The DishBrain replication campaign: seeded Pong sessions per condition, the culture playing alone.

Conditions (``--conditions``; the paper's group in brackets, ``/work/shared/reference/dishbrain.md``):

==================  ==========================================================================================
``stimulus``        the culture plays with DishBrain's feedback (predictable hit, unpredictable miss) [MCC/HCC]
``silent``          no hit stimulus; the miss stimulus replaced by an equally long silent pause [Silent]
``no_feedback``     sensory input only; no pause, the ball is not reset on a miss [No-feedback]
``rest``            no stimulation at all; spontaneous activity moves the paddle [RST]
``in_silico``       the cl SDK's own random spike source in place of the culture, stimulus feedback [IS]
``media_only``      a culture-free MEA: electrode-noise threshold crossings only, stimulus feedback [CTL]
``plasticity_off``  ``stimulus`` with STDP (and tagging) and homeostatic scaling off (no wet lab can run this)
==================  ==========================================================================================

Session ``k`` of every condition uses seed ``--seed + k`` (culture, serves and feedback), so conditions are
compared on the same cultures, like the paper's same-day rest. The game, the decoder and the feedback are the
env's (``gym.make("CLPong-v0", control="culture", ...)``); nothing here knows the score except the analysis.
During play each session also measures what the culture does, per bin of ``--minutes``/20: spike rate per
recording channel, network bursts per minute (:mod:`clgym.analysis.activity`), the mean weight of excitatory
synapses from neurons near the sensory electrodes onto neurons near the motor electrodes, the mean
excitatory->excitatory weight, and how often the paddle moves toward the ball ("tracking"; 0.5 = chance).

Outputs in ``--out``: ``sessions.csv`` (one row per session and window), ``rallies.csv`` (one row per
rally), ``activity.csv`` (one row per session and bin), ``results.json`` (all the sessions returned, for
``--reanalyse``), ``run.json`` (arguments), ``summary.md`` (the command, our table next to the paper's,
feedback % changes vs rest, what the culture did), ``rally_over_time.png``, ``rally_bars.png``,
``plasticity.png``.

Usage::

    clgym replicate --quick                                     # ~1-2 min: tiny culture, 2 x 2 min sessions
    clgym replicate --sessions 8 --minutes 20 --culture small   # the campaign
    clgym replicate --override stdp_a_plus=0.02 --conditions stimulus rest
    clgym replicate --ray-address auto                          # the same sessions as Ray tasks
    clgym replicate --reanalyse results/dishbrain --long-rally-hits 2   # re-report a finished run
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import ctypes
import ctypes.util
import io
import json
import math
import multiprocessing
import os
import shlex
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from clgym.analysis.game_metrics import (
    TICKS_PER_MINUTE,
    RallyCounter,
    dishbrain_windows,
    format_condition_table,
    mean_sem,
    percent_change,
    rallies_in_windows,
    rally_length_over_time,
    summarise_condition,
    welch_t_test,
)


@dataclass(frozen=True)
class Condition:
    name: str
    paper_group: str
    feedback: str
    source: str  # "culture", "in_silico" or "media_only"
    culture_overrides: dict = field(default_factory=dict)


CONDITIONS = {c.name: c for c in (
    Condition("stimulus", "MCC/HCC, Stimulus", "stimulus", "culture"),
    Condition("silent", "Silent", "silent", "culture"),
    Condition("no_feedback", "No-feedback", "no_feedback", "culture"),
    Condition("rest", "RST", "rest", "culture"),
    Condition("in_silico", "IS", "stimulus", "in_silico"),
    Condition("media_only", "CTL", "stimulus", "media_only"),
    Condition("plasticity_off", "-", "stimulus", "culture",
              {"stdp": False, "stdp_tagging": False, "homeostasis": False}),
)}
QUICK = dict(sessions=2, minutes=2.0, culture="tiny")
ACTIVITY_BINS_PER_SESSION = 20
PR_SET_PDEATHSIG = 1  # prctl option: a signal for this process when its parent dies


@dataclass(frozen=True)
class PaperGroup:
    """One row of the paper's results table (session mean +- SEM) and our condition that stands for it."""

    label: str
    sessions: int
    early: tuple[float, float]
    late: tuple[float, float]
    aces: tuple[float, float]
    long_rallies: tuple[float, float]
    learning_test: str
    ours: str


PAPER_GROUPS = (
    PaperGroup("CTL media only", 80, (0.900, 0.041), (0.872, 0.031), (50.8, 53.0), (9.5, 9.3), "p = 0.59",
               "media_only"),
    PaperGroup("IS in silico", 38, (0.832, 0.032), (0.801, 0.019), (53.5, 55.6), (9.3, 8.3), "p = 0.38",
               "in_silico"),
    PaperGroup("RST rest", 42, (0.765, 0.037), (0.815, 0.038), (58.5, 57.0), (9.2, 8.7), "p = 0.29", "rest"),
    PaperGroup("MCC mouse cells", 101, (0.780, 0.030), (1.020, 0.025), (53.4, 49.9), (7.3, 12.2),
               "t(100) = -6.15, p = 1.6e-8", "stimulus"),
    PaperGroup("HCC human cells", 138, (0.674, 0.029), (1.129, 0.030), (54.5, 48.2), (4.4, 10.6),
               "t(137) = -10.44, p = 3.9e-19", "stimulus"),
)
PAPER_FEEDBACK_NOTE = ("Paper, feedback experiment, % change in rally length vs same-day rest (6-20 min): Stimulus "
                       "+43.4 %, Silent +21.4 %, No-feedback +8.2 % (Stimulus vs Silent p = 0.001; Silent vs "
                       "No-feedback p = 0.027).")
PAPER_PERCENT_VS_REST = {"stimulus": 43.4, "silent": 21.4, "no_feedback": 8.2}


@dataclass(frozen=True)
class SessionSpec:
    condition: str
    session: int
    seed: int
    minutes: float
    culture: dict
    in_silico_link: str = "in_process"
    long_rally_hits: int = 3


# -- one session (runs in a worker process or a Ray task) ----------------------------------------------------
def _open_env(spec: SessionSpec):
    import gymnasium as gym

    import clgym  # noqa: F401 - registers CLPong-v0

    condition = CONDITIONS[spec.condition]
    ticks = int(round(spec.minutes * TICKS_PER_MINUTE))
    kwargs = dict(control="culture", feedback=condition.feedback, episode_ticks=ticks, seed=spec.seed)
    if condition.source == "culture":
        return gym.make("CLPong-v0", culture={**spec.culture, **condition.culture_overrides}, **kwargs)
    from clgym.links import InProcessLink, SdkLink

    if condition.source == "media_only":
        from clgym.sources.noise_source import NoiseSource

        link = InProcessLink(source=NoiseSource(seed=spec.seed))
    elif spec.in_silico_link == "sdk":  # the SDK's random source in its producer process
        link = SdkLink(random_seed=spec.seed)
    else:  # the same source class, driven in this process (identical spikes, ~3x faster)
        from cl.sim._data_source import RandomDataSource

        with contextlib.redirect_stdout(io.StringIO()):  # it prints its seed on open: keep the report clean
            link = InProcessLink(source=RandomDataSource(random_seed=spec.seed))
    env = gym.make("CLPong-v0", link=link, **kwargs)
    env.unwrapped.session_owned_link = link  # an env never closes a link it was given: run_session does
    return env


class CultureProbe:
    """Weights of the culture behind an env (NaN when the source has no culture).

    ``w_steer`` asks whether the culture has a pathway that moves the paddle toward the ball: the "up" motor
    region moves the paddle to larger y, so the right pathways run from the sensory neurons of the upper place
    bands (4-7, large y) to the "up" region and from the lower bands (0-3) to the "down" region. ``w_steer`` is
    the mean weight of those right pathways minus that of the wrong ones (upper -> down, lower -> up); it is
    ~0 in a naive culture and would grow if play taught the culture to steer. ``capture_s`` is the
    simulated time with tetanus capture open (``stdp_tagging`` cultures; 0 otherwise).
    """

    def __init__(self, env):
        from clgym.coding import pong_layout

        source = getattr(env.unwrapped.connection.link, "source", None)
        self.culture = getattr(source, "culture", None)
        if self.culture is None:
            return
        c, layout = self.culture, pong_layout()
        excitatory = np.flatnonzero(c.dish.is_exc)

        def near(channels):
            return np.intersect1d(c.neurons_near(list(channels)), excitatory)

        half = len(layout.sensory) // 2
        self.sensory = near(layout.sensory)
        self.motor = near([ch for region in layout.motor for ch in region])
        up, down = (near(layout.motor[layout.motor_names.index(name)]) for name in ("up", "down"))
        lower, upper = near(layout.sensory[:half]), near(layout.sensory[half:])
        self.right = ((upper, up), (lower, down))
        self.wrong = ((upper, down), (lower, up))
        self.excitatory = excitatory

    def weights(self) -> dict[str, float]:
        if self.culture is None:
            return {"w_sensory_to_motor": math.nan, "w_exc_to_exc": math.nan, "w_steer": math.nan,
                    "capture_s": math.nan}
        c = self.culture

        def mean_of(pairs):
            return float(np.mean(np.concatenate([c.weights_between(pre, post) for pre, post in pairs])))

        return {"w_sensory_to_motor": float(np.mean(c.weights_between(self.sensory, self.motor))),
                "w_exc_to_exc": float(np.mean(c.weights_between(self.excitatory, self.excitatory))),
                "w_steer": mean_of(self.right) - mean_of(self.wrong),
                "capture_s": float(getattr(c, "capture_steps", 0)) * c.config.dt_ms / 1000.0}


def run_session(spec: SessionSpec) -> dict:
    """Play one session; return its rallies and, per activity bin, what the culture and paddle did."""
    from clgym.analysis.activity import network_bursts
    from clgym.culture.mea import NON_STIMULABLE, REFERENCE_CHANNEL
    from clgym.envs.pong import GAME_STATE_FIELDS

    started, started_cpu = time.perf_counter(), time.process_time()
    env = _open_env(spec)
    ticks = int(round(spec.minutes * TICKS_PER_MINUTE))
    bin_ticks = max(1, ticks // ACTIVITY_BINS_PER_SESSION)
    recording_channels = 64 - len(set(NON_STIMULABLE) | {REFERENCE_CHANNEL})
    y, paddle, paused = (GAME_STATE_FIELDS.index(k) for k in ("ball_y", "paddle_y", "paused"))
    rallies, bins = RallyCounter(), []
    try:
        obs, _ = env.reset(seed=spec.seed)
        probe = CultureProbe(env)
        link = env.unwrapped.connection.link
        initial = {"start_min": 0.0, "stop_min": 0.0, **probe.weights()}
        bin_spikes: list[tuple[np.ndarray, np.ndarray]] = []
        moving = toward = 0
        advance = link.advance

        def advance_and_keep():  # the env's own call, observed: the tick's spikes for the activity statistics
            tick = advance()
            bin_spikes.append((tick.spike_timestamps, tick.spike_channels))
            return tick

        link.advance = advance_and_keep
        bin_start_frame, bin_start_tick = link.timestamp(), 0
        for t in range(ticks):
            previous = obs
            obs, _, _, truncated, info = env.step(0)
            rallies.add(t, info["event"])
            step = obs[paddle] - previous[paddle]
            if not previous[paused] and abs(step) > 1e-6:
                moving += 1
                toward += int((step > 0) == (previous[y] > previous[paddle]))
            if (t + 1) % bin_ticks == 0 or truncated:
                stamps = np.concatenate([s[0] for s in bin_spikes]) if bin_spikes else np.zeros(0, np.int64)
                channels = np.concatenate([s[1] for s in bin_spikes]) if bin_spikes else np.zeros(0, np.int32)
                frames = max(1, link.timestamp() - bin_start_frame)
                bursts = network_bursts(stamps, channels, frames, start_frame=bin_start_frame)
                bins.append({"start_min": bin_start_tick / TICKS_PER_MINUTE,
                             "stop_min": (t + 1) / TICKS_PER_MINUTE,
                             "spike_rate_hz": float(stamps.size / (frames / 25_000) / recording_channels),
                             "bursts_per_minute": float(bursts.per_minute), **probe.weights(),
                             "moving_ticks": moving, "toward_ball_ticks": toward})
                bin_spikes.clear()
                moving = toward = 0
                bin_start_frame, bin_start_tick = link.timestamp(), t + 1
            if truncated:
                break
    finally:
        env.close()
        owned_link = getattr(env.unwrapped, "session_owned_link", None)
        if owned_link is not None:
            owned_link.close()  # else an SdkLink's producer would outlive the session
    return {"spec": asdict(spec), "rally_end_ticks": rallies.end_ticks, "rally_hits": rallies.hits,
            "initial": initial, "bins": bins, "wall_seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - started_cpu}


# -- the campaign ------------------------------------------------------------------------------------------
def run_campaign(specs: list[SessionSpec], workers: int, ray_address: str | None) -> list[dict]:
    from tqdm import tqdm

    results = []
    with tqdm(total=len(specs), desc="sessions", unit="session", file=sys.stderr) as bar:
        if ray_address is not None:
            try:
                import ray
            except ImportError:
                raise SystemExit("--ray-address needs Ray, which is not installed: pip install ray") from None
            ray.init(address=ray_address)
            remote = ray.remote(num_cpus=1)(run_session)
            pending = [remote.remote(spec) for spec in specs]
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                results.append(ray.get(done[0]))
                bar.update(1)
            return results
        if workers <= 1:
            for spec in specs:
                results.append(run_session(spec))
                bar.update(1)
            return results
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                                 initializer=_end_with_parent) as pool:
            try:
                for future in as_completed([pool.submit(run_session, spec) for spec in specs]):
                    results.append(future.result())
                    bar.update(1)
            except BaseException:
                # Ctrl-C or a failed session: a worker turns SIGINT/SIGTERM into an exception of its session
                # and would wait for the next one, so stop the queue and end the workers (ours, by process)
                pool.shutdown(wait=False, cancel_futures=True)
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.kill()
                raise
    return results


def _end_with_parent() -> None:
    """In a worker: be killed when the campaign process dies, however it dies (Linux; elsewhere a no-op)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _session_key(result: dict) -> tuple:
    spec = result["spec"]
    return (list(CONDITIONS).index(spec["condition"]), spec["session"])


def analyse(results: list[dict], minutes: float, early_minutes: float | None, late_start_minutes: float | None,
            long_rally_hits: int):
    """Per-session window rows and per-condition summaries."""
    windows = dishbrain_windows(minutes, early_minutes, late_start_minutes)
    rows, per_condition = [], {}
    for result in sorted(results, key=_session_key):
        spec = result["spec"]
        stats = rallies_in_windows(result["rally_end_ticks"], result["rally_hits"], windows, long_rally_hits)
        per_condition.setdefault(spec["condition"], []).append(stats)
        for window, stat in zip(windows, stats, strict=True):
            inside = [b for b in result["bins"] if b["start_min"] >= window.start_minutes - 1e-9
                      and b["stop_min"] <= window.stop_minutes + 1e-9]
            last = inside[-1] if inside else {}
            moving = sum(b["moving_ticks"] for b in inside)
            rows.append({"condition": spec["condition"], "paper_group": CONDITIONS[spec["condition"]].paper_group,
                         "session": spec["session"], "seed": spec["seed"], "window": window.label,
                         "start_min": window.start_minutes, "stop_min": window.stop_minutes,
                         "rallies": stat.rallies, "hits": stat.hits, "aces_percent": stat.aces_percent,
                         "long_rallies_percent": stat.long_rallies_percent, "average_rally": stat.average_rally,
                         "spike_rate_hz": _mean([b["spike_rate_hz"] for b in inside]),
                         "bursts_per_minute": _mean([b["bursts_per_minute"] for b in inside]),
                         "w_sensory_to_motor_at_end": last.get("w_sensory_to_motor", math.nan),
                         "w_exc_to_exc_at_end": last.get("w_exc_to_exc", math.nan),
                         "w_steer_at_end": last.get("w_steer", math.nan),
                         "toward_ball_fraction": sum(b["toward_ball_ticks"] for b in inside) / moving
                         if moving else math.nan})
    summaries = [summarise_condition(name, [s[0] for s in stats], [s[1] for s in stats])
                 for name, stats in per_condition.items()]
    return windows, rows, summaries


def _mean(values) -> float:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.nan


def feedback_comparison(rows: list[dict], late_label: str) -> str:
    """The paper's feedback experiment: late-window average rally of each condition vs rest (% change)."""
    late = {}
    for row in rows:
        if row["window"] == late_label:
            late.setdefault(row["condition"], []).append(row["average_rally"])
    if "rest" not in late:
        return "(no rest sessions: no % change vs rest)"
    lines = ["| condition | % change vs rest (late window) | paper |", "|---|---|---|"]
    for name in ("stimulus", "silent", "no_feedback", "plasticity_off", "in_silico", "media_only"):
        if name in late:
            paper = PAPER_PERCENT_VS_REST.get(name)
            lines.append(f"| {name} | {percent_change(late[name], late['rest']):+.1f} % | "
                         f"{'-' if paper is None else f'{paper:+.1f} %'} |")
    for a, b in (("stimulus", "silent"), ("silent", "no_feedback"), ("stimulus", "rest"),
                 ("stimulus", "plasticity_off")):
        if a in late and b in late:
            lines.append(f"\n{a} vs {b} (Welch, late window): {welch_t_test(late[a], late[b])}")
    return "\n".join(lines)


def plasticity_table(results: list[dict]) -> str:
    """What the culture did: first and last activity bins, mean over sessions, per culture condition."""
    lines = ["| condition | w sensory->motor start -> end | w exc->exc start -> end | spikes/channel/s first -> "
             "last bin | bursts/min first -> last bin | toward-ball fraction first -> last bin | w_steer (right - "
             "wrong pathway) start -> end | capture s |",
             "|---|---|---|---|---|---|---|---|"]
    by_condition: dict[str, list[dict]] = {}
    for r in sorted(results, key=_session_key):
        by_condition.setdefault(r["spec"]["condition"], []).append(r)
    for name, sessions in by_condition.items():
        def pair(key, first_source, last_source, digits, sessions=sessions):
            a = _mean([first_source(s).get(key, math.nan) for s in sessions])
            b = _mean([last_source(s).get(key, math.nan) for s in sessions])
            return f"{a:.{digits}f} -> {b:.{digits}f}"

        def toward(s, index):
            b = s["bins"][index]
            return {"f": b["toward_ball_ticks"] / b["moving_ticks"] if b["moving_ticks"] else math.nan}

        lines.append(f"| {name} | {pair('w_sensory_to_motor', lambda s: s['initial'], lambda s: s['bins'][-1], 5)}"
                     f" | {pair('w_exc_to_exc', lambda s: s['initial'], lambda s: s['bins'][-1], 5)}"
                     f" | {pair('spike_rate_hz', lambda s: s['bins'][0], lambda s: s['bins'][-1], 2)}"
                     f" | {pair('bursts_per_minute', lambda s: s['bins'][0], lambda s: s['bins'][-1], 1)}"
                     f" | {pair('f', lambda s: toward(s, 0), lambda s: toward(s, -1), 3)}"
                     f" | {pair('w_steer', lambda s: s['initial'], lambda s: s['bins'][-1], 5)}"
                     f" | {_mean([s['bins'][-1].get('capture_s', math.nan) for s in sessions]):.1f} |")
    return "\n".join(lines)


def paper_side_by_side(summaries) -> str:
    """The paper's groups next to the condition of ours that stands for each (same columns)."""
    ours = {s.name: s for s in summaries}
    lines = ["| paper group (n) | paper: avg rally early -> late | paper: paired t | ours | ours: avg rally early -> "
             "late | ours: paired t | paper % aces | ours % aces | paper % long | ours % long |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for g in PAPER_GROUPS:
        s = ours.get(g.ours)
        paper = f"{g.early[0]:.3f} +- {g.early[1]:.3f} -> {g.late[0]:.3f} +- {g.late[1]:.3f}"
        mine = "not run" if s is None else f"{s.early_rally} -> {s.late_rally}"
        test = "-" if s is None else str(s.learning_test)
        aces = "-" if s is None else f"{s.early_aces_percent.mean:.1f} -> {s.late_aces_percent.mean:.1f}"
        long = "-" if s is None else f"{s.early_long_percent.mean:.1f} -> {s.late_long_percent.mean:.1f}"
        lines.append(f"| {g.label} ({g.sessions}) | {paper} | {g.learning_test} | {g.ours}"
                     f"{'' if s is None else f' ({s.sessions})'} | {mine} | {test} | {g.aces[0]:.1f} -> "
                     f"{g.aces[1]:.1f} | {aces} | {g.long_rallies[0]:.1f} -> {g.long_rallies[1]:.1f} | {long} |")
    return "\n".join(lines)


# -- outputs -----------------------------------------------------------------------------------------------
def write_csv(path: Path, rows: list[dict]) -> None:
    if not rows:
        return
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_figures(out: Path, results: list[dict], summaries, windows, minutes: float) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [s.name for s in summaries]
    colours = {name: plt.cm.tab10(i) for i, name in enumerate(CONDITIONS)}
    bin_minutes = minutes / 10
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name in names:
        curves = np.array([rally_length_over_time(r["rally_end_ticks"], r["rally_hits"], minutes, bin_minutes)
                           for r in results if r["spec"]["condition"] == name])
        stats = [mean_sem(curves[:, k]) for k in range(curves.shape[1])]
        centres = (np.arange(curves.shape[1]) + 0.5) * bin_minutes
        mean = np.array([s.mean for s in stats])
        sem = np.nan_to_num(np.array([s.sem for s in stats]))
        ax.plot(centres, mean, "-o", ms=3, color=colours[name], label=f"{name} (n={curves.shape[0]})")
        ax.fill_between(centres, mean - sem, mean + sem, color=colours[name], alpha=0.15)
    ax.set(xlabel="session time (min)", ylabel="average rally (hits)",
           title=f"Rally length over time (mean +- SEM over sessions, {bin_minutes:g}-min bins)")
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    over_time = out / "rally_over_time.png"
    fig.savefig(over_time, dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4.5))
    x = np.arange(len(summaries))
    for offset, label, key in ((-0.2, windows[0].label, "early_rally"), (0.2, windows[1].label, "late_rally")):
        values = [getattr(s, key) for s in summaries]
        ax.bar(x + offset, [v.mean for v in values], 0.4, yerr=np.nan_to_num([v.sem for v in values]),
               capsize=3, label=label, alpha=0.85 if offset > 0 else 0.45, color="tab:blue")
    for i, s in enumerate(summaries):
        ax.text(i, 0.02, f"p={s.learning_test.p:.2g}", ha="center", fontsize=7, rotation=90, va="bottom")
    ax.set_xticks(x, names, rotation=20)
    ax.set(ylabel="average rally (hits)", title="Average rally, first vs last window (mean +- SEM)")
    ax.legend()
    fig.tight_layout()
    bars = out / "rally_bars.png"
    fig.savefig(bars, dpi=120)
    plt.close(fig)

    fig, axes = plt.subplots(1, 4, figsize=(17, 4))
    for name in names:
        sessions = [r for r in results if r["spec"]["condition"] == name]
        times = [b["stop_min"] for b in sessions[0]["bins"]]
        for ax, key in zip(axes, ("w_sensory_to_motor", "w_steer", "spike_rate_hz", "bursts_per_minute"),
                            strict=True):
            values = np.array([[b.get(key, math.nan) for b in s["bins"]] for s in sessions], dtype=float)
            if np.isfinite(values).any():
                ax.plot(times, np.nanmean(values, axis=0), color=colours[name], label=name)
    for ax, title in zip(axes, ("mean weight, sensory -> motor (exc.)", "w_steer: right - wrong pathway",
                                "spikes per channel per s",
                                "network bursts per minute"), strict=True):
        ax.set(xlabel="session time (min)", title=title)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    plasticity = out / "plasticity.png"
    fig.savefig(plasticity, dpi=120)
    plt.close(fig)
    return [over_time, bars, plasticity]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="clgym replicate", description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--conditions", nargs="+", choices=list(CONDITIONS), default=list(CONDITIONS))
    p.add_argument("--sessions", type=int, default=8, help="sessions per condition (default 8)")
    p.add_argument("--minutes", type=float, default=20.0, help="simulated minutes per session (default 20)")
    p.add_argument("--culture", default="small", help="culture preset (tiny, small, default, ...)")
    p.add_argument("--override", action="append", default=[], metavar="FIELD=VALUE",
                   help="culture config field for every culture condition (JSON value), repeatable")
    p.add_argument("--seed", type=int, default=0, help="seed of session 0 (session k: seed + k)")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="local processes")
    p.add_argument("--ray-address", default=None, help="run the sessions as Ray tasks on this cluster")
    p.add_argument("--in-silico-link", choices=("in_process", "sdk"), default="in_process",
                   help="drive the SDK's random source in process (default) or through cl.open()")
    p.add_argument("--early-minutes", type=float, default=None, help="end of the first window (default 5/20)")
    p.add_argument("--late-start-minutes", type=float, default=None, help="start of the last window (6/20)")
    p.add_argument("--long-rally-hits", type=int, default=3)
    p.add_argument("--out", default="out/dishbrain", help="output folder")
    p.add_argument("--reanalyse", metavar="DIR", default=None,
                   help="rebuild the report of a finished run in DIR (its results.json) without running sessions; "
                        "--early-minutes, --late-start-minutes and --long-rally-hits may be changed")
    p.add_argument("--quick", action="store_true",
                   help=f"smoke run: {QUICK['sessions']} sessions x {QUICK['minutes']:g} min, "
                        f"{QUICK['culture']} culture (explicit --sessions/--minutes/--culture still win)")
    return p


def parse_overrides(items: list[str]) -> dict:
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"--override {item!r} is not allowed; allowed: FIELD=VALUE, e.g. stdp_a_plus=0.02")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


def report(results: list[dict], args: argparse.Namespace, command: str, wall: float, out: Path) -> str:
    """Analyse the sessions, write the CSVs, figures and summary.md into ``out``; return the summary."""
    windows, rows, summaries = analyse(results, args.minutes, args.early_minutes, args.late_start_minutes,
                                       args.long_rally_hits)
    ordered = sorted(results, key=_session_key)
    write_csv(out / "sessions.csv", rows)
    write_csv(out / "rallies.csv", [{"condition": r["spec"]["condition"], "session": r["spec"]["session"],
                                     "seed": r["spec"]["seed"], "end_minute": t / TICKS_PER_MINUTE, "hits": h}
                                    for r in ordered for t, h in zip(r["rally_end_ticks"], r["rally_hits"],
                                                                     strict=True)])
    write_csv(out / "activity.csv", [{"condition": r["spec"]["condition"], "session": r["spec"]["session"],
                                      "seed": r["spec"]["seed"], **b} for r in ordered for b in r["bins"]])
    figures = write_figures(out, ordered, summaries, windows, args.minutes)
    work = sum(r["wall_seconds"] for r in results)  # NaN for sessions rebuilt without their timing
    cpu = sum(r.get("cpu_seconds", math.nan) for r in results)
    cpu_text = "" if not math.isfinite(cpu) else f" CPU time of the sessions: {cpu / 60:.1f} min" + (
        "." if args.ray_address is not None  # a cluster's core count is not ours to know
        else f", about {cpu / 60 / args.workers:.1f} min of wall on {args.workers} dedicated core(s).")
    culture = results[0]["spec"]["culture"] if results else {}
    where = "Ray" if args.ray_address is not None else f"{args.workers} local"
    text = (f"# DishBrain replication run\n\nCommand: `{command}`\n\n{len(results)} sessions, {args.minutes:g} "
            f"simulated min each, culture `{json.dumps(culture)}`, long rally >= {args.long_rally_hits} hits; wall "
            f"time {wall / 60:.1f} min" + (f" ({work / 60:.1f} session-min of work on {where} workers)"
                                           if math.isfinite(work) else f" on {where} workers") + "." + cpu_text + "\n\n"
            f"## Ours next to the paper (Kagan et al. 2022; session mean +- SEM; paired t of the average rally, "
            f"first vs last window, t < 0 = improvement)\n\n{paper_side_by_side(summaries)}\n\n"
            f"## All our conditions\n\n{format_condition_table(summaries, windows[0].label, windows[1].label)}"
            f"\n\n## Feedback conditions vs rest\n\n{feedback_comparison(rows, windows[1].label)}\n\n"
            f"{PAPER_FEEDBACK_NOTE}\n\n## What the culture did (mean over sessions; first and last activity bin "
            f"of {args.minutes / ACTIVITY_BINS_PER_SESSION:g} min)\n\n{plasticity_table(ordered)}\n\n"
            f"Figures: {', '.join(f.name for f in figures)}; data: sessions.csv (one row per session and window), "
            f"rallies.csv, activity.csv, results.json (everything the sessions returned)\n")
    (out / "summary.md").write_text(text)
    return text


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.reanalyse is not None:  # the report of a finished run, from its results.json and run.json
        out = Path(args.reanalyse)
        run = json.loads((out / "run.json").read_text())
        saved = argparse.Namespace(**run["args"])
        for name in ("early_minutes", "late_start_minutes", "long_rally_hits"):  # analysis options may change
            if f"--{name.replace('_', '-')}" in argv:
                setattr(saved, name, getattr(args, name))
        results = json.loads((out / "results.json").read_text())
        print(report(results, saved, run["command"], run["wall_seconds"], out))
        return 0
    if args.quick:
        given = {a.split("=")[0] for a in argv}
        for key, value in QUICK.items():
            if f"--{key}" not in given:
                setattr(args, key, value)
    if args.sessions < 1 or not args.minutes > 0:
        raise SystemExit("--sessions must be >= 1 and --minutes > 0")
    culture = {"preset": args.culture, **parse_overrides(args.override)}
    from clgym.culture import CultureConfig

    for name in args.conditions:  # a bad field fails here, before any process starts
        CultureConfig.from_dict({**culture, **CONDITIONS[name].culture_overrides})
    windows = dishbrain_windows(args.minutes, args.early_minutes, args.late_start_minutes)
    specs = [SessionSpec(name, k, args.seed + k, args.minutes, culture, args.in_silico_link, args.long_rally_hits)
             for k in range(args.sessions) for name in args.conditions]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = "clgym replicate " + shlex.join(argv)
    print(f"{command}\n{len(specs)} sessions ({args.sessions} x {len(args.conditions)} conditions) of "
          f"{args.minutes:g} simulated min, culture {culture}, windows {windows[0].label} vs {windows[1].label}",
          file=sys.stderr)
    started = time.perf_counter()
    results = run_campaign(specs, args.workers, args.ray_address)
    wall = time.perf_counter() - started
    (out / "results.json").write_text(json.dumps(sorted(results, key=_session_key)))
    (out / "run.json").write_text(json.dumps({"command": command, "args": vars(args), "culture": culture,
                                              "wall_seconds": wall}, indent=2))
    print(report(results, args, command, wall, out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
