"""SB3 algorithms for the clgym games: PPO, A2C and DQN with defaults chosen per game, and their training.

Why these defaults: a serve reaches the paddle 450 ticks after it is served and a return takes 600, so the
reward for placing the paddle arrives hundreds of steps after the actions that placed it; ``gamma=0.995``
(horizon ~200 steps, the time the paddle needs to cross the field) keeps it visible. Policies are small MLPs
(two layers of 64) on CPU with one torch thread: the culture, not the network, is the cost per step.

Budgets smaller than one rollout (the ``--quick`` runs) shrink the rollout (PPO/A2C) or the learning start and
target updates (DQN) so that learning still happens within the budget; :func:`algo_kwargs` reports what was used.

Doom-lite (:data:`GAME_DEFAULTS`) rewards within tens of ticks (a kill, a missed shot, every tick alive), so its
agents discount more (``gamma=0.99``) and PPO takes longer rollouts with fewer epochs.
"""

from __future__ import annotations

import time
from typing import Any

from clgym.agents import ALGOS
from clgym.envs.base import require_choice, require_positive_int

DEFAULTS: dict[str, dict[str, Any]] = {
    "ppo": {"n_steps": 128, "batch_size": 256, "n_epochs": 10, "gamma": 0.995, "gae_lambda": 0.95,
            "learning_rate": 3e-4, "ent_coef": 0.01, "clip_range": 0.2},
    "a2c": {"n_steps": 32, "gamma": 0.995, "gae_lambda": 0.95, "learning_rate": 7e-4, "ent_coef": 0.01},
    "dqn": {"buffer_size": 100_000, "learning_starts": 5_000, "batch_size": 64, "train_freq": 4,
            "gradient_steps": 1, "target_update_interval": 2_000, "exploration_fraction": 0.2,
            "exploration_final_eps": 0.05, "gamma": 0.995, "learning_rate": 1e-4},
}
NET_ARCH = [64, 64]
GAME_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    "pong": {},
    "doom": {"ppo": {"n_steps": 512, "n_epochs": 4, "gamma": 0.99}, "a2c": {"gamma": 0.99}, "dqn": {"gamma": 0.99}},
}


def algo_kwargs(algo: str, total_steps: int, n_envs: int, overrides: dict[str, Any] | None = None,
                game: str = "pong") -> dict[str, Any]:
    """The constructor arguments of ``algo`` for ``game`` and a budget of ``total_steps`` env steps over ``n_envs``."""
    require_choice("algo", algo, ALGOS)
    require_choice("game", game, tuple(GAME_DEFAULTS))
    total_steps = require_positive_int("total_steps", total_steps)
    n_envs = require_positive_int("n_envs", n_envs)
    kwargs = {**DEFAULTS[algo], **GAME_DEFAULTS[game].get(algo, {})}
    per_env = max(1, total_steps // n_envs)
    if algo in ("ppo", "a2c"):
        rollouts = 4  # at least this many updates within the budget
        kwargs["n_steps"] = max(8, min(kwargs["n_steps"], per_env // rollouts))
        if algo == "ppo":
            batch = kwargs["n_steps"] * n_envs
            kwargs["batch_size"] = min(kwargs["batch_size"], batch)
            while batch % kwargs["batch_size"]:  # SB3 wants the rollout to split into whole minibatches
                kwargs["batch_size"] -= 1
    else:
        kwargs["learning_starts"] = min(kwargs["learning_starts"], total_steps // 5)
        kwargs["target_update_interval"] = max(1, min(kwargs["target_update_interval"], total_steps // 10))
        kwargs["buffer_size"] = min(kwargs["buffer_size"], max(total_steps, 1_000))
    kwargs.update(overrides or {})
    return kwargs


def make_model(algo: str, venv, total_steps: int, seed: int = 0, tensorboard_log: str | None = None,
               device: str = "cpu", overrides: dict[str, Any] | None = None, game: str = "pong"):
    """An SB3 model of ``algo`` on ``venv`` (MLP policy, :data:`NET_ARCH`)."""
    from stable_baselines3 import A2C, DQN, PPO

    kwargs = algo_kwargs(algo, total_steps, venv.num_envs, overrides, game)
    cls = {"ppo": PPO, "a2c": A2C, "dqn": DQN}[algo]
    return cls("MlpPolicy", venv, seed=seed, device=device, tensorboard_log=tensorboard_log, verbose=0,
               policy_kwargs={"net_arch": list(NET_ARCH)}, **kwargs)


def load_model(algo: str, path: str, venv=None, device: str = "cpu"):
    """Load a saved model of ``algo`` (attached to ``venv`` if given)."""
    from stable_baselines3 import A2C, DQN, PPO

    require_choice("algo", algo, ALGOS)
    return {"ppo": PPO, "a2c": A2C, "dqn": DQN}[algo].load(path, env=venv, device=device)


def learn(model, total_steps: int, callbacks=(), tb_log_name: str = "run", progress_bar: bool = False
          ) -> dict[str, float]:
    """``model.learn`` (with SB3's own ``progress_bar`` if asked), timed: ``wall_s``, ``cpu_s`` (this process),
    ``steps``, and steps/s of each.

    ``cpu_s`` is the process's CPU time: with one torch thread and in-process envs the whole run is one
    thread, so ``steps_per_cpu_s`` is the throughput on one core, free of the waits of a shared machine.
    """
    from stable_baselines3.common.callbacks import CallbackList

    wall, cpu = time.perf_counter(), time.process_time()
    model.learn(total_timesteps=total_steps, callback=CallbackList(list(callbacks)), tb_log_name=tb_log_name,
                reset_num_timesteps=True, progress_bar=progress_bar)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    steps = model.num_timesteps  # counted from 0 (reset_num_timesteps)
    return {"steps": int(steps), "wall_s": wall, "cpu_s": cpu, "steps_per_s": steps / wall,
            "steps_per_cpu_s": steps / cpu if cpu > 0 else float("nan")}
