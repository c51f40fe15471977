"""``clgym fit``: the loss, the search's machinery (a one-parameter recovery on short runs), the command's
output (a JSON culture every command and ``gym.make`` accept), and the culture-file argument itself."""

import json
import math
from pathlib import Path

import gymnasium as gym
import pytest

import clgym  # noqa: F401 - registers the envs
from clgym.calibration.fit import (
    PARAMETERS,
    TARGETS,
    FitSettings,
    fit_statistics,
    format_sensitivity,
    loss,
    measure,
    measure_mean,
    sensitivity,
    targets_for,
)
from clgym.cli import main
from clgym.culture import ConfigError, CultureConfig
from clgym.culture.culture_file import culture_dict
from clgym.sources.culture_source import CultureSource

DATA = Path(__file__).resolve().parent.parent / "clgym" / "data" / "dishbrain"


def test_distances_are_normalised_log_ratios_and_differences():
    bursts, corr = TARGETS["bursts_per_min"], TARGETS["motor_corr_outside_bursts"]
    assert bursts.distance(2.0, 2.0) == 0.0
    # a miss by the tolerance factor counts one (floors make it approximate near zero)
    assert bursts.distance((2.0 + 0.2) * 1.5 - 0.2, 2.0) == pytest.approx(1.0)
    assert bursts.distance(0.2, 2.0) == pytest.approx(-bursts.distance(2.0, 0.2))
    assert corr.distance(0.15, 0.10) == pytest.approx(1.0) and corr.distance(-0.05, 0.0) == pytest.approx(-1.0)
    assert bursts.distance(float("nan"), 1.0) == 10.0
    assert loss({"bursts_per_min": 3.0, "rate_hz": 1.0}, {"bursts_per_min": 3.0, "rate_hz": 1.0},
                ("bursts_per_min", "rate_hz")) == 0.0


def test_the_rate_is_fitted_only_on_a_cl1_recording():
    assert "rate_hz" in targets_for("cl") and "rate_hz" not in targets_for("dishbrain")


def test_every_candidate_bounds_the_dishbrain_presets_value_and_is_a_config_field():
    cfg = CultureConfig.from_preset("dishbrain")
    assert len(PARAMETERS) <= 6
    for p in PARAMETERS.values():
        assert p.low < getattr(cfg, p.name) < p.high and p.controls


def test_the_rate_loss_is_lowest_at_the_truth_on_other_dishes():
    """The rate at rest grows with spontaneous release: cultures grown from other seeds than the truth's still
    prefer the true value on a coarse grid, averaged over four dishes (one dish's rate spreads ~1.7x around
    the mean at equal parameters: seeds 0-3 and 1000 give 0.8-1.4 Hz at 8 Hz release, which is why the grid is
    coarse and the fit averages dishes)."""
    truth = measure("dishbrain", {"mini_rate_hz": 8.0}, seed=1000, seconds=60, settle_s=10)
    grid = {v: loss(measure_mean("dishbrain", {"mini_rate_hz": v}, [0, 1, 2, 3], seconds=60, settle_s=10), truth,
                    ("rate_hz",)) for v in (2.0, 8.0, 32.0)}
    assert grid[8.0] < grid[2.0] and grid[8.0] < grid[32.0]


def test_a_one_parameter_fit_recovers_spontaneous_release_on_short_runs():
    truth = measure("dishbrain", {"mini_rate_hz": 7.0}, seed=0, seconds=20, settle_s=2)
    settings = FitSettings(params=("mini_rate_hz",), trials=12, seed=0, settle_s=2, trial_s=20, trial_seeds=1,
                           finalists=2, eval_seeds=1, eval_s=20, progress=False)
    result = fit_statistics(truth, targets_for("cl"), settings)
    assert abs(math.log(result.fitted["mini_rate_hz"] / 7.0)) < math.log(1.4)
    assert result.fitted_loss <= result.default_loss  # the preset (20 Hz) is a finalist and loses
    assert result.config() == {"preset": "dishbrain", "mini_rate_hz": result.fitted["mini_rate_hz"]}


