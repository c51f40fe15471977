"""How much ball information an agent's Pong observation carries: a held-out decoder of the ball's position.

An agent in ``control="decoder"`` can only move the paddle toward the ball if its observation tells where the
ball is. :func:`ball_information` plays an :class:`~clgym.agents.AgentEnvConfig` with random actions, records each
step's observation with the ball's position, and fits a small classifier (one hidden layer, PyTorch) to
predict the ball's half of the field (``y >= height / 2``) and its place band (8 bands, the sensory code's) from
the observation. Training uses the first ``train_frac`` of the steps, testing the rest (a split in time:
neighbouring ticks are nearly identical, so a random split would overstate what generalises). The reference is
the best constant guess on the test steps (``chance``).

Accuracies near ``chance`` mean the agent cannot know where the ball is, whatever the algorithm; comparing
``CLPong-v0``'s ``observation="groups"`` with its default ``"channels"`` shows what per-channel counts add.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clgym.agents.env_factories import AgentEnvConfig, make_env
from clgym.envs.base import require_positive_int


def collect(config: AgentEnvConfig, steps: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Observations and ball positions of ``steps`` steps of ``config`` under uniformly random actions."""
    steps = require_positive_int("steps", steps)
    env = make_env(config, seed)
    rng = np.random.default_rng(seed)
    obs_list, ys, xs = [], [], []
    try:
        env.action_space.seed(int(rng.integers(2**31)))
        obs, _ = env.reset(seed=seed)
        game = env.unwrapped
        for _ in range(steps):
            obs, _, terminated, truncated, _ = env.step(env.action_space.sample())
            obs_list.append(obs)
            ys.append(game.game.ball_y)
            xs.append(game.game.ball_x)
            if terminated or truncated:
                obs, _ = env.reset()
        params = game.game_params
    finally:
        env.close()
    return {"obs": np.asarray(obs_list, dtype=np.float32), "ball_y": np.asarray(ys), "ball_x": np.asarray(xs),
            "height": np.float64(params.height), "width": np.float64(params.width)}


def decoding_accuracy(features: np.ndarray, labels: np.ndarray, train_frac: float = 0.7, seed: int = 0,
                   epochs: int = 300, hidden: int = 64, threads: int = 1) -> dict[str, Any]:
    """Held-out accuracy of a one-hidden-layer classifier ``features -> labels`` (split in time, not shuffled).

    Features are ``log1p``-compressed and standardised on the training part. Returns ``accuracy``, ``chance``
    (the test frequency of the most common test label), ``n_train`` and ``n_test``. Runs on ``threads`` torch
    threads (one by default: a tiny network gains nothing from more, and loses a lot on a busy machine).
    """
    import torch

    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _fit(features, labels, train_frac, seed, epochs, hidden)
    finally:
        torch.set_num_threads(previous_threads)


def _fit(features, labels, train_frac: float, seed: int, epochs: int, hidden: int) -> dict[str, Any]:
    import torch

    x = np.log1p(np.asarray(features, dtype=np.float32))
    y = np.asarray(labels, dtype=np.int64)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"features {x.shape} and labels {y.shape}; allowed: (n, d) and (n,)")
    n_train = int(round(train_frac * len(y)))
    if not 0 < n_train < len(y):
        raise ValueError(f"train_frac={train_frac} leaves no train or test data for {len(y)} samples")
    mean, std = x[:n_train].mean(0), x[:n_train].std(0) + 1e-6
    x = (x - mean) / std
    n_classes = int(y.max()) + 1
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(),
                                torch.nn.Linear(hidden, n_classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    train_x, train_y = xt[:n_train], yt[:n_train]
    for _ in range(epochs):
        order = torch.randperm(n_train, generator=generator)
        for batch in order.split(1024):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        predicted = model(xt[n_train:]).argmax(1).numpy()
    test = y[n_train:]
    return {"accuracy": float((predicted == test).mean()),
            "chance": float(np.bincount(test, minlength=n_classes).max() / test.size),
            "n_train": n_train, "n_test": int(test.size), "test_classes": int(np.unique(test).size)}


MIN_TEST_STEPS = 100
"""Held-out steps an accuracy needs before it is reported (and at least two classes among them)."""


def accuracy_text(result: dict[str, Any]) -> str:
    """``"0.844 (chance 0.525, n = 6000)"``, or ``"too few ..."`` when the test set cannot tell accuracy from luck."""
    n, classes = result["n_test"], result.get("test_classes", 2)
    if n < MIN_TEST_STEPS or classes < 2:
        return (f"too few held-out steps (n = {n}, {classes} class{'es' if classes != 1 else ''}; at least "
                f"{MIN_TEST_STEPS} and 2 classes)")
    return f"{result['accuracy']:.3f} (chance {result['chance']:.3f}, n = {n})"


def ball_information(config: AgentEnvConfig, steps: int = 20_000, seed: int = 0, epochs: int = 100) -> dict[str, Any]:
    """Held-out accuracies for the ball's half and place band from ``config``'s observation (random actions).

    Returns ``{"half": ..., "band": ..., "half_near_paddle": ...}`` (each a :func:`decoding_accuracy` dict; "near
    the paddle" is the quarter of the field next to it, where the paddle must be placed) and ``steps``.
    """
    data = collect(config, steps, seed)
    obs, y, x = data["obs"], data["ball_y"], data["ball_x"]
    height, width = float(data["height"]), float(data["width"])
    half = (y >= height / 2).astype(np.int64)
    band = np.clip((y * 8 // height).astype(np.int64), 0, 7)
    near = x < width / 4
    out: dict[str, Any] = {"steps": int(steps)}
    out["half"] = decoding_accuracy(obs, half, seed=seed, epochs=epochs)
    out["band"] = decoding_accuracy(obs, band, seed=seed, epochs=epochs)
    if near.sum() >= 2 * MIN_TEST_STEPS:
        out["half_near_paddle"] = decoding_accuracy(obs[near], half[near], seed=seed, epochs=epochs)
    else:  # too few steps with the ball near the paddle to split into train and test: say so, never a number
        out["half_near_paddle"] = {"accuracy": None, "chance": None, "n_train": 0, "n_test": int(near.sum()),
                                   "test_classes": int(np.unique(half[near]).size)}
    return out
