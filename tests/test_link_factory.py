"""open_link: every source kind opens, ticks and closes; bad names are refused listing the allowed ones."""

import numpy as np
import pytest
from _helpers_link_scenarios import TINY

from clgym.links import InProcessLink, SdkLink, SilenceableLink, open_link


@pytest.mark.parametrize("source", ["culture", "random", "media_only"])
def test_every_source_opens_ticks_and_closes_in_process(source):
    link = open_link(source, culture=TINY, seed=3)
    try:
        assert isinstance(link, SilenceableLink) and isinstance(link, InProcessLink)
        assert link.frames_per_tick == 250
        link.stim([9], 1.0)
        ticks = [link.advance() for _ in range(50)]
        assert [t.index for t in ticks] == list(range(50))
        assert np.concatenate([t.stim_channels for t in ticks]).tolist() == [9]  # the stim was delivered once
        assert sum(t.spike_channels.size for t in ticks) == link.spikes_seen
    finally:
        link.close()
    assert link.closed


def test_the_random_source_opens_in_the_sdks_producer_too():
    link = open_link("random", seed=5, link="sdk")
    try:
        assert isinstance(link, SdkLink)
        ticks = [link.advance() for _ in range(20)]
        assert ticks[-1].index == 19
    finally:
        link.close()


def test_a_seed_gives_the_same_spikes_and_drop_spikes_silences():
    a, b = open_link("random", seed=7), open_link("random", seed=7, drop_spikes=True)
    try:
        ta, tb = [a.advance() for _ in range(100)], [b.advance() for _ in range(100)]
        assert a.spikes_seen == b.spikes_seen > 0
        np.testing.assert_array_equal(np.concatenate([t.spike_channels for t in ta]).size, a.spikes_seen)
        assert all(t.spike_channels.size == 0 for t in tb)
    finally:
        a.close()
        b.close()


def test_a_pinned_culture_seed_wins_over_the_seed_argument():
    with open_link("culture", culture={**TINY, "seed": 4}, seed=9) as link:
        assert link.source.culture_config.seed == 4
    with open_link("culture", culture={k: v for k, v in TINY.items() if k != "seed"}, seed=9) as link:
        assert link.source.culture_config.seed == 9


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"source": "dish"}, "source='dish' is not allowed; allowed: 'culture', 'random', 'media_only'"),
        ({"source": "random", "link": "cable"}, "link='cable' is not allowed; allowed: 'in_process', 'sdk'"),
        ({"source": "random", "seed": -1}, "seed=-1 is not allowed; allowed: an integer >= 0"),
        ({"source": "random", "seed": None}, "seed=None is not allowed; allowed: an integer >= 0"),
        ({"source": "media_only", "link": "sdk"}, "source='media_only' is not allowed with link='sdk'"),
        ({"source": "random", "link": "sdk", "drop_spikes": True}, "drop_spikes=True is not allowed with link='sdk'"),
        ({"source": "culture", "culture": 3}, "culture=3 is not allowed; allowed: a preset name"),
    ],
)
def test_bad_arguments_are_refused_naming_what_is_allowed(kwargs, message):
    source = kwargs.pop("source")
    with pytest.raises(ValueError) as refused:
        open_link(source, **kwargs)
    assert message in str(refused.value)


def test_a_bad_culture_config_names_the_field():
    with pytest.raises(ValueError, match="preset"):
        open_link("culture", culture="enormous")
