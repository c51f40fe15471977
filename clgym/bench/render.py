"""Benchmark the CLPong renderer: cost of push_tick per tick and of a full frame (draw -> ndarray).

Usage::

    clgym bench render [--frames 600] [--size 640x480] [--ticks-per-frame 3]

Each frame pushes ``--ticks-per-frame`` ticks of synthetic spikes (100 ticks/s real time at 30 fps is ~3.3)
and then
draws. Scenarios: quiet (1 Hz per channel), typical (5 Hz per channel plus the sensory encoder's pulses) and
bursting (network bursts of ~4 spikes per channel per tick on 10 % of the ticks); the last scenario keeps
every frame alive like ``RecordVideo`` does, so each frame lands in fresh memory (page faults). Wall-clock and
thread CPU
time are both reported: on a shared VM the wall-clock tail includes time the process was not running.
Prints a Markdown table; exits 1 if the p95 frame cost (CPU) is over 5 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import numpy as np

SCENARIOS = {
    "quiet (1 Hz/ch)": dict(rate_hz=1.0, burst_p=0.0, keep=False),
    "typical (5 Hz/ch + sensory)": dict(rate_hz=5.0, burst_p=0.0, keep=False),
    "bursting (10% ticks x 4 spk/ch)": dict(rate_hz=5.0, burst_p=0.1, keep=False),
    "typical, frames kept (RecordVideo)": dict(rate_hz=5.0, burst_p=0.0, keep=True),
}


def synthetic_tick(rng: np.random.Generator, rate_hz: float, burst_p: float, tick_s: float, t: int):

    n = rng.poisson(rate_hz * tick_s * 64)
    if burst_p and rng.random() < burst_p:
        n += rng.poisson(4 * 64)
    ch = rng.integers(0, 64, size=n)
    ts = np.sort(rng.integers(0, 250, size=n)) + t * 250
    return ch, ts


def run(name: str, cfg: dict, frames: int, size: tuple[int, int], tpf: int, seed: int) -> dict:
    from clgym.coding.encoders import PlaceRateEncoder
    from clgym.coding.pong import pong_layout
    from clgym.coding.stimulus import stim_channel_array
    from clgym.games.pong import PongGame
    from clgym.render import PongRenderer

    rng = np.random.default_rng(seed)
    layout = pong_layout()
    game = PongGame(seed=seed)
    enc = PlaceRateEncoder(layout.sensory)
    r = PongRenderer(layout, size=size)
    push_s, draw_s, draw_cpu, surf_s, spikes, kept = [], [], [], [], 0, []
    t = 0
    for _ in range(30):  # warm-up (font cache, first allocations)
        r.push_tick(np.zeros(0, int), None, np.zeros(0, int), t)
        t += 1
        r.draw(game.state(), game.score())
    for _ in range(frames):
        for _ in range(tpf):
            game.step(0.5)
            stims = stim_channel_array(enc.encode(game.ball_x, game.ball_y))
            ch, ts = synthetic_tick(rng, cfg["rate_hz"], cfg["burst_p"], 0.01, t)
            spikes += ch.size
            t0 = time.perf_counter()
            r.push_tick(ch, ts, stims, t)
            push_s.append(time.perf_counter() - t0)
            t += 1
        t0 = time.perf_counter()
        r.draw_surface(game.state(), game.score())
        surf_s.append(time.perf_counter() - t0)
        t0, c0 = time.perf_counter(), time.thread_time()
        frame = r.draw(game.state(), game.score())
        draw_s.append(time.perf_counter() - t0)
        draw_cpu.append(time.thread_time() - c0)
        if cfg["keep"]:
            kept.append(frame)
    assert frame.shape == (size[1], size[0], 3)
    r.close()
    push = np.array(push_s) * 1e6
    draw = np.array(draw_s) * 1e3
    cpu = np.array(draw_cpu) * 1e3
    surf = np.array(surf_s) * 1e3
    return {
        "scenario": name,
        "spikes/tick": spikes / (frames * tpf),
        "push_tick us (median / p95)": f"{np.median(push):.1f} / {np.percentile(push, 95):.1f}",
        "compose ms (median)": np.median(surf),
        "draw ms wall (median / p95 / max)": (
            f"{np.median(draw):.2f} / {np.percentile(draw, 95):.2f} / {draw.max():.2f}"
        ),
        "draw ms CPU (median / p95)": f"{np.median(cpu):.2f} / {np.percentile(cpu, 95):.2f}",
        "frame ms CPU p95 (draw + pushes)": np.percentile(cpu, 95) + tpf * np.percentile(push, 95) / 1e3,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="clgym bench render", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=600)
    ap.add_argument("--size", default="640x480")
    ap.add_argument("--ticks-per-frame", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    w, h = (int(v) for v in args.size.lower().split("x"))
    rows = [run(n, c, args.frames, (w, h), args.ticks_per_frame, args.seed) for n, c in SCENARIOS.items()]
    print(f"command: clgym bench render {' '.join(sys.argv[1:] if argv is None else argv)}")
    print(
        f"frame {w}x{h}, {args.frames} frames, {args.ticks_per_frame} ticks/frame, SDL_VIDEODRIVER="
        f"{os.environ.get('SDL_VIDEODRIVER')}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(v if isinstance(v, str) else f"{v:.2f}" for v in row.values()) + " |")
    worst = max(row["frame ms CPU p95 (draw + pushes)"] for row in rows)
    print(f"\nworst p95 frame cost (CPU): {worst:.2f} ms (target < 5 ms)")
    return 0 if worst < 5.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
