"""clgym.replication.sessions (``clgym replicate sessions``): seeded sessions, every condition's source, --quick
end to end, resume and the one-line argument errors."""

import csv
import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from clgym.analysis.game_metrics import TICKS_PER_MINUTE, RallyCounter
from clgym.replication.campaign_io import parse_overrides
from clgym.replication.sessions.command import run_campaign
from clgym.replication.sessions.job import ACTIVITY_BINS_PER_SESSION, SessionSpec, run_session

ROOT = Path(__file__).resolve().parent.parent
REPLICATE = [sys.executable, "-m", "clgym.cli", "replicate", "sessions"]


def session(condition, seed=3, minutes=0.5):
    return run_session(SessionSpec(condition, 0, seed, minutes, {"preset": "tiny"}))


def test_a_session_is_reproducible_from_its_seed_and_matches_the_env_counts():
    first, again = session("stimulus"), session("stimulus")
    assert first["rally_hits"] == again["rally_hits"] and first["rally_end_ticks"] == again["rally_end_ticks"]
    assert first["bins"] == again["bins"]
    assert len(first["rally_hits"]) >= 1  # 30 s of play: the first ball arrives 4.5 s after the serve
    assert len(first["bins"]) == ACTIVITY_BINS_PER_SESSION
    assert first["bins"][-1]["stop_min"] == pytest.approx(0.5)
    assert all(b["spike_rate_hz"] > 0 for b in first["bins"])  # a culture fires
    assert math.isfinite(first["initial"]["w_sensory_to_motor"])
    # the same culture seed without any stimulation (rest) fires differently
    rest = session("rest")
    assert [b["spike_rate_hz"] for b in rest["bins"]] != [b["spike_rate_hz"] for b in first["bins"]]


def test_plasticity_off_freezes_weights_and_the_culture_free_sources_have_none():
    frozen = session("plasticity_off", minutes=0.3)
    weights = {b["w_sensory_to_motor"] for b in frozen["bins"]} | {frozen["initial"]["w_sensory_to_motor"]}
    assert len(weights) == 1
    plastic = session("stimulus", minutes=0.3)
    assert plastic["bins"][-1]["w_exc_to_exc"] != plastic["initial"]["w_exc_to_exc"]
    media = session("media_only", minutes=0.3)
    assert math.isnan(media["initial"]["w_sensory_to_motor"])
    assert max(b["spike_rate_hz"] for b in media["bins"]) < 0.05  # noise crossings only
    in_silico = session("in_silico", minutes=0.3)
    assert 0.5 < in_silico["bins"][-1]["spike_rate_hz"] < 3  # the SDK's random source: ~1.2 Hz per channel


def test_tagging_override_reaches_the_culture_and_only_hit_feedback_opens_capture():
    """--override stdp_tagging=true: the hit tetanus opens capture; rest has none; plasticity_off stays frozen."""
    tagged = {"preset": "tiny", "stdp_tagging": True}

    def run(condition):
        spec = SessionSpec(condition, 0, 3, 1.0, tagged)
        return run_session(spec)

    stimulus, rest, frozen = run("stimulus"), run("rest"), run("plasticity_off")
    assert sum(stimulus["rally_hits"]) > 0  # hits happened, so hit tetanuses were delivered
    assert stimulus["bins"][-1]["capture_s"] > 0
    assert rest["bins"][-1]["capture_s"] == 0
    assert frozen["bins"][-1]["capture_s"] == 0
    assert frozen["bins"][-1]["w_exc_to_exc"] == frozen["initial"]["w_exc_to_exc"]
    assert math.isfinite(stimulus["bins"][-1]["w_steer"])


def test_overrides_parse_json_values():
    assert parse_overrides("clgym replicate sessions", ["stdp_a_plus=0.02", "stdp=false", "preset=small"]) == {
        "stdp_a_plus": 0.02, "stdp": False, "preset": "small"}
    with pytest.raises(SystemExit) as stopped:
        parse_overrides("clgym replicate sessions", ["stdp_a_plus"])
    assert stopped.value.code == 2


def test_ray_address_without_ray_says_how_to_install_it():
    if importlib.util.find_spec("ray") is not None:
        pytest.skip("ray is installed")
    with pytest.raises(SystemExit, match=r"pip install .clgym\[ray\]."):
        run_campaign([], workers=1, ray_address="auto")


