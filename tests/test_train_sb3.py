"""scripts/train_sb3.py end to end (``clgym train --quick``), its evaluation command, and every algorithm/mode."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from clgym.agents.curves import read_episodes
from clgym.cli import main as clgym_main

TINY = "tiny"


def train(*args: str) -> int:
    return clgym_main(["train", *args])


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sb3") / "quick"
    assert train("--quick", "--culture", TINY, "--out", str(out), "--eval-episodes", "4") == 0
    return out


def test_quick_run_writes_models_curves_tables_and_logs(quick_run: Path):
    out = quick_run
    results = json.loads((out / "results.json").read_text())
    rows = results["rows"]
    expected = {"ppo", "ppo, spikes silenced at test", "ppo trained on the random source",
                "ppo trained on zero spikes", "random policy"}
    assert set(rows) == expected
    for name, stats in rows.items():
        assert stats["episodes"] == 4, name
        assert stats["hits"] + stats["misses"] >= stats["misses"] >= 4 - stats["truncated"]
        assert stats["return_mean"] == pytest.approx((stats["hits"] - stats["misses"]) / 4)
    assert results["command"].startswith("clgym train --quick")
    for run in ("ppo", "ppo_random_source", "ppo_zero_spikes"):
        run_dir = out / "runs" / run
        assert (run_dir / "model.zip").stat().st_size > 1000
        assert list((run_dir / "checkpoints").glob("ppo_*_steps.zip")), run
        info = json.loads((run_dir / "run.json").read_text())
        assert info["timing"]["steps"] >= 3000 and info["timing"]["steps_per_s"] > 0
        episodes = read_episodes(run_dir / "episodes.csv")
        assert episodes and all(e.end_step <= info["timing"]["steps"] for e in episodes)
        assert len(results["curves"][run]) == 4
        assert sum(b["episodes"] for b in results["curves"][run]) == len(episodes)
    assert info["spec"]["ablation"] == "zero_spikes"
    assert json.loads((out / "runs" / "ppo_random_source" / "run.json").read_text())["spec"]["source"] == "random"
    png = (out / "curve.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    events = list((out / "tb").rglob("events.out.tfevents.*"))
    assert len(events) >= 3
    text = (out / "results.md").read_text()
    assert "| random policy |" in text and "steps per CPU-second" in text and "clgym train --quick" in text


def test_tensorboard_log_has_the_rally_length(quick_run: Path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tags = set()
    for run_dir in (quick_run / "tb").iterdir():
        accumulator = EventAccumulator(str(run_dir))
        accumulator.Reload()
        tags |= set(accumulator.Tags()["scalars"])
    assert {"clgym/rally_length", "clgym/hit_rate"} <= tags


def test_eval_command_scores_a_saved_model_on_fresh_cultures(quick_run: Path, tmp_path: Path):
    model = quick_run / "runs" / "ppo" / "model.zip"
    assert train("--eval", str(model), "--eval-episodes", "2", "--out", str(tmp_path)) == 0
    rows = json.loads((tmp_path / "eval.json").read_text())["rows"]
    assert len(rows) == 3 and all(stats["episodes"] == 2 for stats in rows.values())
    assert any(name.startswith("ppo (fresh cultures") for name in rows)
    assert "random policy" in rows


def test_eval_command_without_a_run_fails_clearly(tmp_path: Path, capsys):
    assert train("--eval", str(tmp_path / "missing.zip")) == 2
    assert "run.json" in capsys.readouterr().err


@pytest.mark.parametrize(("algo", "mode"), [("a2c", "decoder"), ("dqn", "decoder"), ("ppo", "encoder"),
                                            ("a2c", "encoder"), ("dqn", "encoder")])
def test_every_algorithm_trains_in_both_modes(algo: str, mode: str, tmp_path: Path):
    out = tmp_path / f"{algo}_{mode}"
    # no feedback play-out between episodes and 10 s episodes, so the short evaluations stay cheap
    assert train("--algo", algo, "--mode", mode, "--culture", TINY, "--steps", "1200", "--n-envs", "2",
                 "--feedback", "no_feedback", "--episode-ticks", "1000",
                 "--baselines", "zero_spikes", "--eval-episodes", "2", "--bins", "2", "--checkpoints", "1",
                 "--out", str(out)) == 0
    results = json.loads((out / "results.json").read_text())
    assert set(results["rows"]) == {algo, f"{algo}, spikes silenced at test", f"{algo} trained on zero spikes"}
    run = json.loads((out / "runs" / algo / "run.json").read_text())
    assert run["algo"] == algo and run["spec"]["mode"] == mode
    assert run["spec"]["env_kwargs"] == {"episode_ticks": 1000} and run["spec"]["feedback"] == "no_feedback"
    if mode == "encoder" and algo == "dqn":
        assert run["spec"]["encoder_actions"] == "single"  # DQN needs a Discrete action
    from clgym.agents.algos import load_model

    model = load_model(algo, str(out / "runs" / algo / "model.zip"))
    obs = np.zeros((1, *model.observation_space.shape), dtype=np.float32)
    action, _ = model.predict(obs)
    assert model.action_space.contains(action[0])


def test_probe_command_writes_the_ball_information_table(tmp_path: Path):
    assert train("--probe", "1500", "--culture", TINY, "--out", str(tmp_path)) == 0
    results = json.loads((tmp_path / "probe_h10.json").read_text())["results"]
    assert len(results) == 3
    for r in results.values():
        for key in ("half", "band", "half_near_paddle"):
            assert 0 <= r[key]["accuracy"] <= 1 and 0 < r[key]["chance"] <= 1 and r[key]["n_test"] > 0
    assert (tmp_path / "probe_h10.md").read_text().count("\n| ") == 4  # header + 3 observations


def test_bad_arguments_are_refused(capsys):
    assert train("--baselines", "lesion") == 2  # argparse's exit status, passed on by the clgym CLI
    assert "lesion" in capsys.readouterr().err
    assert train("--mode", "encoder", "--obs", "channels") == 2
    assert "--obs channels" in capsys.readouterr().err
    assert train("--probe", "10") == 2
    assert "--probe" in capsys.readouterr().err
