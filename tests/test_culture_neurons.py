"""Each Izhikevich type fires with its textbook signature on the engine's own membrane kernel."""

import numpy as np
import pytest

from clgym.culture.probes import isolated_neuron_spikes


@pytest.fixture(scope="module")
def spikes():
    return isolated_neuron_spikes(["RS", "IB", "CH", "FS", "LTS"], drive=0.15, duration_ms=1000)


def test_regular_spiking_adapts(spikes):
    isi = np.diff(spikes["RS"])
    assert len(isi) >= 5
    assert isi[-1] > 1.3 * isi[0], "RS inter-spike intervals must lengthen (spike-frequency adaptation)"
    assert isi.min() > 10, "RS must not burst"


def test_fast_spiking_is_fast_and_does_not_adapt(spikes):
    fs, rs = spikes["FS"], spikes["RS"]
    assert len(fs) > 3 * len(rs)
    steady = np.diff(fs)[5:]
    assert steady.std() / steady.mean() < 0.15
    assert steady[-5:].mean() < 1.4 * steady[:5].mean()


def test_intrinsically_bursting_starts_with_a_burst_then_fires_tonically(spikes):
    isi = np.diff(spikes["IB"])
    assert isi[0] < 8, "IB opens with a high-frequency burst"
    assert np.all(isi[2:] > 15), "then fires single spikes"


def test_chattering_fires_repeated_bursts(spikes):
    isi = np.diff(spikes["CH"])
    short, long_ = isi[isi < 10], isi[isi > 25]
    assert len(short) >= 6 and len(long_) >= 4, "CH alternates intra-burst (<10 ms) and inter-burst gaps"


def test_low_threshold_spiking_adapts(spikes):
    isi = np.diff(spikes["LTS"])
    assert isi[-1] > 2 * isi[0]


def test_more_drive_means_faster_firing():
    weak = isolated_neuron_spikes(["RS"], drive=0.1, duration_ms=1000)["RS"]
    strong = isolated_neuron_spikes(["RS"], drive=0.3, duration_ms=1000)["RS"]
    assert len(strong) > len(weak) > 0


def test_unknown_type_is_refused():
    with pytest.raises(ValueError, match="allowed"):
        isolated_neuron_spikes(["XX"])
