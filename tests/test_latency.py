"""Closed-loop latency (``latency_ms``, :mod:`clgym.links.base`): validated before anything runs, a pure delay of
each stim's delivery on both links (frame-exact, in the tick's stims and in the culture's response), and game
time untouched in the envs (same decoded spikes => same events at the same steps, the same stims issued; only
their delivery moves)."""

import math

import gymnasium as gym
import numpy as np
import pytest
from _helpers_echo_source import ECHO_FRAMES, EchoSource
from _helpers_link_scenarios import EVOKE_CHANNEL, EVOKE_DESIGN, TINY

import clgym  # noqa: F401 - registers the ids
from clgym.envs.base import CultureConnection
from clgym.links import InProcessLink, SdkLink, open_link, sdk_child_processes
from clgym.links.base import MAX_LATENCY_MS, latency_frames_for

ALLOWED = "allowed: 0 to 1000 ms in steps of 0.04 ms (one 25 kHz frame)"
BAD_LATENCIES = [-0.04, 0.05, 0.001, 1000.04, math.nan, math.inf, True, "5", [1.0]]
ENV_IDS = ["CLPong-v0", "CLDoomLite-v0", "CLDoomLiteBasic-v0", "CLDoomLiteDefendTheCenter-v0",
           "CLDoomLiteDeadlyCorridor-v0"]


# -- validation -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", BAD_LATENCIES, ids=repr)
def test_a_bad_latency_is_refused_naming_the_field_and_the_range(value):
    with pytest.raises(ValueError, match=r"latency_ms=.* is not allowed; " + ALLOWED.replace("(", r"\(")
                       .replace(")", r"\)")):
        latency_frames_for(value)


def test_latencies_are_counted_in_frames():
    assert [latency_frames_for(x) for x in (0, 0.0, 0.04, 4.2, 10, 23.04, MAX_LATENCY_MS)] == \
        [0, 0, 1, 105, 250, 576, 25_000]


@pytest.mark.parametrize("value", [0.05, -1.0])
def test_both_links_refuse_a_bad_latency_before_anything_runs(value):
    with pytest.raises(ValueError, match="latency_ms"):
        InProcessLink(TINY, latency_ms=value)
    with pytest.raises(ValueError, match="latency_ms"):
        SdkLink(TINY, latency_ms=value)
    with pytest.raises(ValueError, match="latency_ms"):
        open_link("random", latency_ms=value)
    assert sdk_child_processes() == {}  # no producer was started


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_every_env_takes_the_latency_and_refuses_a_bad_one_in_its_constructor(env_id):
    with pytest.raises(ValueError, match=r"latency_ms=0\.05 is not allowed; allowed: 0 to 1000 ms"):
        gym.make(env_id, culture="tiny", latency_ms=0.05)
    env = gym.make(env_id, culture="tiny", latency_ms=4.2)
    try:
        env.reset(seed=1)
        link = env.unwrapped.connection.link
        assert isinstance(link, InProcessLink) and link.latency_frames == 105
    finally:
        env.close()


def test_real_time_needs_the_sdk_link_and_a_given_link_keeps_its_own_latency():
    with pytest.raises(ValueError, match="real_time=True is not allowed with link='in_process'; allowed: link='sdk'"):
        gym.make("CLPong-v0", culture="tiny", real_time=True)
    with pytest.raises(ValueError, match="real_time=1 is not allowed; allowed: True or False"):
        CultureConnection("sdk", "tiny", real_time=1)
    with InProcessLink(TINY, latency_ms=2.0) as link:
        assert CultureConnection(link).latency_ms == pytest.approx(2.0)
        assert CultureConnection(link, latency_ms=2.0).latency_ms == pytest.approx(2.0)
        with pytest.raises(ValueError, match=r"latency_ms=0 is not allowed with a Link instance opened with "
                                             r"latency_ms=2; allowed: None or 2"):
            CultureConnection(link, latency_ms=0)


# -- a pulse arrives L later, frame-exact, and so does the response --------------------------------------------
PLAN = {  # tick -> stims (channels, design, burst): a burst, a multi-channel stim, a channel kept busy
    1: [([EVOKE_CHANNEL], EVOKE_DESIGN, None)],
    3: [([44], 1.5, (4, 150)), ([9, 10, 11], 1.0, None)],
    4: [([33], 1.0, None), ([33], 1.0, None)],
    5: [([33], 1.0, None)],
    9: [([20], (100, -2.0, 60, 2.0, 20, -1.0), None)],
}
N = 20


def play(link, n=N):
    stims, spikes = [], []
    with link:
        for k in range(n):
            for channels, design, burst in PLAN.get(k, []):
                link.stim(channels, design, burst)
            tick = link.advance()
            assert np.all((tick.stim_timestamps >= tick.start_timestamp) & (tick.stim_timestamps < tick.stop_timestamp))
            stims += list(zip(tick.stim_timestamps.tolist(), tick.stim_channels.tolist(), strict=True))
            spikes += list(zip(tick.spike_timestamps.tolist(), tick.spike_channels.tolist(), strict=True))
    return stims, spikes


@pytest.fixture(scope="module")
def echo_runs():
    runs = {("in_process", 0): play(InProcessLink(source=EchoSource()))}
    for latency_ms in (0.04, 4.2, 10.0, 23.04):
        runs[("in_process", latency_ms)] = play(InProcessLink(source=EchoSource(), latency_ms=latency_ms))
    runs[("sdk", 23.04)] = play(SdkLink(TINY, source_factory="_helpers_echo_source:echo_source", latency_ms=23.04))
    return runs


