"""``clgym bench engine``'s cost-per-unit table and issue 24's goals (the table's form, not timed assertions)."""

from clgym.bench import engine
from clgym.bench.latency import worst_tick_goal_ms


def test_one_small_configuration_reports_cost_per_unit_and_memory():
    r = engine._measure(250, True, False, 0.2, 1, preset=None)
    assert r["ns_neuron_step"] > 0 and r["ns_event"] > 0 and r["limit_speed"] > 0
    assert r["state_mb"] > 0 and 10 < r["bytes_per_synapse"] < 1000
    assert r["build_cpu_s"] >= 0 and r["preset"] == "tiny"


def test_dishbrain_preset_runs_by_its_size_rule():
    r = engine._measure(1200, False, False, 0.1, 1, preset="dishbrain")
    assert r["n_neurons"] == 1200 and r["preset"] == "dishbrain"


def test_goals_table_marks_what_is_met():
    row = dict(n_neurons=10_000, plastic=True, frames=False, cpu_speed=31.0, build_cpu_s=6.0, peak_mb=300.0)
    table = engine.goals_table([row, dict(row, plastic=False)])
    assert ">= 30x real time | 31.0x | yes" in table and "build < 5 s | 6.0 s | **no**" in table
    assert table.count("10,000") == 2  # the plasticity-off row is not checked


def test_worst_tick_goal_per_size():
    assert worst_tick_goal_ms(1000) == 20.0 and worst_tick_goal_ms(100_000) == 80.0
    assert worst_tick_goal_ms(200_000) is None
