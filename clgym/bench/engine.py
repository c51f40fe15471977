"""Engine benchmark: simulated seconds per wall second, cost per unit and memory, printed as a markdown table.

Each configuration runs in its own subprocess so that peak memory (max RSS) belongs to it alone. The mean
neuron rate and burst rate are printed beside each figure, so a fast but silent (or runaway) network cannot
pass for a fast culture.

Cost per unit (issue 24), from CPU time so that a shared machine's load moves it less than the wall figures:
* ns per neuron-step: CPU time / (neurons x engine steps);
* ns per synaptic event: CPU time / (spikes x out-degree of the spiking neuron);
  each divides the whole CPU time, so each is an upper bound on its own unit's cost;
* limit: the x real time a rough one-core limit would reach on the same counts (``LIMIT_NS_PER_NEURON_STEP``
  per neuron-step plus ``LIMIT_NS_PER_EVENT`` per synaptic event), and the share of it reached;
* state: the culture's own arrays (dish, state, couplings, buffers) and their bytes per synapse, beside the
  process's peak RSS (which includes Python, numpy and numba, ~150 MB).

``--preset dishbrain`` runs the DishBrain model at each size by its size rule
(:func:`clgym.culture.config.size_rule`) and checks issue 24's goals; without it, each size runs its
Wagenaar-like preset (``PRESET_FOR_SIZE``; other sizes: ``small`` with ``n_neurons`` overridden).

Example
-------
    clgym bench engine --sizes 1000 10000 --seconds 10
    clgym bench engine --preset dishbrain --sizes 1000 10000 100000 --plastic-only --no-frames
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
LIMIT_NS_PER_NEURON_STEP = 2.0  # issue 24's rough one-core limit: a neuron update ...
LIMIT_NS_PER_EVENT = 5.0  # ... and a synaptic event (delivery + STDP)
#: issue 24's goals for the DishBrain model, one core, plasticity on: size -> (x real time, build s, peak MB)
DISHBRAIN_GOALS = {1000: (180.0, None, None), 10_000: (30.0, 5.0, None), 100_000: (2.0, 60.0, 4096.0)}


def _array_bytes(*objects) -> int:
    """Bytes of the distinct numpy buffers held as attributes of ``objects`` (views counted once)."""
    import numpy as np

    seen, total = set(), 0
    for obj in objects:
        for value in vars(obj).values():
            if isinstance(value, np.ndarray):
                base = value
                while isinstance(base.base, np.ndarray):
                    base = base.base
                if id(base) not in seen:
                    seen.add(id(base))
                    total += base.nbytes
    return total


def _measure(n_neurons: int, plastic: bool | str, frames: bool, seconds: float, seed: int,
             preset: str | None = None) -> dict:
    """Run in a child process: build, warm up, then time ``seconds`` of simulation in 100 ms reads.

    ``plastic="tagging"``: plasticity on with STDP tagging (tag decay runs; no tetanus, so no capture)."""
    import numpy as np

    from clgym.analysis.activity import network_bursts
    from clgym.culture import Culture, CultureConfig
    from clgym.culture.config import size_rule

    overrides = dict(stdp_tagging=True) if plastic == "tagging" else {} if plastic else dict(stdp=False,
                                                                                           homeostasis=False)
    if preset is not None:
        cfg = CultureConfig.from_preset(preset, seed=seed, **size_rule(preset, n_neurons), **overrides)
    elif (preset := PRESET_FOR_SIZE.get(n_neurons)) is None:
        cfg = CultureConfig.from_preset("small", n_neurons=n_neurons, seed=seed, **overrides)
    else:
        cfg = CultureConfig.from_preset(preset, seed=seed, **overrides)
    t0 = time.perf_counter()
    c0 = time.process_time()
    culture = Culture(cfg)
    build_s = time.perf_counter() - t0
    build_cpu_s = time.process_time() - c0
    out_degree = np.diff(culture.dish.syn_ptr)
    culture.advance(FRAMES_PER_SECOND)  # warm-up second (not timed)
    chunk = 2_500
    n_chunks = max(1, int(seconds * FRAMES_PER_SECOND / chunk))
    neuron_spikes, events, ts, ch = 0, 0, [], []
    start_frame = culture.frame
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _ in range(n_chunks):
        b = culture.advance(chunk, frames=frames)
        neuron_spikes += b.neuron_ids.size
        events += int(out_degree[b.neuron_ids].sum())
        ts.append(b.timestamps)
        ch.append(b.channels)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    sim_s = n_chunks * chunk / FRAMES_PER_SECOND
    neuron_steps = culture.n_neurons * n_chunks * chunk // cfg.frames_per_step
    limit_s = (neuron_steps * LIMIT_NS_PER_NEURON_STEP + events * LIMIT_NS_PER_EVENT) * 1e-9
    state = _array_bytes(culture, culture.dish)
    bursts = network_bursts(np.concatenate(ts), np.concatenate(ch), n_chunks * chunk, start_frame=start_frame)
    return dict(n_neurons=n_neurons, synapses=culture.dish.n_synapses, plastic=plastic, frames=frames,
                preset=cfg.preset, sim_s=sim_s, wall_s=wall, cpu_s=cpu, speed=sim_s / wall, cpu_speed=sim_s / cpu,
                build_s=build_s, build_cpu_s=build_cpu_s, events=events,
                ns_neuron_step=cpu * 1e9 / neuron_steps, ns_event=cpu * 1e9 / max(events, 1),
                limit_speed=sim_s / limit_s, state_mb=state / 2**20,
                bytes_per_synapse=state / max(culture.dish.n_synapses, 1), load=os.getloadavg()[0],
                rate_hz=neuron_spikes / culture.n_neurons / sim_s, bursts_per_min=bursts.per_minute,
                peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _run_child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "clgym.bench.engine", "--child", *args], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child failed: {out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(sizes=(1000, 10_000, 50_000), seconds=None, frames_options=(False, True), plastic_options=(False, True),
        seed=1, command: str | None = None, preset: str | None = None) -> str:
    rows = []
    load = os.getloadavg()
    for n in sizes:
        sim = seconds if seconds is not None else min(20.0, max(4.0, 100_000 / n))
        for plastic in plastic_options:
            for frames in frames_options:
                r = _run_child([str(n), plastic if isinstance(plastic, str) else str(int(plastic)),
                                str(int(frames)), str(sim), str(seed), preset or "-"])
                rows.append(r)
                print(f"  {n} neurons plastic={plastic} frames={frames}: {r['speed']:.1f}x real time "
                      f"({r['cpu_speed']:.1f}x by CPU time)",
                      file=sys.stderr, flush=True)
    cmd = command or "clgym bench engine " + " ".join(sys.argv[1:])
    end = os.getloadavg()
    lines = [f"`{cmd}` on {platform.processor() or platform.machine()}, {os.cpu_count()} cores, one core used; "
             f"load average {load[0]:.1f} before, {end[0]:.1f} after",
             "",
             "| preset | neurons | synapses | plasticity | frames | x real time (wall) | x real time (CPU) "
             "| ns / neuron-step | ns / syn. event | limit (x) | % of limit | mean rate (Hz) | bursts/min "
             "| state (MB) | B / synapse | peak RSS (MB) | build (s wall / CPU) | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        plasticity = "on + tagging" if r["plastic"] == "tagging" else "on" if r["plastic"] else "off"
        lines.append(f"| {r['preset']} | {r['n_neurons']:,} | {r['synapses']:,} | {plasticity} | "
                     f"{'on' if r['frames'] else 'off'} | {r['speed']:.1f} | {r['cpu_speed']:.1f} | "
                     f"{r['ns_neuron_step']:.1f} | {r['ns_event']:.1f} | {r['limit_speed']:.1f} | "
                     f"{100 * r['cpu_speed'] / r['limit_speed']:.0f} | {r['rate_hz']:.2f} | "
                     f"{r['bursts_per_min']:.1f} | {r['state_mb']:.0f} | {r['bytes_per_synapse']:.0f} | "
                     f"{r['peak_mb']:.0f} | {r['build_s']:.1f} / {r['build_cpu_s']:.1f} | {r['load']:.1f} |")
    if preset == "dishbrain":
        lines += ["", goals_table(rows)]
    return "\n".join(lines)


def goals_table(rows: list[dict]) -> str:
    """Issue 24's goals for the DishBrain model beside the plasticity-on, frames-off rows (speed by CPU time)."""
    lines = ["| neurons | goal | measured (CPU) | met |", "|---|---|---|---|"]
    for r in rows:
        goal = DISHBRAIN_GOALS.get(r["n_neurons"])
        if goal is None or r["plastic"] is not True or r["frames"]:
            continue
        speed, build, peak = goal
        checks = [(f">= {speed:g}x real time", f"{r['cpu_speed']:.1f}x", r["cpu_speed"] >= speed)]
        if build is not None:
            checks.append((f"build < {build:g} s", f"{r['build_cpu_s']:.1f} s", r["build_cpu_s"] < build))
        if peak is not None:
            checks.append((f"peak RSS < {peak / 1024:g} GB", f"{r['peak_mb'] / 1024:.2f} GB", r["peak_mb"] < peak))
        for what, got, ok in checks:
            lines.append(f"| {r['n_neurons']:,} | {what} | {got} | {'yes' if ok else '**no**'} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--child":
        n, plastic, frames, seconds, seed, preset = argv[1:7]
        mode = plastic if plastic == "tagging" else bool(int(plastic))
        print(json.dumps(_measure(int(n), mode, bool(int(frames)), float(seconds), int(seed),
                                  None if preset == "-" else preset)))
        return 0
    p = argparse.ArgumentParser(prog="clgym bench engine", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    p.add_argument("--seconds", type=float, default=None, help="simulated seconds per configuration")
    p.add_argument("--no-frames", action="store_true", help="skip the raw-frame synthesis rows")
    p.add_argument("--plastic-only", action="store_true", help="skip the plasticity-off rows")
    p.add_argument("--tagging", action="store_true", help="add rows with STDP tagging on (stdp_tagging=True)")
    p.add_argument("--preset", default=None,
                   help="run this preset at every size by its size rule (e.g. dishbrain; checks issue 24's goals)")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    plastic_options = ((True,) if a.plastic_only else (False, True)) + (("tagging",) if a.tagging else ())
    print(run(sizes=a.sizes, seconds=a.seconds, frames_options=(False,) if a.no_frames else (False, True),
              plastic_options=plastic_options, seed=a.seed, preset=a.preset,
              command="clgym bench engine " + " ".join(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
