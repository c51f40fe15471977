"""The MEA as an electrophysiologist would check it: evoked responses, detection, raw frames, stim limits."""

import numpy as np
import pytest

from clgym.culture import Culture, CultureConfig, spike_waveform
from clgym.culture.mea import NON_STIMULABLE

WINDOW = 100  # 4 ms in frames
PITCH = 200.0


@pytest.fixture(scope="module")
def culture():
    c = Culture(CultureConfig.from_preset("small", seed=3))
    c.advance(2 * 25_000)
    return c


def _distance_to(culture, channel):
    el = culture.electrodes_um
    return np.sqrt(((el - el[channel]) ** 2).sum(1))


def _pulse_trials(culture, channels, amplitude, trials, gap_frames=7_500):
    """Pulse each channel in turn; return per trial (channel, pulse frame, spikes after, spikes before)."""
    out = []
    for _ in range(trials):
        for ch in channels:
            before = culture.advance(gap_frames - WINDOW)
            at = culture.frame + WINDOW
            culture.stimulate(ch, at, (160, 160), (-amplitude, amplitude))
            pre = culture.advance(WINDOW)  # the 4 ms before the pulse: a baseline window
            post = culture.advance(WINDOW)
            out.append((ch, at, post, pre, before))
    return out


STIM_CHANNELS = [9, 18, 27, 36, 45, 54, 13, 22, 41, 50]


def test_a_pulse_evokes_spikes_on_and_near_its_electrode_within_a_few_ms(culture):
    trials = _pulse_trials(culture, STIM_CHANNELS, amplitude=2.0, trials=4)
    near_hits, far_after, far_before = 0, 0, 0
    for ch, at, post, pre, _ in trials:
        d = _distance_to(culture, ch)
        near = d[post.channels] <= PITCH * 1.01
        far = d[post.channels] >= 3 * PITCH
        assert np.all(post.timestamps >= at), "nothing is evoked before its pulse"
        near_hits += bool(np.any(near))
        far_after += int(far.sum())
        far_before += int((d[pre.channels] >= 3 * PITCH).sum())
    # most electrodes respond; on a 1,000-neuron dish one or two of ten have no neuron close enough
    assert near_hits / len(trials) >= 0.7
    # far electrodes see no more in the 4 ms after a pulse than in the 4 ms before it (plus chance)
    assert far_after <= far_before + 0.5 * len(trials)


def test_response_probability_rises_with_amplitude(culture):
    probs, evoked = [], []
    for amplitude in (0.25, 1.0, 3.0):
        # 1 s apart, so a pulse rarely lands in the network burst the previous one started
        trials = _pulse_trials(culture, STIM_CHANNELS, amplitude, trials=3, gap_frames=25_000)
        probs.append(np.mean([np.any(post.channels == ch) for ch, _, post, _, _ in trials]))
        evoked.append(np.mean([len(post) - len(pre) for _, _, post, pre, _ in trials]))
    assert probs[0] < probs[1] <= probs[2]
    assert probs[0] < 0.6 and probs[2] >= 0.7
    assert evoked[0] < evoked[2]


def test_longer_phases_drive_harder():
    from clgym.culture import pulse_drive_ua

    assert pulse_drive_ua((100, 100), (-1, 1)) < pulse_drive_ua((200, 200), (-1, 1))
    assert pulse_drive_ua((200, 200), (-1, 1)) == pytest.approx(1.0)
    assert pulse_drive_ua((200, 200), (-2, 2)) == pytest.approx(2.0)


def test_spikes_are_seen_near_their_neuron_with_amplitude_falling_with_distance(culture):
    batch = culture.advance(10 * 25_000)
    assert len(batch) > 0
    # each detection is attributable to a neuron spiking at that frame; amplitude falls with distance
    d = culture.dish
    el = culture.electrodes_um
    amps, dists = [], []
    for ts, ch, amp in zip(batch.timestamps[:2000], batch.channels[:2000], batch.amplitudes_uv[:2000],
                           strict=True):
        who = batch.neuron_ids[batch.neuron_frames == ts]
        assert who.size >= 1
        r = np.sqrt(((d.positions_um[who] - el[ch]) ** 2).sum(1)).min()
        amps.append(-amp)
        dists.append(r)
    amps, dists = np.array(amps), np.array(dists)
    assert np.all(amps > culture.config.detection_threshold_sd * culture.config.noise_rms_uv)
    close, far = amps[dists < np.median(dists)], amps[dists >= np.median(dists)]
    assert close.mean() > far.mean()
    # and some spikes are missed: far fewer detections than neuron spikes x channels in range
    assert len(batch) < batch.neuron_ids.size * 3


