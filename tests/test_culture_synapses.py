"""Synapses and plasticity as a physiologist would check them: Dale's law, STDP, STP, the NMDA Mg2+ block."""

import numpy as np
import pytest
from _helpers_culture import isolated_ee_synapse

from clgym.culture import Culture, CultureConfig
from clgym.culture import kernel as K

STEP = 25  # frames per 1 ms engine step


def quiet_culture(**overrides):
    """A culture with no spontaneous minis, so only the spikes a test forces happen."""
    cfg = dict(mini_rate_hz=0.0, homeostasis=False, seed=5)
    cfg.update(overrides)
    culture = Culture(CultureConfig.from_preset("tiny", **cfg))
    culture.advance(1000 * STEP)  # let start-up transients (LTS neurons drift from their initial u) settle
    assert len(culture.advance(200 * STEP).neuron_ids) == 0, "a quiet culture must be silent"
    return culture


def force_spike(culture, neurons):
    """Push neurons over threshold at the start of the next engine step and run that step."""
    culture.v[np.atleast_1d(neurons)] = 35.0
    return culture.advance(STEP)


def targets_of(culture, j):
    d = culture.dish
    return d.syn_post[d.syn_ptr[j]:d.syn_ptr[j + 1]]


def test_dale_law_every_neuron_excites_or_inhibits_all_its_targets():
    """Force each neuron in turn to spike alone; everything it puts in flight has its sign, on every target."""
    c = quiet_culture(stdp=False, stp=False)
    d = c.dish
    assert np.all(c.syn_w >= 0), "weights are magnitudes; the sign belongs to the presynaptic neuron"
    start = c.snapshot()
    for j in range(c.n_neurons):
        c.restore(start)
        batch = force_spike(c, j)
        assert list(batch.neuron_ids) == [j]
        in_flight_e = c.ring_e.sum(axis=0)
        in_flight_i = c.ring_i.sum(axis=0)
        tg = np.zeros(c.n_neurons, bool)
        tg[targets_of(c, j)] = True
        excitatory, inhibitory = (in_flight_e, in_flight_i) if d.is_exc[j] else (in_flight_i, in_flight_e)
        assert np.all(excitatory[tg] > 0), f"neuron {j}: every synapse carries its spike"
        assert np.all(excitatory[~tg] == 0) and np.all(inhibitory == 0), f"neuron {j} breaks Dale's law"
    # and the receptors: an excitatory spike opens AMPA/NMDA only, an inhibitory one GABA_A/GABA_B only
    for j in (int(np.nonzero(d.is_exc)[0][0]), int(np.nonzero(~d.is_exc)[0][0])):
        c.restore(start)
        own = slice(d.syn_ptr[j], d.syn_ptr[j + 1])
        kept = c.syn_w[own].copy()
        c.syn_w[:] = 0.0  # block every other synapse, so targets that fire cannot add receptors of their own
        c.syn_w[own] = kept
        force_spike(c, j)
        c.advance(K_MAX_DELAY * STEP)
        tg = targets_of(c, j)
        if d.is_exc[j]:
            assert np.all(c.g_nmda[tg] > 0) and np.all(c.g_gabab[tg] == 0)
        else:
            assert np.all(c.g_gabab[tg] > 0) and np.all(c.g_nmda[tg] == 0)


K_MAX_DELAY = 13


def test_excitatory_and_inhibitory_fractions_follow_config():
    c = Culture(CultureConfig.from_preset("small", seed=2))
    frac = c.dish.is_exc.mean()
    assert 0.77 < frac < 0.83
    assert set(np.unique(c.type_names[c.dish.is_exc])) <= {"RS", "IB", "CH"}
    assert set(np.unique(c.type_names[~c.dish.is_exc])) <= {"FS", "LTS"}


def _stdp_change(first_is_pre: bool, gap_ms: int) -> float:
    c = quiet_culture(stp=False)
    j, k, q = isolated_ee_synapse(c)
    w0 = float(c.syn_w[q])
    first, second = (j, k) if first_is_pre else (k, j)
    force_spike(c, first)
    c.advance((gap_ms - 1) * STEP)
    force_spike(c, second)
    return float(c.syn_w[q]) - w0


