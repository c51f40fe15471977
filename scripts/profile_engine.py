"""Load-independent measurement of the culture engine: instruction counts, CPU time, and an output fingerprint.

The machine this runs on is shared, so wall-clock speed is noisy. This harness measures a fixed workload three
ways:

* ``cpu``: CPU time (``time.process_time``) of the timed region, repeated from the same snapshot; the minimum
  over repeats is reported as simulated seconds per CPU second ("x real time").
* ``callgrind``: the same workload under ``valgrind --tool=callgrind``; only the timed region is counted
  (costs are zeroed on entering ``sched_yield`` and dumped on entering ``getppid``, two libc calls the script
  makes right before and after it; instrumentation is switched on with ``callgrind_control`` only after the
  imports and the build, which would otherwise take most of valgrind's time), so the number is the total
  instructions (Ir) of advancing the culture, Numba dispatch and Python glue included,
  and is independent of machine load.
* a fingerprint (hash of every detected spike, every neuron spike, the final weights and membranes) of the
  timed region, to check that an optimisation did not change what is simulated (bit-exactness).

Workload: build the preset culture (seed 1), warm it up natively (``--warmup`` simulated seconds in one call; the
warmed-up snapshot is pickled to a temp file keyed by the engine's source, so valgrind does not have to simulate
it), then advance ``--seconds`` simulated seconds in ``--tick``-frame reads (default 250 frames = one 10 ms env
tick, which is how the environments drive the culture). The default windows contain one network burst (small:
3-6 s, large: 8-11 s of seed 1), so the count covers the bursting regime, not just the quiet between bursts.

Examples
--------
    python scripts/profile_engine.py --preset small --repeats 5            # CPU time + fingerprint
    python scripts/profile_engine.py --preset small --callgrind            # instruction count
    python scripts/profile_engine.py --preset large --callgrind --seconds 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np


def _fingerprint(batches, culture) -> str:
    h = hashlib.sha256()
    for b in batches:
        for x in (b.timestamps, b.channels, b.amplitudes_uv, b.neuron_frames, b.neuron_ids):
            h.update(np.ascontiguousarray(x).tobytes())
    for name in ("syn_w", "v", "u", "g_nmda", "stp_x"):
        h.update(np.ascontiguousarray(getattr(culture, name)).tobytes())
    return h.hexdigest()[:16]


DEFAULTS = {"small": dict(warmup=3.0, seconds=3.0), "large": dict(warmup=8.0, seconds=3.0)}


def _snapshot_path(preset: str, warmup: float) -> str:
    import clgym.culture as pkg

    h = hashlib.sha256()
    src = os.path.dirname(pkg.__file__)
    for f in sorted(os.listdir(src)):
        if f.endswith(".py"):
            h.update(open(os.path.join(src, f), "rb").read())
    return os.path.join(tempfile.gettempdir(), f"clgym_profile_{preset}_{warmup}_{h.hexdigest()[:12]}.pkl")


def _build(preset: str, warmup: float):
    """The culture after ``warmup`` simulated seconds (restored from a pickled snapshot when one exists)."""
    import pickle

    from clgym.culture import Culture, CultureConfig

    culture = Culture(CultureConfig.from_preset(preset, seed=1))
    path = _snapshot_path(preset, warmup)
    if os.path.exists(path):
        with open(path, "rb") as fh:
            culture.restore(pickle.load(fh))
    else:
        culture.advance(int(round(warmup * 25_000)))
        with open(path + ".tmp", "wb") as fh:
            pickle.dump(culture.snapshot(), fh)
        os.replace(path + ".tmp", path)
    culture.advance(1)  # touch every kernel once (JIT / cache load) outside the timed region
    return culture


def _timed_region(culture, seconds: float, tick: int):
    n_reads = int(round(seconds * 25_000 / tick))
    return [culture.advance(tick) for _ in range(n_reads)]


def run_cpu(preset: str, warmup: float, seconds: float, tick: int, repeats: int) -> dict:
    culture = _build(preset, warmup)
    snap = culture.snapshot()
    times, prints, spikes = [], set(), 0
    for _ in range(repeats):
        culture.restore(snap)
        c0 = time.process_time()
        batches = _timed_region(culture, seconds, tick)
        times.append(time.process_time() - c0)
        prints.add(_fingerprint(batches, culture))
        spikes = sum(b.neuron_ids.size for b in batches)
    best = min(times)
    return dict(preset=preset, warmup=warmup, seconds=seconds, tick=tick, cpu_s_min=best,
                cpu_s_median=float(np.median(times)),
                x_real_time_cpu=seconds / best, rate_hz=spikes / culture.n_neurons / seconds,
                fingerprint=sorted(prints) if len(prints) > 1 else prints.pop())


def run_marked(preset: str, warmup: float, seconds: float, tick: int) -> dict:
    """The workload between two libc marker calls (for callgrind)."""
    culture = _build(preset, warmup)
    if os.environ.get("CLGYM_CALLGRIND_INSTR_ON"):
        # valgrind runs with --instr-atstart=no: ask it to instrument from now on. Callgrind polls for the
        # command while the program runs, so keep running (not blocked in a wait) until the command is answered.
        ctl = subprocess.Popen(["callgrind_control", "-i", "on", str(os.getpid())], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        while ctl.poll() is None:
            sum(range(1000))
    os.sched_yield()  # callgrind: --zero-before=sched_yield
    batches = _timed_region(culture, seconds, tick)
    os.getppid()  # callgrind: --dump-before=getppid
    return dict(preset=preset, warmup=warmup, seconds=seconds, tick=tick, fingerprint=_fingerprint(batches, culture),
                rate_hz=sum(b.neuron_ids.size for b in batches) / culture.n_neurons / seconds)


def run_callgrind(preset: str, warmup: float, seconds: float, tick: int, keep: bool) -> dict:
    _build(preset, warmup)  # natively: writes the warmed-up snapshot
    out_dir = tempfile.mkdtemp(prefix="clgym_callgrind_")
    out_file = os.path.join(out_dir, "callgrind.out")
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out_file}",
           "--zero-before=*sched_yield*",
           "--dump-before=*getppid*", sys.executable, os.path.abspath(__file__), "--preset", preset,
           "--warmup", str(warmup), "--seconds", str(seconds), "--tick", str(tick), "--marked"]
    t0 = time.perf_counter()
    # valgrind's emulated CPUID differs from the host's: without this Numba would miss its cache (keyed by CPU
    # name and features) and recompile every kernel under valgrind, which takes many minutes
    from numba.core.registry import cpu_target

    codegen = cpu_target.target_context.codegen()
    env = dict(os.environ, NUMBA_CPU_NAME=codegen._get_host_cpu_name(), NUMBA_CPU_FEATURES=codegen._tm_features,
               CLGYM_CALLGRIND_INSTR_ON="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    # the dump made before getppid holds exactly the timed region; the final dump holds the rest
    dumps = sorted(f for f in os.listdir(out_dir) if f.startswith("callgrind.out"))
    ir = None
    for f in dumps:  # "*getppid*" matches Python's os_getppid and then libc's getppid: add both dumps
        text = open(os.path.join(out_dir, f)).read()
        if re.search(r"^desc: Trigger: --dump-before=.*getppid", text, re.M):
            ir = (ir or 0) + int(re.search(r"^summary: (\d+)", text, re.M).group(1))
    if not keep:
        for f in dumps:
            os.remove(os.path.join(out_dir, f))
        os.rmdir(out_dir)
    if ir is None:
        raise RuntimeError(f"no dump triggered by getppid in {dumps}")
    child.update(instructions=ir, instructions_per_sim_s=ir / seconds, valgrind_wall_s=time.perf_counter() - t0)
    if keep:
        child["callgrind_dir"] = out_dir
    return child


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="small")
    p.add_argument("--warmup", type=float, default=None, help="simulated seconds before the timed region")
    p.add_argument("--seconds", type=float, default=None, help="simulated seconds in the timed region")
    p.add_argument("--tick", type=int, default=250, help="frames per advance() call (250 = one 10 ms env tick)")
    p.add_argument("--repeats", type=int, default=5, help="CPU-time repeats (the minimum is reported)")
    p.add_argument("--callgrind", action="store_true", help="count instructions under valgrind instead")
    p.add_argument("--keep", action="store_true", help="keep the callgrind output files")
    p.add_argument("--marked", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    d = DEFAULTS.get(a.preset, dict(warmup=2.0, seconds=3.0))
    warmup = a.warmup if a.warmup is not None else d["warmup"]
    seconds = a.seconds if a.seconds is not None else d["seconds"]
    if a.marked:
        result = run_marked(a.preset, warmup, seconds, a.tick)
    elif a.callgrind:
        result = run_callgrind(a.preset, warmup, seconds, a.tick, a.keep)
    else:
        result = run_cpu(a.preset, warmup, seconds, a.tick, a.repeats)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
