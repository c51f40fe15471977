"""Numbers from too few samples: reports say "too few ... (n = ...)" instead of a ratio, rate or accuracy."""

import math

import pytest

from clgym.agents.ball_information import accuracy_text
from clgym.agents.evaluation import MIN_EPISODES_FOR_RATIO, ratio_to_random
from clgym.bench.soak import slope_text


def test_a_ratio_of_six_episodes_a_side_is_not_given():
    ratio, text = ratio_to_random({"episodes": 6, "rally_mean": 1.0}, {"episodes": 6, "rally_mean": 0.1}, "rally_mean")
    assert ratio is None
    assert text.startswith("too few episodes for a ratio (n = 6 agent, 6 random")


def test_a_ratio_from_enough_episodes_is_given_with_its_sample_sizes():
    n = MIN_EPISODES_FOR_RATIO
    ratio, text = ratio_to_random({"episodes": n, "rally_mean": 1.2}, {"episodes": 60, "rally_mean": 0.6}, "rally_mean")
    assert ratio == pytest.approx(2.0)
    assert text == f"**2.00x** (n = {n} agent, 60 random episodes)"


@pytest.mark.parametrize("random_mean", [0.0, math.nan, None])
def test_no_ratio_over_a_random_policy_that_never_scored(random_mean):
    ratio, text = ratio_to_random({"episodes": 60, "rally_mean": 1.0}, {"episodes": 60, "rally_mean": random_mean},
                                  "rally_mean")
    assert ratio is None and "no ratio" in text and "x**" not in text


def test_an_accuracy_on_one_class_is_not_reported_as_chance_one():
    text = accuracy_text({"accuracy": 1.0, "chance": 1.0, "n_test": 500, "test_classes": 1})
    assert text.startswith("too few held-out steps (n = 500, 1 class;")
    assert accuracy_text({"accuracy": 0.8, "chance": 0.5, "n_test": 40, "test_classes": 2}).startswith(
        "too few held-out steps (n = 40, 2 classes")
    assert accuracy_text({"accuracy": 0.8444, "chance": 0.525, "n_test": 6000, "test_classes": 2}) == \
        "0.844 (chance 0.525, n = 6000)"


def test_a_soak_too_short_for_a_slope_says_so():
    nan = math.nan
    short = {"rows": [{}] * 4, "env_slope": nan, "producer_slope": nan, "env_anon_slope": nan,
             "producer_anon_slope": nan}
    assert slope_text(short).startswith("too few samples for a memory slope (n = 2 in the second half")
    long = {"rows": [{}] * 10, "env_slope": 0.5, "producer_slope": -0.25, "env_anon_slope": 0.0,
            "producer_anon_slope": 0.0}
    assert slope_text(long).startswith("slope over the second half (n = 5 samples): env +0.50 MB/sim-hour")
