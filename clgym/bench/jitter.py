"""``clgym bench jitter``: CLPong in real time through the cl SDK, and how late its ticks reach the env.

Each preset plays ``CLPong-v0`` (``control="culture"``, DishBrain's feedback) with ``link="sdk", real_time=True``
for ``--seconds`` of wall-clock time after a ``--warmup``: the SDK's producer runs the culture against the wall
clock and the env steps as each 10 ms tick arrives. Per step the env reports ``info["late_ms"]``: how late the
tick reached the env against the wall clock (anchored at the earliest arrival; a culture that cannot keep up with
real time shows as well as a slow env; a rig would log it). The table gives p50 / p99 / worst lateness, the ticks
more than one tick (10 ms) late, and the wall interval between two steps (10 ms while the loop keeps pace). A
preset runs in real time on this machine when its lateness stays well under one tick and does not grow.

The producer (the culture) and this process (the env) are two processes: on a 2-core machine they take one core
each, so the load average printed with the table matters.

Example
-------
    clgym bench jitter --presets tiny dishbrain small --seconds 30
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

TICK_MS = 10.0


def lateness(preset: str, seconds: float, warmup: float, seed: int = 1, latency_ms: float = 0.0):
    """Per-step ``info["late_ms"]`` and wall intervals between steps (ms) of ``seconds`` of real-time CLPong."""
    from clgym.envs.pong import CLPongEnv

    env = CLPongEnv(control="culture", link="sdk", real_time=True, culture=preset, seed=seed,
                    latency_ms=latency_ms, episode_ticks=10**9)
    try:
        env.reset()
        for _ in range(int(warmup * 100)):
            env.step(0)
        n = int(seconds * 100)
        late, body = np.empty(n), np.empty(n)
        step_done = time.perf_counter()
        for k in range(n):
            _, _, _, _, info = env.step(0)
            now = time.perf_counter()
            late[k] = info["late_ms"]
            body[k] = (now - step_done) * 1e3
            step_done = now
    finally:
        env.close()
    return late, body


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="clgym bench jitter", description=__doc__.split("\n\n")[0])
    ap.add_argument("--presets", nargs="+", default=["tiny", "dishbrain", "small"])
    ap.add_argument("--seconds", type=float, default=30.0, help="wall seconds timed per preset")
    ap.add_argument("--warmup", type=float, default=2.0, help="wall seconds before timing")
    ap.add_argument("--latency-ms", type=float, default=0.0, help="the env's closed-loop latency_ms")
    a = ap.parse_args(argv)
    if not a.seconds > 0:
        ap.error(f"--seconds={a.seconds} is out of range; allowed > 0")
    if not a.warmup >= 0:
        ap.error(f"--warmup={a.warmup} is out of range; allowed >= 0")
    load = os.getloadavg()
    args = " ".join(argv) if argv is not None else ""
    print(f"`clgym bench jitter {args}`".replace(" `", "`"))
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores\n")
    print("| preset | p50 late (ms) | p99 late (ms) | worst late (ms) | ticks > 10 ms late | p50 step interval (ms) "
          "| p99 step interval (ms) |")
    print("|---|---|---|---|---|---|---|")
    for preset in a.presets:
        late, step = lateness(preset, a.seconds, a.warmup, latency_ms=a.latency_ms)
        print(f"| {preset} | {np.percentile(late, 50):.2f} | {np.percentile(late, 99):.2f} | {late.max():.2f} | "
              f"{int((late > TICK_MS).sum())} of {late.size} | {np.percentile(step, 50):.2f} | "
              f"{np.percentile(step, 99):.2f} |", flush=True)
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
