"""What the env benchmarks (:mod:`clgym.bench.pong_env`, :mod:`clgym.bench.doom_env`) share: their command
line, the engine-alone row and the timed stepping of an env, each row returned as a dict to print."""

from __future__ import annotations

import argparse
import time

import numpy as np


def parse_arguments(prog: str, description: str, rows: tuple[str, ...], argv: list[str] | None) -> argparse.Namespace:
    """The options both benchmarks take; ``--rows`` chooses among ``rows`` (all by default)."""
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, default=3000, help="timed env steps per row")
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--ticks-per-frame", type=int, default=3, help="render row: steps per drawn frame")
    parser.add_argument("--rows", nargs="+", default=list(rows), choices=rows)
    return parser.parse_args(argv)


def time_loop(loop, steps: int) -> tuple[float, float]:
    """Wall and CPU seconds (this process's) that ``loop(steps)`` takes."""
    wall, cpu = time.perf_counter(), time.process_time()
    loop(steps)
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_engine(preset: str, seed: int, steps: int, warmup: int) -> dict:
    """The culture engine advancing 250 frames (one tick) per step, no link, no game, no stims: the ceiling any
    env on this culture can reach."""
    from clgym.culture import Culture, CultureConfig

    culture = Culture(CultureConfig.from_preset(preset, seed=seed))

    def loop(n):
        for _ in range(n):
            culture.advance(250)

    loop(warmup)
    wall, cpu = time_loop(loop, steps)
    return {"row": "engine alone (no link, no game)", "wall": wall, "cpu": cpu, "steps": steps, "ticks": steps}


def time_env_steps(env, steps: int, warmup: int, ticks_per_frame: int = 0) -> dict:
    """Step a reset culture env ``warmup`` times, then ``steps`` timed times (random actions in decoder mode, 0
    otherwise; an episode that ends is reset, inside the timing). Every ``ticks_per_frame`` steps (0: never) a
    frame is rendered and timed on its own.

    Returns ``wall`` and ``cpu`` seconds, ``steps``, ``ticks`` (culture ticks run, feedback played out between
    episodes included), ``link`` (seconds inside ``link.advance``: the link and its culture, to tell the env's own
    time apart), ``episodes`` (ended while timed) and, when frames were drawn, ``frame`` (median / p95 ms).
    """
    link = env.connection.link
    in_link, started = [0.0], [0.0]

    def tick_starts() -> None:
        started[0] = time.perf_counter()

    def tick_done(tick) -> None:
        in_link[0] += time.perf_counter() - started[0]

    watch = link.observe(on_tick=tick_done, before_tick=tick_starts)
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
    wall, cpu = time_loop(loop, steps)
    watch.remove()
    row = {"wall": wall, "cpu": cpu, "steps": steps, "ticks": link.tick_index - first_tick, "link": in_link[0],
           "episodes": episodes[0]}
    if frame_seconds:
        frames_ms = np.array(frame_seconds) * 1e3
        row["frame"] = f"{np.median(frames_ms):.2f} / {np.percentile(frames_ms, 95):.2f}"
    return row
