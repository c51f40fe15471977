"""The recording readers (DishBrain MaxLab + events, cl SDK) and the session statistics, on synthetic files and
spike trains with known answers, on a real DishBrain file, and on bad input."""

from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clgym.analysis.recordings import (
    GAME_BEGIN,
    HIT,
    MISS,
    MOTOR_LEFT,
    MOTOR_RIGHT,
    OTHER,
    SENSORY,
    RecordingError,
    SpikeRecording,
    cl_layout_regions,
    read_cl_recording,
    read_dishbrain,
    read_recording,
)
from clgym.analysis.session_stats import game_statistics, rest_statistics
from clgym.cl1 import FRAMES_PER_SECOND as FPS
from clgym.links.recording import InProcessRecorder

DATA = Path(__file__).resolve().parent.parent / "clgym" / "data" / "dishbrain"
START = 1_000_000  # MaxLab frame of the first spike in the synthetic files
# one electrode per region: sensory (row 10), motor left (row 80, col 20), motor right (row 80, col 200)
ELECTRODES = {0: 10 * 220 + 5, 1: 80 * 220 + 20, 2: 80 * 220 + 200}
REGION_OF_CHANNEL = {0: SENSORY, 1: MOTOR_LEFT, 2: MOTOR_RIGHT}


def write_maxlab(path, frames, channels, *, events=None, mode="full game", unmapped=()):
    """A MaxLab-layout spike file (and its events file) with the given spikes."""
    spikes = np.zeros(len(frames), [("frame_no", "<u8"), ("channel", "<u4"), ("amplitude", "<f4")])
    spikes["frame_no"], spikes["channel"], spikes["amplitude"] = frames, channels, -100.0
    mapping = np.zeros(len(ELECTRODES), [("channel", "<i4"), ("electrode", "<i4"), ("x", "<f8"), ("y", "<f8")])
    mapping["channel"] = list(ELECTRODES)
    mapping["electrode"] = list(ELECTRODES.values())
    with h5py.File(path, "w") as f:
        f.create_dataset("proc0/spikeTimes", data=spikes)
        f.create_dataset("mapping", data=mapping)
    if events is not None:
        lines = [f"info: stimulation mode: {mode}"] + [f"{frame}: {text}" for frame, text in events]
        Path(str(path)[:-3] + ".events.txt").write_text("\n".join(lines) + "\n")
    return path


def test_maxlab_reader_converts_20_to_25_khz_and_assigns_dishbrain_regions(tmp_path):
    frames = START + np.array([0, 4, 8, 400, 20_000])
    channels = np.array([0, 1, 2, 1, 0])
    events = [(START - 40, "game begin"), (START + 400, "ball return"), (START + 8000, "ball missed"),
              (START + 100, "ball bounce")]
    rec = read_dishbrain(write_maxlab(tmp_path / "s.h5", frames, channels, events=events))
    assert rec.timestamps.tolist() == [0, 5, 10, 500, 25_000]
    assert rec.regions.tolist() == [SENSORY, MOTOR_LEFT, MOTOR_RIGHT, MOTOR_LEFT, SENSORY]
    assert rec.duration_frames == 20_001 * 25_000 // 20_000  # from the first spike to the last
    assert rec.kind == "game" and rec.format == "dishbrain" and rec.n_electrodes == 3
    # the game's start before the first spike is clamped to 0; bounces are not events the statistics use
    assert rec.events == [(0, GAME_BEGIN), (500, HIT), (10_000, MISS)]


def test_maxlab_rest_session_is_rest_even_though_it_is_scored(tmp_path):
    events = [(START + 400, "ball return"), (START + 800, "ball missed")]
    rec = read_dishbrain(write_maxlab(tmp_path / "r.h5", START + np.arange(0, 4000, 40), np.zeros(100, int),
                                      events=events, mode="none"))
    assert rec.kind == "rest" and len(rec.events) == 2


def test_maxlab_spikes_on_unmapped_channels_are_dropped(tmp_path):
    rec = read_dishbrain(write_maxlab(tmp_path / "u.h5", START + np.array([0, 4, 8]), np.array([0, 99, 2])))
    assert rec.timestamps.tolist() == [0, 10] and rec.regions.tolist() == [SENSORY, MOTOR_RIGHT]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=50), st.randoms(use_true_random=False))
