"""The ``swapped`` control: DishBrain's two stimuli, each after the other outcome."""

from clgym.coding.feedback import Feedback

SENSORY = (8, 9, 10, 11, 12, 13, 14, 15)


def test_swapped_gives_the_unpredictable_stimulus_after_a_hit_and_the_predictable_one_after_a_miss():
    stim, swap = Feedback(SENSORY, "stimulus", seed=1), Feedback(SENSORY, "swapped", seed=1)
    hit_stim, hit_swap = stim.step(0, "hit"), swap.step(0, "hit")
    assert len(hit_stim.commands) == 1 and hit_stim.commands[0].burst_count == 10  # 100 Hz x 100 ms
    assert hit_swap.commands == () and swap.pending == 20  # 5 Hz x 4 s, queued at random times
    assert not swap.is_paused(1), "a hit never pauses play"
    miss_stim, miss_swap = Feedback(SENSORY, "stimulus", seed=2), Feedback(SENSORY, "swapped", seed=2)
    miss_stim.step(0, "miss")
    out_swap = miss_swap.step(0, "miss")
    assert miss_stim.pending == 20 and miss_swap.pending == 0
    assert len(out_swap.commands) == 1 and out_swap.commands[0].burst_count == 10
    assert miss_swap.is_paused(1) and miss_stim.is_paused(1)
    assert miss_swap.pause_ticks == miss_stim.pause_ticks  # the same 8.2 s pause: rally counts compare


def test_swapped_is_an_env_feedback_condition():
    import gymnasium as gym

    import clgym  # noqa: F401

    env = gym.make("CLPong-v0", feedback="swapped", culture="tiny", seed=0)
    env.reset()
    for _ in range(50):
        env.step(0)
    env.close()
