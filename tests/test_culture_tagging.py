"""Synaptic tagging and tetanus capture (``stdp_tagging``), as a physiologist would check it.

STDP writes eligibility tags instead of weights; tags decay with ``tag_tau_ms``; only a tetanus (several
pulses at >= ``capture_min_hz`` on one electrode) moves tags into weights. Sensory-like trains (<= 40 Hz) and
DishBrain's unpredictable miss stimulus (one pulse per 200 ms slot on a random electrode) must not.
"""

import numpy as np
import pytest
from _helpers_culture import isolated_ee_synapse
from hypothesis import given, settings
from hypothesis import strategies as st

from clgym.culture import ConfigError, Culture, CultureConfig

MS = 25  # frames per ms
PULSE = ((200, 200), (-1.0, 1.0))  # the sensory / hit pulse of our Pong (75 mV -> 1 uA)
SENSORY = [9, 10, 11, 12, 13, 14]
TETANUS = [9, 10, 11, 12, 17, 18, 19, 20]  # 8 electrodes, like the hit feedback
# a tetanus too weak to evoke spikes: what changes the weights is then the capture of existing tags alone
# (a 1 uA tetanus on a culture without spontaneous activity evokes a large burst whose own STDP dominates)
WEAK = ((200, 200), (-0.05, 0.05))


def make(**overrides):
    """A tiny culture with tagging on, homeostasis off, no spontaneous minis: activity only when stimulated."""
    cfg = dict(homeostasis=False, stdp_tagging=True, mini_rate_hz=0.0, seed=5)
    cfg.update(overrides)
    culture = Culture(CultureConfig.from_preset("tiny", **cfg))
    culture.advance(1000 * MS)  # start-up transients
    return culture


def ee_mask(c):
    d = c.dish
    return d.is_exc[d.syn_pre] & d.is_exc[d.syn_post]


def sensory(c, seconds=5.0, hz=20):
    """``hz`` pulses per second on each of the sensory channels (all at once), like the place/rate code."""
    n = 0
    for _ in range(int(seconds * hz)):
        for ch in SENSORY:
            c.stimulate(ch, c.frame, *PULSE)
        n += c.advance(int(1000 / hz) * MS).neuron_ids.size
    return n


def tetanus(c, pulse=PULSE, channels=TETANUS, hz=100, n_pulses=10, after_ms=300):
    """``n_pulses`` at ``hz`` on every channel at once, then ``after_ms`` of nothing."""
    f0 = c.frame
    for ch in channels:
        for k in range(n_pulses):
            c.stimulate(ch, f0 + round(k * 25_000 / hz), *pulse)
    return c.advance(after_ms * MS)


def mixed_stimulation(c, seconds=2):
    """Sensory-like pulses plus a hit-like tetanus every second: exercises every code path."""
    spikes = []
    for _ in range(seconds):
        for k in range(10):
            c.stimulate(SENSORY[k % 6], c.frame + 5 * MS, *PULSE)
            spikes.append(c.advance(50 * MS).neuron_frames)
        spikes.append(tetanus(c, after_ms=500).neuron_frames)
    return np.concatenate(spikes)


# 1. off by default, and then inert -----------------------------------------------------------------------

def test_tagging_is_off_by_default_and_its_fields_are_inert_when_off():
    assert CultureConfig().stdp_tagging is False
    runs = []
    for extra in ({}, dict(tag_tau_ms=50.0, capture_min_hz=5.0, capture_min_pulses=2, capture_window_ms=5000.0,
                           capture_rate_per_ms=1.0)):
        c = make(stdp_tagging=False, mini_rate_hz=5.0, **extra)
        w0 = c.syn_w.copy()
        spikes = mixed_stimulation(c)
        assert np.all(c.syn_tag == 0) and c.capture_steps == 0
        assert not np.array_equal(w0, c.syn_w), "plain STDP still writes the weights"
        runs.append((spikes, c.syn_w.copy()))
    assert runs[0][0].size > 0
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])


