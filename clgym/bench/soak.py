"""Soak benchmark: one culture through the SDK link for simulated hours; memory and CPU of both processes.

What it runs: ``SdkLink`` (the cl SDK's accelerated simulator, our culture in its producer process), 100 ticks
per simulated second, a DishBrain-like load of one 8-channel sensory pulse every 4th tick (25 Hz) and a
single-channel probe every 50th. Every ``--every-min`` simulated minutes it samples both processes: resident
memory (VmRSS from /proc) and CPU time (user + system), beside wall time. The RSS slope (MB per simulated
hour, fitted over the second half of the run, after the allocator and the SDK's buffers have settled) tells a
leak from warm-up growth.

It stops at ``--hours`` simulated hours or after ``--max-wall-min`` wall minutes, whichever comes first
(and says which).

Example
-------
    clgym bench soak --hours 2 --preset small          # python -m clgym.bench.soak --hours 2
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

SENSORY_CHANNELS = (9, 10, 11, 12, 17, 18, 19, 20)
PROBE_CHANNEL = 27


def _proc_rss_mb(pid: int) -> dict[str, float]:
    """VmRSS split into its private (RssAnon) and shared-memory (RssShmem: the SDK's rings) parts, in MB."""
    found = {"VmRSS": float("nan"), "RssAnon": float("nan"), "RssShmem": float("nan")}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key = line.split(":", 1)[0]
                if key in found:
                    found[key] = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return found


def _proc_cpu_s(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, IndexError, ValueError):
        return float("nan")


def _uptime_load() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


MIN_SLOPE_SAMPLES = 3
"""Samples the second half of a soak needs before a memory slope is reported."""


def _slope_per_hour(hours: list[float], values: list[float]) -> float:
    """Least-squares MB per simulated hour over the second half of the samples (nan if too few)."""
    half = len(hours) // 2
    x, y = np.asarray(hours[half:]), np.asarray(values[half:])
    if len(x) < MIN_SLOPE_SAMPLES or np.ptp(x) == 0:
        return float("nan")
    return float(np.polyfit(x, y, 1)[0])


def slope_text(result: dict) -> str:
    """The memory slopes of a soak in MB/sim-hour, or why there are none: never a ``nan``."""
    n = len(result["rows"]) - len(result["rows"]) // 2
    if any(np.isnan(result[k]) for k in ("env_slope", "producer_slope", "env_anon_slope", "producer_anon_slope")):
        return (f"too few samples for a memory slope (n = {n} in the second half; at least {MIN_SLOPE_SAMPLES}: "
                "a longer --hours or a smaller --every-min).")
    return (f"slope over the second half (n = {n} samples): env {result['env_slope']:+.2f} MB/sim-hour, producer "
            f"{result['producer_slope']:+.2f} MB/sim-hour (private memory only: env {result['env_anon_slope']:+.2f}, "
            f"producer {result['producer_anon_slope']:+.2f} MB/sim-hour).")


def soak(preset: str, hours: float, max_wall_min: float, every_min: float, seed: int, frames: str) -> dict:
    """Run the soak; return the samples and a verdict (see the module docstring)."""
    import gc

    from clgym.links import SdkLink

    ticks_per_minute = 100 * 60
    total_ticks = int(round(hours * 60 * ticks_per_minute))
    sample_every = max(1, int(round(every_min * ticks_per_minute)))
    rows: list[dict] = []
    load_start = _uptime_load()
    wall0 = time.perf_counter()
    with SdkLink({"preset": preset, "seed": seed}, frames=frames) as link:
        open_s = time.perf_counter() - wall0
        me, producer = os.getpid(), link.producer_pid

        def sample(tick: int, spikes: int) -> None:
            env, prod = _proc_rss_mb(me), _proc_rss_mb(producer)
            rows.append(dict(
                sim_min=tick / ticks_per_minute, wall_s=time.perf_counter() - wall0,
                env_rss=env["VmRSS"], producer_rss=prod["VmRSS"],
                env_anon=env["RssAnon"], producer_anon=prod["RssAnon"], shmem=prod["RssShmem"],
                env_cpu=_proc_cpu_s(me), producer_cpu=_proc_cpu_s(producer), spikes=spikes,
                gc_objects=len(gc.get_objects()),
            ))

        spikes = 0
        sample(0, 0)
        deadline = wall0 + max_wall_min * 60.0
        stopped_by = "simulated time"
        for tick in range(1, total_ticks + 1):
            if tick % 4 == 0:
                link.stim(SENSORY_CHANNELS, 1.0)
            if tick % 50 == 0:
                link.stim([PROBE_CHANNEL], (200, -2.5, 200, 2.5))
            spikes += int(link.advance().spike_channels.size)
            out_of_time = tick % 100 == 0 and tick < total_ticks and time.perf_counter() > deadline
            if tick % sample_every == 0 or tick == total_ticks or out_of_time:
                sample(tick, spikes)
            if out_of_time:
                stopped_by = f"the {max_wall_min:g}-minute wall limit"
                break
    hours_run = [r["sim_min"] / 60.0 for r in rows]
    return dict(
        rows=rows, open_s=open_s, stopped_by=stopped_by, load_start=load_start, load_end=_uptime_load(),
        env_slope=_slope_per_hour(hours_run, [r["env_rss"] for r in rows]),
        producer_slope=_slope_per_hour(hours_run, [r["producer_rss"] for r in rows]),
        env_anon_slope=_slope_per_hour(hours_run, [r["env_anon"] for r in rows]),
        producer_anon_slope=_slope_per_hour(hours_run, [r["producer_anon"] for r in rows]),
        preset=preset, frames=frames, hours_asked=hours,
    )


def report(result: dict, command: str) -> str:
    rows = result["rows"]
    first, last = rows[0], rows[-1]
    wall = last["wall_s"] - first["wall_s"]
    lines = [
        f"`{command}`",
        "",
        f"SDK link, accelerated, preset {result['preset']}, frames={result['frames']}; opened in "
        f"{result['open_s']:.1f} s; stopped by {result['stopped_by']} after {last['sim_min']:.1f} simulated "
        f"minutes (asked {result['hours_asked'] * 60:.0f}) in {wall / 60:.1f} wall minutes "
        f"({last['sim_min'] * 60 / max(wall, 1e-9):.1f}x real time).",
        f"load at start: {result['load_start']}",
        f"load at end:   {result['load_end']}",
        "",
        "RSS = private (RssAnon) + shared memory (RssShmem: the SDK's rings, mapped by both) + file pages.",
        "",
        "| sim min | wall s | env RSS MB | env private MB | producer RSS MB | producer private MB | shared MB "
        "| env CPU s | producer CPU s | spikes | env gc objects |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['sim_min']:.1f} | {r['wall_s']:.0f} | {r['env_rss']:.1f} | {r['env_anon']:.1f} | "
            f"{r['producer_rss']:.1f} | {r['producer_anon']:.1f} | {r['shmem']:.1f} | "
            f"{r['env_cpu']:.0f} | {r['producer_cpu']:.0f} | {r['spikes']:,} | {r['gc_objects']:,} |"
        )
    cpu = (last["env_cpu"] - first["env_cpu"]) + (last["producer_cpu"] - first["producer_cpu"])
    lines += [
        "",
        f"RSS start -> end: env {first['env_rss']:.1f} -> {last['env_rss']:.1f} MB, producer "
        f"{first['producer_rss']:.1f} -> {last['producer_rss']:.1f} MB; {slope_text(result)}",
        f"CPU beside wall: {cpu:.0f} CPU s (env {last['env_cpu'] - first['env_cpu']:.0f} + producer "
        f"{last['producer_cpu'] - first['producer_cpu']:.0f}) in {wall:.0f} wall s.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(prog="clgym bench soak", description=__doc__.splitlines()[0])
    p.add_argument("--hours", type=float, default=2.0, help="simulated hours (default 2)")
    p.add_argument("--preset", default="small", help="culture preset (default small)")
    p.add_argument("--max-wall-min", type=float, default=15.0, help="stop after this many wall minutes (default 15)")
    p.add_argument("--every-min", type=float, default=5.0, help="sample every this many simulated minutes")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--frames", default="zeros", choices=("zeros", "full"), help="the culture source's frames")
    a = p.parse_args(argv)
    for name in ("hours", "max_wall_min", "every_min"):
        if not getattr(a, name) > 0:
            p.error(f"--{name.replace('_', '-')}={getattr(a, name)} is out of range; allowed > 0")
    result = soak(a.preset, a.hours, a.max_wall_min, a.every_min, a.seed, a.frames)
    print(report(result, "clgym bench soak " + " ".join(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
