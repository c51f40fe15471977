"""``clgym compare``: a recording's statistics beside a simulated culture's, measured under the same protocol.

Concepts
--------
A recording (DishBrain's MaxLab spike h5 with its events file, or a cl SDK recording: a CL1's, a plain ``cl``
script's on clgym's culture, or clgym's own) is read by :func:`clgym.analysis.recordings.read_recording` and
measured by :mod:`clgym.analysis.session_stats`. The culture (a preset name or a ``.json`` config, e.g. one
``clgym fit`` wrote) goes through the same protocol as the recording:

* **rest** recording: the culture runs unstimulated for the recording's length (capped by ``--minutes``,
  default at most 10 minutes) after ``settle_s`` (30 s) unrecorded, and :func:`rest_statistics` measures it;
* **game** recording (its events hold hits and misses): the culture plays CLPong-v0 in culture mode with
  DishBrain's feedback, recorded with its game events, and :func:`game_statistics` measures it
  (:func:`clgym.calibration.game.measure_game`).

The simulated culture is recorded as the recording's rig records (:data:`clgym.culture.config.RIG_PROFILES`,
``--rig``, by default from the format): a DishBrain file as a MaxOne (each pulse's artefact blanked, fast
trains saturating the amplifiers), a cl recording as a CL1 (nothing blanked). At rest nothing is stimulated,
so the rig changes nothing there.

The simulated rest session is built in memory from ``Culture.advance`` (:func:`simulate_rest`), not written
to an SDK recording and read back: ``clgym fit`` measures hundreds of such sessions, and ``compare`` must
measure the culture exactly as ``fit`` does. The two paths give the same :class:`SpikeRecording` (same
spikes, regions by :func:`~clgym.analysis.recordings.cl_layout_regions`, 59 recording electrodes, the cl
format): ``tests/test_compare.py`` holds them to it on a culture recorded through ``InProcessLink.record``.

Each array's burst rule is its own (DishBrain's ~900 electrodes: one 10 ms bin above threshold; a CL1's 59:
two, :func:`clgym.analysis.calibration.population_bursts`). The per-electrode rate does not compare across
arrays (a MaxOne electrode sees fewer neurons than a CL1's); the ratios do.

Example
-------
    clgym compare clgym/data/dishbrain/9501.2021-06-01.1.h5 --preset dishbrain --minutes 2
    clgym compare my_cl1_session.h5 --preset culture.json --json
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from clgym.analysis.recordings import RecordingError, SpikeRecording, cl_layout_regions, read_recording
from clgym.analysis.session_stats import game_statistics, rest_statistics
from clgym.cl1 import FRAMES_PER_SECOND as FPS
from clgym.cl1 import NON_RECORDING_CHANNELS
from clgym.culture import ConfigError, Culture, CultureConfig
from clgym.culture.config import RIG_PROFILES
from clgym.culture.culture_file import culture_dict

DEFAULT_MAX_MINUTES = 10.0
DEFAULT_SETTLE_S = 30.0

#: (key, label, format, note); game rows only for game recordings
REST_ROWS = [
    ("bursts_per_min", "bursts / min", "{:.2f}", ""),
    ("in_burst_fraction", "spikes in bursts", "{:.1%}", ""),
    ("median_burst_s", "median burst (s)", "{:.2f}", ""),
    ("motor_corr_outside_bursts", "motor corr outside bursts, 10 ms", "{:.3f}", ""),
    ("rate_hz", "rate per electrode (Hz)", "{:.3f}", "not comparable across arrays (MaxOne vs CL1)"),
]
GAME_ROWS = [
    ("rally_pause_rate_ratio", "rate in rallies / in the silent pause", "{:.2f}", ""),
    ("after_miss_ratio", "rate 0-8 s after a miss / 1 s before", "{:.2f}", "median over misses"),
    ("after_miss_0_1", "  same, 0-1 s", "{:.2f}", ""),
    ("after_miss_1_2", "  same, 1-2 s", "{:.2f}", ""),
    ("after_miss_2_4", "  same, 2-4 s", "{:.2f}", ""),
    ("after_miss_4_8", "  same, 4-8 s", "{:.2f}", ""),
    ("after_hit_ratio", "rate 0-50 ms after a hit / [-1, -0.2) s before", "{:.2f}", ""),
    ("evoked_0_20ms", "evoked spikes per sensory pulse, 0-20 ms", "{:.2f}", "needs logged pulses"),
    ("evoked_20_200ms", "evoked spikes per sensory pulse, 20-200 ms", "{:.2f}", "needs logged pulses"),
    ("hits_per_rally", "hits per rally", "{:.2f}", "reported, never a target"),
]


def culture_config(culture: str | dict[str, Any], seed: int, **overrides: Any) -> CultureConfig:
    """The config of ``culture`` (a preset name, a ``.json`` path or a config dict) grown from ``seed``."""
    spec = culture_dict(culture) if isinstance(culture, str) else dict(culture)
    return CultureConfig.from_dict({**spec, **overrides, "seed": seed})


def simulate_rest(config: CultureConfig, *, seconds: float, settle_s: float = DEFAULT_SETTLE_S,
                  chunk_s: float = 1.0) -> SpikeRecording:
    """A culture at rest for ``settle_s`` unrecorded, then ``seconds`` recorded, as a :class:`SpikeRecording`
    in the cl format (what :func:`~clgym.analysis.recordings.read_cl_recording` gives for the same culture
    recorded through a link)."""
    culture = Culture(config)
    chunk = max(1, int(round(chunk_s * FPS)))
    left = int(round(settle_s * FPS))
    while left > 0:
        culture.advance(min(left, chunk))
        left -= chunk
    start = culture.frame
    duration = int(round(seconds * FPS))
    ts, ch = [], []
    left = duration
    while left > 0:
        batch = culture.advance(min(left, chunk))
        ts.append(batch.timestamps)
        ch.append(batch.channels)
        left -= chunk
    timestamps = (np.concatenate(ts).astype(np.int64) - start) if ts else np.zeros(0, np.int64)
    channels = np.concatenate(ch).astype(np.int64) if ch else np.zeros(0, np.int64)
    return SpikeRecording(timestamps=timestamps, regions=cl_layout_regions()[channels], duration_frames=duration,
                          kind="rest", source=f"simulated {config.preset or 'culture'} seed {config.seed}",
                          format="cl", n_electrodes=64 - len(NON_RECORDING_CHANNELS))


def session_statistics(rec: SpikeRecording) -> dict[str, float]:
    """Rest statistics for a rest recording, game statistics for a game recording; plus the median burst."""
    out = game_statistics(rec) if rec.kind == "game" else rest_statistics(rec)
    from clgym.analysis import calibration as stats

    bursts = stats.population_bursts(rec.timestamps, rec.duration_frames,
                                     min_bins=1 if rec.n_electrodes > 200 else 2)
    out["median_burst_s"] = bursts.median_duration_s
    return out


def rig_of(recording_format: str) -> str:
    """The rig that made a recording of this format: DishBrain's files are a MaxOne's, cl files a CL1's."""
    return "maxone" if recording_format == "dishbrain" else "cl1"


