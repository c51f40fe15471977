"""Engine benchmark: simulated seconds per wall second and peak memory, printed as a markdown table.

Each configuration runs in its own subprocess so that peak memory (max RSS) belongs to it alone. The mean
neuron rate and burst rate are printed beside each figure, so a fast but silent (or runaway) network cannot
pass for a fast culture.

Example
-------
    clgym bench engine --sizes 1000 10000 --seconds 10
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

from clgym.cl1 import FRAMES_PER_SECOND

PRESET_FOR_SIZE = {250: "tiny", 1000: "small", 3000: "default", 10_000: "large", 50_000: "huge"}


def _measure(n_neurons: int, plastic: bool | str, frames: bool, seconds: float, seed: int) -> dict:
    """Run in a child process: build, warm up, then time ``seconds`` of simulation in 100 ms reads.

    ``plastic="tagging"``: plasticity on with STDP tagging (tag decay runs; no tetanus, so no capture)."""
    import numpy as np

    from clgym.analysis.activity import network_bursts
    from clgym.culture import Culture, CultureConfig

    preset = PRESET_FOR_SIZE.get(n_neurons)
    overrides = dict(stdp_tagging=True) if plastic == "tagging" else {} if plastic else dict(stdp=False,
                                                                                           homeostasis=False)
    if preset is None:
        cfg = CultureConfig.from_preset("small", n_neurons=n_neurons, seed=seed, **overrides)
    else:
        cfg = CultureConfig.from_preset(preset, seed=seed, **overrides)
    t0 = time.perf_counter()
    culture = Culture(cfg)
    build_s = time.perf_counter() - t0
    culture.advance(FRAMES_PER_SECOND)  # warm-up second (not timed)
    chunk = 2_500
    n_chunks = max(1, int(seconds * FRAMES_PER_SECOND / chunk))
    neuron_spikes, ts, ch = 0, [], []
    start_frame = culture.frame
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _ in range(n_chunks):
        b = culture.advance(chunk, frames=frames)
        neuron_spikes += b.neuron_ids.size
        ts.append(b.timestamps)
        ch.append(b.channels)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    sim_s = n_chunks * chunk / FRAMES_PER_SECOND
    bursts = network_bursts(np.concatenate(ts), np.concatenate(ch), n_chunks * chunk, start_frame=start_frame)
    return dict(n_neurons=n_neurons, synapses=culture.dish.n_synapses, plastic=plastic, frames=frames,
                sim_s=sim_s, wall_s=wall, speed=sim_s / wall, cpu_speed=sim_s / cpu, build_s=build_s,
                rate_hz=neuron_spikes / culture.n_neurons / sim_s, bursts_per_min=bursts.per_minute,
                peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _run_child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "clgym.bench.engine", "--child", *args], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child failed: {out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(sizes=(1000, 10_000, 50_000), seconds=None, frames_options=(False, True), plastic_options=(False, True),
        seed=1, command: str | None = None) -> str:
    rows = []
    for n in sizes:
        sim = seconds if seconds is not None else min(20.0, max(4.0, 100_000 / n))
        for plastic in plastic_options:
            for frames in frames_options:
                r = _run_child([str(n), plastic if isinstance(plastic, str) else str(int(plastic)),
                                str(int(frames)), str(sim), str(seed)])
                rows.append(r)
                print(f"  {n} neurons plastic={plastic} frames={frames}: {r['speed']:.1f}x real time "
                      f"({r['cpu_speed']:.1f}x by CPU time)",
                      file=sys.stderr, flush=True)
    cmd = command or "clgym bench engine " + " ".join(sys.argv[1:])
    lines = [f"`{cmd}` on {platform.processor() or platform.machine()}, {os.cpu_count()} cores, one core used",
             "",
             "| neurons | synapses | plasticity | frames | x real time (wall) | x real time (CPU) | mean rate (Hz)"
             " | bursts/min | peak RSS (MB) | build (s) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        plasticity = "on + tagging" if r["plastic"] == "tagging" else "on" if r["plastic"] else "off"
        lines.append(f"| {r['n_neurons']:,} | {r['synapses']:,} | {plasticity} | "
                     f"{'on' if r['frames'] else 'off'} | {r['speed']:.1f} | {r['cpu_speed']:.1f} | "
                     f"{r['rate_hz']:.2f} | "
                     f"{r['bursts_per_min']:.1f} | {r['peak_mb']:.0f} | {r['build_s']:.1f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--child":
        n, plastic, frames, seconds, seed = argv[1:6]
        mode = plastic if plastic == "tagging" else bool(int(plastic))
        print(json.dumps(_measure(int(n), mode, bool(int(frames)), float(seconds), int(seed))))
        return 0
    p = argparse.ArgumentParser(prog="clgym bench engine", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    p.add_argument("--seconds", type=float, default=None, help="simulated seconds per configuration")
    p.add_argument("--no-frames", action="store_true", help="skip the raw-frame synthesis rows")
    p.add_argument("--plastic-only", action="store_true", help="skip the plasticity-off rows")
    p.add_argument("--tagging", action="store_true", help="add rows with STDP tagging on (stdp_tagging=True)")
    a = p.parse_args(argv)
    plastic_options = ((True,) if a.plastic_only else (False, True)) + (("tagging",) if a.tagging else ())
    print(run(sizes=a.sizes, seconds=a.seconds, frames_options=(False,) if a.no_frames else (False, True),
              plastic_options=plastic_options,
              command="clgym bench " + " ".join(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
