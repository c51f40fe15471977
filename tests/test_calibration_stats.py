"""The calibration statistics on synthetic spike trains whose answers are known."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clgym.analysis import calibration as cal

FPS = 25_000


def _poisson(rng, rate_hz, seconds, channels):
    n = rng.poisson(rate_hz * seconds)
    ts = np.sort(rng.integers(0, int(seconds * FPS), n))
    return ts, rng.choice(np.asarray(channels), n)


def test_one_burst_of_known_length_is_found_with_its_margin_and_its_share_of_spikes():
    rng = np.random.default_rng(1)
    ts, ch = _poisson(rng, 100, 60, range(8, 56))  # 6,000 background spikes in a minute
    burst_ts = 20 * FPS + np.sort(rng.integers(0, int(0.3 * FPS), 3000))  # 0.3 s, 3,000 spikes
    all_ts = np.concatenate([ts, burst_ts])
    order = np.argsort(all_ts, kind="stable")
    b = cal.population_bursts(all_ts[order], 60 * FPS)
    assert b.count == 1
    assert b.per_minute == pytest.approx(1.0)
    # 0.3 s of burst plus a 50 ms margin on each side
    assert b.durations_s[0] == pytest.approx(0.4, abs=0.021)
    assert b.starts_s[0] == pytest.approx(19.95, abs=0.011)
    expected = (3000 + 100 * 0.4) / all_ts.size
    assert b.fraction_in_bursts == pytest.approx(expected, abs=0.01)


def test_two_bursts_closer_than_100_ms_merge_and_farther_ones_do_not():
    rng = np.random.default_rng(2)
    ts, _ = _poisson(rng, 50, 60, [9])
    near = [10 * FPS, int(10.15 * FPS)]  # 150 ms apart start to start: 50 ms gap between 0.1 s bursts
    far = [40 * FPS, 41 * FPS]
    bursts = [s + np.sort(rng.integers(0, int(0.1 * FPS), 800)) for s in near + far]
    b = cal.population_bursts(np.sort(np.concatenate([ts, *bursts])), 60 * FPS)
    assert b.count == 3


def test_poisson_activity_has_no_bursts_but_single_bin_crossings_would_count_as_bursts():
    """Why a burst needs two bins above threshold on a 59-electrode array (see population_bursts)."""
    rng = np.random.default_rng(3)
    ts, _ = _poisson(rng, 200, 120, range(8, 56))  # ~2 spikes per 10 ms bin, no structure at all
    assert cal.population_bursts(ts, 120 * FPS).count == 0
    verbatim = cal.population_bursts(ts, 120 * FPS, min_bins=1)
    assert verbatim.per_minute > 2


def test_identical_regions_correlate_perfectly_and_independent_ones_not_at_all():
    rng = np.random.default_rng(4)
    ts, _ = _poisson(rng, 400, 60, [0])
    same = cal.region_correlation(np.concatenate([ts, ts]), np.r_[np.full(ts.size, 9), np.full(ts.size, 14)],
                                  [9], [14], 60 * FPS)
    assert same[0] == pytest.approx(1.0)
    ta, _ = _poisson(rng, 400, 60, [0])
    tb, _ = _poisson(rng, 400, 60, [0])
    order = np.argsort(np.r_[ta, tb])
    indep = cal.region_correlation(np.r_[ta, tb][order], np.r_[np.full(ta.size, 9), np.full(tb.size, 14)][order],
                                   [9], [14], 60 * FPS)
    assert abs(indep[0]) < 0.05


def test_correlation_outside_bursts_ignores_shared_bursts():
    """Two independent regions that share bursts: correlated overall, uncorrelated outside the bursts."""
    rng = np.random.default_rng(5)
    ta, _ = _poisson(rng, 300, 60, [0])
    tb, _ = _poisson(rng, 300, 60, [0])
    shared = [s * FPS + np.sort(rng.integers(0, int(0.2 * FPS), 600)) for s in (10, 25, 40, 55)]
    ts = np.concatenate([ta, tb, *shared, *shared])
    ch = np.concatenate([np.full(ta.size, 9), np.full(tb.size, 14), np.full(2400, 9), np.full(2400, 14)])
    order = np.argsort(ts, kind="stable")
    ts, ch = ts[order], ch[order]
    b = cal.population_bursts(ts, 60 * FPS)
    assert b.count == 4
    overall, outside = cal.region_correlation(ts, ch, [9], [14], 60 * FPS, outside=~b.mask)
    assert overall > 0.5
    assert abs(outside) < 0.06


def test_evoked_response_counts_pulses_answered_within_5_ms_near_the_electrode():
    pulses = np.arange(10) * FPS
    channels = np.full(10, 27)
    # pulses 0-5 answered 2 ms later on a neighbour (28); 6-7 answered 8 ms later; 8-9 answered far away (63)
    ts = np.r_[pulses[:6] + 50, pulses[6:8] + 200, pulses[8:] + 50]
    ch = np.r_[np.full(6, 28), np.full(2, 27), np.full(2, 62)]
    order = np.argsort(ts)
    p, latency = cal.evoked_response(ts[order], ch[order], pulses, channels)
    assert p == pytest.approx(0.6)
    assert latency == pytest.approx(2.0)


def test_neighbourhood_of_a_corner_and_a_middle_channel():
    assert sorted(cal.neighbourhood(0)) == [0, 1, 8, 9]
    assert len(cal.neighbourhood(27)) == 9


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 12), st.integers(1, 4), st.integers(0, 10_000))
def test_an_exactly_reproduced_map_has_reliability_one(n_bands, half, seed):
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=n_bands)
    exact = np.repeat(truth[:, None], 2 * half, axis=1)
    if truth.std() > 0:
        assert cal.split_half_reliability(exact) == pytest.approx(1.0)


def test_pure_noise_maps_average_zero_reliability():
    rng = np.random.default_rng(6)
    r = [cal.split_half_reliability(rng.normal(size=(8, 6))) for _ in range(300)]
    assert abs(np.mean(r)) < 0.06


def test_split_half_needs_two_repeats():
    with pytest.raises(ValueError, match="n_repeats >= 2"):
        cal.split_half_reliability(np.zeros((8, 1)))


def test_decoding_separable_patterns_is_perfect_and_identical_ones_at_chance():
    rng = np.random.default_rng(7)
    labels = np.repeat(np.arange(8), 6)
    distinct = rng.poisson(2.0 + 30.0 * (np.arange(64)[None, :] == labels[:, None] * 8), size=(48, 64))
    assert cal.nearest_centroid_accuracy(distinct, labels) == 1.0
    same = rng.poisson(5.0, size=(48 * 5, 64))
    acc = cal.nearest_centroid_accuracy(same, np.repeat(np.arange(8), 30))
    assert acc < 0.25
