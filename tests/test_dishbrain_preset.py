"""The "dishbrain" culture: what a neuroscientist would check before letting it play (issue 10).

The quick tests run a shortened calibration protocol on two cultures; the ``slow`` test runs the full protocol
on 12 cultures and checks every goal of the calibration table."""

import numpy as np
import pytest

from clgym.calibration.command import ROWS, main, summarise
from clgym.calibration.protocol import CalibrationProtocol, measure_culture
from clgym.coding.pong import dishbrain_layout, motor_blocks
from clgym.culture import Culture, CultureConfig

QUICK = CalibrationProtocol(settle_s=5.0, spontaneous_s=30.0, repeats=4)


@pytest.fixture(scope="module")
def quick_stats():
    return [measure_culture("dishbrain", seed, QUICK) for seed in (0, 1)]


def test_each_sensory_electrode_gets_its_own_reproducible_answer(quick_stats):
    for s in quick_stats:
        assert s["decode_accuracy"] >= 0.7, s  # chance is 1/8
        assert s["evoked_p5ms"] >= 0.5, s
        assert s["evoked_latency_ms"] < 5.0, s


def test_the_wagenaar_like_culture_cannot_tell_its_electrodes_apart():
    """The contrast that motivated the preset: the same protocol on "small" decodes near chance."""
    s = measure_culture("small", 0, QUICK)
    assert s["decode_accuracy"] < 0.5


def test_spontaneous_activity_is_mostly_outside_bursts_and_the_motor_blocks_are_not_locked(quick_stats):
    for s in quick_stats:
        assert s["fraction_in_bursts"] < 0.35, s
        assert s["motor_corr"] < 0.8, s
        assert s["motor_corr_outside"] < 0.25, s


def test_axons_are_long_and_the_culture_still_obeys_dales_law():
    c = Culture(CultureConfig.from_preset("dishbrain", seed=2))
    d = c.dish
    lengths = np.hypot(*(d.axon_end_um - d.positions_um).T)
    assert 1000 < np.median(lengths) < 2000  # millimetre axons (Bakkum et al. 2013)
    # a neuron's synapses reach far along its axon: many contacts > 500 um from the soma
    far = np.hypot(*(d.positions_um[d.syn_post] - d.positions_um[d.syn_pre]).T) > 500
    assert far.mean() > 0.3
    # Dale: every synapse of a neuron has that neuron's sign (magnitudes positive, sign from the type)
    assert (c.syn_w >= 0).all()


def test_a_pulse_on_a_sensory_electrode_directly_excites_a_distant_but_fixed_set_of_neurons():
    """Axonal activation: the same pulse, repeated, excites the same neurons within 1 ms, many of them far from
    the electrode (their axons pass it), and their targets follow within a few ms."""
    cfg = CultureConfig.from_preset("dishbrain", seed=4, stdp=False, homeostasis=False, mini_rate_hz=0.0)
    c = Culture(cfg)
    channel = dishbrain_layout().sensory[3]
    direct, later = [], []
    for _ in range(3):
        pulse = c.frame + 10
        c.stimulate(channel, pulse, (200, 200), (-1.0, 1.0))
        batch = c.advance(25 * 5)  # 5 ms
        first_ms = batch.neuron_frames < pulse + 25
        direct.append(set(batch.neuron_ids[first_ms].tolist()))
        later.append(int((~first_ms).sum()))
        c.advance(25_000)  # rest a second
    core, union = direct[0] & direct[1] & direct[2], direct[0] | direct[1] | direct[2]
    assert len(core) >= 10 and len(core) >= 0.8 * len(union), (len(core), len(union))
    near = set(c.neurons_near([channel], radius_um=150).tolist())
    assert len(core - near) > len(core & near), "most directly excited neurons are far away"
    assert max(later) > 0, "the excited neurons drive their targets"


def test_the_motor_blocks_are_a_millimetre_apart():
    left, right = motor_blocks()
    cols = lambda g: np.array([c % 8 for c in g])  # noqa: E731
    assert (cols(right).mean() - cols(left).mean()) * 200 == pytest.approx(1000, abs=50)  # corners are grounded


def test_calibrate_prints_every_statistic_beside_its_goal(capsys):
    assert main(["--preset", "tiny", "--cultures", "1", "--workers", "1", "--settle-s", "1",
                 "--spontaneous-s", "5", "--repeats", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("`clgym calibrate --preset tiny")
    for _, label, _, goal, _ in ROWS:
        assert label in out and goal in out


@pytest.mark.parametrize("argv,field", [(["--preset", "petri"], "preset='petri' is unknown"),
                                        (["--repeats", "1"], "--repeats=1 is out of range"),
                                        (["--game", "--minutes", "0"], "--minutes=0.0 is out of range"),
                                        (["--override", "w_exc=-1"], "w_exc=-1")])
def test_calibrate_rejects_bad_input_in_one_line_before_running(capsys, argv, field):
    with pytest.raises(SystemExit) as exit_info:
        main(argv + ["--cultures", "1"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]  # argparse's usage, then one line naming the field
    assert last.startswith("clgym calibrate: error:") and field in last


@pytest.mark.slow
def test_the_dishbrain_preset_meets_every_calibration_goal_over_12_cultures():
    results = [measure_culture("dishbrain", seed) for seed in range(12)]
    means = summarise(results)
    for key, label, _, goal, check in ROWS:
        if check is not None:
            assert check(means[key][0]), f"{label}: {means[key][0]:.3f} misses {goal}"
