"""The statistics that compare a culture with DishBrain's, at rest and under the game's stimulation.

Concepts
--------
One function per kind of session, each on a :class:`~clgym.analysis.recordings.SpikeRecording` (a DishBrain
recording, a CL1's, or the simulated culture's: the same code measures all of them), each returning a flat
dict of floats under the names ``clgym compare --json`` prints.

Rest (:func:`rest_statistics`), DishBrain's definitions (``docs/dishbrain.md``): ``bursts_per_min`` and
``in_burst_fraction`` (network bursts of the population's 10 ms counts above mean + 4 SD), the correlation of
the two motor blocks' 10 ms counts outside bursts (``motor_corr_outside_bursts``), and the population rate per
recorded electrode (``rate_hz``; it does not compare across arrays, the ratios do).

Game (:func:`game_statistics`), all ratios of the population rate, so they compare across arrays:

* ``rally_pause_rate_ratio``: rate during rallies (from the end of a miss's pause, or the start of play, to the
  next miss) over the rate in the silent part of the pause (4-8.2 s after a miss);
* ``after_miss_ratio``: rate 0-8 s after a miss over the 1 s before it, median over misses; and by window
  (``after_miss_0_1`` 0-1 s, ``after_miss_1_2``, ``after_miss_2_4``, ``after_miss_4_8``);
* ``after_hit_ratio``: rate 0-50 ms after a hit over [-1, -0.2) s before it, pooled over hits;
* ``hits_per_rally`` (reported, never a target);
* with logged sensory pulses (the simulated culture, a CL1): ``evoked_0_20ms`` and ``evoked_20_200ms``, the
  population's spikes per pulse in those windows above the pre-pulse baseline (pulses 200 ms apart or more
  only, so windows do not overlap).

Example
-------
>>> import numpy as np
>>> from clgym.analysis.recordings import SpikeRecording, MISS
>>> ts = np.arange(0, 60 * 25_000, 250, dtype=np.int64)                     # 100 Hz, one minute
>>> rec = SpikeRecording(ts, np.zeros(ts.size, np.int8), 60 * 25_000, "game", [(20 * 25_000, MISS)])
>>> round(game_statistics(rec)["after_miss_ratio"], 2)
1.0
"""

from __future__ import annotations

import numpy as np

from clgym.analysis import calibration as stats
from clgym.analysis.recordings import HIT, MISS, MOTOR_LEFT, MOTOR_RIGHT, SpikeRecording
from clgym.cl1 import FRAMES_PER_SECOND as FPS

#: DishBrain's miss feedback (docs/dishbrain.md): 4 s of unpredictable stimulation, play frozen 8.2 s in all
MISS_STIM_S = 4.0
MISS_PAUSE_S = 8.2
AFTER_MISS_WINDOWS = ((0.0, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, 8.0))


def rest_statistics(rec: SpikeRecording, *, min_bins: int | None = None) -> dict[str, float]:
    """Network bursts, motor correlation outside bursts and the rate (see the module docstring).

    ``min_bins``: consecutive 10 ms bins above threshold that make a burst. DishBrain's rule is 1 with ~900
    electrodes; a CL1's 59 need 2 (:func:`clgym.analysis.calibration.population_bursts`). Default: by the
    number of electrodes."""
    if min_bins is None:
        min_bins = 1 if rec.n_electrodes > 200 else 2
    bursts = stats.population_bursts(rec.timestamps, rec.duration_frames, min_bins=min_bins)
    _, outside = stats.region_correlation(rec.timestamps, rec.regions, [MOTOR_LEFT], [MOTOR_RIGHT],
                                          rec.duration_frames, outside=~bursts.mask)
    return dict(bursts_per_min=bursts.per_minute, in_burst_fraction=bursts.fraction_in_bursts,
                motor_corr_outside_bursts=outside,
                rate_hz=rec.timestamps.size / max(rec.duration_s, 1e-9) / max(rec.n_electrodes, 1))


def _rate(ts: np.ndarray, lo: int, hi: int) -> float:
    """Spikes per second in [lo, hi) frames."""
    if hi <= lo:
        return float("nan")
    a, b = np.searchsorted(ts, [lo, hi])
    return (b - a) * FPS / (hi - lo)


def _count(ts: np.ndarray, lo: int, hi: int) -> int:
    a, b = np.searchsorted(ts, [lo, hi])
    return int(b - a)


