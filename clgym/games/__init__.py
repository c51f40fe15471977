"""Pure game logic, no Gymnasium and no culture: :mod:`clgym.games.pong` (DishBrain's Pong) and
:mod:`clgym.games.doom` (Doom-lite: maps, bodies, raycasting, scenarios). The envs in :mod:`clgym.envs` wrap them.
"""
