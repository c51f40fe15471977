"""The calibration protocol run on one simulated culture: spontaneous activity, then evoked responses.

Concepts
--------
One culture (a preset and a seed) goes through what an experimenter would do with a new dish:

1. **Settle** ``settle_s`` (30 s), then record ``spontaneous_s`` (120 s) of spontaneous activity: network bursts
   by DishBrain's definition, the correlation of the two motor blocks (overall and outside bursts) and the
   per-channel rates (:mod:`clgym.analysis.calibration`).
2. **Freeze plasticity** (STDP, tagging and synaptic scaling off; short-term depression stays, it is part of how
   a synapse transmits), then stimulate each of the 8 sensory electrodes in turn, ``repeats`` times in a
   shuffled order: ``stim_s`` (1 s) of pulses at ``stim_hz`` (20 Hz), ``current_ua`` (1 uA) x 200 us biphasic,
   each train preceded by ``gap_s`` (1 s) without stimulation.
3. From the trains: the probability of a spike within 5 ms of a pulse on or next to the stimulated electrode and
   its latency; the band -> (up - down) map (motor counts per channel, up minus down, per train) and its
   split-half reliability; the leave-one-out accuracy of decoding the stimulated electrode from one train's
   64-channel counts.

Nothing here knows about a game or a score: the layout only says which electrodes are sensory and which
channels form the motor regions.

Example
-------
>>> from clgym.calibration.protocol import CalibrationProtocol, measure_culture
>>> m = measure_culture("tiny", seed=0, protocol=CalibrationProtocol(settle_s=1, spontaneous_s=5, repeats=2))
>>> sorted(m)[:3]
['bursts_per_min', 'decode_accuracy', 'evoked_latency_ms']
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from clgym.analysis import calibration as stats
from clgym.cl1 import FRAMES_PER_SECOND as FPS
from clgym.coding.pong import dishbrain_layout, motor_blocks
from clgym.culture import Culture, CultureConfig


@dataclass(frozen=True)
class CalibrationProtocol:
    settle_s: float = 30.0
    spontaneous_s: float = 120.0
    repeats: int = 6
    stim_s: float = 1.0
    gap_s: float = 1.0
    stim_hz: float = 20.0
    current_ua: float = 1.0
    phase_us: int = 200

    def __post_init__(self):
        for name in ("settle_s", "spontaneous_s", "stim_s", "gap_s", "stim_hz", "current_ua"):
            value = getattr(self, name)
            if not value >= 0 or not np.isfinite(value):
                raise ValueError(f"{name}={value!r} is out of range; allowed >= 0")
        if not 0 < self.current_ua <= 3.0:
            raise ValueError(f"current_ua={self.current_ua} is out of range; allowed (0, 3] (the CL1's limit)")
        if not isinstance(self.repeats, int) or self.repeats < 2:
            raise ValueError(f"repeats={self.repeats!r} is out of range; allowed integers >= 2")
        if not 0 < self.stim_hz <= 200:
            raise ValueError(f"stim_hz={self.stim_hz} is out of range; allowed (0, 200]")


def _record(culture: Culture, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """Advance ``seconds`` in 1 s chunks; the detected spikes' (timestamps, channels)."""
    ts, ch = [], []
    left = int(round(seconds * FPS))
    while left > 0:
        n = min(left, FPS)
        batch = culture.advance(n)
        ts.append(batch.timestamps)
        ch.append(batch.channels)
        left -= n
    if not ts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(ts).astype(np.int64), np.concatenate(ch).astype(np.int64)


def measure_culture(preset: str | dict, seed: int, protocol: CalibrationProtocol | None = None,
                    **overrides) -> dict[str, float]:
    """Run the protocol on one culture and return its statistics (a flat dict of floats)."""
    p = protocol or CalibrationProtocol()
    if isinstance(preset, dict):
        cfg = CultureConfig.from_dict({**preset, "seed": seed, **overrides})
    else:
        cfg = CultureConfig.from_preset(preset, seed=seed, **overrides)
    t0, c0 = time.perf_counter(), time.process_time()
    culture = Culture(cfg)
    layout = dishbrain_layout()
    left_block, right_block = motor_blocks()
    out: dict[str, float] = {}

    # 1. spontaneous activity
    _record(culture, p.settle_s)
    start = culture.frame
    duration = int(round(p.spontaneous_s * FPS))
    ts, ch = _record(culture, p.spontaneous_s)
    bursts = stats.population_bursts(ts, duration, start_frame=start)
    corr, corr_out = stats.region_correlation(ts, ch, left_block, right_block, duration, start_frame=start,
                                              outside=~bursts.mask)
    recording = np.setdiff1d(np.arange(64), [0, 4, 7, 56, 63])
    rates = np.bincount(ch, minlength=64)[recording] / max(p.spontaneous_s, 1e-9)
    out.update(bursts_per_min=bursts.per_minute, fraction_in_bursts=bursts.fraction_in_bursts,
               median_burst_s=bursts.median_duration_s, motor_corr=corr, motor_corr_outside=corr_out,
               rate_median_hz=float(np.median(rates)), rate_p10_hz=float(np.percentile(rates, 10)),
               rate_p90_hz=float(np.percentile(rates, 90)), mean_channel_rate_hz=float(rates.mean()))

    # 2. evoked responses with plasticity frozen
    culture.set_plasticity(stdp=False, homeostasis=False)
    rng = np.random.default_rng([seed, 11])
    n_bands = layout.n_sensory
    up_mask, down_mask = layout.motor_masks()
    updown = np.zeros((n_bands, p.repeats))
    features, labels, pulse_frames, pulse_channels = [], [], [], []
    all_ts, all_ch = [], []
    period = int(round(FPS / p.stim_hz))
    n_pulses = int(round(p.stim_s * p.stim_hz))
    phases = (p.phase_us, p.phase_us)
    currents = (-p.current_ua, p.current_ua)
    for rep in range(p.repeats):
        for band in rng.permutation(n_bands):
            _record(culture, p.gap_s)
            channel = layout.sensory[band]
            t_on = culture.frame
            for k in range(n_pulses):
                f = t_on + k * period + 1
                culture.stimulate(channel, f, phases, currents)
                pulse_frames.append(f)
                pulse_channels.append(channel)
            ts, ch = _record(culture, p.stim_s)
            all_ts.append(ts)
            all_ch.append(ch)
            counts = np.bincount(ch, minlength=64).astype(np.float64)
            features.append(counts)
            labels.append(band)
            updown[band, rep] = counts[up_mask].mean() - counts[down_mask].mean()
    ts = np.concatenate(all_ts)
    ch = np.concatenate(all_ch)
    p_evoked, latency = stats.evoked_response(ts, ch, pulse_frames, pulse_channels)
    out.update(evoked_p5ms=p_evoked, evoked_latency_ms=latency,
               map_reliability=stats.split_half_reliability(updown),
               decode_accuracy=stats.nearest_centroid_accuracy(np.stack(features), np.asarray(labels)),
               evoked_rate_hz=float(np.mean([f.sum() for f in features]) / max(p.stim_s, 1e-9) / recording.size),
               wall_s=time.perf_counter() - t0, cpu_s=time.process_time() - c0,
               simulated_s=culture.frame / FPS)
    return out