def test_fit_writes_a_culture_that_gym_make_and_compare_accept(tmp_path, capsys):
    out, report = tmp_path / "culture.json", tmp_path / "fit.md"
    rc = main(["fit", str(DATA / "11614.2021-06-02.1.h5"), "--out", str(out), "--report", str(report), "--quick",
               "--trials", "3", "--minutes", "0.2", "--no-progress"])
    assert rc == 0
    printed = capsys.readouterr().out
    config = json.loads(out.read_text())
    assert config["preset"] == "dishbrain" and set(config) == {"preset", "mini_rate_hz", "stp_tau_rec_exc_ms"}
    assert report.read_text().strip() == printed.strip() and "| bursts / min |" in printed
    assert "The rate is not fitted" in printed
    env = gym.make("CLPong-v0", culture=str(out), control="culture")
    try:
        env.reset(seed=0)
        built = env.unwrapped.connection.link.source.culture_config
        assert built.stp_tau_rec_exc_ms == config["stp_tau_rec_exc_ms"]
        assert built.mini_rate_hz == config["mini_rate_hz"]
    finally:
        env.close()
    assert main(["compare", str(DATA / "11614.2021-06-02.1.h5"), "--preset", str(out), "--minutes", "0.2",
                 "--settle-s", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["preset"]["rate_hz"] > 0


def test_a_fit_of_a_culture_file_writes_a_complete_culture(tmp_path):
    from clgym.calibration.fit import FitResult

    base = tmp_path / "base.json"
    base.write_text(json.dumps({"preset": "tiny", "w_exc": 0.02, "seed": 4}))
    result = FitResult(recorded={}, keys=(), fitted={"mini_rate_hz": 9.0}, default={}, fitted_stats={},
                       default_stats={}, fitted_loss=0.0, default_loss=0.0, best_trial_loss=0.0, n_trials=1,
                       wall_s=0.0, settings=FitSettings(preset=str(base)))
    assert result.config() == {"preset": "tiny", "w_exc": 0.02, "mini_rate_hz": 9.0}


@pytest.mark.parametrize("args, message", [
    (["fit", str(DATA / "9501.2021-06-01.0.h5"), "--out", "x.json"], "a game session"),
    (["fit", str(DATA / "9501.2021-06-01.1.h5"), "--out", "x.json", "--params", "w_exc,nonesuch"], "nonesuch"),
    (["fit", "--truth", "mini_rate_hz=-3", "--out", "x.json"], "mini_rate_hz"),
    (["fit", "missing.h5", "--out", "x.json"], "not found"),
])
def test_fit_bad_input_exits_2(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not (tmp_path / "x.json").exists()


# -- a culture given as the path of a JSON file ----------------------------------------------------------------
def test_a_json_culture_file_works_everywhere_a_culture_is_taken(tmp_path):
    path = tmp_path / "twin.json"
    path.write_text(json.dumps({"preset": "tiny", "w_inh": 0.04}))
    assert culture_dict(str(path)) == {"preset": "tiny", "w_inh": 0.04}
    assert CultureConfig.from_preset(str(path), seed=5).w_inh == 0.04  # every command's --preset
    assert CultureSource(culture=str(path)).culture_config.w_inh == 0.04  # CL_SDK_DATA_SOURCE_CONFIG
    assert CultureSource(preset=str(path), seed=2).culture_config.n_neurons == 250
    env = gym.make("CLPong-v0", culture=str(path), control="culture")
    try:
        env.reset(seed=3)
        cfg = env.unwrapped.connection.link.source.culture_config
        assert (cfg.w_inh, cfg.n_neurons, cfg.seed) == (0.04, 250, 3)
    finally:
        env.close()


def test_a_culture_file_that_pins_its_seed_keeps_it(tmp_path):
    path = tmp_path / "pinned.json"
    path.write_text(json.dumps({"preset": "tiny", "seed": 11}))
    env = gym.make("CLPong-v0", culture=str(path), control="culture")
    try:
        env.reset(seed=3)
        assert env.unwrapped.connection.link.source.culture_config.seed == 11
    finally:
        env.close()


@pytest.mark.parametrize("content, message", [
    (None, "cannot be read"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "holds a JSON list"),
    ('{"preset": "tiny", "w_inh": -1}', "w_inh=-1"),
    ('{"preset": "tiny", "wings": 2}', "unknown culture config field"),
    ('{"preset": "other.json"}', "another file"),
])
def test_a_bad_culture_file_fails_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=message) as raised:
        gym.make("CLPong-v0", culture=str(path), control="culture")
    assert str(path) in str(raised.value)


def test_sensitivity_moves_the_rate_with_spontaneous_release():
    rows = sensitivity(seeds=(0,), seconds=10.0, settle_s=2.0)
    assert [r[0] for r in rows] == ["preset"] + [p for p in PARAMETERS for _ in range(2)]
    by = {(name, value): stats for name, value, stats in rows}
    low, high = PARAMETERS["mini_rate_hz"].low, PARAMETERS["mini_rate_hz"].high
    assert by[("mini_rate_hz", high)]["rate_hz"] > 3 * by[("mini_rate_hz", low)]["rate_hz"]
    table = format_sensitivity(rows, "clgym fit --sensitivity")
    assert table.count("\n| mini_rate_hz |") == 2


@pytest.mark.slow
def test_parameter_recovery_on_a_recording_the_simulator_made():
    """Fit a simulated CL1 recording (another dish, known parameters) with the default settings
    (results/fit/recovery_1.md): the statistics are recovered, spontaneous release and synaptic recovery within
    the factor 2 that the dishes' own spread allows (one dish's rate spreads ~1.7x at equal parameters), and
    inhibition, seen through the rate alone, within a factor 3."""
    truth = {"mini_rate_hz": 10.0, "stp_tau_rec_exc_ms": 2000.0, "w_inh": 0.03}
    recorded = measure("dishbrain", truth, seed=1000, seconds=300, settle_s=20)
    result = fit_statistics(recorded, targets_for("cl"), FitSettings(params=tuple(truth), progress=False))
    assert result.fitted_loss < 0.5 and result.fitted_loss < result.default_loss
    for name, factor in (("mini_rate_hz", 2.0), ("stp_tau_rec_exc_ms", 2.0), ("w_inh", 3.0)):
        assert abs(math.log(result.fitted[name] / truth[name])) < math.log(factor), name
