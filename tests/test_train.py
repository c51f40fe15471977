"""clgym.agents.train end to end (``clgym train --quick``) on Pong and Doom, its evaluation command, every
algorithm and mode."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from stable_baselines3.common.monitor import load_results

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
        episodes = load_results(str(run_dir))  # SB3's VecMonitor CSV: one row per training episode
        assert len(episodes) and {"r", "l", "game_return", "hits", "misses"} <= set(episodes.columns)
        assert (episodes["game_return"] == episodes["hits"] - episodes["misses"]).all()  # the game scores +-1
        assert len(results["curves"][run]) == 4
        assert sum(b["episodes"] for b in results["curves"][run]) == len(episodes)
    assert info["config"]["ablation"] == "zero_spikes"
    assert json.loads((out / "runs" / "ppo_random_source" / "run.json").read_text())["config"]["source"] == "random"
    png = (out / "curve.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    events = list((out / "tb").rglob("events.out.tfevents.*"))
    assert len(events) >= 3
    text = (out / "results.md").read_text()
    assert "| random policy |" in text and "steps per CPU-second" in text and "clgym train --quick" in text
    # 4 episodes a side: no ratio a reader would believe, and the report says why
    assert "too few episodes for a ratio (n = 4 agent, 4 random; at least 20 each)" in text
    assert results["ratio_to_random"] is None and "x**" not in text


def test_tensorboard_log_has_the_rally_length(quick_run: Path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tags = set()
    for run_dir in (quick_run / "tb").iterdir():
        accumulator = EventAccumulator(str(run_dir))
        accumulator.Reload()
        tags |= set(accumulator.Tags()["scalars"])
    assert {"clgym/rally_mean", "clgym/hit_rate"} <= tags


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
    assert run["algo"] == algo and run["config"]["mode"] == mode
    assert run["config"]["env_kwargs"] == {"episode_ticks": 1000} and run["config"]["feedback"] == "no_feedback"
    if mode == "encoder" and algo == "dqn":
        assert run["config"]["encoder_actions"] == "single"  # DQN needs a Discrete action
    from clgym.agents.algos import load_model

    model = load_model(algo, str(out / "runs" / algo / "model.zip"))
    obs = np.zeros((1, *model.observation_space.shape), dtype=np.float32)
    action, _ = model.predict(obs)
    assert model.action_space.contains(action[0])


def test_ball_information_command_writes_its_table(tmp_path: Path):
    assert train("--ball-information", "1500", "--culture", TINY, "--out", str(tmp_path)) == 0
    results = json.loads((tmp_path / "ball_information_h10.json").read_text())["results"]
    assert len(results) == 3
    for r in results.values():
        for key in ("half", "band"):
            assert 0 <= r[key]["accuracy"] <= 1 and 0 < r[key]["chance"] <= 1 and r[key]["n_test"] >= 100
    table = (tmp_path / "ball_information_h10.md").read_text()
    assert table.count("\n| ") == 4  # header + 3 observations
    assert "chance 1.000" not in table and "nan" not in table


def test_ball_information_from_too_few_steps_says_so_instead_of_a_number(tmp_path: Path):
    assert train("--ball-information", "200", "--culture", TINY, "--out", str(tmp_path)) == 0
    table = (tmp_path / "ball_information_h10.md").read_text()
    assert "too few held-out steps (n = 60" in table  # 30 % of 200 steps
    assert "chance 1.000" not in table and "(chance" not in table


def test_bad_arguments_are_refused(capsys):
    assert train("--baselines", "lesion") == 2  # argparse's exit status, passed on by the clgym CLI
    assert "lesion" in capsys.readouterr().err
    assert train("--mode", "encoder", "--observation", "channels") == 2
    assert "--observation is only for --mode decoder" in capsys.readouterr().err
    assert train("--ball-information", "10") == 2
    assert "--ball-information" in capsys.readouterr().err
    assert train("--env", "CartPole-v1") == 2
    assert "not a clgym id" in capsys.readouterr().err
    assert train("--env", "CLDoomLiteBasic-v0", "--shaping", "1") == 2
    assert "only for CLPong-v0" in capsys.readouterr().err


def test_doom_trains_through_the_same_stack(tmp_path: Path):
    """CLDoomLiteBasic-v0 through clgym train: VecNormalize, Doom's score (return, kill rate), its baselines."""
    out = tmp_path / "doom"
    assert train("--env", "CLDoomLiteBasic-v0", "--quick", "--steps", "1024", "--eval-episodes", "2",
                 "--baselines", "random_policy,zero_spikes", "--baseline-steps", "512", "--bins", "2",
                 "--out", str(out)) == 0
    results = json.loads((out / "results.json").read_text())
    assert set(results["rows"]) == {"ppo", "ppo, spikes silenced at test", "ppo trained on zero spikes",
                                    "random policy"}
    for stats in results["rows"].values():
        assert stats["episodes"] == 2 and 0 <= stats["kill_rate"] <= 1 and "rally_mean" not in stats
    assert results["ratio_to_random"] is None  # Doom's returns are negative: no ratio, the table says it
    run_dir = out / "runs" / "ppo"
    assert (run_dir / "vecnormalize.pkl").exists()
    episodes = load_results(str(run_dir))
    assert len(episodes) and "outcome" in episodes.columns
    run = json.loads((run_dir / "run.json").read_text())
    assert run["config"]["env_id"] == "CLDoomLiteBasic-v0" and run["hyperparameters"]["gamma"] == 0.99
    assert "kill rate" in (out / "results.md").read_text()
    # the saved agent is evaluated with the normalisation it was trained with
    assert train("--eval", str(run_dir / "model.zip"), "--eval-episodes", "2", "--out", str(tmp_path / "eval")) == 0
    assert len(json.loads((tmp_path / "eval" / "eval.json").read_text())["rows"]) == 3
