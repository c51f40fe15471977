"""Every env and control mode checks an action by its action space's own rule (``action_space.contains``):
an action is stepped iff the space contains it, else ``ValueError`` names the action and the space and no tick
runs. So ``step(True)`` (a Python bool is an int to Gymnasium) and float arrays behave the same everywhere."""

import numpy as np
import pytest

from clgym.envs.doom_lite import CLDoomLiteEnv
from clgym.envs.pong import CLPongEnv

TINY = {"preset": "tiny", "seed": 1}
ENVS = {"pong": CLPongEnv, "doom": CLDoomLiteEnv}


def candidate_actions(space) -> list:
    """Near-misses of every kind: Python and NumPy bools, ints and floats, scalars and arrays, lists."""
    sample = np.asarray(space.sample())
    candidates = [True, False, 0, 1, 1.0, 0.0, 2.0, np.int64(1), np.bool_(True), np.float64(1.0), -1, 7, None,
                  "1", [0], np.array(1)]
    if sample.ndim == 1:
        n = sample.size
        candidates += [np.zeros(n, int), np.ones(n, int), np.zeros(n), np.ones(n), np.full(n, 0.5),
                       np.zeros(n, bool), np.ones(n, bool), [0] * n, [1.0] * n, tuple([1] * n), np.zeros(n + 1, int),
                       np.full(n, 99)]
    return candidates


@pytest.mark.parametrize("game", ENVS)
@pytest.mark.parametrize("control, agent_stim", [("decoder", "rate"), ("culture", "rate"), ("encoder", "rate"),
                                                 ("encoder", "pulse")])
def test_an_action_is_stepped_iff_the_action_space_contains_it(game, control, agent_stim):
    env = ENVS[game](culture=TINY, seed=0, control=control, agent_stim=agent_stim)
    env.reset()
    try:
        for action in candidate_actions(env.action_space):
            ticks = env.connection.link.tick_index
            if env.action_space.contains(action):
                _, _, terminated, truncated, _ = env.step(action)
                assert env.connection.link.tick_index == ticks + 1, repr(action)
                if terminated or truncated:
                    env.reset()
            else:
                with pytest.raises(ValueError) as refused:
                    env.step(action)
                assert repr(action) in str(refused.value) or str(action) in str(refused.value)
                assert str(env.action_space) in str(refused.value)
                assert env.connection.link.tick_index == ticks  # no tick ran
    finally:
        env.close()


def test_the_rules_differ_only_where_gymnasiums_spaces_differ():
    pong = CLPongEnv(culture=TINY, seed=0, control="decoder")
    rate = CLPongEnv(culture=TINY, seed=0, control="encoder", agent_stim="rate")
    pulse = CLPongEnv(culture=TINY, seed=0, control="encoder", agent_stim="pulse")
    try:
        assert pong.action_space.contains(True) and not pong.action_space.contains(1.0)
        assert not rate.action_space.contains(np.ones(8))  # MultiDiscrete: integer dtype only
        assert pulse.action_space.contains(np.ones(8))  # MultiBinary: any 0/1 values
    finally:
        for env in (pong, rate, pulse):
            env.close()