def test_stdp_potentiates_pre_before_post():
    assert _stdp_change(first_is_pre=True, gap_ms=5) > 0


def test_stdp_depresses_post_before_pre():
    assert _stdp_change(first_is_pre=False, gap_ms=5) < 0


def test_stdp_window_shrinks_with_the_interval():
    assert _stdp_change(True, 5) > _stdp_change(True, 40) > 0
    assert _stdp_change(False, 5) < _stdp_change(False, 40) < 0


def test_stdp_off_leaves_weights_alone():
    c = quiet_culture(stp=False, stdp=False)
    j, k, _ = isolated_ee_synapse(c)
    w = c.syn_w.copy()
    force_spike(c, j)
    c.advance(4 * STEP)
    force_spike(c, k)
    assert np.array_equal(w, c.syn_w)


def _delivered_train(stp: bool, n_spikes=10, interval_ms=20):
    c = quiet_culture(stp=stp, stdp=False)
    j, k, _ = isolated_ee_synapse(c)
    delivered = []
    for _ in range(n_spikes):
        force_spike(c, j)
        delivered.append(float(c.ring_e[:, k].sum()))  # in flight to k, nothing else spikes
        c.advance((interval_ms - 1) * STEP)
    return np.array(delivered), c, j, k


def test_short_term_depression_under_a_50_hz_train():
    amp, _, _, _ = _delivered_train(stp=True)
    assert amp[0] > 0
    assert amp[-1] < 0.5 * amp[0]
    assert np.all(np.diff(amp) < 0)


def test_short_term_depression_recovers_after_rest():
    amp, c, j, k = _delivered_train(stp=True)
    c.advance(10_000 * STEP)  # 10 s rest (recovery time constant 3 s)
    force_spike(c, j)
    assert float(c.ring_e[:, k].sum()) > 0.9 * amp[0]


def test_no_depression_when_stp_is_off():
    amp, _, _, _ = _delivered_train(stp=False)
    assert np.allclose(amp, amp[0])


def test_nmda_block_matches_jahr_stevens():
    v = np.linspace(-120, 40, 321).astype(np.float32)
    half_log_mg = np.float32(0.5 * np.log(1.0 / 3.57))
    fast = np.array([K.nmda_block(x, half_log_mg) for x in v])
    exact = 1.0 / (1.0 + np.exp(-0.062 * v.astype(float)) / 3.57)
    assert np.max(np.abs(fast - exact)) < 1e-5
    assert np.all(np.diff(fast) > 0)
    assert fast[v == -80][0] < 0.05 and fast[v == 0][0] > 0.7


@pytest.mark.parametrize("mg", [0.0, 1.0])
def test_nmda_current_depends_on_membrane_voltage(mg):
    """Relative to AMPA (no voltage dependence), NMDA's effect grows with depolarisation, unless Mg2+ is absent."""
    P = np.zeros(K.N_PARAMS)
    P[K.P_DT], P[K.P_MG] = 1.0, mg
    P[K.P_E_GABAA], P[K.P_E_GABAB] = -70.0, -90.0
    consts = K._membrane_constants(P)

    def dv(v0, receptor, g):
        f = np.float32
        g_arrays = [np.zeros(1, f) for _ in range(4)]  # AMPA, NMDA, GABA_A, GABA_B
        g_arrays[receptor][0] = g
        v = np.array([v0], f)
        u = np.array([0.2 * v0], f)
        prm = [np.array([x], f) for x in (0.02, 0.2, -65.0, 8.0)]
        K._membrane_update(1, np.zeros(1, f), np.zeros(1, f), *g_arrays, v, u, *prm, np.zeros(1, f),
                           np.zeros(1, f), np.zeros(1, f), np.zeros(1, f), consts)
        return float(v[0])

    def nmda_over_ampa(v0):
        return (dv(v0, 1, 0.02) - dv(v0, 1, 0.0)) / (dv(v0, 0, 0.02) - dv(v0, 0, 0.0))

    ratio = nmda_over_ampa(-35.0) / nmda_over_ampa(-75.0)
    if mg > 0:
        assert ratio > 3
    else:
        assert ratio == pytest.approx(1.0, rel=0.05)
