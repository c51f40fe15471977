"""The two tagging variants of issue 11's exploration, as a physiologist would check them.

``capture_tags_before_only`` (Frey & Morris's order): a tetanus captures the tags set before it, never the
tags its own evoked spikes set. ``depotentiation_min_uA`` (a centred signal): an isolated strong pulse moves
tags into their weights with the opposite sign; sensory-strength pulses and tetani do not.
"""

import numpy as np
import pytest
from _helpers_culture import isolated_ee_synapse

from clgym.culture import ConfigError, Culture, CultureConfig

MS = 25
PULSE = ((200, 200), (-1.0, 1.0))  # sensory / hit pulse, 1 uA
STRONG = ((200, 200), (-2.0, 2.0))  # DishBrain's unpredictable (miss) pulse, 2 uA
WEAK = ((200, 200), (-0.05, 0.05))  # evokes no spikes
TETANUS = [9, 10, 11, 12, 17, 18, 19, 20]


def make(**overrides):
    cfg = dict(homeostasis=False, stdp_tagging=True, mini_rate_hz=0.0, seed=5)
    cfg.update(overrides)
    culture = Culture(CultureConfig.from_preset("tiny", **cfg))
    culture.advance(1000 * MS)
    return culture


def tetanus(c, pulse=PULSE, hz=100, n_pulses=10, after_ms=300):
    f0 = c.frame
    for ch in TETANUS:
        for k in range(n_pulses):
            c.stimulate(ch, f0 + round(k * 25_000 / hz), *pulse)
    return c.advance(after_ms * MS)


def ee_mask(c):
    d = c.dish
    return d.is_exc[d.syn_pre] & d.is_exc[d.syn_post]


def tag_a_pair(c, pre_first=True):
    """One pre-before-post (or post-before-pre) spike pair on an isolated E->E synapse: a tag of known sign."""
    j, k, q = isolated_ee_synapse(c)
    for neuron in ((j, k) if pre_first else (k, j)):
        c.v[neuron] = 35.0
        c.advance(5 * MS)
    return q, float(c.syn_tag[q])


def test_variants_are_off_by_default_and_need_tagging():
    cfg = CultureConfig()
    assert cfg.capture_tags_before_only is False and cfg.depotentiation_min_uA == 0.0
    with pytest.raises(ConfigError, match="allowed only with stdp_tagging=True"):
        CultureConfig(capture_tags_before_only=True)
    with pytest.raises(ConfigError, match="allowed only with stdp_tagging=True"):
        CultureConfig(depotentiation_min_uA=1.5)


@pytest.mark.parametrize("field, value, allowed", [
    ("depotentiation_min_uA", -0.1, r"\[0.0, 3.0\]"),
    ("depotentiation_min_uA", 3.5, r"\[0.0, 3.0\]"),
    ("depotentiation_min_uA", "2", "a number"),
    ("capture_tags_before_only", 1, "true or false"),
])
def test_invalid_variant_values_name_the_field_and_the_allowed_range(field, value, allowed):
    with pytest.raises(ConfigError, match=field + ".*" + allowed):
        CultureConfig(stdp_tagging=True, **{field: value})


def test_a_strong_tetanus_captures_far_less_of_its_own_burst_when_only_earlier_tags_are_captured():
    """The hit tetanus evokes a burst whose own pairings set tags. Captured at once, they potentiate the
    tetanised pathways whatever came before; with Frey & Morris's order they are not captured. The tetanus
    is recognised at its third pulse (20 ms), so the pairings of its first two pulses still count."""
    changes = {}
    for before_only in (False, True):
        c = make(capture_tags_before_only=before_only)
        assert np.all(c.syn_tag == 0)
        w0 = c.syn_w.copy()
        spikes = tetanus(c, after_ms=150)  # capture closes 100 ms after the last pulse (at 90 ms)
        assert spikes.neuron_ids.size > 100, "a 1 uA tetanus must evoke a burst"
        assert c.capture_steps > 0
        changes[before_only] = np.abs(c.syn_w - w0).sum()
    assert changes[False] > 0
    assert changes[True] < 0.5 * changes[False]


