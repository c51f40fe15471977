"""Game metrics: rally counting, analysis windows, summaries and the t-tests against hand-computed values."""

import math

import numpy as np
import pytest

from clgym.analysis import game_metrics as gm


def test_rally_counter_counts_hits_before_each_miss_and_ignores_a_rally_in_progress():
    counter = gm.RallyCounter()
    events = [None, "hit", None, "hit", "hit", "miss", "miss", "hit", "miss", "hit"]
    for tick, event in enumerate(events):
        counter.add(tick, event)
    assert counter.hits == [3, 0, 1]
    assert counter.end_ticks == [5, 6, 8]
    assert counter.current == 1  # the last rally has not ended: it is not a rally yet
    with pytest.raises(ValueError, match="'hit', 'miss' or None"):
        counter.add(11, "goal")


def test_rally_window_percentages_and_empty_window():
    w = gm.rally_window("x", np.array([0, 0, 1, 3, 4, 0]))
    assert (w.rallies, w.hits) == (6, 8)
    assert w.aces_percent == pytest.approx(50.0)
    assert w.long_rallies_percent == pytest.approx(100 * 2 / 6)
    assert w.average_rally == pytest.approx(8 / 6)
    assert gm.rally_window("x", np.array([0, 2, 3]), long_rally_hits=2).long_rallies_percent == pytest.approx(200 / 3)
    empty = gm.rally_window("e", np.array([], dtype=int))
    assert empty.rallies == 0 and math.isnan(empty.average_rally) and math.isnan(empty.aces_percent)


def test_dishbrain_windows_default_scaled_and_explicit():
    early, late = gm.dishbrain_windows()
    assert (early.start_minutes, early.stop_minutes, late.start_minutes, late.stop_minutes) == (0, 5, 6, 20)
    assert (early.label, late.label) == ("0-5 min", "6-20 min")
    early, late = gm.dishbrain_windows(2.0)  # the same fractions of a short session
    assert (early.stop_minutes, late.start_minutes, late.stop_minutes) == pytest.approx((0.5, 0.6, 2.0))
    early, late = gm.dishbrain_windows(10.0, early_minutes=2, late_start_minutes=2)
    assert (early.stop_minutes, late.start_minutes) == (2, 2)
    with pytest.raises(ValueError, match="early_minutes <= late_start_minutes"):
        gm.dishbrain_windows(10.0, early_minutes=6, late_start_minutes=5)


def test_a_rally_belongs_to_the_window_of_its_miss_and_the_gap_is_dropped():
    minute = gm.TICKS_PER_MINUTE
    # misses at 1, 4.99, 5.5 (in the 5-6 gap), 6, 19.99 and 20 min (after the session)
    end_ticks = [1 * minute, int(4.99 * minute), int(5.5 * minute), 6 * minute, int(19.99 * minute), 20 * minute]
    hits = [0, 2, 7, 1, 5, 9]
    early, late = gm.rallies_in_windows(end_ticks, hits, gm.dishbrain_windows())
    assert (early.rallies, early.hits) == (2, 2)
    assert (late.rallies, late.hits) == (2, 6)
    assert late.average_rally == 3.0 and late.aces_percent == 0.0 and late.long_rallies_percent == 50.0
    with pytest.raises(ValueError, match="differ in length"):
        gm.rallies_in_windows([1, 2], [0], gm.dishbrain_windows())


def test_summarise_rallies_keeps_the_demo_windows():
    windows = gm.summarise_rallies([3000, 9000, 15000, 21000], [0, 3, 1, 4], minutes=4.0)
    assert [w.label for w in windows] == ["0-2 min", "2-4 min", "all 4 min"]
    assert [w.rallies for w in windows] == [2, 2, 4]
    assert "| 0-2 min | 2 | 3 | 50.0 | 50.0 | 1.50 |" in gm.format_table(windows)