def test_maxlab_conversion_is_exact_on_multiples_of_4_and_independent_of_spike_order(tmp_path_factory, ks, rnd):
    ks = sorted(ks)
    frames = START + 4 * np.array(ks, np.int64)
    channels = np.array([k % 3 for k in ks])
    order = list(range(len(ks)))
    rnd.shuffle(order)
    tmp = tmp_path_factory.mktemp("p")
    a = read_dishbrain(write_maxlab(tmp / "a.h5", frames, channels))
    b = read_dishbrain(write_maxlab(tmp / "b.h5", frames[order], channels[order]))
    assert a.timestamps.tolist() == [5 * (k - ks[0]) for k in ks]
    assert np.array_equal(a.timestamps, b.timestamps)
    assert sorted(zip(a.timestamps.tolist(), a.regions.tolist(), strict=True)) == \
        sorted(zip(b.timestamps.tolist(), b.regions.tolist(), strict=True))
    assert rest_statistics(a) == pytest.approx(rest_statistics(b), nan_ok=True)


def write_cl(path, timestamps, channels, *, start=5000, duration=None, events=()):
    """A recording in the cl SDK's layout, written by the SDK's own writer (through clgym's recorder)."""
    recorder = InProcessRecorder(path, start_timestamp=start, include_raw_samples=False)
    duration = duration or int(max(timestamps)) + 1
    recorder.write_spike_arrays(np.asarray(timestamps, np.int64) + start, np.asarray(channels, np.int64),
                                np.zeros((len(timestamps), 75), np.float32))
    recorder.write_window(duration, None, [], [])
    for frame, kind in events:
        recorder.write_event("game_events", start + frame, {"event": kind})
    return recorder.stop(start + duration)


def test_cl_reader_gives_relative_timestamps_layout_regions_and_stream_events(tmp_path):
    regions = cl_layout_regions()
    sensory = int(np.flatnonzero(regions == SENSORY)[0])
    left = int(np.flatnonzero(regions == MOTOR_LEFT)[0])
    path = write_cl(tmp_path / "c.h5", [10, 20, 30], [sensory, left, 0], duration=1000,
                    events=[(100, "hit"), (200, "miss")])
    rec = read_cl_recording(path)
    assert rec.timestamps.tolist() == [10, 20, 30]
    assert rec.regions.tolist() == [SENSORY, MOTOR_LEFT, OTHER]  # channel 0 does not record
    assert rec.duration_frames == 1000 and rec.format == "cl" and rec.n_electrodes == 59
    assert rec.kind == "game" and rec.events == [(100, HIT), (200, MISS)]
    assert read_recording(path).timestamps.tolist() == [10, 20, 30]


def test_cl_reader_takes_events_from_a_dishbrain_style_file(tmp_path):
    path = write_cl(tmp_path / "c.h5", [10, 20, 30], [1, 2, 3], duration=1000)
    events = tmp_path / "e.events.txt"
    events.write_text("info: stimulation mode: full game\n500: ball missed\n")
    assert read_recording(path, events).events == [(500, MISS)]
    events.write_text("5000: ball missed\n")
    with pytest.raises(RecordingError, match="outside the recording"):
        read_recording(path, events)


def test_a_real_dishbrain_rest_file():
    rec = read_recording(DATA / "9501.2021-06-01.1.h5")
    assert rec.kind == "rest" and rec.format == "dishbrain" and rec.n_electrodes > 800
    assert 9.9 < rec.duration_s / 60 < 10.1
    assert np.all(np.diff(rec.timestamps) >= 0)
    assert set(np.unique(rec.regions)) <= {SENSORY, MOTOR_LEFT, MOTOR_RIGHT}
    stats = rest_statistics(rec)  # SOURCE.md: 1.2 bursts/min, 13 % in bursts, motor corr 0.08
    assert 0.8 < stats["bursts_per_min"] < 2 and 0.10 < stats["in_burst_fraction"] < 0.16
    assert 0.05 < stats["motor_corr_outside_bursts"] < 0.11


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing.h5", "not found"),
    (lambda p: (p / "text.h5").write_text("not hdf5") and p / "text.h5", "not an HDF5 file"),
    (lambda p: _h5_with(p / "other.h5", "something"), "unknown recording format"),
    (lambda p: write_maxlab(p / "empty.h5", np.zeros(0, np.int64), np.zeros(0, np.int64)), "no spikes"),
])
def test_bad_input_names_the_problem(tmp_path, make, message):
    with pytest.raises(RecordingError, match=message):
        read_recording(make(tmp_path))


def _h5_with(path, name):
    with h5py.File(path, "w") as f:
        f.create_dataset(name, data=np.zeros(3))
    return path


def test_events_outside_the_recording_and_bad_event_lines_fail(tmp_path):
    path = write_maxlab(tmp_path / "s.h5", START + np.arange(0, 4000, 4), np.zeros(1000, int),
                        events=[(START + 10**9, "ball missed")])
    with pytest.raises(RecordingError, match="outside the recording"):
        read_recording(path)
    Path(str(path)[:-3] + ".events.txt").write_text("garbage line\n")
    with pytest.raises(RecordingError, match="line 1"):
        read_recording(path)
    with pytest.raises(RecordingError, match="not found"):
        read_recording(path, tmp_path / "none.events.txt")


