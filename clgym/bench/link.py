"""Closed-loop throughput of the two links, printed as a markdown table.

The loop is the one an env runs: at 100 ticks/s (10 ms ticks) it issues one 8-channel stim per tick and
advances one tick, counting the spikes it gets back. "x real time" is simulated seconds per wall second of
that loop (opening the link is excluded and reported separately). The "culture alone" row drives the
engine with the same stims and no link, so the links' own overhead is the difference.

Usage:
    clgym bench link                       # small culture, 10 simulated s per link
    clgym bench link --preset tiny --seconds 5 --links in-process
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time

from clgym.cl1 import FRAMES_PER_SECOND

STIM_CHANNELS = [9, 10, 11, 12, 17, 18, 19, 20]
STIM_UA = 1.0


def run_loop(link, ticks: int) -> tuple[float, int]:
    spikes = 0
    started = time.perf_counter()
    for _ in range(ticks):
        link.stim(STIM_CHANNELS, STIM_UA)
        spikes += link.advance().spike_timestamps.size
    return time.perf_counter() - started, spikes


def run_culture_alone(preset: str, seed: int, ticks: int, frames_per_tick: int) -> tuple[float, float, int]:
    from clgym.culture import Culture, CultureConfig

    opened = time.perf_counter()
    culture = Culture(CultureConfig.from_preset(preset, seed=seed))
    open_seconds = time.perf_counter() - opened
    spikes = 0
    started = time.perf_counter()
    for _ in range(ticks):
        for channel in STIM_CHANNELS:
            culture.stimulate(channel, culture.frame + 2, (160, 160), (-STIM_UA, STIM_UA))
        spikes += len(culture.advance(frames_per_tick))
    return open_seconds, time.perf_counter() - started, spikes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clgym bench link", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10.0, help="simulated seconds per link")
    parser.add_argument("--ticks-per-second", type=float, default=100.0)
    parser.add_argument(
        "--links",
        nargs="+",
        default=["culture-alone", "in-process", "sdk"],
        choices=["culture-alone", "in-process", "sdk"],
    )
    args = parser.parse_args(argv)

    from clgym.links import InProcessLink, SdkLink
    from clgym.links.base import frames_per_tick_for
    from clgym.sources import warm_up_culture_kernels

    warm_up_culture_kernels()
    culture = {"preset": args.preset, "seed": args.seed}
    frames_per_tick = frames_per_tick_for(args.ticks_per_second)
    ticks = int(round(args.seconds * args.ticks_per_second))
    simulated = ticks * frames_per_tick / FRAMES_PER_SECOND
    rows = []
    for name in args.links:
        if name == "culture-alone":
            open_seconds, wall, spikes = run_culture_alone(args.preset, args.seed, ticks, frames_per_tick)
        else:
            opened = time.perf_counter()
            link_class = InProcessLink if name == "in-process" else SdkLink
            with link_class(culture, ticks_per_second=args.ticks_per_second) as link:
                open_seconds = time.perf_counter() - opened
                wall, spikes = run_loop(link, ticks)
        rows.append((name, open_seconds, wall, spikes))

    command = "clgym bench link " + shlex.join(argv if argv is not None else sys.argv[1:])
    print(
        f"Command: `{command.strip()}`  \n"
        f"Culture `{args.preset}` (seed {args.seed}), {args.ticks_per_second:g} ticks/s, one "
        f"{len(STIM_CHANNELS)}-channel stim per tick, {ticks} ticks = {simulated:g} simulated s per row.\n"
    )
    print("| loop | open (s) | wall (s) | x real time | spikes/s (simulated) | wall us/tick |")
    print("|---|---|---|---|---|---|")
    for name, open_seconds, wall, spikes in rows:
        print(
            f"| {name} | {open_seconds:.2f} | {wall:.2f} | {simulated / wall:.1f} | {spikes / simulated:.0f} "
            f"| {wall / ticks * 1e6:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
