"""The DishBrain culture at other sizes (issue 24): the size rule, and the axonal draw's cell sampler, which must
draw the same distribution as the exact-key sampler it replaces above ``EXACT_KEY_MAX_NEURONS``."""

import numpy as np
import pytest

from clgym.culture import CultureConfig
from clgym.culture import dish as D
from clgym.culture.config import DISHBRAIN, PRESETS, ConfigError, _mea_lengths, size_rule


def test_sized_presets_are_dishbrain_with_the_lengths_of_their_size():
    for name, n in (("dishbrain-10k", 10_000), ("dishbrain-100k", 100_000)):
        cfg = CultureConfig.from_preset(name)
        spacing = (1000 / n) ** 0.5
        assert cfg.n_neurons == n
        # an electrode records as many model neurons; an axon passes as many dendritic fields
        assert cfg.spike_falloff_um == pytest.approx(DISHBRAIN["spike_falloff_um"] * spacing)
        assert cfg.dendrite_reach_um == pytest.approx(DISHBRAIN["dendrite_reach_um"] * spacing)
        # everything else is the dishbrain preset's: a pulse recruits the same share of the culture
        for key in set(DISHBRAIN) - {"n_neurons", "spike_falloff_um", "dendrite_reach_um"}:
            assert getattr(cfg, key) == DISHBRAIN[key], key
    assert CultureConfig.from_preset("dishbrain", **size_rule("dishbrain", 1000)) == \
        CultureConfig.from_preset("dishbrain")
    # no axons (the Wagenaar-like presets): the MEA's lengths, as before
    assert size_rule("small", 10_000) == dict(n_neurons=10_000, **_mea_lengths(10_000))


def test_size_rule_refuses_an_unknown_preset():
    with pytest.raises(ConfigError, match="petri"):
        size_rule("petri", 1000)
    assert "dishbrain-10k" in PRESETS


def _axon_problem(n, seed=5):
    rng = np.random.default_rng(seed)
    size = 2000.0
    pos = rng.uniform(0, size, (n, 2))
    angle = rng.uniform(0, 2 * np.pi, n)
    axon_dir = np.stack([np.cos(angle), np.sin(angle)], 1)
    axon_len = 1500.0 * rng.lognormal(-0.1, 0.45, n)
    degree = rng.poisson(60, n).clip(1, n - 1).astype(np.int64)
    return pos, degree, axon_dir, axon_len, size


def _target_distances(pos, axon_dir, axon_len, ptr, post):
    pre = np.repeat(np.arange(pos.shape[0]), np.diff(ptr))
    a = pos[pre]
    u = axon_dir[pre]
    t = np.clip(((pos[post] - a) * u).sum(1), 0.0, axon_len[pre])
    return np.linalg.norm(pos[post] - (a + t[:, None] * u), axis=1)


def test_cell_sampler_draws_the_exact_key_samplers_distribution():
    pos, degree, axon_dir, axon_len, size = _axon_problem(2500)
    keys = D._draw_axonal_connections(3, pos, degree, axon_dir, axon_len, 100.0)
    cells = D._draw_axonal_connections_cells(3, pos, degree, axon_dir, axon_len, 100.0, D.cell_um_for(100.0), size)
    assert np.array_equal(keys[0], cells[0])  # the same out-degrees
    ptr, post, path = cells
    for i in range(pos.shape[0]):  # distinct targets, never the neuron itself, rows sorted
        row = post[ptr[i]:ptr[i + 1]]
        assert np.all(np.diff(row) > 0) and i not in row
    d_keys = _target_distances(pos, axon_dir, axon_len, keys[0], keys[1])
    d_cells = _target_distances(pos, axon_dir, axon_len, ptr, post)
    for q in (10, 50, 90, 99):  # ~150,000 synapses each: percentiles agree within a few percent
        assert np.percentile(d_cells, q) == pytest.approx(np.percentile(d_keys, q), rel=0.04)
    assert path.mean() == pytest.approx(keys[2].mean(), rel=0.02)
    # and the path is along the axon to the contact plus the distance from it
    assert np.all(path >= d_cells - 1e-9)


def test_build_uses_the_exact_key_sampler_up_to_its_size_and_is_deterministic():
    small = D.build_dish(CultureConfig.from_preset("dishbrain", seed=4))
    n = D.EXACT_KEY_MAX_NEURONS + 1000
    cfg = CultureConfig.from_preset("dishbrain", seed=4, **size_rule("dishbrain", n))
    a, b = D.build_dish(cfg), D.build_dish(cfg)
    assert np.array_equal(a.syn_post, b.syn_post) and np.array_equal(a.syn_delay, b.syn_delay)
    assert small.n_synapses > 0 and abs(a.n_synapses / n - 100) < 3
