"""Culture configs: presets, JSON round trips, and clear errors that name the field and the allowed range."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clgym.culture import PRESETS, ConfigError, CultureConfig


def test_presets_have_the_documented_sizes():
    sizes = {name: CultureConfig.from_preset(name).n_neurons for name in PRESETS}
    assert sizes["small"] == 1000 and sizes["large"] >= 10_000 and sizes["huge"] >= 50_000
    assert sizes["tiny"] < sizes["small"] < sizes["default"] < sizes["large"] < sizes["huge"]


@pytest.mark.parametrize("field, value, allowed", [
    ("n_neurons", -5, ">= 10"),
    ("n_neurons", 0, ">= 10"),
    ("excitatory_fraction", 0.0, "(0.0, 1.0)"),
    ("excitatory_fraction", 1.0, "(0.0, 1.0)"),
    ("excitatory_fraction", 1.5, "(0.0, 1.0)"),
    ("w_exc", -0.1, "(0.0"),
    ("dt_ms", 0.3, "0.2, 0.4, 0.5 or 1.0"),
    ("tau_nmda_ms", 0.0, "(0.0"),
    ("mini_rate_hz", -1.0, "[0.0"),
    ("excitatory_type_mix", (0.5, 0.5, 0.5), "summing to 1"),
    ("stdp", "yes", "true or false"),
    ("max_delay_ms", 0, "[1, 100]"),
])
def test_invalid_values_name_the_field_and_the_allowed_range(field, value, allowed):
    with pytest.raises(ConfigError) as err:
        CultureConfig.from_preset("small", **{field: value})
    assert field in str(err.value) and allowed in str(err.value)


def test_unknown_preset_lists_the_known_ones():
    allowed = "allowed: default, dishbrain, dishbrain-100k, dishbrain-10k, huge, large, small, tiny"
    with pytest.raises(ConfigError, match=f"preset='galaxy' is unknown; {allowed}"):
        CultureConfig.from_preset("galaxy")


def test_unknown_field_is_refused():
    with pytest.raises(ConfigError, match="unknown culture config field"):
        CultureConfig.from_preset("small", n_neuron=5)
    with pytest.raises(ConfigError, match="unknown culture config field"):
        CultureConfig.from_dict({"preset": "tiny", "sead": 1})


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


@settings(max_examples=60, deadline=None)
@given(preset=st.sampled_from(sorted(PRESETS)), seed=st.integers(0, 2**31),
       exc=st.floats(0.05, 0.95), stdp=st.booleans(), w=st.floats(0.001, 0.05))
def test_json_round_trip(preset, seed, exc, stdp, w):
    cfg = CultureConfig.from_preset(preset, seed=seed, excitatory_fraction=exc, stdp=stdp, w_exc=w,
                                    w_max=max(w, 0.05))
    again = CultureConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert again == cfg


@settings(max_examples=80, deadline=None)
@given(n=st.integers(-10**6, 9), frac=st.floats(allow_nan=True, allow_infinity=True))
def test_property_bad_sizes_and_fractions_always_fail(n, frac):
    with pytest.raises(ConfigError, match="n_neurons"):
        CultureConfig(n_neurons=n)
    if not 0 < frac < 1:
        with pytest.raises(ConfigError, match="excitatory_fraction"):
            CultureConfig(excitatory_fraction=frac)
