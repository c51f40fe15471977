"""Behaviour of clgym.coding: layouts, stimulation limits, place/rate encoding, motor decoding, feedback."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clgym.coding import (
    FEEDBACK_CONDITIONS,
    PITCH_UM,
    PREDICTABLE_PULSE,
    SENSORY_PULSE,
    STIMULABLE_CHANNELS,
    UNPREDICTABLE_PULSE,
    UNUSABLE_CHANNELS,
    AgentStimEncoder,
    ChannelLayout,
    Feedback,
    FeedbackParams,
    MotorDecoderParams,
    MotorRegionDecoder,
    PlaceRateEncoder,
    Pulse,
    StimCommand,
    channel_counts,
    channel_group_counts,
    channel_position_um,
    make_group_index,
    pong_layout,
    pulses_per_channel,
    voltage_to_current_uA,
)

try:  # the SDK serves only as a test oracle; clgym.coding never imports it
    import cl
except ImportError:  # pragma: no cover
    cl = None

ROOT = Path(__file__).resolve().parents[1]
needs_sdk = pytest.mark.skipif(cl is None, reason="cl-sdk not installed")
FORBIDDEN = {0, 4, 7, 56, 63}


# ----------------------------------------------------------------------------------------------------
# layout
# ----------------------------------------------------------------------------------------------------
def test_pong_layout_groups_are_valid_disjoint_and_mirrored():
    layout = pong_layout()
    assert len(layout.sensory) == 8
    assert layout.motor_names == ("up", "down")
    assert layout.feedback == layout.sensory
    all_channels = [c for g in layout.groups.values() for c in g]
    assert len(all_channels) == len(set(all_channels)), "groups overlap"
    assert not set(all_channels) & FORBIDDEN
    assert set(UNUSABLE_CHANNELS) == FORBIDDEN
    # DishBrain's mirrored halves: a 180 degree rotation (c -> 63 - c) maps each region onto itself
    # (59 is the one channel whose mirror, the reference 4, is unusable)
    for group in (layout.sensory, *layout.motor):
        assert all(63 - c in group or 63 - c in FORBIDDEN for c in group)
    assert [c for g in layout.motor for c in g if 63 - c in FORBIDDEN] == [59]
    # every usable channel is used by some group
    assert set(all_channels) == set(STIMULABLE_CHANNELS)


def test_pong_layout_place_order_is_spatially_contiguous():
    layout = pong_layout()
    for a, b in zip(layout.sensory, layout.sensory[1:], strict=False):
        (xa, ya), (xb, yb) = channel_position_um(a), channel_position_um(b)
        assert math.hypot(xa - xb, ya - yb) == pytest.approx(PITCH_UM)
    # band 0 (bottom of the field) sits on a lower row of the array than band 7 (top of the field)
    assert layout.sensory[0] // 8 > layout.sensory[-1] // 8


@pytest.mark.parametrize("bad", sorted(FORBIDDEN))
def test_layout_rejects_unusable_channel_in_any_group(bad):
    with pytest.raises(ValueError, match=rf"'sensory'.*channel {bad}\b.*allowed"):
        ChannelLayout(sensory=(bad, 10, 11), motor=((20,), (30,)))
    with pytest.raises(ValueError, match=rf"'down'.*channel {bad}\b"):
        ChannelLayout(sensory=(10, 11), motor=((20,), (30, bad)))
    with pytest.raises(ValueError, match=rf"'feedback'.*channel {bad}\b"):
        ChannelLayout(sensory=(10, 11), motor=((20,), (30,)), feedback=(bad,))


def test_layout_rejects_overlaps_and_names_both_groups():
    with pytest.raises(ValueError, match=r"'up'.*channel 11 is already in group 'sensory'"):
        ChannelLayout(sensory=(10, 11), motor=((11, 12), (30,)))
    with pytest.raises(ValueError, match=r"'down'.*channel 12 is already in group 'up'"):
        ChannelLayout(sensory=(10,), motor=((12,), (12, 13)))
    with pytest.raises(ValueError, match=r"'feedback'.*channel 30 is in motor group 'down'"):
        ChannelLayout(sensory=(10,), motor=((12,), (30,)), feedback=(10, 30))


def test_layout_rejects_out_of_range_duplicates_empty_and_name_mismatch():
    with pytest.raises(ValueError, match="channel 64 is out of range"):
        ChannelLayout(sensory=(64,), motor=((1,), (2,)))
    with pytest.raises(ValueError, match="channel 10 appears more than once"):
        ChannelLayout(sensory=(10, 10), motor=((1,), (2,)))
    with pytest.raises(ValueError, match="'up' is empty"):
        ChannelLayout(sensory=(10,), motor=((), (2,)))
    with pytest.raises(ValueError, match="3 motor regions"):
        ChannelLayout(sensory=(10,), motor=((1,), (2,), (3,)))
    with pytest.raises(TypeError):
        ChannelLayout(sensory=(10.5,), motor=((1,), (2,)))


def test_layout_counts_and_masks_agree():
    layout = pong_layout()
    masks = layout.group_masks()
    spikes = np.array([layout.sensory[0], layout.motor[0][3], layout.motor[0][3], layout.motor[1][0], 0, 4])
    counts = layout.group_counts(spikes)
    assert counts.tolist() == [1, 2, 1]
    assert layout.motor_counts(spikes).tolist() == [2, 1]
    for name in layout.group_names:
        assert int(masks[name][spikes].sum()) == counts[layout.group_names.index(name)]
    assert layout.motor_masks().sum(axis=1).tolist() == [len(g) for g in layout.motor]


usable = st.sampled_from(STIMULABLE_CHANNELS)


@given(st.lists(usable, min_size=3, max_size=40, unique=True), st.data())
def test_property_any_disjoint_partition_of_usable_channels_is_accepted(channels, data):
    cut1 = data.draw(st.integers(1, len(channels) - 2))
    cut2 = data.draw(st.integers(cut1 + 1, len(channels) - 1))
    layout = ChannelLayout(tuple(channels[:cut1]), (tuple(channels[cut1:cut2]), tuple(channels[cut2:])))
    idx = layout.group_index
    for gi, group in enumerate(layout.groups.values()):
        assert all(idx[c] == gi for c in group)
    assert int((idx >= 0).sum()) == len(channels)


@given(
    st.lists(usable, min_size=2, max_size=20, unique=True),
    st.sampled_from(sorted(FORBIDDEN)),
    st.integers(0, 2),
)
def test_property_a_forbidden_channel_anywhere_raises(channels, bad, where):
    groups = [list(channels[:1]), list(channels[1:]), [c for c in range(8, 16) if c not in channels][:1]]
    groups[where].append(bad)
    with pytest.raises(ValueError, match=rf"channel {bad}\b"):
        ChannelLayout(tuple(groups[0]), (tuple(groups[1]), tuple(groups[2])))


# ----------------------------------------------------------------------------------------------------
# stimulus
# ----------------------------------------------------------------------------------------------------
def test_paper_amplitude_mapping():
    assert voltage_to_current_uA(75.0) == pytest.approx(1.0)
    assert voltage_to_current_uA(150.0) == pytest.approx(2.0)
    assert SENSORY_PULSE.phase_currents_uA == (-1.0, 1.0)
    assert SENSORY_PULSE.phase_durations_us == (200, 200)
    assert PREDICTABLE_PULSE == SENSORY_PULSE
    # the unpredictable stimulus keeps the paper's 2:1 amplitude ratio and stays within CL1 limits
    assert UNPREDICTABLE_PULSE.phase_currents_uA == (-2.0, 2.0)
    assert max(abs(q) for q in UNPREDICTABLE_PULSE.charges_nC) == pytest.approx(0.4)
    assert SENSORY_PULSE.net_charge_nC == 0.0
    assert SENSORY_PULSE.as_args() == (200, -1.0, 200, 1.0)


@pytest.mark.parametrize(
    ("durations", "currents", "pattern"),
    [
        ((200, 200), (-3.5, 3.5), r"Pulse.phase_currents_uA\[0\]: -3.5 uA is out of range; allowed -3.0..3.0 uA"),
        ((30, 200), (-1.0, 1.0), r"Pulse.phase_durations_us\[0\]: 30 us is not allowed; allowed multiples of 20 us"),
        ((200, 0), (-1.0, 1.0), r"Pulse.phase_durations_us\[1\]: 0 us is not allowed"),
        ((1100, 1100), (-2.9, 2.9),
         r"Pulse.phase_charge_nC\[0\]: 1100 us x -2.9 uA = -3.190 nC; allowed \|charge\| <= 3"),
        ((200, 200), (-1.0, -1.0), r"Pulse.phase_currents_uA\[1\]: -1.0 uA has the polarity of the phase before"),
        ((20, 20, 20, 20), (-1.0, 1.0, -1.0, 1.0), r"1-3 phases"),
        ((200, 200), (-1.0,), r"give one current per phase"),
        ((200,), (0.0,), r"0 < \|I\|"),
    ],
)
def test_pulse_limits_name_the_field_and_range(durations, currents, pattern):
    with pytest.raises(ValueError, match=pattern):
        Pulse(durations, currents)


@pytest.mark.parametrize("bad", [0, 4, 7, 56, 63, 64, -1])
def test_stim_command_rejects_bad_channels(bad):
    with pytest.raises(ValueError, match=rf"StimCommand.channels: channel {bad}\b.*allowed: 0..63 except"):
        StimCommand((10, bad), SENSORY_PULSE)


def test_stim_command_burst_limits():
    with pytest.raises(ValueError, match=r"StimCommand.burst_hz: 250.0 Hz is out of range; allowed 0.01..200 Hz"):
        StimCommand((10,), SENSORY_PULSE, 5, 250.0)
    with pytest.raises(ValueError, match=r"StimCommand.burst_count: 0 is not allowed; allowed integers >= 1"):
        StimCommand((10,), SENSORY_PULSE, 0)
    with pytest.raises(ValueError, match=r"burst_hz is required when burst_count = 3"):
        StimCommand((10,), SENSORY_PULSE, 3)
    long_pulse = Pulse((2000, 2000, 1000), (-1.0, 1.0, -1.0))  # 5000 us: no room at 200 Hz
    with pytest.raises(
        ValueError,
        match=r"StimCommand.burst_hz: 200.0 Hz leaves 5000 us between pulses of 5000 us; allowed burst_hz <= 196.9 Hz",
    ):
        StimCommand((10,), long_pulse, 2, 200)
    cmd = StimCommand((10, 11), SENSORY_PULSE, 10, 100)
    assert cmd.n_pulses == 20
    assert cmd.pulse_offsets_s() == pytest.approx(np.arange(10) / 100.0)
    assert pulses_per_channel([cmd, StimCommand(11, SENSORY_PULSE)])[[10, 11, 12]].tolist() == [10, 11, 0]


def _pulse_oracle(durations, currents):
    """Independent statement of the CL1 pulse rules."""
    if not 1 <= len(durations) <= 3:
        return False
    for i, (d, c) in enumerate(zip(durations, currents, strict=True)):
        if d < 20 or d % 20 or c == 0 or abs(c) > 3.0 or abs(c) * d > 3000.0:
            return False
        if i and np.sign(c) == np.sign(currents[i - 1]):
            return False
    return True


phase = st.tuples(st.integers(-40, 2400), st.floats(-4.0, 4.0, allow_nan=False))


@needs_sdk
@given(st.lists(phase, min_size=1, max_size=3))
def test_property_pulse_validation_matches_the_rules_and_the_sdk(phases):
    durations = tuple(d for d, _ in phases)
    currents = tuple(c for _, c in phases)
    expected = _pulse_oracle(durations, currents)
    try:
        pulse = Pulse(durations, currents)
        ok = True
    except ValueError:
        ok = False
    assert ok == expected
    if ok:
        cl.StimDesign(*pulse.as_args())  # whatever we accept, the SDK accepts


@needs_sdk
@given(st.floats(-10, 400, allow_nan=False), st.integers(1, 50))
def test_property_burst_rate_validation_matches_the_sdk(hz, count):
    expected = 0.01 <= hz <= 200
    try:
        StimCommand((9,), SENSORY_PULSE, count, hz)
        ok = True
    except ValueError:
        ok = False
    assert ok == expected
    if ok:
        cl.BurstDesign(count, hz)


# ----------------------------------------------------------------------------------------------------
# encoders
# ----------------------------------------------------------------------------------------------------
def _expected_rate(distance, width=600.0):
    """The paper's rate code: 10 distance bands of 60 units; 40 Hz nearest, 4 Hz farthest."""
    band = min(9, int((width - distance) // (width / 10)))
    return 4 * (band + 1)


@pytest.mark.parametrize("distance", [0.0, 30.0, 59.9, 60.0, 150.0, 300.0, 421.0, 540.0, 599.0, 600.0])
def test_rate_code_gives_the_right_pulses_per_second(distance):
    enc = PlaceRateEncoder(pong_layout().sensory)
    rate = _expected_rate(distance)
    assert enc.rate_hz(distance) == rate
    pulses = sum(len(enc.encode(distance, 300.0)) for _ in range(1000))  # 10 s of 10 ms ticks
    assert pulses == 10 * rate
    assert 4 <= rate <= 40 and rate % 4 == 0


def test_four_hz_is_one_pulse_every_250_ms_and_first_tick_fires():
    enc = PlaceRateEncoder(pong_layout().sensory)
    ticks = [t for t in range(200) if enc.encode(599.0, 10.0)]
    assert ticks == [0, 25, 50, 75, 100, 125, 150, 175]


def test_rate_phase_carries_over_when_the_ball_approaches():
    enc = PlaceRateEncoder(pong_layout().sensory)
    far = sum(len(enc.encode(590.0, 300.0)) for _ in range(100))
    near = sum(len(enc.encode(10.0, 300.0)) for _ in range(100))
    assert (far, near) == (4, 40)


@pytest.mark.parametrize("band", range(8))
def test_place_code_maps_y_bands_to_the_eight_channels(band):
    layout = pong_layout()
    enc = PlaceRateEncoder(layout.sensory)
    for y in (band * 75.0, band * 75.0 + 37.5, band * 75.0 + 74.9):
        enc.reset()
        (cmd,) = enc.encode(100.0, y)
        assert cmd.channels == (layout.sensory[band],)
        assert cmd.pulse == SENSORY_PULSE and cmd.burst_count == 1
    enc.reset()
    assert enc.encode(100.0, 600.0)[0].channels == (
        layout.sensory[7],
    )  # the top wall belongs to the top band


@settings(max_examples=60)
@given(st.lists(st.tuples(st.floats(0, 600), st.floats(0, 600)), min_size=1, max_size=400))
def test_property_place_rate_encoder(positions):
    layout = pong_layout()
    enc = PlaceRateEncoder(layout.sensory)
    count, expected = 0, 1.0  # the first tick fires, then the accumulator gains rate * 10 ms per tick
    for t, (x, y) in enumerate(positions):
        cmds = enc.encode(x, y)
        assert len(cmds) <= 1
        if cmds:
            band = min(7, int(y // 75.0))
            assert cmds[0].channels == (layout.sensory[band],)
        count += len(cmds)
        if t < len(positions) - 1:
            expected += _expected_rate(x) * 0.01
    assert expected - 1 < count <= expected + 1e-9


def test_agent_encoder_rate_mode():
    layout = pong_layout()
    enc = AgentStimEncoder(layout.sensory, kind="rate")
    assert enc.action_space.nvec.tolist() == [11] * 8
    action = np.array([0, 1, 10, 5, 0, 0, 0, 2])
    counts = np.zeros(64, dtype=int)
    for _ in range(100):
        counts += pulses_per_channel(enc.encode(action))
    expected = {layout.sensory[i]: 4 * lvl for i, lvl in enumerate(action)}
    assert {c: int(counts[c]) for c in layout.sensory} == expected
    assert counts.sum() == sum(expected.values())


def test_agent_encoder_pulse_mode_and_bad_actions():
    layout = pong_layout()
    enc = AgentStimEncoder(layout.sensory, kind="pulse")
    (cmd,) = enc.encode([1, 0, 0, 1, 0, 0, 0, 1])
    assert cmd.channels == (layout.sensory[0], layout.sensory[3], layout.sensory[7])
    assert enc.encode(np.zeros(8, dtype=int)) == ()
    with pytest.raises(ValueError, match="not in the action space"):
        enc.encode([2, 0, 0, 0, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="not in the action space"):
        enc.encode([1, 0])
    with pytest.raises(ValueError, match="kind = 'burst'; allowed"):
        AgentStimEncoder(layout.sensory, kind="burst")


@given(st.integers(0, 2**32 - 1), st.sampled_from(["rate", "pulse"]))
def test_property_agent_encoder_accepts_every_sample_of_its_space(seed, kind):
    enc = AgentStimEncoder(pong_layout().sensory, kind=kind)
    enc.action_space.seed(seed)
    for _ in range(20):
        for cmd in enc.encode(enc.action_space.sample()):
            assert set(cmd.channels) <= set(enc.channels)


# ----------------------------------------------------------------------------------------------------
# decoders
# ----------------------------------------------------------------------------------------------------
def test_channel_group_counts_and_errors():
    idx = make_group_index([(1, 2), (3,)])
    assert channel_group_counts(np.array([1, 3, 3, 9, 2]), idx).tolist() == [2, 2]
    assert channel_group_counts(np.array([], dtype=int), idx, 2).tolist() == [0, 0]
    with pytest.raises(ValueError, match="spike channel 64 is out of range"):
        channel_group_counts(np.array([64]), idx)
    with pytest.raises(ValueError, match="already in group 0"):
        make_group_index([(1, 2), (2,)])
    assert channel_counts([5, 5, 63]).tolist() == [0] * 5 + [2] + [0] * 57 + [1]
    with pytest.raises(ValueError, match="spike channels must be integers 0..63, got dtype float64"):
        channel_counts(np.array([1.0, 2.5]))
    with pytest.raises(ValueError, match="spike channel -1 is out of range"):
        pong_layout().group_counts(np.array([3, -1]))


@given(st.lists(st.integers(0, 63), max_size=300))
def test_property_group_counts_match_a_loop(channels):
    layout = pong_layout()
    expected = [sum(1 for c in channels if c in g) for g in layout.groups.values()]
    assert layout.group_counts(np.array(channels, dtype=np.int64)).tolist() == expected


def test_decoder_first_step_follows_the_published_formula():
    dec = MotorRegionDecoder()
    v = dec.step([1, 0])
    b1, b2 = 0.2 + 0.001 * (1 - 0.2), 0.2 + 0.001 * (0 - 0.2)
    assert dec.baselines == pytest.approx([b1, b2])
    assert dec.action == pytest.approx(0.2 * (1 / b1))
    assert v == pytest.approx(0.45 * dec.action)
    v2 = dec.step([0, 0])
    assert v2 == pytest.approx(0.875 * v)  # carry-over with no spikes
    assert dec.step([0, 3]) < 0  # region 2 pushes the paddle down


def test_decoder_gain_adapts_to_a_steady_rate():
    dec = MotorRegionDecoder()
    first = dec.step([5, 0]) and dec.action
    for _ in range(10_000):  # ten time constants at 0.001 per tick
        dec.step([5, 0])
    assert dec.baselines[0] == pytest.approx(5.0, rel=1e-3)
    assert dec.action == pytest.approx(0.2 * 5 / dec.baselines[0])
    assert first > 20 * dec.action  # the same count moves the paddle far less once it is expected


def test_decoder_balanced_regions_cancel_and_clip():
    dec = MotorRegionDecoder()
    for n in (0, 3, 7, 1):
        dec.step([n, n])
        assert dec.action == 0.0 and dec.velocity == 0.0
    clipped = MotorRegionDecoder(MotorDecoderParams(max_speed=1.5))
    assert clipped.step([50, 0]) == 1.5
    with pytest.raises(ValueError, match="2 motor regions"):
        clipped.step([1, 2, 3])
    with pytest.raises(ValueError, match=r"counts\[1\]"):
        clipped.step([1, -1])
    with pytest.raises(ValueError, match="baseline_rate"):
        MotorDecoderParams(baseline_rate=0.0)


counts_seq = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=300)


@given(counts_seq)
def test_property_decoder(seq):
    arr = np.array(seq)
    dec = MotorRegionDecoder()
    v = dec.run(arr)
    # streaming and batch agree
    again = MotorRegionDecoder()
    assert [again.step(row) for row in arr] == v.tolist()
    # mirror symmetry: swapping regions negates every velocity
    assert MotorRegionDecoder().run(arr[:, ::-1]) == pytest.approx(-v)
    # baselines stay between the initial value and the counts seen
    lo, hi = min(0.2, arr.min()), max(0.2, arr.max())
    assert all(lo - 1e-12 <= b <= hi + 1e-12 for b in dec.baselines)
    # one tick's term is bounded by 1 / baseline_rate, so |v| <= 0.45 * 0.2 * 1000 / (1 - 0.875)
    assert np.all(np.abs(v) <= 0.45 * 0.2 * 1000 / (1 - 0.875) + 1e-9)


# ----------------------------------------------------------------------------------------------------
# feedback
# ----------------------------------------------------------------------------------------------------
def _run(fb, events, ticks):
    """Step a feedback over ``ticks`` ticks with ``events`` = {tick: event}; return per-tick outputs."""
    return [fb.step(t, events.get(t)) for t in range(ticks)]


def test_stimulus_hit_is_100hz_for_100ms_on_all_sensory_channels():
    layout = pong_layout()
    fb = Feedback(layout.feedback, "stimulus", seed=1)
    out = _run(fb, {10: "hit"}, 40)
    emitted = [(t, c) for t, o in enumerate(out) for c in o.commands]
    assert len(emitted) == 1
    t, cmd = emitted[0]
    assert t == 10
    assert set(cmd.channels) == set(layout.sensory)
    assert cmd.burst_hz == 100.0 and cmd.burst_count == 10  # 100 Hz x 100 ms
    assert cmd.burst_count / cmd.burst_hz == pytest.approx(0.1)
    assert cmd.pulse.phase_currents_uA == (-1.0, 1.0)  # "predictable": the 75 mV equivalent
    assert not any(o.paused for o in out)
    # sensory input is muted only while the burst runs
    assert [o.sensory_enabled for o in out[8:22]] == [True, True] + [False] * 10 + [True, True]


def test_stimulus_miss_is_5hz_for_4s_random_then_play_pauses_8_2s():
    layout = pong_layout()
    fb = Feedback(layout.feedback, "stimulus", seed=3)
    miss = 100
    out = _run(fb, {miss: "miss"}, 1200)
    pulses = [(t, cmd) for t, o in enumerate(out) for cmd in o.commands]
    assert len(pulses) == 20  # 5 Hz x 4 s
    times = np.array([t for t, _ in pulses])
    assert times.min() >= miss and times.max() < miss + 400
    # 5 Hz: one pulse in every 200 ms window of the 4 s
    assert np.bincount((times - miss) // 20, minlength=20).tolist() == [1] * 20
    for _, cmd in pulses:
        assert len(cmd.channels) == 1 and cmd.channels[0] in layout.sensory
        assert cmd.pulse.phase_currents_uA == (-2.0, 2.0)  # "unpredictable": the 150 mV equivalent
    assert len({cmd.channels for _, cmd in pulses}) > 1  # random channels
    paused = [t for t in range(1200) if fb.is_paused(t)]
    assert paused == list(range(miss + 1, miss + 1 + 820))  # 8.2 s frozen
    assert [o.paused for o in out] == [fb.is_paused(t + 1) for t in range(1200)]
    assert not any(o.sensory_enabled for o in out[miss : miss + 821])
    assert all(o.sensory_enabled for o in out[miss + 821 :])


def test_miss_schedule_is_seeded():
    def schedule(seed):
        fb = Feedback(pong_layout().feedback, seed=seed)
        return [(t, c.channels) for t, o in enumerate(_run(fb, {0: "miss"}, 400)) for c in o.commands]

    assert schedule(5) == schedule(5)
    assert schedule(5) != schedule(6)


def test_silent_no_feedback_and_rest_conditions():
    ch = pong_layout().feedback
    silent = _run(Feedback(ch, "silent"), {5: "hit", 50: "miss"}, 1000)
    assert not any(o.commands for o in silent)
    assert sum(o.paused for o in silent) == 820  # the miss stimulus replaced by an equally long pause

    nofb = Feedback(ch, "no_feedback")
    out = _run(nofb, {5: "hit", 50: "miss"}, 1000)
    assert not any(o.commands or o.paused for o in out)
    assert all(o.sensory_enabled for o in out)
    assert nofb.reset_ball_on_miss is False

    rest = Feedback(ch, "rest")
    out = _run(rest, {5: "hit", 50: "miss"}, 1000)
    assert not any(o.commands or o.sensory_enabled for o in out)
    assert rest.reset_ball_on_miss is True
    assert set(FEEDBACK_CONDITIONS) == {"stimulus", "silent", "no_feedback", "rest", "swapped"}


def test_feedback_bad_input():
    ch = pong_layout().feedback
    with pytest.raises(ValueError, match=r"unknown feedback condition 'loud'; allowed: \('stimulus'"):
        Feedback(ch, "loud")
    fb = Feedback(ch)
    with pytest.raises(ValueError, match="unknown game event 'kill'"):
        fb.step(0, "kill")
    fb.step(3)
    with pytest.raises(ValueError, match="tick 3 does not follow tick 3"):
        fb.step(3)
    with pytest.raises(ValueError, match="miss_pause_s"):
        Feedback(ch, params=FeedbackParams(miss_pause_s=2.0))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.sampled_from([None, None, None, "hit", "miss"]), max_size=2000))
def test_property_feedback_loop_never_plays_while_paused(seed, events):
    """Drive the feedback like an env: no event while paused; each miss costs exactly 20 miss pulses."""
    fb = Feedback(pong_layout().feedback, seed=seed)
    misses, miss_pulses, hit_pulses = 0, 0, 0
    pending = list(reversed(events))
    t, quiet = 0, 0
    while pending or quiet < 500:  # all events, then long enough for the last miss stimulus to finish
        if fb.is_paused(t):
            ev = None
        elif pending:
            ev = pending.pop()
        else:
            ev, quiet = None, quiet + 1
        misses += ev == "miss"
        for cmd in fb.step(t, ev).commands:
            if cmd.burst_count > 1:
                hit_pulses += cmd.burst_count
            else:
                miss_pulses += 1
        t += 1
    assert miss_pulses == 20 * misses
    assert hit_pulses % 10 == 0
    assert fb.pending == 0


# ----------------------------------------------------------------------------------------------------
# design rule: coding and render do not depend on cl, the culture or the link
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("package", ["clgym/coding", "clgym/render"])
def test_no_imports_of_cl_culture_or_link(package):
    for path in (ROOT / package).glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name != "cl" and not name.startswith(("cl.", "clgym.culture", "clgym.link")), (
                    f"{path.name} imports {name}"
                )