# 2. tags instead of weights, and their decay -------------------------------------------------------------

def test_without_tetanus_stdp_fills_tags_but_never_touches_a_weight():
    c = make()
    ee = ee_mask(c)
    w0 = c.syn_w.copy()
    assert sensory(c, seconds=5.0, hz=20) > 1000, "the stimulation must drive activity"
    assert c.capture_steps == 0
    assert np.array_equal(c.syn_w, w0), "no tetanus: no weight may change"
    assert np.count_nonzero(c.syn_tag[ee]) > 0.5 * ee.sum()
    assert (c.syn_tag[ee] > 0).any() and (c.syn_tag[ee] < 0).any(), "both potentiation and depression tags"
    assert np.all(c.syn_tag[~ee] == 0), "only E->E synapses are plastic"


def test_tags_decay_with_tag_tau():
    c = make(tag_tau_ms=500.0)
    sensory(c, seconds=3.0)
    peak_max, peak_sum = np.abs(c.syn_tag).max(), np.abs(c.syn_tag).sum()
    assert peak_max > 0
    c.advance(500 * MS)  # one tau (the network falls silent without its stimulation)
    assert 0.25 < np.abs(c.syn_tag).sum() / peak_sum < 0.5  # exp(-1) = 0.37
    c.advance(4500 * MS)  # 10 tau in all
    assert np.abs(c.syn_tag).max() < 0.01 * peak_max
    assert np.abs(c.syn_tag).sum() < 0.01 * peak_sum


@pytest.mark.parametrize("pre_first", [True, False])
def test_a_spike_pair_tags_with_the_stdp_sign_and_a_tetanus_captures_it(pre_first):
    c = make(stp=False)
    j, k, q = isolated_ee_synapse(c)
    w0 = float(c.syn_w[q])
    first, second = (j, k) if pre_first else (k, j)
    for neuron in (first, second):
        c.v[neuron] = 35.0
        c.advance(5 * MS)
    tag = float(c.syn_tag[q])
    assert float(c.syn_w[q]) == w0
    assert (tag > 0) if pre_first else (tag < 0), "pre-before-post tags potentiation, post-before-pre depression"
    c.advance(200 * MS)
    tetanus(c, pulse=WEAK)
    dw = float(c.syn_w[q]) - w0
    assert np.sign(dw) == np.sign(tag) and 0.5 * abs(tag) < abs(dw) <= abs(tag)
    assert abs(float(c.syn_tag[q])) < 0.05 * abs(tag), "captured tags are used up"


# 3. capture by tetanus, and only by tetanus ----------------------------------------------------------------

def test_a_tetanus_soon_after_activity_captures_the_tags_and_a_late_one_finds_them_decayed():
    c = make()
    ee = ee_mask(c)
    sensory(c, seconds=3.0)
    activity = c.snapshot()
    results = {}
    for name, wait_ms in (("soon", 300), ("late", 8000)):  # 0.3 s and 8 tag_tau after the activity
        c.restore(activity)
        c.advance(wait_ms * MS)
        w, tags = c.syn_w.copy(), c.syn_tag.copy()
        tetanus(c, pulse=WEAK)
        assert c.capture_steps > 0
        results[name] = (c.syn_w - w, tags)
    dw, tags = results["soon"]
    assert np.abs(dw[ee]).mean() > 0.5 * np.abs(tags[ee]).mean() > 0
    big = np.abs(tags) > 1e-6
    assert np.all(np.sign(dw[big]) == np.sign(tags[big])), "positive tags potentiate, negative tags depress"
    assert np.all(dw[~ee] == 0)
    assert np.all((c.syn_w[ee] >= 0) & (c.syn_w[ee] <= c.config.w_max))
    late_dw = results["late"][0]
    assert np.abs(late_dw[ee]).mean() < 0.01 * np.abs(dw[ee]).mean()


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_capture_keeps_weights_within_0_and_w_max_and_leaves_other_synapses_alone(sign):
    c = make()
    ee = ee_mask(c)
    w0 = c.syn_w.copy()
    c.syn_tag[ee] = sign * 20 * c.config.w_max  # tags far larger than any weight's room
    tetanus(c, pulse=WEAK)
    w = c.syn_w[ee]
    assert np.all((w >= 0) & (w <= np.float32(c.config.w_max)))
    # (the few spikes the weak tetanus evokes tag a handful of synapses anew during the window)
    assert np.mean(w == (np.float32(c.config.w_max) if sign > 0 else 0.0)) > 0.99
    assert np.array_equal(c.syn_w[~ee], w0[~ee]), "inhibitory weights (some above w_max) are not plastic"
    assert (w0[~ee] > c.config.w_max).any()


