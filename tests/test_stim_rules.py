"""Stim validation (every CL1 limit, refused before sending) and pulse scheduling, without an SDK producer."""

import cl
import numpy as np
import pytest
from _helpers_link_scenarios import EVOKE_CHANNEL, EVOKE_TICKS, EXPECTED_PULSES, INVALID_STIMS, PLAN, TINY

from clgym.links import InProcessLink, PulseScheduler, StimRequest, validate_stim


@pytest.mark.parametrize("stim, message", INVALID_STIMS, ids=[m.split(":")[0] for _, m in INVALID_STIMS])
def test_every_invalid_stim_is_refused_naming_the_field_and_range(stim, message):
    channels, design, burst, lead = stim
    with pytest.raises(ValueError) as refused:
        validate_stim(channels, design, burst, lead)
    assert message in str(refused.value)


def test_an_in_process_link_refuses_before_sending_anything():
    with InProcessLink(TINY) as link:
        for (channels, design, burst, lead), message in INVALID_STIMS:
            with pytest.raises(ValueError) as refused:
                link.stim(channels, design, burst, lead_time_us=lead)
            assert message in str(refused.value)
        tick = link.advance()
    assert tick.stim_timestamps.size == 0


def test_sdk_design_objects_and_shorthands_normalise_alike():
    as_float = validate_stim([9, 10], 1.25)
    as_tuple = validate_stim(np.array([10, 9]), (160, -1.25, 160, 1.25))
    as_sdk = validate_stim(cl.ChannelSet(9, 10), cl.StimDesign(160, -1.25, 160, 1.25))
    assert as_float == as_tuple == as_sdk == StimRequest((9, 10), (160, 160), (-1.25, 1.25))
    burst = validate_stim(9, 1.0, cl.BurstDesign(5, 40))
    assert (burst.burst_count, burst.burst_hz) == (5, 40.0) == (validate_stim(9, 1.0, (5, 40)).burst_count, 40.0)


def test_requests_convert_to_equivalent_sdk_objects():
    request = validate_stim([33, 34], (100, -2.0, 60, 2.0, 20, -1.0), (3, 120), lead_time_us=120)
    channels, design, burst = request.to_sdk()
    assert list(channels) == [33, 34]
    assert design.duration_us == 180 and repr(design) == "StimDesign(100, -2.0, 60, 2.0, 20, -1.0)"
    assert burst._burst_interval_us == request.burst_interval_us() == 8340


def test_scheduler_reproduces_the_hand_computed_pulse_timing():
    scheduler = PulseScheduler(start_timestamp=0)
    for tick in range(30):
        for channels, design, burst, lead in PLAN.get(tick, []):
            scheduler.queue(validate_stim(channels, design, burst, lead), command_timestamp=tick * 250)
        expected = list(EXPECTED_PULSES.get(tick, []))
        if tick in EVOKE_TICKS:
            expected.append((tick * 250 + 2, EVOKE_CHANNEL))
        due = scheduler.pop_due((tick + 1) * 250)
        assert [(p.timestamp, p.channel) for p in due] == sorted(expected)
    assert len(scheduler) == 0


def test_scheduler_keeps_a_channel_at_200_pulses_per_second():
    scheduler = PulseScheduler(start_timestamp=0)
    for _ in range(10):
        scheduler.queue(validate_stim([9], 1.0), command_timestamp=0)
    stamps = [p.timestamp for p in scheduler.pop_due(10**6)]
    assert stamps == [2 + 125 * i for i in range(10)]  # queued, none dropped, 5 ms apart


def test_the_reference_channel_is_refused_with_the_channel_layouts_own_message():
    from clgym.coding import ChannelLayout

    with pytest.raises(ValueError) as layout_refusal:
        ChannelLayout(sensory=(4, 10, 11), motor=((20,), (30,)))
    with InProcessLink(TINY) as link:
        with pytest.raises(ValueError) as link_refusal:
            link.stim([10, 4], 1.0)
        assert link.advance().stim_timestamps.size == 0  # nothing was sent
    reason = "channel 4 is the reference electrode; allowed: 0..63 except [0, 4, 7, 56, 63]"
    assert str(link_refusal.value) == f"channels: {reason}"
    assert str(layout_refusal.value).endswith(reason)


def test_a_repeated_channel_in_one_request_is_one_pulse():
    assert validate_stim([9, 9, 10], 1.0).channels == (9, 10)
