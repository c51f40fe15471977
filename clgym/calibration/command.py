"""``clgym calibrate``: run the calibration protocol on N cultures of one or more presets and print the table.

The table puts each statistic beside its goal (DishBrain's own rest recordings and the stimulus-specificity
goals, ``docs/dishbrain.md``) and the command line that made it. Cultures run in parallel worker processes.

Example
-------
    clgym calibrate --preset dishbrain --cultures 12
    clgym calibrate --preset dishbrain small --cultures 4 --json out/calibration.json
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict

import numpy as np

from clgym.calibration.protocol import CalibrationProtocol, measure_culture

#: (key, label, format, goal text, goal check on the mean over cultures)
ROWS = [
    ("bursts_per_min", "bursts / min", "{:.2f}", "0.5-6 (DishBrain 1.2-4.3)", lambda x: 0.5 <= x <= 6),
    ("fraction_in_bursts", "spikes in bursts", "{:.0%}", "5-30 % (DishBrain 11-14 %)", lambda x: 0.05 <= x <= 0.30),
    ("median_burst_s", "median burst (s)", "{:.2f}", "- (DishBrain ~0.5 or short)", None),
    ("motor_corr", "motor corr 10 ms", "{:.2f}", "0.15-0.65 (DishBrain 0.40-0.42)", lambda x: 0.15 <= x <= 0.65),
    ("motor_corr_outside", "motor corr outside bursts", "{:.2f}", "<= 0.25 (DishBrain 0.08-0.14)",
     lambda x: x <= 0.25),
    ("rate_median_hz", "channel rate median (Hz)", "{:.2f}", "0.1-5 (Wagenaar 2006)", lambda x: 0.1 <= x <= 5),
    ("rate_p10_hz", "channel rate 10th pct (Hz)", "{:.2f}", "-", None),
    ("rate_p90_hz", "channel rate 90th pct (Hz)", "{:.2f}", "-", None),
    ("evoked_p5ms", "evoked spike <= 5 ms near electrode", "{:.0%}", "most pulses (> 50 %)", lambda x: x > 0.5),
    ("evoked_latency_ms", "evoked latency (ms, median)", "{:.1f}", "< 5", lambda x: x < 5),
    ("map_reliability", "band -> (up - down) reliability", "{:.2f}", ">= 0.5", lambda x: x >= 0.5),
    ("decode_accuracy", "stimulated electrode decoded", "{:.0%}", ">= 80 % (chance 12.5 %)", lambda x: x >= 0.8),
    ("evoked_rate_hz", "rate during stimulation (Hz/ch)", "{:.2f}", "-", None),
]


def _one(args) -> dict:
    preset, seed, protocol, overrides = args
    return measure_culture(preset, seed, protocol, **overrides)


def summarise(results: list[dict]) -> dict[str, tuple[float, float]]:
    """Mean and standard deviation over cultures of every statistic (NaNs ignored)."""
    keys = results[0].keys()
    out = {}
    for k in keys:
        x = np.array([r[k] for r in results], np.float64)
        out[k] = (float(np.nanmean(x)), float(np.nanstd(x))) if np.isfinite(x).any() else (float("nan"),) * 2
    return out


def format_table(summaries: dict[str, dict[str, tuple[float, float]]], n: int) -> str:
    presets = list(summaries)
    head = "| statistic (mean +- sd over cultures) | goal | " + " | ".join(f"{p} (n = {n})" for p in presets) + " |"
    lines = [head, "|---|---|" + "---|" * len(presets)]
    for key, label, fmt, goal, check in ROWS:
        cells = []
        for p in presets:
            mean, sd = summaries[p].get(key, (float("nan"), float("nan")))
            mark = "" if check is None or not np.isfinite(mean) else (" ok" if check(mean) else " **miss**")
            cells.append(f"{fmt.format(mean)} +- {fmt.format(sd)}{mark}")
        lines.append(f"| {label} | {goal} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _load() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "uptime unavailable"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="clgym calibrate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", nargs="+", default=["dishbrain"], help="culture preset(s) (default dishbrain)")
    ap.add_argument("--cultures", type=int, default=12, help="cultures (seeds 0..N-1) per preset (default 12)")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--spontaneous-s", type=float, default=120.0)
    ap.add_argument("--settle-s", type=float, default=30.0)
    ap.add_argument("--repeats", type=int, default=6)
    ap.add_argument("--current-ua", type=float, default=1.0)
    ap.add_argument("--override", action="append", default=[], metavar="FIELD=VALUE",
                    help="culture config override (JSON value), repeatable")
    ap.add_argument("--json", default=None, help="also write every culture's statistics to this JSON file")
    ap.add_argument("--game", action="store_true",
                    help="measure the cultures under the game's stimulation (CLPong-v0, culture mode, stimulus "
                         "feedback) beside DishBrain's game sessions, then the Wagenaar 2005 check")
    ap.add_argument("--minutes", type=float, default=5.0, help="--game: recorded minutes per culture (default 5)")
    ap.add_argument("--wagenaar-s", type=float, default=120.0,
                    help="--game: seconds per aggregate rate in the Wagenaar 2005 check (default 120)")
    ap.add_argument("--rig", choices=["maxone", "cl1"], default="maxone",
                    help="--game: how the culture is recorded around stimulation (clgym.culture.RIG_PROFILES); "
                         "default maxone, DishBrain's rig, to compare like with like")
    a = ap.parse_args(argv)
    if a.cultures < 1:
        ap.error(f"--cultures={a.cultures} is out of range; allowed >= 1")
    if a.repeats < 2:
        ap.error(f"--repeats={a.repeats} is out of range; allowed >= 2 (split-half reliability needs two)")
    if not a.minutes > 0:
        ap.error(f"--minutes={a.minutes} is out of range; allowed > 0")
    if not a.wagenaar_s > 0:
        ap.error(f"--wagenaar-s={a.wagenaar_s} is out of range; allowed > 0")
    if not 0 < a.current_ua <= 3.0:
        ap.error(f"--current-ua={a.current_ua} is out of range; allowed (0, 3] (the CL1's limit)")
    if a.settle_s < 0 or a.spontaneous_s <= 0:
        ap.error("--settle-s and --spontaneous-s are out of range; allowed --settle-s >= 0, --spontaneous-s > 0")
    from clgym.culture.config import ConfigError, parse_overrides

    try:
        overrides = parse_overrides(a.override)
    except ConfigError as error:
        ap.error(str(error))
    protocol = CalibrationProtocol(settle_s=a.settle_s, spontaneous_s=a.spontaneous_s, repeats=a.repeats,
                                   current_ua=a.current_ua)
    from clgym.culture import CultureConfig

    for preset in a.preset:  # fail on a bad preset or override before any culture runs
        try:
            CultureConfig.from_preset(preset, **overrides)
        except ConfigError as error:
            ap.error(str(error))
    if a.game:
        from clgym.culture import RIG_PROFILES

        return _main_game(a, {**RIG_PROFILES[a.rig], **overrides}, argv)
    command = "clgym calibrate " + " ".join(shlex.quote(x) for x in (argv if argv is not None else sys.argv[1:]))
    load_before = _load()
    t0 = time.perf_counter()
    jobs = [(p, s, protocol, overrides) for p in a.preset for s in range(a.cultures)]
    if a.workers > 1:
        with ProcessPoolExecutor(a.workers) as pool:
            flat = list(pool.map(_one, jobs))
    else:
        flat = [_one(j) for j in jobs]
    results = {p: flat[i * a.cultures:(i + 1) * a.cultures] for i, p in enumerate(a.preset)}
    wall = time.perf_counter() - t0
    cpu = sum(r["cpu_s"] for rs in results.values() for r in rs)
    print(f"`{command}`\n")
    print(format_table({p: summarise(rs) for p, rs in results.items()}, a.cultures))
    print(f"\nwall {wall:.0f} s, CPU {cpu:.0f} s in {a.workers} worker(s); load before: {load_before}")
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump(dict(command=command, protocol=asdict(protocol), overrides=overrides, results=results), f,
                      indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def _one_game(args) -> dict:
    from clgym.calibration.game import measure_game

    preset, seed, minutes, settle_s, overrides = args
    return measure_game({"preset": preset, **overrides}, seed, minutes=minutes, settle_s=settle_s)


def _one_wagenaar(args) -> list[dict]:
    from clgym.calibration.game_table import distributed_stimulation_burstiness

    preset, seed, seconds, overrides = args
    return distributed_stimulation_burstiness({"preset": preset, "seed": seed, **overrides}, seed=seed,
                                              seconds=seconds)


def _main_game(a, overrides: dict, argv) -> int:
    from clgym.calibration.game import dishbrain_game_reference
    from clgym.calibration.game_table import format_game_table, format_wagenaar_table

    command = "clgym calibrate " + " ".join(shlex.quote(x) for x in (argv if argv is not None else sys.argv[1:]))
    load_before = _load()
    t0 = time.perf_counter()
    jobs = [(p, s, a.minutes, a.settle_s, overrides) for p in a.preset for s in range(a.cultures)]
    wagenaar_jobs = [(p, s, a.wagenaar_s, overrides) for p in a.preset for s in range(a.cultures)]
    if a.workers > 1:
        with ProcessPoolExecutor(a.workers) as pool:
            flat = list(pool.map(_one_game, jobs))
            wagenaar = list(pool.map(_one_wagenaar, wagenaar_jobs))
    else:
        flat = [_one_game(j) for j in jobs]
        wagenaar = [_one_wagenaar(j) for j in wagenaar_jobs]
    n = a.cultures
    results = {p: flat[i * n:(i + 1) * n] for i, p in enumerate(a.preset)}
    wall = time.perf_counter() - t0
    cpu = sum(r["cpu_s"] for rs in results.values() for r in rs)
    print(f"`{command}`\n")
    print(f"The culture under the game's stimulation ({a.minutes:g} min per culture after {a.settle_s:g} s, "
          f"CLPong-v0 culture mode, stimulus feedback), recorded as a {a.rig} rig would:\n")
    print(format_game_table(dishbrain_game_reference(), results))
    for i, p in enumerate(a.preset):
        print(f"\nWagenaar et al. 2005 check, {p}: distributed single pulses (1 uA) on random electrodes, "
              f"{a.wagenaar_s:g} s per rate from one settled snapshot:\n")
        print(format_wagenaar_table(wagenaar[i * n:(i + 1) * n]))
    print(f"\nwall {wall:.0f} s, CPU {cpu:.0f} s (game sessions) in {a.workers} worker(s); load before: {load_before}")
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump(dict(command=command, rig=a.rig, minutes=a.minutes, settle_s=a.settle_s, overrides=overrides,
                           game=results, wagenaar={p: wagenaar[i * n:(i + 1) * n] for i, p in enumerate(a.preset)},
                           dishbrain=dishbrain_game_reference()), f, indent=1)
    return 0
