"""Game environments: one file per Gymnasium env over :mod:`clgym.envs.base`. The game logic lives in
:mod:`clgym.games` (``pong``, the ``doom`` package), the coding between game and culture in :mod:`clgym.coding`.

Importing this package registers ``CLPong-v0`` and the Doom-lite ids (``CLDoomLite-v0`` with a ``scenario``
argument, and one id per scenario) with Gymnasium (so ``import clgym`` is enough for ``gym.make("CLPong-v0")``,
and ``gym.make("clgym:CLPong-v0")`` imports it on demand). The env modules themselves, which load the culture
engine, Numba kernels and the cl SDK, are imported only when an env is made or :class:`CLPongEnv` /
:class:`CLDoomLiteEnv` is first used.
"""

from __future__ import annotations

import gymnasium

from clgym.games.pong import PongGame, PongParams, PongState

__all__ = ["CLDoomLiteEnv", "CLPongEnv", "PongGame", "PongParams", "PongState"]

DOOM_LITE_ENTRY_POINT = "clgym.envs.doom_lite:CLDoomLiteEnv"
DOOM_LITE_SCENARIO_IDS = {
    "CLDoomLiteBasic-v0": "basic",
    "CLDoomLiteDefendTheCenter-v0": "defend_the_center",
    "CLDoomLiteDeadlyCorridor-v0": "deadly_corridor",
}
"""One id per Doom-lite scenario (``CLDoomLite-v0`` takes the scenario as an argument, ``"basic"`` by default)."""
ENV_IDS = {
    "CLPong-v0": "clgym.envs.pong:CLPongEnv",
    "CLDoomLite-v0": DOOM_LITE_ENTRY_POINT,
    **dict.fromkeys(DOOM_LITE_SCENARIO_IDS, DOOM_LITE_ENTRY_POINT),
}
"""Every registered id and its entry point."""

# No id registers max_episode_steps: each env truncates itself (CLPong-v0 at ``episode_ticks``, 120,000 steps = a
# 20-minute session in culture mode, 6,000 in the agent modes; a Doom-lite id at its scenario's time limit), and
# ``env.spec.max_episode_steps`` of a made env reports that length, so no TimeLimit wrapper can disagree with it.
# ``gym.make(..., max_episode_steps=N)`` still adds Gymnasium's TimeLimit at N.

for _env_id, _entry_point in ENV_IDS.items():
    if _env_id not in gymnasium.registry:
        _kwargs = {"scenario": DOOM_LITE_SCENARIO_IDS[_env_id]} if _env_id in DOOM_LITE_SCENARIO_IDS else {}
        gymnasium.register(id=_env_id, entry_point=_entry_point, kwargs=_kwargs)


def __getattr__(name: str):
    if name == "CLPongEnv":  # lazy: the env imports the culture engine (Numba) and the cl SDK
        from clgym.envs.pong import CLPongEnv

        return CLPongEnv
    if name == "CLDoomLiteEnv":
        from clgym.envs.doom_lite import CLDoomLiteEnv

        return CLDoomLiteEnv
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