def test_rally_length_over_time_bins_by_miss_time():
    minute = gm.TICKS_PER_MINUTE
    curve = gm.rally_length_over_time([10, minute - 1, minute + 5, 3 * minute + 1], [1, 3, 4, 0], minutes=4)
    assert curve[0] == 2.0 and curve[1] == 4.0 and math.isnan(curve[2]) and curve[3] == 0.0


def test_mean_sem_by_hand_and_nan_handling():
    s = gm.mean_sem([1.0, 2.0, 4.0, math.nan])
    assert s.n == 3 and s.mean == pytest.approx(7 / 3)
    # s.d. = sqrt(((1-7/3)^2 + (2-7/3)^2 + (4-7/3)^2) / 2) = sqrt(7/3); SEM = s.d. / sqrt(3)
    assert s.sem == pytest.approx(math.sqrt(7 / 3) / math.sqrt(3))
    assert math.isnan(gm.mean_sem([5.0]).sem) and gm.mean_sem([]).n == 0


def test_paired_t_test_against_a_hand_computed_value():
    first = [0.6, 0.8, 0.7, 0.9, 0.5]
    last = [0.9, 1.0, 0.8, 1.3, 0.7]
    # differences -0.3, -0.2, -0.1, -0.4, -0.2: mean -0.24, s.d. sqrt(0.052 / 4) = 0.114018
    # t = -0.24 / (0.114018 / sqrt 5) = -4.70679; two-sided p for t(4) = 0.009262 (t tables: 4.604 at 0.01)
    result = gm.paired_t_test(first, last)
    assert result.df == 4 and result.n == 5
    assert result.t == pytest.approx(-4.70679, abs=1e-4)
    assert result.p == pytest.approx(0.009262, abs=2e-6)
    assert "t(4) = -4.71" in str(result)


def test_welch_t_test_against_a_hand_computed_value():
    welch = gm.welch_t_test([1.0, 2.0, 3.0, math.nan], [2.0, 4.0, 6.0, 8.0])
    # t = (2 - 5) / sqrt(1/3 + 20/3/4) = -3 / sqrt 2 = -2.12132; df = 2^2 / ((1/3)^2/2 + (5/3)^2/3) = 4.07547
    assert welch.t == pytest.approx(-2.12132, abs=1e-5) and welch.df == pytest.approx(4.07547, abs=1e-5)
    assert welch.p == pytest.approx(0.09991, abs=1e-4) and welch.n == 7
    assert math.isnan(gm.welch_t_test([1.0, 1.0], [2.0, 2.0]).t)  # no variance on either side


def test_degenerate_tests_are_nan_not_errors():
    assert math.isnan(gm.paired_t_test([1.0], [2.0]).t)
    assert math.isnan(gm.paired_t_test([1.0, 2.0], [2.0, 3.0]).p)  # identical differences: no variance
    assert gm.paired_t_test([1.0, math.nan, 2.0, 4.0], [1.5, 3.0, 2.0, 5.0]).n == 3
    with pytest.raises(ValueError, match="differ in length"):
        gm.paired_t_test([1.0, 2.0], [1.0])


def test_percent_change_and_condition_summary():
    assert gm.percent_change([1.5, 1.5], [1.0, 1.0]) == pytest.approx(50.0)
    assert math.isnan(gm.percent_change([1.0], [0.0]))
    early = [gm.rally_window("e", np.array(h)) for h in ([0, 1], [0, 0, 1], [1, 1])]
    late = [gm.rally_window("l", np.array(h)) for h in ([1, 2], [3, 0], [2, 2])]
    summary = gm.summarise_condition("stimulus", early, late)
    assert summary.sessions == 3 and summary.improved
    assert summary.early_rally.mean == pytest.approx((0.5 + 1 / 3 + 1.0) / 3)
    assert summary.learning_test.t < 0
    table = gm.format_condition_table([summary], "0-5 min", "6-20 min")
    assert "| stimulus (3) |" in table and "avg rally 6-20 min" in table
