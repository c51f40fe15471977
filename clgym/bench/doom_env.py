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
    clgym bench doom-env                        # small culture, 3,000 steps per row
    clgym bench doom-env --preset tiny --steps 1000 --rows engine culture
"""

from __future__ import annotations

import os
import platform
import shlex
import sys

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from clgym.bench.env_stepping import bench_engine, parse_arguments, time_env_steps  # noqa: E402

ROWS = ("engine", "culture", "decoder", "pixels", "render")
SCENARIOS = ("basic", "defend_the_center", "deadly_corridor")
TARGET_X_REAL_TIME = 30.0


def bench_env(name: str, steps: int, warmup: int, ticks_per_frame: int = 0, **env_kwargs) -> dict:
    from clgym.envs.doom_lite import CLDoomLiteEnv

    env = CLDoomLiteEnv(**env_kwargs)
    try:
        env.reset()
        return {"row": name, **time_env_steps(env, steps, warmup, ticks_per_frame)}
    finally:
        env.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments("clgym bench doom-env", __doc__, ROWS, argv)

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

    command = "clgym bench doom-env " + shlex.join(argv if argv is not None else sys.argv[1:])
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
