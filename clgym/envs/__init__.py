"""Game environments. The game logic lives in plain modules (``pong_game``) that the Gymnasium envs wrap."""

from clgym.envs.pong_game import PongGame, PongParams, PongState

__all__ = ["PongGame", "PongParams", "PongState"]