def game_statistics(rec: SpikeRecording) -> dict[str, float]:
    """Rest statistics plus the game's rate ratios (see the module docstring). NaN where a session has no
    event of the kind a statistic needs."""
    out = rest_statistics(rec)
    ts = rec.timestamps
    end = rec.duration_frames
    misses = rec.event_frames(MISS)
    hits = rec.event_frames(HIT)
    s = FPS  # frames per second
    # rallies: from the start of play (the first event's frame or 0) or the end of a pause, to the next miss
    play_from = [0] + [int(m + MISS_PAUSE_S * s) for m in misses]
    play_to = [int(m) for m in misses] + [end]
    rally_spikes = rally_frames = pause_spikes = pause_frames = 0
    for lo, hi in zip(play_from, play_to, strict=True):
        if hi > lo:
            rally_spikes += _count(ts, lo, hi)
            rally_frames += hi - lo
    for m in misses:
        lo, hi = int(m + MISS_STIM_S * s), min(end, int(m + MISS_PAUSE_S * s))
        if hi > lo:
            pause_spikes += _count(ts, lo, hi)
            pause_frames += hi - lo
    rally_rate = rally_spikes * s / rally_frames if rally_frames else float("nan")
    pause_rate = pause_spikes * s / pause_frames if pause_frames else float("nan")
    out["rally_rate_hz"] = rally_rate / max(rec.n_electrodes, 1)
    out["pause_rate_hz"] = pause_rate / max(rec.n_electrodes, 1)
    out["rally_pause_rate_ratio"] = rally_rate / pause_rate if pause_rate > 0 else float("nan")

    full = [m for m in misses if m - s >= 0 and m + 8 * s <= end]
    before = np.array([_rate(ts, int(m - s), int(m)) for m in full])
    ok = before > 0
    def after_ratio(a: float, b: float) -> float:
        if not ok.any():
            return float("nan")
        after = np.array([_rate(ts, int(m + a * s), int(m + b * s)) for m in full])
        return float(np.median(after[ok] / before[ok]))
    out["after_miss_ratio"] = after_ratio(0.0, 8.0)
    for a, b in AFTER_MISS_WINDOWS:
        out[f"after_miss_{a:g}_{b:g}"] = after_ratio(a, b)

    hit_after = hit_before = 0.0
    n_hits = 0
    for h in hits:
        if h - s >= 0 and h + 0.05 * s <= end:
            hit_after += _count(ts, int(h), int(h + 0.05 * s))
            hit_before += _count(ts, int(h - s), int(h - 0.2 * s))
            n_hits += 1
    out["after_hit_ratio"] = (hit_after / 0.05) / (hit_before / 0.8) if hit_before > 0 else float("nan")
    out["n_hits"] = float(hits.size)
    out["n_misses"] = float(misses.size)
    out["hits_per_rally"] = hits.size / misses.size if misses.size else float("nan")
    out.update(evoked_per_pulse(rec))
    return out


def evoked_per_pulse(rec: SpikeRecording, *, min_gap_s: float = 0.2) -> dict[str, float]:
    """Population spikes per stimulation pulse 0-20 ms and 20-200 ms after it, above the rate in the 200 ms
    before it, over pulses at least ``min_gap_s`` from the pulses before and after (isolated pulses: the
    sensory code's slow rates). NaN without logged pulses."""
    nan = {"evoked_0_20ms": float("nan"), "evoked_20_200ms": float("nan"), "n_isolated_pulses": 0.0}
    if rec.stim_timestamps is None or rec.stim_timestamps.size == 0:
        return nan
    p = np.unique(rec.stim_timestamps)  # a multi-channel pulse counts once
    gap = int(min_gap_s * FPS)
    prev = np.diff(p, prepend=-(10**12))
    nxt = np.diff(p, append=10**15)
    iso = p[(prev >= gap) & (nxt >= gap) & (p >= gap) & (p + gap <= rec.duration_frames)]
    if iso.size == 0:
        return nan
    ts = rec.timestamps
    base = np.array([_count(ts, int(f - gap), int(f)) for f in iso]) / min_gap_s  # spikes/s
    early = np.array([_count(ts, int(f), int(f + 0.02 * FPS)) for f in iso]) - base * 0.02
    late = np.array([_count(ts, int(f + 0.02 * FPS), int(f + gap)) for f in iso]) - base * (min_gap_s - 0.02)
    return {"evoked_0_20ms": float(early.mean()), "evoked_20_200ms": float(late.mean()),
            "n_isolated_pulses": float(iso.size)}
