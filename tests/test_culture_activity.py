"""Spontaneous activity in the ranges of dissociated cortical cultures, and bit-exact determinism."""

import numpy as np
import pytest

from clgym.analysis.activity import channel_rates_hz, network_bursts
from clgym.culture import Culture, CultureConfig

SECOND = 25_000


def _record(culture, seconds):
    ts, ch, per_second = [], [], []
    start = culture.frame
    for _ in range(seconds):
        b = culture.advance(SECOND)
        ts.append(b.timestamps)
        ch.append(b.channels)
        per_second.append(b.neuron_ids.size / culture.n_neurons)
    return np.concatenate(ts), np.concatenate(ch), np.array(per_second), start


@pytest.mark.parametrize("preset", ["small", "default"])
def test_spontaneous_activity_is_wagenaar_like(preset):
    """Network bursts a few to ~20 per minute lasting 0.1-1 s, electrodes at 0.1-5 Hz, no runaway."""
    c = Culture(CultureConfig.from_preset(preset, seed=11))
    c.advance(5 * SECOND)
    ts, ch, per_second, start = _record(c, 60)
    rates = channel_rates_hz(ch, 60 * SECOND)
    bursts = network_bursts(ts, ch, 60 * SECOND, start_frame=start)
    assert 0.1 <= np.median(rates) <= 5.0, f"median electrode rate {np.median(rates):.2f} Hz"
    assert 2 <= bursts.per_minute <= 25, f"{bursts.per_minute} bursts/min"
    assert 0.1 <= bursts.mean_duration_s <= 1.0, f"mean burst {bursts.mean_duration_s:.2f} s"
    assert bursts.fraction_of_spikes_in_bursts > 0.3
    assert per_second.max() < 40.0, "no runaway: mean neuron rate per second stays physiological"
    assert np.median(per_second) < 3.0, "between bursts the culture is quiet"


def _spikes(seed, chunks, stims=()):
    c = Culture(CultureConfig.from_preset("tiny", seed=seed))
    for ch, at in stims:
        c.stimulate(ch, at, (160, 160), (-2.0, 2.0))
    out = [c.advance(n) for n in chunks]
    return (np.concatenate([b.timestamps for b in out]), np.concatenate([b.channels for b in out]),
            np.concatenate([b.amplitudes_uv for b in out]))


STIMS = [(27, 1_000), (36, 30_000), (27, 30_100), (45, 61_234)]


def test_same_seed_same_stims_give_identical_spikes():
    a = _spikes(5, [SECOND] * 3, STIMS)
    b = _spikes(5, [SECOND] * 3, STIMS)
    assert len(a[0]) > 0
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x, y)


def test_spikes_do_not_depend_on_how_time_is_read():
    """The SDK reads in windows of any size: the culture must not care."""
    a = _spikes(5, [3 * SECOND], STIMS)
    b = _spikes(5, [250] * 300, STIMS)
    c = _spikes(5, [7] * 10 + [1_237] * 60 + [3 * SECOND - 70 - 74_220], STIMS)
    for x, y, z in zip(a, b, c, strict=True):
        assert np.array_equal(x, y) and np.array_equal(x, z)


def test_different_seeds_differ():
    a = _spikes(5, [SECOND])
    b = _spikes(6, [SECOND])
    assert not (len(a[0]) == len(b[0]) and np.array_equal(a[0], b[0]))


def test_spikes_stay_inside_their_window_and_sorted():
    c = Culture(CultureConfig.from_preset("tiny", seed=2))
    for n in (1, 13, 250, 4_999, SECOND):
        start = c.frame
        b = c.advance(n)
        assert np.all((b.timestamps >= start) & (b.timestamps < start + n))
        assert np.all(np.diff(b.timestamps) >= 0)
        assert c.frame == start + n


def test_snapshot_restore_replays_exactly():
    c = Culture(CultureConfig.from_preset("tiny", seed=9))
    c.advance(SECOND)
    snap = c.snapshot()
    c.stimulate(27, c.frame + 100, (160, 160), (-2, 2))
    first = c.advance(2 * SECOND)
    w_after = c.syn_w.copy()
    c.restore(snap)
    c.stimulate(27, c.frame + 100, (160, 160), (-2, 2))
    second = c.advance(2 * SECOND)
    assert np.array_equal(first.timestamps, second.timestamps)
    assert np.array_equal(first.channels, second.channels)
    assert np.array_equal(w_after, c.syn_w)


def test_restore_refuses_another_cultures_snapshot():
    a = Culture(CultureConfig.from_preset("tiny", seed=1))
    b = Culture(CultureConfig.from_preset("tiny", seed=2))
    with pytest.raises(ValueError, match="different culture"):
        b.restore(a.snapshot())


def test_plasticity_changes_weights_during_spontaneous_activity():
    c = Culture(CultureConfig.from_preset("tiny", seed=3))
    w0 = c.syn_w.copy()
    c.advance(5 * SECOND)
    assert not np.array_equal(w0, c.syn_w)
    assert np.all(c.syn_w >= 0) and np.all(c.syn_w[c.dish.is_exc[c.dish.syn_pre]] <= c.config.w_max)


def test_homeostasis_pulls_rates_toward_target():
    """With scaling on and a low target, excitatory weights shrink in a culture firing above it."""
    common = dict(seed=4, stdp=False, homeostasis_target_hz=0.2, homeostasis_rate=0.05,
                  homeostasis_period_ms=200)
    on = Culture(CultureConfig.from_preset("tiny", homeostasis=True, **common))
    off = Culture(CultureConfig.from_preset("tiny", homeostasis=False, **common))
    exc = on.dish.is_exc[on.dish.syn_pre]
    on.advance(20 * SECOND)
    off.advance(20 * SECOND)
    assert on.syn_w[exc].mean() < 0.8 * off.syn_w[exc].mean()


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["large"])
def test_spontaneous_activity_large(preset):
    c = Culture(CultureConfig.from_preset(preset, seed=11))
    c.advance(5 * SECOND)
    ts, ch, per_second, start = _record(c, 60)
    bursts = network_bursts(ts, ch, 60 * SECOND, start_frame=start)
    assert 0.1 <= np.median(channel_rates_hz(ch, 60 * SECOND)) <= 5.0
    assert 2 <= bursts.per_minute <= 25
    assert per_second.max() < 40.0
