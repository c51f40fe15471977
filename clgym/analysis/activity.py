"""Activity statistics of MEA spike trains: firing rates and network bursts.

Concepts
--------
A network burst is a period when many electrodes fire together (Wagenaar, Pine & Potter 2006). We bin the
array-wide spike count in 10 ms bins, smooth it over 50 ms, and call a burst every excursion above a
threshold (``threshold_factor`` x the mean rate, and at least ``min_channels`` active electrodes in the
burst), merging excursions closer than ``merge_gap_s``. The cl SDK's own ``cl.analysis`` works on its
recordings; this module works on plain arrays so the engine can be checked without the SDK.

Example
-------
>>> import numpy as np
>>> t = np.concatenate([np.full(200, 25_000) + np.arange(200) * 20, np.arange(0, 250_000, 5000)])
>>> ch = np.arange(t.size) % 64
>>> stats = network_bursts(np.sort(t), ch[np.argsort(t)], duration_frames=250_000)
>>> stats.count
1
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clgym.cl1 import FRAMES_PER_SECOND


@dataclass
class BurstStats:
    count: int
    per_minute: float
    durations_s: np.ndarray
    starts_s: np.ndarray
    fraction_of_spikes_in_bursts: float

    @property
    def mean_duration_s(self) -> float:
        return float(self.durations_s.mean()) if self.count else 0.0


def channel_rates_hz(channels: np.ndarray, duration_frames: int, n_channels: int = 64) -> np.ndarray:
    """Mean firing rate of every channel over a recording of ``duration_frames``."""
    seconds = duration_frames / FRAMES_PER_SECOND
    return np.bincount(np.asarray(channels, int), minlength=n_channels)[:n_channels] / seconds


def network_bursts(timestamps: np.ndarray, channels: np.ndarray, duration_frames: int, *,
                   bin_s: float = 0.01, smooth_s: float = 0.05, threshold_factor: float = 4.0,
                   min_channels: int = 8, merge_gap_s: float = 0.1, min_duration_s: float = 0.05,
                   start_frame: int = 0) -> BurstStats:
    """Detect network bursts in sorted spike ``timestamps`` (frames) with their ``channels``."""
    ts = np.asarray(timestamps, np.int64) - start_frame
    ch = np.asarray(channels, np.int64)
    bin_frames = int(round(bin_s * FRAMES_PER_SECOND))
    n_bins = max(1, int(np.ceil(duration_frames / bin_frames)))
    counts = np.bincount(np.clip(ts // bin_frames, 0, n_bins - 1), minlength=n_bins).astype(float)
    k = max(1, int(round(smooth_s / bin_s)))
    smooth = np.convolve(counts, np.ones(k) / k, mode="same")
    mean = counts.mean()
    above = smooth > max(threshold_factor * mean, 1e-12)
    # runs of bins above threshold
    edges = np.diff(np.concatenate([[0], above.astype(np.int8), [0]]))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    merged: list[list[int]] = []
    gap = int(round(merge_gap_s / bin_s))
    for s, e in zip(starts, ends, strict=True):
        if merged and s - merged[-1][1] <= gap:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    kept_starts, kept_durations, in_burst = [], [], 0
    for s, e in merged:
        lo, hi = np.searchsorted(ts, [s * bin_frames, e * bin_frames])
        duration = (e - s) * bin_s
        if duration < min_duration_s or np.unique(ch[lo:hi]).size < min_channels:
            continue
        kept_starts.append(s * bin_s)
        kept_durations.append(duration)
        in_burst += hi - lo
    minutes = duration_frames / FRAMES_PER_SECOND / 60.0
    return BurstStats(count=len(kept_starts), per_minute=len(kept_starts) / minutes,
                      durations_s=np.asarray(kept_durations), starts_s=np.asarray(kept_starts),
                      fraction_of_spikes_in_bursts=in_burst / max(1, ts.size))
