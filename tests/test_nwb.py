"""Recordings as Neurodata Without Borders: ``clgym demo --nwb`` and ``clgym nwb`` write files that pynwb reads
back (spikes, stims, game events, the culture's config) and nwbinspector accepts. Skipped only without the
``nwb`` extra (bin/test installs it)."""

import json

import numpy as np
import pytest

pynwb = pytest.importorskip("pynwb")
pytest.importorskip("nwbinspector")

from cl import RecordingView  # noqa: E402

from clgym.cli import main  # noqa: E402
from clgym.export.nwb import check_nwb, recording_to_nwb  # noqa: E402
from clgym.links import InProcessLink  # noqa: E402

REFUSED = ("CRITICAL", "PYNWB_VALIDATION", "BEST_PRACTICE_VIOLATION")  # nwbinspector's blocking importances


def refused(findings: list[str]) -> list[str]:
    return [f for f in findings if f.split(":")[0] in REFUSED]


DEMO_RESULT: dict[str, int] = {}


@pytest.fixture(scope="module")
def demo_session(tmp_path_factory):
    from clgym.demo import run_demo

    out = tmp_path_factory.mktemp("demo_nwb")
    result = run_demo(minutes=1, culture="tiny", seed=2, nwb=True, show=False, out_dir=out, quiet=True)
    DEMO_RESULT.update(hits=result.hits, misses=result.misses)
    return out


def test_the_demo_writes_an_nwb_file_nwbinspector_accepts(demo_session):
    findings = check_nwb(demo_session / "session.nwb")
    assert not refused(findings), findings


def test_the_nwb_file_holds_the_recordings_spikes_stims_and_game_events(demo_session):
    with RecordingView(str(demo_session / "session.h5")) as recording:
        spike_ts = np.asarray(recording.spikes.col("timestamp"))
        spike_ch = np.asarray(recording.spikes.col("channel"))
        n_stims = len(recording.stims)
        events = [data for _, data in recording.data_streams["game_events"].items()]
    with pynwb.NWBHDF5IO(str(demo_session / "session.nwb"), "r") as io:
        nwb = io.read()
        units = nwb.units.to_dataframe()
        assert sum(len(t) for t in units["spike_times"]) == spike_ts.size > 0
        busiest = int(np.bincount(spike_ch).argmax())
        times = units.loc[units["channel"] == busiest, "spike_times"].iloc[0]
        np.testing.assert_allclose(times, np.sort(spike_ts[spike_ch == busiest]) / 25_000)
        assert nwb.units.resolution == pytest.approx(1 / 25_000)
        assert len(nwb.intervals["stimulation"]) == n_stims > 0
        game = nwb.intervals["game_events"].to_dataframe()
        assert list(game["event"]) == [e["event"] for e in events] and set(game["event"]) == {"hit", "miss"}
        assert len(game) == DEMO_RESULT["hits"] + DEMO_RESULT["misses"]  # each event once
        assert len(nwb.electrodes) == 64
        notes = json.loads(nwb.notes)
        culture = json.loads(notes["recording_attributes"]["application"]["culture_config"])
        assert culture["n_neurons"] == 250 and culture["seed"] == 2  # the tiny preset, the demo's seed
        assert "n_neurons=250" in nwb.subject.description


def test_a_link_recording_converts_with_exact_stim_times_and_any_data_stream(tmp_path):
    link = InProcessLink(culture={"preset": "tiny", "seed": 1})
    path = link.record(tmp_path / "run.h5")
    for tick in range(30):
        if tick % 10 == 0:
            link.stim([27], 1.0)
        link.advance()
    link.log_event("notes", "a plain string entry")
    link.log_event("notes", {"trial": 3, "nested": {"a": 1}})
    link.close()
    nwb_path = recording_to_nwb(path, tmp_path / "run.nwb", experimenter="Doe, Jane", institution="clgym")
    assert not refused(check_nwb(nwb_path))
    with pynwb.NWBHDF5IO(str(nwb_path), "r") as io:
        nwb = io.read()
        stims = nwb.intervals["stimulation"].to_dataframe()
        assert list(stims["channel"]) == [27, 27, 27]
        np.testing.assert_allclose(np.diff(stims["start_time"]), 0.1)  # one pulse every 10 ticks of 10 ms
        notes = nwb.intervals["notes"].to_dataframe()
        assert list(notes["value"]) == ["a plain string entry", ""]
        assert list(notes["trial"]) == ["", "3"] and list(notes["nested"]) == ["", "a=1"]


def test_clgym_nwb_converts_and_checks_a_recording(demo_session, tmp_path, capsys):
    out = tmp_path / "again.nwb"
    assert main(["nwb", str(demo_session / "session.h5"), "--out", str(out), "--check", "--age", "P14D"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == str(out) and not refused(printed.splitlines())
    with pynwb.NWBHDF5IO(str(out), "r") as io:
        assert io.read().subject.age == "P14D"


def test_clgym_nwb_refuses_a_missing_recording_in_one_line(tmp_path, capsys):
    assert main(["nwb", str(tmp_path / "nope.h5")]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("clgym nwb: error: recording ")
