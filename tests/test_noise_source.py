"""The culture-free noise source (media-only control): rate, channels, determinism, no response to stims."""

import math

import numpy as np
import pytest
from cl.sim import DataSourceStim

from clgym.links import InProcessLink
from clgym.sources.noise_source import SILENT_CHANNELS, NoiseSource, crossing_probability


def spikes_of(source: NoiseSource, ticks: int, stim_channel: int | None = None):
    stamps, channels = [], []
    with InProcessLink(source=source) as link:
        for t in range(ticks):
            if stim_channel is not None and t % 2 == 0:
                link.stim([stim_channel], 2.5)
            tick = link.advance()
            stamps.append(tick.spike_timestamps)
            channels.append(tick.spike_channels)
    return np.concatenate(stamps), np.concatenate(channels)


def test_crossing_probability_is_the_gaussian_tail():
    assert crossing_probability(5.0) == pytest.approx(2.8665e-7, rel=1e-4)
    assert crossing_probability(0.0) == pytest.approx(0.5)


def test_rate_matches_the_threshold_and_silent_channels_never_cross():
    source = NoiseSource(seed=2, detection_threshold_sd=4.0)  # a lower threshold: enough crossings to count
    expected = source.rate_hz_per_channel * 60 * (64 - len(SILENT_CHANNELS))  # one simulated minute
    stamps, channels = spikes_of(source, 6000)
    assert abs(stamps.size - expected) < 5 * math.sqrt(expected)
    assert not np.isin(channels, SILENT_CHANNELS).any()
    assert np.all(np.diff(stamps) >= 0) and stamps.min() >= 0 and stamps.max() < 6000 * 250


def test_same_seed_same_spikes_and_stimulation_changes_nothing():
    a = spikes_of(NoiseSource(seed=5, detection_threshold_sd=4.0), 2000)
    b = spikes_of(NoiseSource(seed=5, detection_threshold_sd=4.0), 2000, stim_channel=27)
    c = spikes_of(NoiseSource(seed=6, detection_threshold_sd=4.0), 2000)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_default_threshold_is_the_cultures_and_nearly_silent():
    source = NoiseSource(seed=0)
    assert source.rate_hz_per_channel == pytest.approx(25_000 * crossing_probability(5.0))
    assert source.rate_hz_per_channel < 0.01


@pytest.mark.parametrize("kwargs", [{"seed": -1}, {"seed": 1.5}, {"noise_rms_uv": 0},
                                    {"detection_threshold_sd": math.inf}])
def test_bad_arguments_name_the_field(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        NoiseSource(**kwargs)


def test_read_before_open_and_rewind_are_errors():
    source = NoiseSource(seed=1)
    with pytest.raises(RuntimeError, match="open"):
        source.read(0, 250)
    source.open()
    source.read(0, 250)
    source.on_stims([DataSourceStim(timestamp=250, channel=9, intended_timestamp=250,
                                    phase_durations_us=(200, 200), phase_currents_uA=(-1.0, 1.0))])
    with pytest.raises(ValueError, match="behind"):
        source.read(100, 250)