def test_bad_culture_override_fails_before_any_session(tmp_path):
    done = subprocess.run([*REPLICATE, "--quick", "--override", "stdp_a_plus=-1",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "stdp_a_plus" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "sessions.csv").exists()


def read_csv(path):
    with path.open() as handle:
        return list(csv.DictReader(handle))


def test_quick_campaign_end_to_end(tmp_path):
    out = tmp_path / "run"
    conditions = ["stimulus", "silent", "no_feedback", "rest", "in_silico", "media_only", "plasticity_off"]
    done = subprocess.run([*REPLICATE, "--quick", "--minutes", "1", "--conditions", *conditions,
                           "--out", str(out)], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    sessions = read_csv(out / "sessions.csv")
    assert len(sessions) == 2 * len(conditions) * 2  # 2 sessions x 7 conditions x 2 windows
    assert {r["condition"] for r in sessions} == set(conditions)
    assert {r["window"] for r in sessions} == {"0-0.25 min", "0.3-1 min"}
    rallies = read_csv(out / "rallies.csv")
    for row in sessions:  # every window's counts come from the rallies that end inside it
        inside = [int(r["hits"]) for r in rallies if r["condition"] == row["condition"]
                  and r["session"] == row["session"]
                  and float(row["start_min"]) <= float(r["end_minute"]) < float(row["stop_min"])]
        assert int(row["rallies"]) == len(inside) and int(row["hits"]) == sum(inside)
    activity = read_csv(out / "activity.csv")
    assert len(activity) == 2 * len(conditions) * 20
    for name in ("rally_over_time.png", "rally_bars.png", "plasticity.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    summary = (out / "summary.md").read_text()
    assert "| MCC mouse cells (101) | 0.780 +- 0.030 -> 1.020 +- 0.025 |" in summary
    assert "| stimulus (2) |" in summary and "% change vs rest" in summary and "| media_only (2) |" in summary
    assert "clgym replicate sessions --quick --minutes 1 --conditions stimulus" in summary and summary in done.stdout
    recorded = json.loads((out / "run.json").read_text())  # paths relative to the repository, never absolute
    assert f"--out {out}" not in summary and not Path(recorded["args"]["out"]).is_absolute()
    assert (ROOT / recorded["args"]["out"]).resolve() == out.resolve()

    # the report rebuilt from results.json with another long-rally threshold: >= 1 hit is "not an ace"
    again = subprocess.run([*REPLICATE, "--reanalyse", str(out), "--long-rally-hits", "1"],
                           capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert again.returncode == 0, again.stderr[-3000:]
    rebuilt = read_csv(out / "sessions.csv")
    assert [r["average_rally"] for r in rebuilt] == [r["average_rally"] for r in sessions]
    for row in rebuilt:
        if int(row["rallies"]):
            assert float(row["long_rallies_percent"]) == pytest.approx(100 - float(row["aces_percent"]))
    assert "long rally >= 1 hits" in (out / "summary.md").read_text()


def test_rally_counter_agrees_with_the_game_over_a_session():
    import gymnasium as gym

    env = gym.make("CLPong-v0", control="culture", culture="tiny", seed=8, episode_ticks=TICKS_PER_MINUTE)
    env.reset()
    counter = RallyCounter()
    for t in range(TICKS_PER_MINUTE):
        _, _, _, _, info = env.step(0)
        counter.add(t, info["event"])
        if info["event"] == "miss":
            assert counter.hits[-1] == info["last_rally"]
    env.close()
    assert sum(counter.hits) + counter.current == info["hits"] and len(counter.hits) == info["misses"]


def test_in_silico_through_the_sdk_equals_the_in_process_default():
    """The SDK's random source behind cl.open() (a producer process) gives the default's very spikes."""
    through_sdk = run_session(SessionSpec("in_silico", 0, 4, 0.2, {"preset": "tiny"},
                                                              in_silico_link="sdk"))
    from clgym.links import sdk_child_processes

    assert not sdk_child_processes(), "the session closes the SdkLink it opened: no producer outlives it"
    in_process = session("in_silico", seed=4, minutes=0.2)
    assert through_sdk["rally_end_ticks"] == in_process["rally_end_ticks"]
    assert [b["spike_rate_hz"] for b in through_sdk["bins"]] == [b["spike_rate_hz"] for b in in_process["bins"]]


def broken_spec(session_index=1):
    """A spec whose session fails inside the worker (no such condition)."""
    return SessionSpec("no_such_condition", session_index, 7, 0.05, {"preset": "tiny"})


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failed_session_is_reported_and_the_finished_ones_are_kept(workers):
    good = SessionSpec("rest", 0, 5, 0.05, {"preset": "tiny"})
    kept = []
    outcome = run_campaign([good, broken_spec()], workers=workers, ray_address=None, on_result=kept.append)
    assert [r["spec"]["condition"] for r in outcome.results] == ["rest"] and kept == outcome.results
    assert len(outcome.failures) == 1
    assert outcome.failures[0]["spec"]["condition"] == "no_such_condition"
    assert "KeyError" in outcome.failures[0]["error"]


def test_resume_runs_only_the_missing_sessions(tmp_path, monkeypatch):
    from clgym.replication.sessions import command as campaign

    args = ["--conditions", "rest", "--sessions", "2", "--minutes", "0.05", "--culture", "tiny", "--workers", "1",
            "--out", str(tmp_path)]
    real_run_session = campaign.run_session

    def second_session_fails(spec):
        if spec.session == 1:
            raise RuntimeError("the node went away")
        return real_run_session(spec)

    monkeypatch.setattr(campaign, "run_session", second_session_fails)
    assert campaign.main(args) == 1
    first = json.loads((tmp_path / "results.json").read_text())
    assert [r["spec"]["session"] for r in first] == [0]
    assert "the node went away" in (tmp_path / "failures.json").read_text()

    ran = []
    monkeypatch.setattr(campaign, "run_session", lambda spec: ran.append(spec.session) or real_run_session(spec))
    assert campaign.main([*args, "--resume"]) == 0
    assert ran == [1]  # session 0 was kept, not run again
    resumed = json.loads((tmp_path / "results.json").read_text())
    assert [r["spec"]["session"] for r in resumed] == [0, 1] and resumed[0] == first[0]
    assert not (tmp_path / "failures.json").exists()
