"""The Numba culture engine: a simulated dissociated cortical culture on a CL1-like 8 x 8 MEA.

Knows nothing of cl, gymnasium or games. Start with :class:`Culture` and :class:`CultureConfig`:

>>> from clgym.culture import Culture, CultureConfig
>>> culture = Culture(CultureConfig.from_preset("tiny", seed=0))
>>> batch = culture.advance(25_000)   # one simulated second
>>> batch.timestamps.dtype
dtype('int64')
"""

from .config import PRESETS, RIG_PROFILES, ConfigError, CultureConfig
from .culture import Culture, SpikeBatch
from .mea import NON_STIMULABLE, REFERENCE_CHANNEL, pulse_drive_ua, spike_waveform

__all__ = ["PRESETS", "RIG_PROFILES", "ConfigError", "Culture", "CultureConfig", "NON_STIMULABLE", "REFERENCE_CHANNEL",
           "SpikeBatch", "pulse_drive_ua", "spike_waveform"]