def test_the_hit_feedback_opens_capture_from_its_third_pulse_until_100_ms_after_its_last():
    c = make(mini_rate_hz=5.0)
    tetanus(c)  # 100 Hz x 100 ms on 8 electrodes: pulses at 0, 10, ..., 90 ms
    assert c.capture_steps == 190 - 20  # third pulse at 20 ms, last at 90 ms (+ 100 ms window)


def test_no_capture_from_single_pulses_at_5_hz_on_random_channels():
    """DishBrain's unpredictable miss stimulus: 4 s, one 2 uA pulse at a random time of each 200 ms slot."""
    c = make(mini_rate_hz=5.0)
    rng = np.random.default_rng(0)
    for _ in range(20):
        c.stimulate(int(rng.choice(TETANUS)), c.frame + int(rng.integers(0, 200)) * MS, (200, 200), (-2.0, 2.0))
        c.advance(200 * MS)
    assert c.capture_steps == 0


@pytest.mark.parametrize("hz, channels, n_pulses", [
    (40, [9], 40),  # the fastest sensory rate, on one electrode, for a second
    (100, [9], 2),  # a tetanus needs capture_min_pulses (3) pulses
    (100, TETANUS, 1),  # 8 electrodes at once is not a train
])
def test_no_capture_below_the_tetanus_criteria(hz, channels, n_pulses):
    c = make(mini_rate_hz=5.0)
    tetanus(c, channels=channels, hz=hz, n_pulses=n_pulses)
    assert c.capture_steps == 0


def test_capture_is_per_electrode_a_fast_round_robin_does_not_count():
    """100 pulses per second in all, but each electrode is hit at only 12.5 Hz."""
    c = make(mini_rate_hz=5.0)
    f0 = c.frame
    for k in range(80):
        c.stimulate(TETANUS[k % 8], f0 + k * 10 * MS, *PULSE)
    c.advance(1000 * MS)
    assert c.capture_steps == 0


# 4. determinism ----------------------------------------------------------------------------------------------

def test_tagging_is_deterministic_and_snapshot_restore_is_exact():
    a, b = make(mini_rate_hz=5.0), make(mini_rate_hz=5.0)
    sa, sb = mixed_stimulation(a), mixed_stimulation(b)
    assert sa.size > 0 and np.array_equal(sa, sb)
    assert np.array_equal(a.syn_w, b.syn_w) and np.array_equal(a.syn_tag, b.syn_tag)
    assert a.capture_steps == b.capture_steps > 0

    # snapshot in the middle of a capture window and of a tag period, then continue
    f0 = a.frame
    for k in range(10):
        a.stimulate(9, f0 + k * 10 * MS, *PULSE)
    a.advance(37 * MS)
    snap = a.snapshot()
    reference = [a.advance(123 * MS).neuron_frames, mixed_stimulation(a)]
    ref_w, ref_tag, ref_capture = a.syn_w.copy(), a.syn_tag.copy(), a.capture_steps
    a.restore(snap)
    again = [a.advance(123 * MS).neuron_frames, mixed_stimulation(a)]
    assert all(np.array_equal(x, y) for x, y in zip(reference, again, strict=True))
    assert np.array_equal(a.syn_w, ref_w) and np.array_equal(a.syn_tag, ref_tag)
    assert a.capture_steps == ref_capture