@pytest.mark.parametrize("latency_ms", [0.04, 4.2, 10.0, 23.04])
def test_every_pulse_and_its_response_arrive_exactly_the_latency_later(echo_runs, latency_ms):
    frames = round(latency_ms * 25)
    stims0, spikes0 = echo_runs[("in_process", 0)]
    stims, spikes = echo_runs[("in_process", latency_ms)]
    assert len(stims0) == 12 and spikes0 == [(t + ECHO_FRAMES, c) for t, c in stims0]  # the echo is exact
    assert stims0[0] == (250 + 2, EVOKE_CHANNEL)  # lead time only: the tick boundary + 2 frames
    end = N * 250
    assert stims == [(t + frames, c) for t, c in stims0 if t + frames < end]  # the tick's stims: shifted by L
    assert spikes == [(t + frames, c) for t, c in spikes0 if t + frames < end]  # the response: shifted by L
    assert stims != stims0


def test_the_sdk_link_delays_delivery_exactly_as_the_in_process_link(echo_runs):
    assert echo_runs[("sdk", 23.04)] == echo_runs[("in_process", 23.04)]
    assert len(echo_runs[("sdk", 23.04)][0]) >= 12


def test_a_culture_answers_the_delayed_pulse_not_the_command():
    """The simulated culture's evoked spikes follow the pulse where it lands: L after the command."""
    latency = 125  # 5 ms
    evoke_ticks = range(2, 60, 10)
    results = {}
    for frames in (0, latency):
        with InProcessLink(TINY, latency_ms=frames / 25) as link:
            ticks = []
            for k in range(60):
                if k in evoke_ticks:
                    link.stim([EVOKE_CHANNEL], EVOKE_DESIGN)
                ticks.append(link.advance())
        stamps = np.concatenate([t.spike_timestamps for t in ticks])
        channels = np.concatenate([t.spike_channels for t in ticks])
        row, col = divmod(channels, 8)
        near = np.maximum(abs(row - EVOKE_CHANNEL // 8), abs(col - EVOKE_CHANNEL % 8)) <= 1
        pulses = [t for tick in ticks for t in tick.stim_timestamps.tolist()]
        assert pulses == [250 * k + 2 + frames for k in evoke_ticks]
        first, after_pulse, before_pulse = [], 0, 0
        for pulse in pulses:
            after = near & (stamps >= pulse) & (stamps < pulse + 250)
            first.append(int(stamps[after].min() - pulse) if after.any() else None)
            after_pulse += int((near & (stamps >= pulse) & (stamps < pulse + latency)).sum())
            before_pulse += int((near & (stamps >= pulse - latency) & (stamps < pulse)).sum())
        results[frames] = first, after_pulse, before_pulse
    for frames, (first, after_pulse, before_pulse) in results.items():
        answered = [f for f in first if f is not None]
        assert len(answered) >= len(evoke_ticks) - 1
        assert np.median(answered) < 150  # the response is within ~6 ms of the delivered pulse, for L = 0 or 5 ms
        # the 5 ms after the pulse hold the response; the 5 ms before it (with L = 5 ms: between the command and
        # the pulse) only the spontaneous activity
        assert after_pulse >= 3 * max(before_pulse, 1), (frames, after_pulse, before_pulse)


# -- game time is untouched ------------------------------------------------------------------------------------
def run_env(env_id, latency_ms, steps, **kwargs):
    link = open_link("random", seed=5, latency_ms=latency_ms)
    issued, delivered = [], []

    def on_stim(request):
        issued.append((link.tick_index, request.channels, request.phase_currents_uA, request.burst_count))

    def on_tick(tick):
        delivered.extend(zip(tick.stim_timestamps.tolist(), tick.stim_channels.tolist(), strict=True))

    link.observe(on_tick=on_tick, on_stim=on_stim)
    env = gym.make(env_id, link=link, **kwargs)
    events = []
    try:
        env.reset(seed=3)
        for _ in range(steps):
            _, reward, terminated, truncated, info = env.step(0)
            events.append((reward, info.get("event"), info.get("events"), info.get("game_action"),
                           info["spike_count"]))
            if terminated or truncated:
                break
    finally:
        env.close()
        link.close()
    return events, issued, delivered, link.tick_index


@pytest.mark.parametrize("env_id,steps", [("CLPong-v0", 1000), ("CLDoomLiteBasic-v0", 857)])
def test_the_decoder_and_the_feedback_keep_their_game_time_under_latency(env_id, steps):
    """The random source ignores stims, so the decoder sees the same spikes at any latency: the events must land
    at the same steps and the same stims be issued at the same steps; their delivery alone moves, by L."""
    frames = 105
    events0, issued0, delivered0, ticks = run_env(env_id, 0.0, steps)
    events, issued, delivered, _ = run_env(env_id, frames / 25, steps)
    game_events = [e for e in events0 if e[0] != 0 or e[1] or e[2]]
    assert game_events, "no game event happened: the comparison would be empty"
    assert events == events0
    assert issued == issued0 and len(issued0) > 50
    end = ticks * 250
    assert delivered == sorted((t + frames, c) for t, c in delivered0 if t + frames < end)
    assert delivered != delivered0
