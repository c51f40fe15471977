"""The culture as a cl.sim data source: config, metadata, on_stims -> read semantics, failure reports."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from cl.sim import DataSourceBatch, DataSourceStim
from cl.sim._data_source import validate_metadata

from clgym.culture import ConfigError, Culture, CultureConfig, spike_waveform
from clgym.links.processes import process_running
from clgym.sources import CULTURE_SOURCE_FACTORY, CultureSource, culture_source, culture_source_metadata

TINY = {"preset": "tiny", "seed": 4}
PULSE = ((200, 200), (-2.5, 2.5))


def opened(**config):
    source = culture_source(**config)
    source.open()
    return source


def stim(timestamp, channel, phases=PULSE):
    return DataSourceStim(
        timestamp=timestamp,
        channel=channel,
        intended_timestamp=timestamp,
        phase_durations_us=phases[0],
        phase_currents_uA=phases[1],
    )


def test_factory_builds_from_a_json_round_tripped_config():
    config = json.loads(json.dumps({"culture": {"preset": "tiny", "seed": 9, "stdp": False}, "frames": "full"}))
    source = culture_source(**config)
    assert isinstance(source, CultureSource)
    assert source.culture_config == CultureConfig.from_preset("tiny", seed=9, stdp=False)
    assert source.frame_mode == "full"
    module, _, name = CULTURE_SOURCE_FACTORY.partition(":")
    assert getattr(__import__(module, fromlist=[name]), name) is culture_source


def test_metadata_is_static_valid_and_accelerated():
    metadata = validate_metadata(culture_source_metadata())
    assert metadata == culture_source(culture=TINY).metadata == culture_source(culture={"preset": "small"}).metadata
    assert (metadata.channel_count, metadata.frames_per_second) == (64, 25_000)
    assert metadata.supports_accelerated and not metadata.realtime_only


@pytest.mark.parametrize(
    "config, field",
    [
        ({"culture": {"preset": "tiny", "n_neurons": 3}}, "n_neurons"),
        ({"culture": {"preset": "nope"}}, "preset"),
        ({"culture": TINY, "frames": "some"}, "frames"),
        ({"culture": TINY, "parent_pid": -1}, "parent_pid"),
        ({"culture": TINY, "parent_pid": 1.5}, "parent_pid"),
        ({"culture": TINY, "parent_watchdog": "yes"}, "parent_watchdog"),
        ({"culture": TINY, "parent_pid": 1, "parent_watchdog": False}, "parent_watchdog"),
        ({"culture": "tiny"}, "culture"),
        ({"preset": "huge2"}, "preset"),
    ],
)
def test_bad_config_fails_at_construction_naming_the_field(config, field):
    with pytest.raises((ConfigError, ValueError), match=field):
        culture_source(**config)


def test_read_returns_the_cultures_spikes_sorted_inside_the_window_with_waveforms():
    source = opened(culture=TINY, frames="zeros")
    reference = Culture(CultureConfig.from_dict(dict(TINY)))
    total = 0
    for start in range(0, 2500, 250):
        batch = source.read(start, 250)
        expected = reference.advance(250)
        assert isinstance(batch, DataSourceBatch) and batch.frames is None
        stamps = np.array([s.timestamp for s in batch.spikes], np.int64)
        np.testing.assert_array_equal(stamps, expected.timestamps)
        np.testing.assert_array_equal([s.channel for s in batch.spikes], expected.channels)
        assert np.all(np.diff(stamps) >= 0) and np.all((stamps >= start) & (stamps < start + 250))
        for spike, amplitude in zip(batch.spikes, expected.amplitudes_uv, strict=True):
            assert spike.samples.dtype == np.float32 and spike.samples.shape == (75,)
            np.testing.assert_array_equal(spike.samples, spike_waveform(float(amplitude)))
        total += len(batch.spikes)
    assert total > 0
    assert reference.frame == source.culture.frame == 2500


def test_pulses_reach_the_culture_at_their_exact_frames_whatever_the_delivery_order():
    frames = [5, 5, 130, 260, 377]
    channels = [27, 28, 27, 44, 27]
    stims = [stim(f, c) for f, c in zip(frames, channels, strict=True)]
    in_order, scrambled = opened(culture=TINY), opened(culture=TINY)
    reference = Culture(CultureConfig.from_dict(dict(TINY)))
    for f, c in sorted(zip(frames, channels, strict=True)):
        reference.stimulate(c, f, *PULSE)
    spikes = {}
    for name, source, order in (("in_order", in_order, stims), ("scrambled", scrambled, stims[::-1])):
        source.on_stims([s for s in order if s.timestamp < 250])
        first = source.read(0, 250).spikes
        source.on_stims([s for s in order if s.timestamp >= 250])
        spikes[name] = [(s.timestamp, s.channel) for s in first + source.read(250, 250).spikes]
    expected = reference.advance(500)
    assert (
        spikes["in_order"]
        == spikes["scrambled"]
        == list(zip(expected.timestamps.tolist(), expected.channels.tolist(), strict=True))
    )
    unstimulated = Culture(CultureConfig.from_dict(dict(TINY))).advance(500)
    assert len(expected) > len(unstimulated)  # the pulses did something


def test_a_late_stim_applies_at_the_read_head_instead_of_failing():
    source = opened(culture=TINY)
    source.read(0, 250)
    source.on_stims([stim(100, 27)])  # real-time SDK mode can deliver a stim after its frame
    late = source.read(250, 250).spikes
    reference = Culture(CultureConfig.from_dict(dict(TINY)))
    reference.advance(250)
    reference.stimulate(27, 250, *PULSE)
    expected = reference.advance(250)
    assert [(s.timestamp, s.channel) for s in late] == list(
        zip(expected.timestamps.tolist(), expected.channels.tolist(), strict=True)
    )
    unstimulated = Culture(CultureConfig.from_dict(dict(TINY)))
    unstimulated.advance(250)
    assert len(late) > len(unstimulated.advance(250))  # the late pulse was applied, not dropped


def test_reads_only_move_forward_and_skip_gaps():
    source = opened(culture=TINY)
    source.read(0, 250)
    with pytest.raises(ValueError, match="from_timestamp=100 is behind"):
        source.read(100, 250)
    batch = source.read(1000, 250)
    assert source.culture.frame == 1250
    assert all(1000 <= s.timestamp < 1250 for s in batch.spikes)


def test_frame_modes_realistic_frames_by_default():
    full = opened(culture=TINY).read(0, 250)  # what a CL1 user reads through tick.frames / neurons.read()
    assert full.frames.dtype == np.int16 and full.frames.shape == (250, 64) and np.any(full.frames != 0)
    np.testing.assert_array_equal(opened(culture=TINY, frames="full").read(0, 250).frames, full.frames)
    assert opened(culture=TINY, frames="zeros").read(0, 250).frames is None


def test_preset_and_seed_shorthands_match_the_culture_object():
    assert culture_source(preset="tiny", seed=4).culture_config == culture_source(culture=TINY).culture_config
    assert culture_source(culture={"preset": "tiny"}, seed=4).culture_config == CultureConfig.from_dict(TINY)
    assert culture_source().culture_config == CultureConfig.from_preset("dishbrain")
    with pytest.raises(ValueError, match="seed=5 conflicts with culture.seed=4"):
        culture_source(culture=TINY, seed=5)


def test_a_failure_is_reported_to_the_file_and_still_raised(tmp_path):
    report = tmp_path / "failure.txt"
    source = culture_source(culture=TINY, failure_report_path=str(report))
    with pytest.raises(RuntimeError, match="not open"):
        source.read(0, 250)  # never opened
    text = report.read_text()
    assert "RuntimeError in CultureSource.read" in text and "not open" in text and "Traceback" in text


def test_the_parent_watchdog_refuses_a_wrong_parent():
    source = culture_source(culture=TINY, parent_pid=os.getpid())  # we are not our own parent
    with pytest.raises(RuntimeError, match="not this process's parent"):
        source.open()
    source.close()


WATCHED_SOURCE = textwrap.dedent("""
    import os, sys
    from clgym.sources import culture_source
    source = culture_source(culture={"preset": "tiny", "seed": 1}, parent_pid=os.getppid())
    source.open()
    print("READY", flush=True)
    start = 0
    while True:  # a busy source, like a producer polling for work
        source.read(start, 250)
        start += 250
""")
PARENT = textwrap.dedent("""
    import subprocess, sys
    grandchild = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE, text=True)
    print(grandchild.pid, grandchild.stdout.readline().strip(), flush=True)
    grandchild.wait()
""")


def test_the_parent_watchdog_ends_the_source_process_when_its_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT, WATCHED_SOURCE], stdout=subprocess.PIPE, text=True)
    try:
        words = parent.stdout.readline().split()
        assert words[1:] == ["READY"], words
        source_pid = int(words[0])
        assert process_running(source_pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 2.0  # the watchdog polls every 0.25 s
        while time.monotonic() < deadline and process_running(source_pid):
            time.sleep(0.02)
        assert not process_running(source_pid)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
