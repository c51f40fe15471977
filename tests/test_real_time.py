"""The envs and the SDK link in wall-clock time: pacing, info["late_ms"], stims reaching the culture on time, the
real-time demo and the jitter benchmark, and no producer left behind (after close and after an exception)."""

import time

import gymnasium as gym
import numpy as np
import pytest
from _helpers_echo_source import ECHO_FRAMES
from _helpers_link_scenarios import TINY

import clgym  # noqa: F401 - registers the ids
from clgym.links import SdkLink, sdk_child_processes
from clgym.links.processes import process_running


def test_a_real_time_env_steps_at_the_wall_clock_reports_lateness_and_leaves_no_producer():
    env = gym.make("CLPong-v0", culture="tiny", link="sdk", real_time=True, latency_ms=2.0, seed=1)
    try:
        _, info = env.reset()
        assert info["late_ms"] == 0.0  # no tick yet
        link = env.unwrapped.connection.link
        pid = link.producer_pid
        assert not link.accelerated and link.latency_frames == 50 and process_running(pid)
        env.step(0)
        started, late = time.monotonic(), []
        for _ in range(100):
            _, _, _, _, info = env.step(0)
            late.append(info["late_ms"])
        elapsed = time.monotonic() - started
    finally:
        env.close()
    assert 0.95 <= elapsed < 5.0  # 100 ticks of 10 ms, paced by the producer's wall clock
    assert all(isinstance(x, float) and x >= 0 for x in late) and np.median(late) < 10.0
    assert not process_running(pid) and sdk_child_processes() == {}


def test_an_exception_in_a_real_time_session_stops_the_producer():
    env = gym.make("CLDoomLiteBasic-v0", culture="tiny", link="sdk", real_time=True, seed=1)
    try:
        with pytest.raises(ValueError, match="not in the action space"):
            env.reset()
            pid = env.unwrapped.connection.link.producer_pid
            env.step(0)
            env.step(99)
    finally:
        env.close()
    assert not process_running(pid) and sdk_child_processes() == {}


def test_in_real_time_a_stim_reaches_the_source_in_its_own_tick_not_a_tick_later():
    """The echo source answers each pulse ECHO_FRAMES after it reaches the source; a pulse handed to the producer
    late is echoed late (cl-sdk's real-time loop alone would hand a loop body's stims over a whole tick late)."""
    with SdkLink(TINY, source_factory="_helpers_echo_source:echo_source", accelerated=False) as link:
        link.advance()
        pulses, echoes = [], []
        for k in range(80):
            if k % 8 == 3:
                link.stim([27], 1.0)
            tick = link.advance()
            pulses += tick.stim_timestamps.tolist()
            echoes += tick.spike_timestamps.tolist()
    assert len(pulses) == 10 and len(echoes) >= 9
    lags = [e - p for p, e in zip(pulses, echoes, strict=False)]
    assert min(lags) >= ECHO_FRAMES
    assert np.median(lags) < ECHO_FRAMES + 125  # delivered within 5 ms of its frame (a tick late: 250 and more)
    assert sdk_child_processes() == {}


def test_the_real_time_demo_runs_headless(tmp_path):
    from clgym.demo import run_demo

    result = run_demo(minutes=0.05, out_dir=tmp_path, culture="tiny", show=False, quiet=True, real_time=True,
                      excerpt_seconds=1.0)
    assert 2.9 <= result.wall_seconds and result.gif_path.is_file()
    assert "real time through the cl SDK: ticks reached the env late by p50" in result.table
    assert sdk_child_processes() == {}


def test_the_jitter_benchmark_prints_a_row_per_preset(capsys):
    from clgym.bench import BENCHMARKS
    from clgym.bench.jitter import main

    assert BENCHMARKS["jitter"] == "clgym.bench.jitter"
    assert main(["--presets", "tiny", "--seconds", "1", "--warmup", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "`clgym bench jitter --presets tiny --seconds 1 --warmup 0.2`" in out and "load average before" in out
    row = next(line for line in out.splitlines() if line.startswith("| tiny |"))
    assert row.endswith("|") and " of 100 |" in row
    assert sdk_child_processes() == {}


def test_a_culture_falling_behind_real_time_shows_in_the_lateness():
    """The producer's source sleeps 0.3 s in one read: the ticks after it reach the caller ~300 ms late against
    the wall clock (the producer's own clock would call them on time), then the producer catches up."""
    with SdkLink(TINY, accelerated=False, source_factory="_helpers_faulty_sources:faulty_culture_source",
                 source_options={"slow_at_frame": 20 * 250, "slow_seconds": 0.3}) as link:
        late = []
        for _ in range(60):
            link.advance()
            late.append(link.last_late_ms)
    # the stall shows around the stalled read (tick 20), not at the start (a loaded machine can
    # make the first ticks late too, but not by the stall's 300 ms)
    assert max(late) >= 200 and int(np.argmax(late)) >= 10  # the producer reads a few ticks ahead
    assert late[-1] < max(late) / 2  # and the producer catches up
    assert sdk_child_processes() == {}