def test_tags_set_before_the_tetanus_are_still_captured_when_only_earlier_tags_count():
    c = make(stp=False, capture_tags_before_only=True)
    q, tag = tag_a_pair(c)
    w0 = float(c.syn_w[q])
    assert tag > 0
    c.advance(200 * MS)
    tetanus(c, pulse=WEAK)
    assert 0.5 * tag * np.exp(-0.2) < float(c.syn_w[q]) - w0 <= tag


@pytest.mark.parametrize("pre_first", [True, False])
def test_an_isolated_strong_pulse_moves_a_tag_into_its_weight_with_the_opposite_sign(pre_first):
    c = make(stp=False, depotentiation_min_uA=0.04)  # below WEAK's 0.05 uA: the weak pulse triggers it
    q, tag = tag_a_pair(c, pre_first)
    w0 = float(c.syn_w[q])
    c.advance(200 * MS)
    c.stimulate(TETANUS[0], c.frame, *WEAK)
    c.advance(300 * MS)
    dw = float(c.syn_w[q]) - w0
    assert c.depotentiation_steps == 100 and c.capture_steps == 0
    assert np.sign(dw) == -np.sign(tag) and 0.5 * abs(tag) * np.exp(-0.2) < abs(dw) <= abs(tag)
    assert abs(float(c.syn_tag[q])) < 0.15 * abs(tag), "depotentiation spends the tag (86 % in 100 ms)"


def test_sensory_strength_pulses_and_the_hit_tetanus_do_not_depotentiate():
    c = make(mini_rate_hz=5.0, depotentiation_min_uA=1.5)
    for _ in range(40):  # 20 Hz sensory-like pulses at 1 uA
        c.stimulate(TETANUS[0], c.frame, *PULSE)
        c.advance(50 * MS)
    tetanus(c)  # the hit tetanus (1 uA)
    assert c.depotentiation_steps == 0 and c.capture_steps > 0
    # a 2 uA tetanus: its first pulses look isolated until the third makes it a tetanus (20 ms), then
    # depotentiation closes and capture runs
    c.advance(1000 * MS)
    before = c.capture_steps
    tetanus(c, pulse=STRONG)
    assert c.depotentiation_steps == 20 and c.capture_steps - before == 170


def test_the_miss_stimulus_opens_depotentiation_and_the_swapped_pattern_capture():
    """DishBrain's unpredictable stimulus (2 uA, one pulse per 200 ms slot, random electrode) depotentiates."""
    c = make(mini_rate_hz=5.0, depotentiation_min_uA=1.5)
    rng = np.random.default_rng(0)
    for _ in range(20):
        c.stimulate(int(rng.choice(TETANUS)), c.frame + int(rng.integers(0, 200)) * MS, *STRONG)
        c.advance(200 * MS)
    assert c.depotentiation_steps > 1000 and c.capture_steps == 0


def test_capture_and_depotentiation_in_one_period_cancel_in_the_weight_and_stay_within_bounds():
    c = make(depotentiation_min_uA=0.04)
    ee = ee_mask(c)
    c.syn_tag[ee] = 20 * c.config.w_max
    f0 = c.frame
    c.stimulate(TETANUS[-1], f0, *WEAK)  # isolated: depotentiation
    for k in range(10):
        c.stimulate(TETANUS[0], f0 + k * 250, *WEAK)  # tetanus on another electrode: capture
    c.advance(300 * MS)
    w = c.syn_w[ee]
    assert np.all((w >= 0) & (w <= np.float32(c.config.w_max)))
    assert c.capture_steps > 0 and c.depotentiation_steps > 0


def test_variants_are_deterministic_and_snapshot_restore_is_exact():
    def run(c):
        out = []
        rng = np.random.default_rng(1)
        for _ in range(10):
            c.stimulate(int(rng.choice(TETANUS)), c.frame, *STRONG)
            out.append(c.advance(100 * MS).neuron_frames)
        out.append(tetanus(c).neuron_frames)
        return np.concatenate(out), c.syn_w.copy()

    kw = dict(mini_rate_hz=5.0, capture_tags_before_only=True, depotentiation_min_uA=1.5)
    a, b = make(**kw), make(**kw)
    snap = a.snapshot()
    sa, wa = run(a)
    sb, wb = run(b)
    assert np.array_equal(sa, sb) and np.array_equal(wa, wb)
    a.restore(snap)
    sc, wc = run(a)
    assert np.array_equal(sa, sc) and np.array_equal(wa, wc)
