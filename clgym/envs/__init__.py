"""Game environments. The game logic lives in plain modules (``pong_game``) that the Gymnasium envs wrap.

Importing this package registers ``CLPong-v0`` with Gymnasium (so ``import clgym`` is enough for
``gym.make("CLPong-v0")``, and ``gym.make("clgym:CLPong-v0")`` imports it on demand). The env module itself,
which loads the culture engine and the cl SDK, is imported only when an env is made or
:class:`CLPongEnv` is first used.
"""

from __future__ import annotations

import gymnasium

from clgym.envs.pong_game import PongGame, PongParams, PongState

__all__ = ["CLPongEnv", "PongGame", "PongParams", "PongState"]

ENV_IDS = {"CLPong-v0": "clgym.envs.pong:CLPongEnv"}

for _env_id, _entry_point in ENV_IDS.items():
    if _env_id not in gymnasium.registry:
        gymnasium.register(id=_env_id, entry_point=_entry_point)


def __getattr__(name: str):
    if name == "CLPongEnv":  # lazy: the env imports the culture engine (Numba) and the cl SDK
        from clgym.envs.pong import CLPongEnv

        return CLPongEnv
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
