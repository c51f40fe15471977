"""A culture-free MEA: only the threshold crossings of electrode noise (DishBrain's media-only "CTL" chips).

Concepts
--------
The simulated culture's MEA detects a spike when a neuron's trough plus Gaussian electrode noise
(``noise_rms_uv``) falls below ``-detection_threshold_sd`` x the noise rms (:mod:`clgym.culture.mea`). Without
neurons, only the noise itself can cross: each frame of each recording channel crosses with probability
``p = P(z < -threshold_sd)`` for standard-normal ``z`` (about 2.9e-7 at 5 s.d., i.e. ~0.007 Hz per channel at
25 kHz). :class:`NoiseSource` draws exactly that: per read window, a binomial number of crossings per channel
at uniformly random frames, each with the amplitude of a Gaussian tail sample. Stimulation reaches no cells,
so ``on_stims`` changes nothing (stimulation artefacts are not modelled, as in the culture source). The
grounded channels (0, 7, 56, 63) and the reference (4) never cross. Defaults come from
:class:`~clgym.culture.CultureConfig`, so the media-only control sees the same electrodes as a culture.

Example
-------
>>> from clgym.links import InProcessLink
>>> with InProcessLink(source=NoiseSource(seed=1)) as link:
...     spikes = sum(link.advance().spike_channels.size for _ in range(100))   # 1 s: ~0.4 crossings
>>> spikes < 10
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from cl.sim import DataSourceBatch, DataSourceSpike, DataSourceStim, SimulatorDataSource

from clgym.cl1 import NON_RECORDING_CHANNELS
from clgym.culture import CultureConfig, spike_waveform

from .culture_source import culture_source_metadata

SILENT_CHANNELS = tuple(sorted(NON_RECORDING_CHANNELS))
_DEFAULTS = CultureConfig()


def crossing_probability(threshold_sd: float) -> float:
    """Probability that one standard-normal noise sample falls below ``-threshold_sd``."""
    return 0.5 * math.erfc(threshold_sd / math.sqrt(2.0))


class NoiseSource(SimulatorDataSource):
    """Electrode noise crossings and nothing else (see the module docstring).

    Args:
        seed: Seed of the crossings (same seed -> same spikes).
        noise_rms_uv: Electrode noise rms (default: the culture config's).
        detection_threshold_sd: Detection threshold in noise s.d. (default: the culture config's).
    """

    def __init__(self, seed: int = 0, noise_rms_uv: float = _DEFAULTS.noise_rms_uv,
                 detection_threshold_sd: float = _DEFAULTS.detection_threshold_sd):
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed={seed!r} is not allowed; allowed: an integer >= 0")
        for name, value in (("noise_rms_uv", noise_rms_uv), ("detection_threshold_sd", detection_threshold_sd)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
                    or value <= 0:
                raise ValueError(f"{name}={value!r} is not allowed; allowed: a finite number > 0")
        self.seed = int(seed)
        self.noise_rms_uv = float(noise_rms_uv)
        self.threshold_sd = float(detection_threshold_sd)
        self.p_per_frame = crossing_probability(self.threshold_sd)
        self._metadata = culture_source_metadata()
        self._channels = np.array([c for c in range(self._metadata.channel_count) if c not in SILENT_CHANNELS],
                                  np.int64)
        self._rng: np.random.Generator | None = None
        self._next_frame = 0

    @property
    def metadata(self):
        return self._metadata

    @property
    def rate_hz_per_channel(self) -> float:
        """Expected crossings per second on each recording channel."""
        return self.p_per_frame * self._metadata.frames_per_second

    def open(self) -> None:
        self._rng = np.random.default_rng([self.seed, 0x4E01])
        self._next_frame = int(self._metadata.start_timestamp)

    def close(self) -> None:
        self._rng = None

    def on_stims(self, stims: Sequence[DataSourceStim]) -> None:
        """Nothing to stimulate: the dish holds only medium."""

    def on_stim(self, stim: DataSourceStim) -> None:
        """Nothing to stimulate: the dish holds only medium."""

    def read(self, from_timestamp: int, frame_count: int) -> DataSourceBatch:
        rng = self._rng
        if rng is None:
            raise RuntimeError("NoiseSource is not open; call open() first")
        if from_timestamp < self._next_frame:
            raise ValueError(f"from_timestamp={from_timestamp} is behind the source (frame {self._next_frame}); "
                             "allowed >= the last frame read (noise is not replayed)")
        counts = rng.binomial(int(frame_count), self.p_per_frame, size=self._channels.size)
        channels = np.repeat(self._channels, counts)
        frames = from_timestamp + rng.integers(0, int(frame_count), size=channels.size)
        # a Gaussian tail sample beyond the threshold: z ~ threshold + Exp(threshold) (Mills ratio), negative
        depth = rng.exponential(1.0 / self.threshold_sd, size=channels.size)
        amplitudes = -(self.threshold_sd + depth) * self.noise_rms_uv
        order = np.lexsort((channels, frames))
        self._next_frame = int(from_timestamp) + int(frame_count)
        spikes = [DataSourceSpike(timestamp=int(frames[i]), channel=int(channels[i]),
                                  samples=spike_waveform(float(amplitudes[i])), channel_mean_sample=0.0)
                  for i in order]
        return DataSourceBatch(frames=None, spikes=spikes)
