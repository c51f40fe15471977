"""Calibration statistics: the numbers that say whether a culture is the kind DishBrain used.

Concepts
--------
Every function works on plain arrays (spike timestamps in 25 kHz frames, channels 0-63), so the same code
measures a recording, the simulated culture, or a synthetic spike train with a known answer.

* :func:`population_bursts`: network bursts by DishBrain's own definition (``docs/dishbrain.md``): population
  spike counts in 10 ms bins; a burst is a run of bins above mean + 4 SD, runs closer than 100 ms merged, with
  a +-50 ms margin. Reports bursts per minute, the fraction of all spikes inside bursts and the durations.
* :func:`region_correlation`: Pearson correlation of two channel groups' 10 ms spike counts, over the whole
  recording and over the bins outside bursts (DishBrain's "motor correlation").
* :func:`evoked_response`: for each pulse, whether a spike follows within 5 ms on the stimulated electrode or
  one of its 8 neighbours, and the latency of the first one.
* :func:`split_half_reliability`: how reproducible a per-band response map is (odd vs even repeats).
* :func:`nearest_centroid_accuracy`: leave-one-out accuracy of decoding which electrode was stimulated from
  one response vector.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> background = np.sort(rng.integers(0, 60 * 25_000, 3000))        # one minute, ~50 spikes/s
>>> burst = 30 * 25_000 + np.sort(rng.integers(0, 5_000, 400))      # 400 spikes in 0.2 s at t = 30 s
>>> ts = np.sort(np.concatenate([background, burst]))
>>> stats = population_bursts(ts, duration_frames=60 * 25_000)
>>> stats.count, round(stats.fraction_in_bursts, 2) > 0.1
(1, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clgym.cl1 import FRAMES_PER_SECOND
from clgym.cl1 import GRID_SIZE as GRID


@dataclass(frozen=True)
class PopulationBursts:
    """Network bursts of a recording (DishBrain's definition); ``mask`` marks the 10 ms bins inside bursts."""

    count: int
    per_minute: float
    fraction_in_bursts: float
    durations_s: np.ndarray
    starts_s: np.ndarray
    mask: np.ndarray
    bin_frames: int

    @property
    def median_duration_s(self) -> float:
        return float(np.median(self.durations_s)) if self.count else 0.0


def binned_counts(timestamps, duration_frames: int, bin_frames: int = 250, start_frame: int = 0) -> np.ndarray:
    """Spike counts in consecutive bins of ``bin_frames`` over [start_frame, start_frame + duration_frames)."""
    ts = np.asarray(timestamps, np.int64) - int(start_frame)
    n_bins = int(duration_frames) // int(bin_frames)
    ts = ts[(ts >= 0) & (ts < n_bins * bin_frames)]
    return np.bincount(ts // bin_frames, minlength=n_bins).astype(np.float64)


def population_bursts(timestamps, duration_frames: int, *, start_frame: int = 0, bin_s: float = 0.01,
                      sd_factor: float = 4.0, merge_s: float = 0.1, margin_s: float = 0.05,
                      min_bins: int = 2) -> PopulationBursts:
    """Network bursts by DishBrain's definition (see the module docstring).

    One adaptation, ``min_bins``: a run must hold at least this many consecutive 10 ms bins above threshold
    (before merging). DishBrain counted ~900 electrodes, where a 10 ms population count is large and a single
    bin above mean + 4 SD is a real event; a CL1 has 59 recording electrodes, and at ~1 Hz per electrode
    Poisson coincidences alone would cross that threshold several times a minute in single bins (see
    ``tests/test_calibration_stats.py``). ``min_bins=1`` is DishBrain's rule verbatim."""
    bin_frames = int(round(bin_s * FRAMES_PER_SECOND))
    counts = binned_counts(timestamps, duration_frames, bin_frames, start_frame)
    n = counts.size
    mask = np.zeros(n, bool)
    if n == 0 or counts.sum() == 0:
        return PopulationBursts(0, 0.0, 0.0, np.zeros(0), np.zeros(0), mask, bin_frames)
    above = counts > counts.mean() + sd_factor * counts.std()
    edges = np.diff(np.concatenate([[0], above.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # run = bins [start, end)
    keep = ends - starts >= min_bins
    starts, ends = starts[keep], ends[keep]
    gap, margin = int(round(merge_s / bin_s)), int(round(margin_s / bin_s))
    runs: list[list[int]] = []
    for s, e in zip(starts, ends, strict=True):
        if runs and s - runs[-1][1] < gap:
            runs[-1][1] = e
        else:
            runs.append([int(s), int(e)])
    out_starts, durations = [], []
    for s, e in runs:
        lo, hi = max(0, s - margin), min(n, e + margin)
        mask[lo:hi] = True
        out_starts.append(lo * bin_s)
        durations.append((hi - lo) * bin_s)
    minutes = n * bin_s / 60.0
    return PopulationBursts(count=len(runs), per_minute=len(runs) / minutes,
                            fraction_in_bursts=float(counts[mask].sum() / counts.sum()),
                            durations_s=np.asarray(durations), starts_s=np.asarray(out_starts), mask=mask,
                            bin_frames=bin_frames)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 3 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def region_correlation(timestamps, channels, region_a, region_b, duration_frames: int, *, start_frame: int = 0,
                       bin_frames: int = 250, outside: np.ndarray | None = None) -> tuple[float, float]:
    """Pearson correlation of two channel groups' binned counts: ``(overall, outside bursts)``.

    ``outside`` is a boolean mask of the bins to use for the second number (e.g. ``~bursts.mask``); without it
    the second number is NaN."""
    ts = np.asarray(timestamps, np.int64)
    ch = np.asarray(channels, np.int64)
    a = binned_counts(ts[np.isin(ch, list(region_a))], duration_frames, bin_frames, start_frame)
    b = binned_counts(ts[np.isin(ch, list(region_b))], duration_frames, bin_frames, start_frame)
    overall = _pearson(a, b)
    if outside is None:
        return overall, float("nan")
    keep = np.asarray(outside, bool)[: a.size]
    return overall, _pearson(a[keep], b[keep])


def neighbourhood(channel: int) -> np.ndarray:
    """The channel and its (up to 8) neighbours on the 8 x 8 grid."""
    r, c = divmod(int(channel), GRID)
    return np.array([rr * GRID + cc for rr in range(r - 1, r + 2) for cc in range(c - 1, c + 2)
                     if 0 <= rr < GRID and 0 <= cc < GRID])


def evoked_response(timestamps, channels, pulse_frames, pulse_channels, *, window_ms: float = 5.0,
                    dead_ms: float = 0.0) -> tuple[float, float]:
    """Fraction of pulses followed within ``window_ms`` by a spike on the stimulated electrode or a neighbour,
    and the median latency (ms) of the first such spike (NaN if none). Spikes in the first ``dead_ms`` after a
    pulse are ignored (a rig blanks its amplifiers during the artefact)."""
    ts = np.asarray(timestamps, np.int64)
    ch = np.asarray(channels, np.int64)
    window = int(round(window_ms * FRAMES_PER_SECOND / 1000))
    dead = int(round(dead_ms * FRAMES_PER_SECOND / 1000))
    hits, latencies = 0, []
    for f, c in zip(np.asarray(pulse_frames, np.int64), np.asarray(pulse_channels, np.int64), strict=True):
        lo, hi = np.searchsorted(ts, [f + dead, f + window], side="right")
        near = np.isin(ch[lo:hi], neighbourhood(c))
        if near.any():
            hits += 1
            latencies.append((ts[lo:hi][near][0] - f) * 1000.0 / FRAMES_PER_SECOND)
    n = max(1, len(pulse_frames))
    return hits / n, float(np.median(latencies)) if latencies else float("nan")


def split_half_reliability(responses: np.ndarray) -> float:
    """Correlation across bands of the mean response over odd vs even repeats.

    ``responses`` is ``(n_bands, n_repeats)``: one number per band and repeat (e.g. up - down motor counts).
    1 means every band's response is reproduced exactly; 0 means the map is noise."""
    r = np.asarray(responses, np.float64)
    if r.ndim != 2 or r.shape[1] < 2:
        raise ValueError(f"responses must be (n_bands, n_repeats >= 2), got shape {r.shape}")
    return _pearson(r[:, 0::2].mean(axis=1), r[:, 1::2].mean(axis=1))


def nearest_centroid_accuracy(features: np.ndarray, labels: np.ndarray) -> float:
    """Leave-one-out accuracy of a nearest-centroid classifier on square-root counts (variance-stabilised).

    Each trial is classified by the class centroid (computed without that trial) nearest in Euclidean
    distance; chance is 1 / n_classes."""
    x = np.sqrt(np.asarray(features, np.float64))
    y = np.asarray(labels)
    classes = np.unique(y)
    sums = np.stack([x[y == k].sum(axis=0) for k in classes])
    counts = np.array([(y == k).sum() for k in classes], np.float64)
    correct = 0
    for i in range(x.shape[0]):
        k = int(np.searchsorted(classes, y[i]))
        s, n = sums.copy(), counts.copy()
        s[k] -= x[i]
        n[k] -= 1
        if n[k] == 0:
            continue
        centroids = s / n[:, None]
        correct += int(classes[np.argmin(((centroids - x[i]) ** 2).sum(axis=1))] == y[i])
    return correct / max(1, x.shape[0])
