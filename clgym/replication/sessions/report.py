"""The session design's report: per-session windows, per-condition tests, our table next to the paper's, figures."""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

import numpy as np

from clgym.analysis.game_metrics import (
    TICKS_PER_MINUTE,
    dishbrain_windows,
    format_condition_table,
    mean_sem,
    percent_change,
    rallies_in_windows,
    rally_length_over_time,
    summarise_condition,
    welch_t_test,
)
from clgym.replication.conditions import (
    CONDITIONS,
    PAPER_FEEDBACK_NOTE,
    PAPER_GROUPS,
    PAPER_PERCENT_VS_REST,
    SESSIONS_CONDITIONS,
)
from clgym.replication.sessions.job import ACTIVITY_BINS_PER_SESSION


def session_key(result: dict) -> tuple:
    spec = result["spec"]
    return (SESSIONS_CONDITIONS.index(spec["condition"]), spec["session"])


def analyse(results: list[dict], minutes: float, early_minutes: float | None, late_start_minutes: float | None,
            long_rally_hits: int):
    """Per-session window rows and per-condition summaries."""
    windows = dishbrain_windows(minutes, early_minutes, late_start_minutes)
    rows, per_condition = [], {}
    for result in sorted(results, key=session_key):
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
    for r in sorted(results, key=session_key):
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
    colours = {name: plt.cm.tab10(i) for i, name in enumerate(SESSIONS_CONDITIONS)}
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



def report(results: list[dict], args: argparse.Namespace, command: str, wall: float, out: Path) -> str:
    """Analyse the sessions, write the CSVs, figures and summary.md into ``out``; return the summary."""
    windows, rows, summaries = analyse(results, args.minutes, args.early_minutes, args.late_start_minutes,
                                       args.long_rally_hits)
    ordered = sorted(results, key=session_key)
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