def test_snapshot_without_tag_state_restores_as_no_tags():
    c = make(mini_rate_hz=5.0)
    snap = c.snapshot()
    mixed_stimulation(c, seconds=1)
    assert c.capture_steps > 0 and np.any(c.syn_tag != 0)
    for key in ("syn_tag", "_tet"):  # as in snapshots pickled before tagging existed
        del snap[key]
    c.restore(snap)
    assert c.capture_steps == 0 and np.all(c.syn_tag == 0)


# 5. configuration ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value, allowed", [
    ("tag_tau_ms", 5.0, "[10.0, 600000.0]"),
    ("tag_tau_ms", 1e6, "[10.0, 600000.0]"),
    ("capture_min_hz", 0.5, "[1.0, 1000.0]"),
    ("capture_min_hz", float("nan"), "[1.0, 1000.0]"),
    ("capture_min_pulses", 1, "[2, 100]"),
    ("capture_min_pulses", 101, "[2, 100]"),
    ("capture_min_pulses", 3.0, "[2, 100]"),
    ("capture_window_ms", 0.5, "[1.0, 10000.0]"),
    ("capture_rate_per_ms", 0.0, "(0.0, 1.0]"),
    ("capture_rate_per_ms", 1.5, "(0.0, 1.0]"),
    ("stdp_tagging", 1, "true or false"),
    ("tag_tau_ms", "1000", "a number"),
])
def test_invalid_tagging_values_name_the_field_and_the_allowed_range(field, value, allowed):
    with pytest.raises(ConfigError) as err:
        CultureConfig.from_preset("tiny", **{field: value})
    assert field in str(err.value) and allowed in str(err.value)


def test_tagging_needs_stdp():
    with pytest.raises(ConfigError, match="stdp_tagging=True needs stdp=True"):
        CultureConfig(stdp_tagging=True, stdp=False)
    assert CultureConfig(stdp_tagging=True).stdp_tagging


_RANGES = {"tag_tau_ms": (10.0, 600_000.0), "capture_min_hz": (1.0, 1000.0), "capture_window_ms": (1.0, 10_000.0),
           "capture_rate_per_ms": (0.0, 1.0)}


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(sorted(_RANGES)), x=st.floats(allow_nan=True, allow_infinity=True),
       k=st.integers(-1000, 1000))
def test_property_tagging_fields_accept_exactly_their_ranges(field, x, k):
    low, high = _RANGES[field]
    inside = (low < x <= high) if field == "capture_rate_per_ms" else (low <= x <= high)
    if inside:
        assert getattr(CultureConfig(**{field: x}), field) == x
    else:
        with pytest.raises(ConfigError, match=field):
            CultureConfig(**{field: x})
    if 2 <= k <= 100:
        assert CultureConfig(capture_min_pulses=k).capture_min_pulses == k
    else:
        with pytest.raises(ConfigError, match="capture_min_pulses"):
            CultureConfig(capture_min_pulses=k)


def test_tagging_config_round_trips_through_json():
    cfg = CultureConfig.from_preset("tiny", stdp_tagging=True, tag_tau_ms=750.0, capture_min_pulses=4)
    assert CultureConfig.from_dict(cfg.to_dict()) == cfg


def test_plastic_synapses_are_exactly_the_e_to_e_synapses_and_the_only_ones_tagged():
    c = make()
    sensory(c, seconds=2.0)
    plastic = np.zeros(c.syn_w.size, bool)
    plastic[c.plastic_synapses] = True
    assert np.array_equal(plastic, ee_mask(c))
    assert np.all(np.diff(c.plastic_synapses) > 0)
    assert np.count_nonzero(c.syn_tag[plastic]) > 0 and np.all(c.syn_tag[~plastic] == 0)
