"""Throughput of CLPong-v0, printed as a markdown table.

Rows (each after a warm-up of ``--warmup`` steps, so Numba loading and the first serve are excluded):

- ``engine alone``: the culture engine advancing 250 frames per tick, no link, no game, no stims: the
  ceiling any env on this culture can reach;
- ``env culture / in_process``: ``CLPong-v0`` with ``control="culture"`` (the issue's target: >= 5,000
  steps/s = 50x real time on the "small" culture);
- ``env decoder / in_process``: the agent-facing mode, random actions;
- ``env culture / in_process + rgb_array``: every tick pushed to the renderer, a frame drawn every
  ``--ticks-per-frame`` steps (30 fps of simulated time by default); the frame cost is reported apart;
- ``env culture / sdk``: the same env through the cl SDK's simulator (our culture in its producer process;
  target >= 10x real time).

"x real time" is simulated seconds (10 ms per step) per wall second; "of which in link.advance" is the
time the link and the culture behind it took per step (the rest is the env: game, coding, feedback,
rendering). CPU time is this process's only (for the SDK row the culture runs in the producer, so only wall
time is meaningful there). On a shared machine wall time includes time the process was waiting for a core;
CPU time is the steadier figure.

Usage:
    clgym bench env                         # small culture, 3,000 steps per row
    clgym bench env --preset tiny --steps 2000 --rows engine culture render
"""

from __future__ import annotations

import os
import platform
import shlex
import sys
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from clgym.bench.env_stepping import bench_engine, parse_arguments, time_env_steps  # noqa: E402

ROWS = ("engine", "culture", "decoder", "render", "sdk")


def bench_env(name: str, steps: int, warmup: int, ticks_per_frame: int = 0, **env_kwargs) -> dict:
    from clgym.envs.pong import CLPongEnv

    opened = time.perf_counter()
    env = CLPongEnv(episode_ticks=10**9, terminate_on_miss=False, **env_kwargs)
    try:
        env.reset()
        open_seconds = time.perf_counter() - opened
        row = time_env_steps(env, steps, warmup, ticks_per_frame)
    finally:
        env.close()
    return {"row": name, "open": open_seconds, **row}


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments("clgym bench env", __doc__, ROWS, argv)

    culture = {"preset": args.preset, "seed": args.seed}
    rows = []
    for which in args.rows:
        if which == "engine":
            rows.append(bench_engine(args.preset, args.seed, args.steps, args.warmup))
        elif which == "culture":
            rows.append(bench_env("env culture / in_process", args.steps, args.warmup, culture=culture))
        elif which == "decoder":
            rows.append(bench_env("env decoder / in_process (random actions)", args.steps, args.warmup,
                                  control="decoder", culture=culture))
        elif which == "render":
            rows.append(bench_env(f"env culture / in_process + rgb_array (frame every {args.ticks_per_frame} "
                                  "steps)", args.steps, args.warmup, ticks_per_frame=args.ticks_per_frame,
                                  culture=culture, render_mode="rgb_array"))
        else:
            rows.append(bench_env("env culture / sdk", args.steps, args.warmup, culture=culture, link="sdk"))

    command = "clgym bench env " + shlex.join(argv if argv is not None else sys.argv[1:])
    print(f"Command: `{command.strip()}`  \n"
          f"Culture `{args.preset}` (seed {args.seed}), {args.steps} timed steps per row (10 ms each = "
          f"{args.steps / 100:g} simulated s) after {args.warmup} warm-up steps; {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}.\n")
    print("| row | open (s) | steps/s (wall) | x real time (wall) | steps/s (CPU) | us/step (wall) | "
          "of which in link.advance | frame ms (median / p95) |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        wall, cpu = row["wall"], row["cpu"]
        opened = f"{row['open']:.2f}" if "open" in row else "-"
        cpu_rate = f"{args.steps / cpu:.0f}" if "sdk" not in row["row"] else "-"
        in_link = f"{row['link'] / args.steps * 1e6:.0f}" if "link" in row else "-"
        print(f"| {row['row']} | {opened} | {args.steps / wall:.0f} | {args.steps / wall / 100:.1f} | {cpu_rate} | "
              f"{wall / args.steps * 1e6:.0f} | {in_link} | {row.get('frame', '-')} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
