"""Throughput of CLDoomLite-v0, printed as a markdown table.

Rows (each after ``--warmup`` steps, so Numba loading and the first episode's set-up are excluded):

- ``engine alone``: the culture engine advancing 250 frames per tick, no link, no game, no stims: the ceiling any
  env on this culture can reach;
- ``culture / <scenario>``: ``CLDoomLite-v0`` with ``control="culture"`` (the issue's target: >= 30x real time on
  the "small" culture) in each scenario, episodes restarting as they end (resets are timed too);
- ``decoder / basic``: the agent-facing mode, random actions;
- ``culture / basic, pixels``: ``observation="pixels"`` (an 80 x 60 first-person frame per step);
- ``culture / basic + rgb_array``: every tick pushed to the renderer, a 640 x 480 frame drawn every
  ``--ticks-per-frame`` steps (30 fps of simulated time); the frame cost is reported apart.

"x real time" is simulated culture time (10 ms per tick, including the ticks that play out feedback between
episodes) per second. CPU time is this process's; on a shared machine wall time includes time spent waiting for a
core, so CPU time is the steadier figure and the one the target is judged on (both are printed). "of which in
link.advance" is the time the link and the culture behind it took per step; the rest is the env (game, senses,
coding, feedback, rendering).

Usage:
    python scripts/bench_doom_env.py                        # small culture, 3,000 steps per row
    python scripts/bench_doom_env.py --preset tiny --steps 1000 --rows engine culture
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import numpy as np  # noqa: E402

ROWS = ("engine", "culture", "decoder", "pixels", "render")
SCENARIOS = ("basic", "defend_the_center", "deadly_corridor")
TARGET_X_REAL_TIME = 30.0


def timed(loop, steps: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    loop(steps)
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_engine(preset: str, seed: int, steps: int, warmup: int) -> dict:
    from clgym.culture import Culture, CultureConfig

    culture = Culture(CultureConfig.from_preset(preset, seed=seed))

    def loop(n):
        for _ in range(n):
            culture.advance(250)

    loop(warmup)
    wall, cpu = timed(loop, steps)
    return {"row": "engine alone (no link, no game)", "wall": wall, "cpu": cpu, "steps": steps, "ticks": steps}


def bench_env(name: str, steps: int, warmup: int, ticks_per_frame: int = 0, **env_kwargs) -> dict:
    from clgym.envs.doom_lite import CLDoomLiteEnv

    env = CLDoomLiteEnv(**env_kwargs)
    try:
        env.reset()
        link = env.connection.link
        advance = link.advance
        in_link = [0.0]

        def timed_advance():  # time spent in the link (and the culture behind it), to separate the env's own
            started = time.perf_counter()
            tick = advance()
            in_link[0] += time.perf_counter() - started
            return tick

        link.advance = timed_advance
        rng = np.random.default_rng(0)
        frame_seconds: list[float] = []
        episodes = [0]

        def loop(n):
            actions = rng.integers(0, env.action_space.n, size=n).tolist() if env.control == "decoder" else [0] * n
            for i, action in enumerate(actions):
                _, _, terminated, truncated, _ = env.step(action)
                if ticks_per_frame and i % ticks_per_frame == 0:
                    started = time.perf_counter()
                    env.render()
                    frame_seconds.append(time.perf_counter() - started)
                if terminated or truncated:
                    env.reset()
                    episodes[0] += 1

        loop(warmup)
        frame_seconds.clear()
        in_link[0], episodes[0] = 0.0, 0
        first_tick = link.tick_index
        wall, cpu = timed(loop, steps)
        ticks = link.tick_index - first_tick
    finally:
        env.close()
    row = {"row": name, "wall": wall, "cpu": cpu, "steps": steps, "ticks": ticks, "link": in_link[0],
           "episodes": episodes[0]}
    if frame_seconds:
        frames_ms = np.array(frame_seconds) * 1e3
        row["frame"] = f"{np.median(frames_ms):.2f} / {np.percentile(frames_ms, 95):.2f}"
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, default=3000, help="timed env steps per row")
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--ticks-per-frame", type=int, default=3, help="render row: steps per drawn frame")
    parser.add_argument("--rows", nargs="+", default=list(ROWS), choices=ROWS)
    args = parser.parse_args(argv)

    culture = {"preset": args.preset, "seed": args.seed}
    common = {"culture": culture, "seed": args.seed}
    rows = []
    for which in args.rows:
        if which == "engine":
            rows.append(bench_engine(args.preset, args.seed, args.steps, args.warmup))
        elif which == "culture":
            for scenario in SCENARIOS:
                rows.append(bench_env(f"culture / {scenario}", args.steps, args.warmup, scenario=scenario, **common))
        elif which == "decoder":
            rows.append(bench_env("decoder / basic (random actions)", args.steps, args.warmup, control="decoder",
                                  **common))
        elif which == "pixels":
            rows.append(bench_env("culture / basic, pixels 80x60", args.steps, args.warmup, observation="pixels",
                                  **common))
        else:
            rows.append(bench_env(f"culture / basic + rgb_array (frame every {args.ticks_per_frame} steps)",
                                  args.steps, args.warmup, ticks_per_frame=args.ticks_per_frame,
                                  render_mode="rgb_array", **common))

    command = "python scripts/bench_doom_env.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    print(f"Command: `{command.strip()}`  \n"
          f"Culture `{args.preset}` (seed {args.seed}), {args.steps} timed steps per row after {args.warmup} warm-up "
          f"steps, in-process link; {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}.\n")
    print("| row | steps/s (wall) | x real time (wall) | steps/s (CPU) | x real time (CPU) | us/step (wall) | "
          "of which in link.advance | episodes | frame ms (median / p95) |")
    print("|---|---|---|---|---|---|---|---|---|")
    met = True
    for row in rows:
        wall, cpu, steps, ticks = row["wall"], row["cpu"], row["steps"], row["ticks"]
        x_wall, x_cpu = ticks / 100 / wall, ticks / 100 / cpu
        if row["row"].startswith("culture / ") and "pixels" not in row["row"] and "rgb" not in row["row"]:
            met &= x_cpu >= TARGET_X_REAL_TIME
        in_link = f"{row['link'] / steps * 1e6:.0f}" if "link" in row else "-"
        print(f"| {row['row']} | {steps / wall:.0f} | {x_wall:.1f} | {steps / cpu:.0f} | {x_cpu:.1f} | "
              f"{wall / steps * 1e6:.0f} | {in_link} | {row.get('episodes', '-')} | {row.get('frame', '-')} |")
    if any(r["row"].startswith("culture / ") for r in rows):
        verdict = "met" if met else "MISSED"
        print(f"\nTarget: culture mode >= {TARGET_X_REAL_TIME:g}x real time (CPU) in every scenario: {verdict}.")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
