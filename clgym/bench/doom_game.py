"""Benchmark Doom-lite: the game tick, the player's senses, and first-person frames.

Usage::

    clgym bench doom [--steps 20000] [--frames 400] [--size 320x240] [--seed 0]

For each scenario a player takes uniformly random actions for ``--steps`` ticks (episodes restart as they end;
resets are timed apart) and every tick is timed: ``step`` alone, ``observe()`` and ``observation_vector()``.
Then ``--frames`` first-person frames (:class:`clgym.render.doom_view.DoomView`, minimap and HUD on) are drawn
along the same kind of play, and a full 640 x 480 :class:`DoomRenderer` frame (view, raster, heatmap, score).
Times are per call: wall-clock p50 / p95 and the thread's CPU time p95 (on a shared VM the wall-clock tail
includes time the process was not running). Prints a Markdown table; exits 1 if a target is missed, judged on CPU
time: game step p95 < 200 us, 320 x 240 frame p95 < 5 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import numpy as np

STEP_TARGET_US = 200.0
FRAME_TARGET_MS = 5.0


class Timer:
    """Wall-clock and thread CPU time of repeated calls."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __call__(self, fn, *args):
        w0, c0 = time.perf_counter(), time.thread_time()
        out = fn(*args)
        self.cpu.append(time.thread_time() - c0)
        self.wall.append(time.perf_counter() - w0)
        return out

    def summary(self, scale: float) -> tuple[float, float, float]:
        """(wall p50, wall p95, CPU p95), times ``scale``."""
        if not self.wall:
            return (0.0, 0.0, 0.0)
        wall, cpu = np.asarray(self.wall) * scale, np.asarray(self.cpu) * scale
        return float(np.percentile(wall, 50)), float(np.percentile(wall, 95)), float(np.percentile(cpu, 95))


def _cell(t: tuple[float, float, float], digits: int) -> str:
    return f"{t[0]:.{digits}f} / {t[1]:.{digits}f} ({t[2]:.{digits}f})"


def bench_game(name: str, steps: int, seed: int) -> dict[str, tuple[float, float, float]]:
    from clgym.games.doom import DoomGame

    rng = np.random.default_rng(seed)
    game = DoomGame(name, seed=seed)
    actions = rng.integers(0, 5, size=steps).tolist()
    for a in actions[:500]:  # warm-up: Numba's cached kernels load on first call
        if game.done:
            game.reset()
        game.step(a)
        game.observe()
    game.reset()
    timers = {k: Timer() for k in ("step", "observe", "observation_vector", "reset")}
    for a in actions:
        if game.done:
            timers["reset"](game.reset)
        timers["step"](game.step, a)
        timers["observe"](game.observe)
        timers["observation_vector"](game.observation_vector)
    return {k: t.summary(1e6) for k, t in timers.items()}


def bench_view(name: str, frames: int, size: tuple[int, int], seed: int) -> tuple[float, float, float]:
    from clgym.games.doom import DoomGame
    from clgym.render.doom_view import DoomView

    rng = np.random.default_rng(seed)
    game = DoomGame(name, seed=seed)
    view = DoomView(*size)
    for _ in range(20):
        view.render(game.state())
    timer = Timer()
    for _ in range(frames):
        for a in rng.integers(0, 5, size=3).tolist():  # ~3 ticks per frame at 30 fps
            if game.done:
                game.reset()
            game.step(a)
        timer(view.render, game.state())
    return timer.summary(1e3)


def bench_renderer(frames: int, seed: int) -> tuple[float, float, float]:
    from clgym.games.doom import DoomGame
    from clgym.render.doom_view import DoomRenderer

    rng = np.random.default_rng(seed)
    game = DoomGame("defend_the_center", seed=seed)
    renderer = DoomRenderer({"sensory": tuple(range(26, 30)), "attack": (60, 61, 62)})
    tick, timer = 0, Timer()
    for i in range(frames + 20):
        for _ in range(3):
            if game.done:
                game.reset()
            game.step(int(rng.integers(5)))
            spikes = rng.integers(0, 64, size=rng.poisson(3))
            renderer.push_tick(spikes, None, np.zeros(0, dtype=np.int64), tick)
            tick += 1
        if i < 20:  # warm-up
            renderer.draw(game, game.score())
        else:
            timer(renderer.draw, game, game.score())
    renderer.close()
    return timer.summary(1e3)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="clgym bench doom", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--frames", type=int, default=400)
    ap.add_argument("--size", default="320x240", help="first-person frame size, WIDTHxHEIGHT")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    size = tuple(int(v) for v in args.size.lower().split("x"))
    if len(size) != 2:
        ap.error(f"--size {args.size!r}; allowed: WIDTHxHEIGHT, e.g. 320x240")
    from clgym.games.doom import SCENARIOS

    command = " ".join(["clgym bench doom", *(sys.argv[1:] if argv is None else argv)])
    print(f"Command: `{command}`")
    load, python = os.getloadavg()[0], platform.python_version()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, load average {load:.1f}; Python {python}")
    print()
    print("Each cell: wall-clock p50 / p95 (thread CPU p95).")
    print()
    print(
        "| scenario | game step (us) | observe() (us) | observation_vector() (us) | reset (us) "
        f"| {size[0]}x{size[1]} first-person frame (ms) |"
    )
    print("|---|---|---|---|---|---|")
    worst_step, worst_frame = 0.0, 0.0
    for name in SCENARIOS:
        g = bench_game(name, args.steps, args.seed)
        frame = bench_view(name, args.frames, size, args.seed)
        worst_step, worst_frame = max(worst_step, g["step"][2]), max(worst_frame, frame[2])
        print(
            f"| {name} | {_cell(g['step'], 1)} | {_cell(g['observe'], 1)} | {_cell(g['observation_vector'], 1)} "
            f"| {_cell(g['reset'], 0)} | {_cell(frame, 2)} |"
        )
    full = bench_renderer(max(50, args.frames // 4), args.seed)
    print()
    print(f"Full 640x480 DoomRenderer frame (view with minimap and HUD, raster, heatmap, score): {_cell(full, 2)} ms")
    ok = worst_step < STEP_TARGET_US and worst_frame < FRAME_TARGET_MS
    print(
        f"Targets (CPU p95): game step < {STEP_TARGET_US:.0f} us (worst {worst_step:.1f}), {size[0]}x{size[1]} "
        f"frame < {FRAME_TARGET_MS:.0f} ms (worst {worst_frame:.2f}): {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