def test_cl_file_with_no_spikes_fails(tmp_path):
    path = write_cl(tmp_path / "e.h5", [], [], duration=1000)
    with pytest.raises(RecordingError, match="no spikes"):
        read_recording(path)


# -- statistics on spike trains with known answers -------------------------------------------------------------
def regular(lo_s: float, hi_s: float, rate_hz: float) -> np.ndarray:
    period = int(round(FPS / rate_hz))
    return np.arange(int(lo_s * FPS), int(hi_s * FPS), period, dtype=np.int64)


def game_recording(misses_s, hits_s, duration_s, *, rally_hz=100.0, after_miss_hz=50.0, hit_extra=0):
    """100 Hz everywhere but [miss, miss + 8.2 s), which fires at 50 Hz; ``hit_extra`` spikes 0-50 ms after
    each hit."""
    edges = [0.0]
    for m in misses_s:
        edges += [m, m + 8.2]
    edges.append(duration_s)
    parts = [regular(edges[i], edges[i + 1], rally_hz if i % 2 == 0 else after_miss_hz)
             for i in range(len(edges) - 1)]
    for h in hits_s:
        parts.append(int(h * FPS) + np.linspace(0, 0.049 * FPS, hit_extra).astype(np.int64))
    ts = np.sort(np.concatenate(parts))
    events = sorted([(int(m * FPS), MISS) for m in misses_s] + [(int(h * FPS), HIT) for h in hits_s])
    return SpikeRecording(ts, np.zeros(ts.size, np.int8), int(duration_s * FPS), "game", events, n_electrodes=1)


def test_rally_pause_and_after_miss_ratios_are_the_rates_put_in():
    rec = game_recording([20.0, 50.0, 80.0], [10.0, 35.0, 65.0], 100.0)
    s = game_statistics(rec)
    assert s["rally_pause_rate_ratio"] == pytest.approx(2.0, rel=0.01)
    assert s["after_miss_ratio"] == pytest.approx(0.5, rel=0.01)
    for window in ("after_miss_0_1", "after_miss_1_2", "after_miss_2_4", "after_miss_4_8"):
        assert s[window] == pytest.approx(0.5, rel=0.02)
    assert s["hits_per_rally"] == pytest.approx(1.0)
    assert s["after_hit_ratio"] == pytest.approx(1.0, rel=0.05)


def test_after_hit_ratio_sees_a_response_of_known_size():
    # 5 background spikes in 50 ms at 100 Hz, plus 15 evoked: x4
    s = game_statistics(game_recording([30.0], [10.0, 20.0], 60.0, hit_extra=15))
    assert s["after_hit_ratio"] == pytest.approx(4.0, rel=0.05)
    assert s["hits_per_rally"] == pytest.approx(2.0)


def test_a_planted_burst_is_found_with_its_share_of_spikes():
    rng = np.random.default_rng(3)
    background = np.sort(rng.integers(0, 60 * FPS, 3000))
    burst = 30 * FPS + np.sort(rng.integers(0, int(0.2 * FPS), 1000))
    ts = np.sort(np.concatenate([background, burst]))
    rec = SpikeRecording(ts, np.zeros(ts.size, np.int8), 60 * FPS, "rest", n_electrodes=1)
    s = rest_statistics(rec)
    assert s["bursts_per_min"] == pytest.approx(1.0)
    # the burst's 1000 spikes plus the background inside its 0.2 s + 2 x 50 ms margin
    assert s["in_burst_fraction"] == pytest.approx((1000 + 3000 * 0.3 / 60) / 4000, abs=0.01)
    assert s["rate_hz"] == pytest.approx(4000 / 60)


def test_motor_correlation_outside_bursts_sees_shared_input():
    rng = np.random.default_rng(0)
    n_bins = 6000  # one minute of 10 ms bins
    shared = rng.poisson(2.0, n_bins)
    left = shared + rng.poisson(2.0, n_bins)
    right = shared + rng.poisson(2.0, n_bins)  # correlation 2 / 4 = 0.5
    ts, reg = [], []
    for counts, region in ((left, MOTOR_LEFT), (right, MOTOR_RIGHT)):
        frames = np.repeat(np.arange(n_bins) * 250 + 100, counts)
        ts.append(frames)
        reg.append(np.full(frames.size, region, np.int8))
    ts, reg = np.concatenate(ts), np.concatenate(reg)
    order = np.argsort(ts, kind="stable")
    rec = SpikeRecording(ts[order], reg[order], n_bins * 250, "rest", n_electrodes=2)
    assert rest_statistics(rec)["motor_corr_outside_bursts"] == pytest.approx(0.5, abs=0.05)
