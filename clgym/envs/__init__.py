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

MAX_EPISODE_STEPS = {
    "CLPong-v0": 20 * 60 * 100,  # clgym.envs.pong.SESSION_TICKS: the default control="culture" session
    "CLDoomLite-v0": 6000,  # the longest built-in scenario (defend_the_center, deadly_corridor)
    "CLDoomLiteBasic-v0": 857,
    "CLDoomLiteDefendTheCenter-v0": 6000,
    "CLDoomLiteDeadlyCorridor-v0": 6000,
}
"""``env.spec.max_episode_steps`` of each id: the env's own longest default episode (each env also truncates
itself, at ``episode_ticks`` or the scenario's time limit, so Gymnasium's ``TimeLimit`` never cuts a default
episode short). Literal numbers, so that ``import clgym`` stays light; tests check them against the envs. A
longer episode through ``gym.make`` needs ``max_episode_steps=`` there too."""

for _env_id, _entry_point in ENV_IDS.items():
    if _env_id not in gymnasium.registry:
        _kwargs = {"scenario": DOOM_LITE_SCENARIO_IDS[_env_id]} if _env_id in DOOM_LITE_SCENARIO_IDS else {}
        gymnasium.register(id=_env_id, entry_point=_entry_point, kwargs=_kwargs,
                           max_episode_steps=MAX_EPISODE_STEPS[_env_id])


def __getattr__(name: str):
    if name == "CLPongEnv":  # lazy: the env imports the culture engine (Numba) and the cl SDK
        from clgym.envs.pong import CLPongEnv

        return CLPongEnv
    if name == "CLDoomLiteEnv":
        from clgym.envs.doom_lite import CLDoomLiteEnv

        return CLDoomLiteEnv
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
