"""``clgym compare``: a recording beside a culture under the same protocol, on DishBrain's files, clgym's own
recordings and a plain ``cl`` script's; bad input exits 2 with one line naming the problem."""

import json
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from clgym.analysis.recordings import read_recording
from clgym.analysis.session_stats import rest_statistics
from clgym.calibration.compare import compare, culture_config, simulate_rest
from clgym.cli import main
from clgym.links import InProcessLink
from clgym.sources import CULTURE_SOURCE_FACTORY

DATA = Path(__file__).resolve().parent.parent / "clgym" / "data" / "dishbrain"
REST = DATA / "9501.2021-06-01.1.h5"
GAME = DATA / "9501.2021-06-01.0.h5"
REQUIRED = {"bursts_per_min", "in_burst_fraction", "motor_corr_outside_bursts", "rate_hz"}
GAME_KEYS = {"rally_pause_rate_ratio", "after_miss_ratio", "after_hit_ratio", "hits_per_rally"}
SCRIPT = Path(__file__).with_name("_helpers_cl_record_script.py")


def compare_json(capsys, *args):
    assert main(["compare", *map(str, args), "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert set(data) == {"recording", "preset"}
    assert "NaN" not in out
    return data


def test_compare_json_on_a_dishbrain_rest_file(capsys):
    data = compare_json(capsys, REST, "--minutes", "0.5", "--settle-s", "2")
    assert REQUIRED <= set(data["recording"]) and REQUIRED <= set(data["preset"])
    expected = rest_statistics(read_recording(REST))
    for key in REQUIRED:
        assert data["recording"][key] == pytest.approx(expected[key])
    assert data["preset"]["rate_hz"] > 0.1  # the culture ran and was measured


def test_compare_json_on_a_dishbrain_game_file_plays_the_game(capsys):
    data = compare_json(capsys, GAME, "--minutes", "0.5", "--settle-s", "1")
    assert (REQUIRED | GAME_KEYS) <= set(data["recording"]) and (REQUIRED | GAME_KEYS) <= set(data["preset"])
    assert 0.3 < data["recording"]["rally_pause_rate_ratio"] < 0.8  # SOURCE.md: 0.56
    assert data["recording"]["evoked_0_20ms"] is None  # DishBrain did not log its sensory pulses: NaN -> null
    assert data["preset"]["evoked_0_20ms"] is not None  # the simulated game logs them


def test_compare_prints_a_markdown_table_with_its_command(capsys):
    assert main(["compare", str(REST), "--minutes", "0.25", "--settle-s", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("`clgym compare ")
    assert "| bursts / min |" in out and "| spikes in bursts |" in out and "not comparable" in out
    assert "recorded as maxone" in out


def test_the_culture_is_recorded_as_the_recordings_rig(tmp_path):
    assert compare(str(REST), minutes=0.1, settle_s=1)["rig"] == "maxone"
    assert compare(str(REST), minutes=0.1, settle_s=1, rig="cl1")["rig"] == "cl1"
    from test_recordings import write_cl

    path = write_cl(tmp_path / "c.h5", list(range(0, 250_000, 500)), [8] * 500, duration=250_000)
    assert compare(str(path), minutes=0.1, settle_s=1)["rig"] == "cl1"


def test_the_in_memory_rest_session_is_what_the_reader_gives_for_a_link_recording(tmp_path):
    """simulate_rest (used by compare and fit) measures the culture exactly as a recording of it would."""
    config = culture_config("dishbrain", 3)
    with InProcessLink(config.to_dict()) as link:
        for _ in range(100):
            link.advance()
        link.record(tmp_path / "run.h5")
        for _ in range(800):
            link.advance()
        link.stop_recording()
    recorded = read_recording(tmp_path / "run.h5")
    simulated = simulate_rest(config, seconds=8.0, settle_s=1.0)
    assert recorded.timestamps.size > 100
    assert np.array_equal(recorded.timestamps, simulated.timestamps)
    assert np.array_equal(recorded.regions, simulated.regions)
    assert (recorded.duration_frames, recorded.n_electrodes, recorded.kind) == \
        (simulated.duration_frames, simulated.n_electrodes, simulated.kind)


def test_compare_on_clgyms_own_game_recording(tmp_path, capsys):
    from clgym.calibration.game import record_game_session

    path = record_game_session("dishbrain", 1, tmp_path / "game.h5", minutes=0.5, settle_s=1)
    data = compare_json(capsys, path, "--minutes", "0.25", "--settle-s", "1")
    assert data["recording"]["n_misses"] >= 1 and data["recording"]["evoked_0_20ms"] is not None
    assert GAME_KEYS <= set(data["preset"])


@pytest.mark.parametrize("with_events", [False, True])
def test_compare_on_a_plain_cl_scripts_recording(tmp_path, capsys, with_events):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CL_SDK_")}
    # wall-clock time: the SDK's accelerated mode times out when a loaded machine starves its producer
    env.update(CL_SDK_DATA_SOURCE=CULTURE_SOURCE_FACTORY, CL_SDK_ACCELERATED_TIME="0", CL_SDK_VISUALISATION="0",
               CL_SDK_DATA_SOURCE_CONFIG=json.dumps({"preset": "tiny", "seed": 2, "frames": "zeros"}))
    done = subprocess.run([sys.executable, str(SCRIPT), "6", *(["events"] if with_events else [])], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    path = Path(done.stdout.strip().splitlines()[-1])
    assert path.parent == tmp_path and path.is_file()
    rec = read_recording(path)
    assert rec.format == "cl" and rec.timestamps.size > 100 and 5.9 < rec.duration_s < 8.0
    assert rec.kind == ("game" if with_events else "rest")
    data = compare_json(capsys, path, "--minutes", "0.2", "--settle-s", "1")
    assert data["recording"]["rate_hz"] == pytest.approx(rec.timestamps.size / rec.duration_s / 59)
    if with_events:
        assert data["recording"]["hits_per_rally"] == pytest.approx(len(rec.event_frames("hit"))
                                                                     / len(rec.event_frames("miss")))


def _no_spikes(tmp_path):
    from test_recordings import write_maxlab

    return write_maxlab(tmp_path / "empty.h5", np.zeros(0, np.int64), np.zeros(0, np.int64))


def _unknown(tmp_path):
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f.create_dataset("x", data=np.zeros(2))
    return tmp_path / "other.h5"


def _text(tmp_path):
    (tmp_path / "notes.h5").write_text("hello")
    return tmp_path / "notes.h5"


@pytest.mark.parametrize("args, message", [
    (lambda p: [p / "missing.h5"], "not found"),
    (lambda p: [_text(p)], "not an HDF5 file"),
    (lambda p: [_unknown(p)], "unknown recording format"),
    (lambda p: [_no_spikes(p)], "no spikes"),
    (lambda p: [REST, "--events", DATA / "11615.2021-06-18.3.events.txt"], "outside the recording"),
    (lambda p: [REST, "--preset", "nonesuch"], "preset='nonesuch' is unknown"),
    (lambda p: [REST, "--preset", p / "nothing.json"], "cannot be read"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, message):
    assert main(["compare", *map(str, args(tmp_path))]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("clgym compare: ")