def compare(path: str, *, events: str | None = None, culture: str = "dishbrain", seed: int = 0,
            minutes: float | None = None, settle_s: float = DEFAULT_SETTLE_S, rig: str | None = None
            ) -> dict[str, Any]:
    """Read ``path``, run ``culture`` under the same protocol, recorded as ``rig`` records (default: the
    recording's own rig); returns both sides' statistics with what was run (``kind``, ``minutes``, ``rig``)."""
    rec = read_recording(path, events)
    rig = rig or rig_of(rec.format)
    if rig not in RIG_PROFILES:
        raise ConfigError(f"rig={rig!r} is unknown; allowed: {', '.join(RIG_PROFILES)}")
    config = culture_config(culture, seed, **RIG_PROFILES[rig])  # a bad culture fails before any simulation
    recorded_min = rec.duration_s / 60
    run_min = min(recorded_min, DEFAULT_MAX_MINUTES) if minutes is None else min(recorded_min, minutes)
    if not run_min > 0:
        raise RecordingError(f"{path}: the recording is {rec.duration_s:.3f} s long; nothing to compare")
    t0 = time.perf_counter()
    if rec.kind == "game":
        from clgym.calibration.game import record_game_session

        with tempfile.TemporaryDirectory() as tmp:  # measure_game's protocol, read back by the same reader
            played = record_game_session(config.to_dict(), seed, Path(tmp) / "game.h5", minutes=run_min,
                                         settle_s=settle_s)
            simulated = session_statistics(read_recording(played))
    else:
        simulated = session_statistics(simulate_rest(config, seconds=run_min * 60, settle_s=settle_s))
    return dict(recording=session_statistics(rec), preset=simulated, kind=rec.kind, format=rec.format,
                recording_minutes=recorded_min, minutes=run_min, rig=rig, wall_s=time.perf_counter() - t0,
                n_electrodes=rec.n_electrodes)