def test_raw_frames_hold_noise_spikes_and_stim_artefacts():
    c = Culture(CultureConfig.from_preset("tiny", seed=4))
    c.advance(25_000)
    c.stimulate(27, c.frame + 500, (200, 200), (-1.5, 1.5))
    batch = c.advance(5_000, frames=True)
    f = batch.frames
    assert f.dtype == np.int16 and f.shape == (5_000, 64)
    quiet = np.setdiff1d(np.arange(64), np.concatenate([batch.channels, [27]]))
    rms_uv = f[:, quiet].astype(float).std(axis=0).mean() * 0.195
    assert rms_uv == pytest.approx(c.config.noise_rms_uv, rel=0.15)
    assert f[500:520, 27].max() > 10 * f[:400, 27].std(), "a stimulation artefact on the stimulated channel"
    for ts, ch, amp in zip(batch.timestamps, batch.channels, batch.amplitudes_uv, strict=True):
        i = ts - (c.frame - 5_000)
        if 5 <= i < 4_990:
            assert f[i - 3:i + 4, ch].min() * 0.195 < 0.5 * amp  # the trough is there


def test_spike_waveform_has_its_trough_at_sample_25():
    w = spike_waveform(-80.0)
    assert w.shape == (75,) and w.dtype == np.float32
    assert int(np.argmin(w)) == 25 and w[25] == pytest.approx(-80.0)


@pytest.mark.parametrize("currents, match", [((-3.5, 3.5), r"\|I\| <= 3.0 uA"), ((-1.0,), None)])
def test_stimulation_current_limit(currents, match):
    c = Culture(CultureConfig.from_preset("tiny"))
    durations = (160,) * len(currents)
    if match:
        with pytest.raises(ValueError, match=match):
            c.stimulate(27, 0, durations, currents)
    else:
        c.stimulate(27, 0, durations, currents)


def test_stimulation_in_the_past_or_off_the_array_is_refused():
    c = Culture(CultureConfig.from_preset("tiny"))
    c.advance(1_000)
    with pytest.raises(ValueError, match="at_frame"):
        c.stimulate(27, 10, (160, 160), (-1, 1))
    with pytest.raises(ValueError, match="channel"):
        c.stimulate(64, 2_000, (160, 160), (-1, 1))
    with pytest.raises(ValueError, match="phase"):
        c.stimulate(27, 2_000, (0, 160), (-1, 1))


def test_non_stimulable_channels_are_the_cl1_ones():
    assert NON_STIMULABLE == (0, 7, 56, 63)


def test_a_nearly_noiseless_mea_sees_every_spike_in_range_without_overflowing():
    """Regression: near-zero noise makes every neuron visible on many channels; output buffers must cope."""
    # dead time off: with it, coincident spikes of two neurons on one channel count once (tested below)
    c = Culture(CultureConfig.from_preset("tiny", seed=6, noise_rms_uv=0.001, detection_dead_time_ms=0.0))
    batch = c.advance(5 * 25_000)
    assert batch.neuron_ids.size > 0
    per_neuron = np.diff(c._det_ptr)
    expected = int(per_neuron[batch.neuron_ids].sum())
    assert len(batch) == expected, "with no noise, detection is deterministic: every spike on every channel in range"


def test_no_spikes_on_grounded_or_reference_channels():
    c = Culture(CultureConfig.from_preset("small", seed=8))
    batch = c.advance(10 * 25_000)
    assert len(batch) > 0
    assert not np.isin(batch.channels, [0, 4, 7, 56, 63]).any()


@pytest.mark.parametrize("preset", ["small", "dishbrain"])
def test_a_channel_is_blind_for_its_dead_time_so_no_spike_is_reported_twice(preset):
    """A real threshold detector cannot report two spikes on one channel within ~1 ms (issue 13, item 5)."""
    c = Culture(CultureConfig.from_preset(preset, seed=3))
    batch = c.advance(20 * 25_000)
    assert len(batch) > 500
    ts, ch = batch.timestamps, batch.channels
    pairs = ts * 64 + ch
    assert np.unique(pairs).size == pairs.size, "duplicate (timestamp, channel)"
    for channel in np.unique(ch):
        gaps = np.diff(ts[ch == channel])
        assert gaps.size == 0 or gaps.min() >= 25, f"channel {channel}: two detections within 1 ms"


def test_without_dead_time_coincident_spikes_on_one_channel_are_all_reported():
    c = Culture(CultureConfig.from_preset("small", seed=3, detection_dead_time_ms=0.0))
    batch = c.advance(20 * 25_000)
    gaps = np.concatenate([np.diff(batch.timestamps[batch.channels == k]) for k in np.unique(batch.channels)])
    assert (gaps < 25).any(), "the dead-time test above would pass vacuously"
