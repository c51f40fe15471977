"""``clgym bench latency``: how long one 10 ms tick of each culture preset takes, bursts included.

The cl SDK waits at most 0.1 s for a tick in accelerated mode (``docs/cl-sdk.md``), so what matters for a CL1
user's script is the worst tick, not the mean. Each preset is built, settled for ``--settle`` simulated seconds,
then advanced tick by tick (250 frames) for ``--seconds``, optionally with one sensory pulse per tick; the
table gives p50 / p99 / worst tick in ms, wall and CPU speed, and how many ticks exceeded 80 ms (the margin
this project keeps under the SDK's 100 ms).

Example
-------
    clgym bench latency --presets dishbrain small large --seconds 60
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from clgym.cl1 import FRAMES_PER_SECOND

FRAMES_PER_TICK = 250
BUDGET_MS = 80.0
#: issue 24's goals for the worst tick: (largest culture, worst tick in ms)
WORST_TICK_GOALS_MS = ((10_000, 20.0), (100_000, 80.0))


def worst_tick_goal_ms(n_neurons: int) -> float | None:
    """Issue 24's goal for the worst tick of a culture of ``n_neurons`` (None above 100,000)."""
    return next((goal for size, goal in WORST_TICK_GOALS_MS if n_neurons <= size), None)


def tick_times(preset: str, seconds: float, settle: float, seed: int = 1, pulse_channel: int | None = None,
               with_cpu: bool = False):
    """Per-tick wall times (ms) of ``seconds`` of ``preset``, and the CPU seconds they took (and, with
    ``with_cpu``, the per-tick CPU times in ms and the culture's size)."""
    from clgym.culture import Culture, CultureConfig

    culture = Culture(CultureConfig.from_preset(preset, seed=seed))
    culture.advance(int(settle * FRAMES_PER_SECOND))
    n = int(seconds * 100)
    times = np.empty(n)
    cpu_times = np.empty(n)
    c0 = time.process_time()
    for k in range(n):
        if pulse_channel is not None:
            culture.stimulate(pulse_channel, culture.frame + 1, (200, 200), (-1.0, 1.0))
        t = time.perf_counter()
        c = time.process_time()
        culture.advance(FRAMES_PER_TICK)
        cpu_times[k] = (time.process_time() - c) * 1e3
        times[k] = (time.perf_counter() - t) * 1e3
    if with_cpu:
        return times, time.process_time() - c0, cpu_times, culture.n_neurons
    return times, time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="clgym bench latency", description=__doc__.split("\n\n")[0])
    ap.add_argument("--presets", nargs="+", default=["dishbrain", "small", "default", "large"])
    ap.add_argument("--seconds", type=float, default=60.0, help="simulated seconds timed per preset")
    ap.add_argument("--settle", type=float, default=10.0, help="simulated seconds before timing")
    ap.add_argument("--pulse-channel", type=int, default=None, help="one 1 uA pulse on this channel per tick")
    a = ap.parse_args(argv)
    if a.seconds <= 0:
        ap.error(f"--seconds={a.seconds} is out of range; allowed > 0")
    load = os.getloadavg()
    args = " ".join(argv) if argv is not None else ""
    print(f"`clgym bench latency {args}`".replace(" `", "`"))
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores\n")
    print("| preset | neurons | p50 tick (ms) | p99 (ms) | worst (ms) | worst by CPU (ms) | ticks > 80 ms "
          "| x real time (wall) | x real time (CPU) | goal: worst < | met (by CPU) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for preset in a.presets:
        times, cpu, cpu_times, n = tick_times(preset, a.seconds, a.settle, pulse_channel=a.pulse_channel,
                                              with_cpu=True)
        wall = times.sum() / 1e3
        goal = worst_tick_goal_ms(n)
        met = "-" if goal is None else ("yes" if cpu_times.max() < goal else "**no**")
        print(f"| {preset} | {n:,} | {np.median(times):.2f} | {np.percentile(times, 99):.2f} | {times.max():.1f} | "
              f"{cpu_times.max():.1f} | {int((times > BUDGET_MS).sum())} | {a.seconds / wall:.1f} | "
              f"{a.seconds / cpu:.1f} | {'-' if goal is None else f'{goal:g} ms'} | {met} |", flush=True)
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