def _cell(fmt: str, value: float) -> str:
    return "-" if value is None or not math.isfinite(value) else fmt.format(value)


def format_table(result: dict[str, Any], culture: str, seed: int) -> str:
    """The markdown table: one row per statistic, the recording beside the culture."""
    rows = REST_ROWS + (GAME_ROWS if result["kind"] == "game" else [])
    head = (f"| statistic | recording ({result['format']}, {result['kind']}, {result['recording_minutes']:.1f} min, "
            f"{result['n_electrodes']} electrodes) | {culture} (seed {seed}, {result['minutes']:.1f} min, recorded as "
            f"{result['rig']}) | note |")
    lines = [head, "|---|---|---|---|"]
    for key, label, fmt, note in rows:
        if key == "rate_hz" and result["format"] == "cl":
            note = "both CL1 arrays: comparable"
        rec = result["recording"].get(key, float("nan"))
        sim = result["preset"].get(key, float("nan"))
        lines.append(f"| {label} | {_cell(fmt, rec)} | {_cell(fmt, sim)} | {note} |")
    return "\n".join(lines)


def json_safe(stats: dict[str, float]) -> dict[str, float | None]:
    """NaN and infinities -> ``None`` (JSON ``null``)."""
    return {k: (float(v) if math.isfinite(float(v)) else None) for k, v in stats.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="clgym compare", description=__doc__.split("\n\n")[0])
    ap.add_argument("recording", help="a DishBrain MaxLab spike h5 or a cl SDK recording (.h5)")
    ap.add_argument("--events", default=None,
                    help="events file in DishBrain's text format (default: <session>.events.txt beside a MaxLab "
                         "file; a cl recording's game_events data stream)")
    ap.add_argument("--preset", default="dishbrain", help="culture: a preset name or a .json config (default "
                                                          "dishbrain)")
    ap.add_argument("--seed", type=int, default=0, help="the simulated culture's seed (default 0)")
    ap.add_argument("--minutes", type=float, default=None,
                    help=f"simulated minutes (default: the recording's length, at most {DEFAULT_MAX_MINUTES:g})")
    ap.add_argument("--settle-s", type=float, default=DEFAULT_SETTLE_S, help="unrecorded settling (default 30 s)")
    ap.add_argument("--rig", choices=sorted(RIG_PROFILES), default=None,
                    help="record the culture as this rig would (default: the recording's: maxone for DishBrain, "
                         "cl1 for a cl recording)")
    ap.add_argument("--json", action="store_true", help='print {"recording": {...}, "preset": {...}} only')
    a = ap.parse_args(argv)
    if a.minutes is not None and not a.minutes > 0:
        ap.error(f"--minutes={a.minutes} is out of range; allowed > 0")
    if a.seed < 0 or a.settle_s < 0:
        ap.error("--seed and --settle-s are out of range; allowed >= 0")
    try:
        result = compare(a.recording, events=a.events, culture=a.preset, seed=a.seed, minutes=a.minutes,
                         settle_s=a.settle_s, rig=a.rig)
    except (RecordingError, ConfigError) as error:
        print(f"clgym compare: {error}", file=sys.stderr)
        return 2
    if a.json:
        print(json.dumps({"recording": json_safe(result["recording"]), "preset": json_safe(result["preset"])}))
        return 0
    command = "clgym compare " + " ".join(shlex.quote(x) for x in (argv if argv is not None else sys.argv[1:]))
    print(f"`{command}`\n")
    print(format_table(result, a.preset, a.seed))
    print(f"\nsimulated in {result['wall_s']:.0f} s. Regions: the recording's own layout (DishBrain's geometry on "
          "a MaxOne, clgym's layout on a CL1); bursts by each array's rule.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
