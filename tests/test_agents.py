"""clgym.agents: links, ablations, observation/action views, env factories, policies, evaluation, curves,
ball information."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gymnasium import spaces

from clgym.agents import (
    DOOM,
    PONG,
    AgentEnvConfig,
    ConstantPolicy,
    Episode,
    LogCountObservation,
    RandomPolicy,
    SingleChannelStimActions,
    TrackingShaping,
    ZeroSpikeObservation,
    baseline_config,
    evaluate,
    make_agent_vec_env,
    make_env,
    make_link,
)
from clgym.agents.algos import algo_kwargs
from clgym.agents.ball_information import decoding_accuracy
from clgym.agents.curves import bin_curve
from clgym.envs.pong import ACTION_DOWN, ACTION_STAY, ACTION_UP

TINY = "tiny"


def run(env, actions, reset_seed=None):
    """Step ``env`` through ``actions`` (auto-resetting); return observations and ball heights."""
    obs_list, ys = [], []
    env.reset(seed=reset_seed)
    for action in actions:
        obs, _, terminated, truncated, _ = env.step(action)
        obs_list.append(obs)
        ys.append(env.unwrapped.game.ball_y)
        if terminated or truncated:
            env.reset()
    return np.array(obs_list), np.array(ys)


# -- links -----------------------------------------------------------------------------------------------------
def test_a_link_counts_the_spikes_it_passes_on():
    link = make_link("culture", TINY, seed=2)
    try:
        passed = sum(link.advance().spike_channels.size for _ in range(300))
        assert passed == link.spikes_seen > 0
    finally:
        link.close()


def test_drop_spikes_silences_the_link_but_the_culture_still_fires():
    link = make_link("culture", TINY, seed=2, drop_spikes=True)
    try:
        ticks = [link.advance() for _ in range(300)]
        assert all(t.spike_channels.size == 0 and t.spike_timestamps.size == 0 for t in ticks)
        assert link.spikes_seen > 0  # the culture itself was not silenced
    finally:
        link.close()


def test_random_source_link_ignores_stimulation():
    """The SDK's random source: the same seed gives the same spikes whether or not we stimulate."""
    quiet, stimulated = make_link("random", seed=5), make_link("random", seed=5)
    try:
        for i in range(200):
            if i % 3 == 0:
                stimulated.stim([27, 28], 2.0)
            a, b = quiet.advance(), stimulated.advance()
            np.testing.assert_array_equal(a.spike_channels, b.spike_channels)
            np.testing.assert_array_equal(a.spike_timestamps, b.spike_timestamps)
        assert quiet.spikes_seen > 0
    finally:
        quiet.close()
        stimulated.close()


def test_make_link_rejects_bad_arguments():
    with pytest.raises(ValueError, match="source"):
        make_link("dish", TINY, seed=0)
    with pytest.raises(ValueError, match="seed"):
        make_link("culture", TINY, seed=None)
    with pytest.raises(ValueError):
        make_link("culture", "enormous", seed=0)


# -- ablations and views ---------------------------------------------------------------------------------------
def test_zero_spike_wrapper_really_zeroes_what_the_agent_sees():
    env = make_env(AgentEnvConfig(culture=TINY, ablation="zero_spikes"), seed=1)
    try:
        assert isinstance(env, ZeroSpikeObservation)
        obs, _ = env.reset()
        assert not obs.any()
        unwrapped_nonzero = 0
        for i in range(400):
            obs, _, terminated, truncated, _ = env.step(i % 3)
            assert obs.shape == env.observation_space.shape and not obs.any()
            unwrapped_nonzero += int(env.unwrapped._observation(False).any())
            if terminated or truncated:
                assert not env.reset()[0].any()
        assert unwrapped_nonzero > 0  # the culture fired: the zeros are the wrapper's doing
    finally:
        env.close()


def test_zero_spike_wrapper_refuses_encoder_mode_and_encoder_ablation_freezes_the_paddle():
    env = make_env(AgentEnvConfig(mode="encoder", culture=TINY), seed=1)
    try:
        with pytest.raises(ValueError, match="decoder"):
            ZeroSpikeObservation(env)
    finally:
        env.close()
    env = make_env(AgentEnvConfig(mode="encoder", culture=TINY, ablation="zero_spikes"), seed=1)
    try:
        env.reset()
        link = env.get_wrapper_attr("link")
        busy = np.full(8, 10)  # the strongest stimulation on every sensory channel
        for _ in range(300):
            _, _, terminated, truncated, _ = env.step(busy)
            assert not (terminated or truncated)  # the first serve needs 450 ticks to arrive
            assert env.unwrapped.game.paddle_y == env.unwrapped.game_params.height / 2
        assert link.spikes_seen > 0
    finally:
        env.close()


def test_random_source_observations_carry_no_ball_information():
    """Same source seed, different games and actions: identical observations. The culture's differ."""
    rng = np.random.default_rng(0)
    actions_a, actions_b = rng.integers(3, size=700), rng.integers(3, size=700)
    for source, same in (("random", True), ("culture", False)):
        config = AgentEnvConfig(culture=TINY, source=source)  # the env's own view: per-channel counts
        env_a, env_b = make_env(config, seed=3), make_env(config, seed=3)
        try:
            obs_a, y_a = run(env_a, actions_a, reset_seed=10)
            obs_b, y_b = run(env_b, actions_b, reset_seed=11)  # reseeds the game only: same culture or source
        finally:
            env_a.close()
            env_b.close()
        assert np.abs(y_a - y_b).max() > 100  # the balls went different ways
        assert (np.array_equal(obs_a, obs_b)) is same, source
        if source == "random":
            assert obs_a.any()  # not trivially equal: the random source does spike


def test_log_counts_are_log1p_of_the_same_spikes_and_only_for_decoder_mode():
    actions = [i % 3 for i in range(300)]
    plain = make_env(AgentEnvConfig(culture=TINY), seed=5)
    logged = make_env(AgentEnvConfig(culture=TINY, log_counts=True), seed=5)
    try:
        assert isinstance(logged, LogCountObservation)
        raw, _ = run(plain, actions, reset_seed=2)
        seen, _ = run(logged, actions, reset_seed=2)
        assert raw.max() > 1  # something to compress
        np.testing.assert_allclose(seen, np.log1p(raw), rtol=1e-6)
        assert all(logged.observation_space.contains(o) for o in seen)
    finally:
        plain.close()
        logged.close()
    with pytest.raises(ValueError, match="log_counts"):
        AgentEnvConfig(mode="encoder", log_counts=True)


def test_the_agent_sees_the_envs_own_observation():
    """No agent-side view: the config's env gives the env's default observation, and env_kwargs may choose."""
    import gymnasium as gym

    own = gym.make("CLPong-v0", control="decoder", culture=TINY)
    channels = make_env(AgentEnvConfig(culture=TINY), seed=1)
    groups = make_env(AgentEnvConfig(culture=TINY, env_kwargs={"observation": "groups"}), seed=1)
    try:
        assert channels.observation_space == own.observation_space
        assert groups.observation_space.shape == (30,) and channels.observation_space.shape == (590,)
    finally:
        for env in (own, channels, groups):
            env.close()
    with pytest.raises(ValueError, match="shaping"):
        AgentEnvConfig(env_id="CLDoomLiteBasic-v0", shaping=1.0)
    with pytest.raises(ValueError, match="env_id"):
        AgentEnvConfig(env_id="CartPole-v1")


def test_single_channel_stim_actions_map_to_one_channel_at_one_rate():
    env = make_env(AgentEnvConfig(mode="encoder", culture=TINY, encoder_actions="single"), seed=1)
    try:
        assert isinstance(env, SingleChannelStimActions)
        levels = env.n_levels
        assert env.action_space == spaces.Discrete(1 + 8 * levels)
        assert not env.action(0).any()
        for channel, level in ((0, 1), (3, levels), (7, 5)):
            rates = env.action(1 + channel * levels + level - 1)
            assert rates[channel] == level and np.count_nonzero(rates) == 1
        with pytest.raises(ValueError, match="action space"):
            env.action(1 + 8 * levels)
        env.reset()
        env.step(1 + 2 * levels + levels - 1)  # accepted by the env
    finally:
        env.close()


def test_tracking_shaping_telescopes_and_keeps_the_game_reward():
    """With gamma = 1 the shaping of a terminated episode sums to -coef * phi(first state): potential-based."""
    env = make_env(AgentEnvConfig(culture=TINY, feedback="no_feedback", shaping=2.0, shaping_gamma=1.0), seed=1)
    try:
        assert isinstance(env, TrackingShaping)
        env.reset()
        game = env.unwrapped.game
        phi0 = -abs(game.ball_y - game.paddle_y) / env.unwrapped.game_params.height
        shaped = game_total = 0.0
        step_signs = []
        for _ in range(5000):
            before = abs(game.ball_y - game.paddle_y)
            obs, reward, terminated, truncated, info = env.step(ACTION_UP)
            shaped += reward
            game_total += info["game_reward"]
            if info["game_reward"] == 0 and not terminated:
                step_signs.append((np.sign(reward), np.sign(before - abs(game.ball_y - game.paddle_y))))
            if terminated or truncated:
                break
        assert terminated and game_total == -1.0 + env.unwrapped.game.hits
        assert shaped - game_total == pytest.approx(-2.0 * phi0, abs=1e-9)
        assert all(a == b for a, b in step_signs)  # closing on the ball pays, drifting away costs
    finally:
        env.close()
    with pytest.raises(ValueError, match="shaping"):
        AgentEnvConfig(shaping=-1.0)


def test_evaluation_scores_the_game_not_the_shaping():
    venv = make_agent_vec_env(AgentEnvConfig(culture=TINY, feedback="no_feedback", shaping=5.0), 2, seed=1)
    try:
        stats = evaluate(ConstantPolicy(venv.action_space, ACTION_DOWN), venv, n_episodes=4)
        assert stats["return_mean"] == pytest.approx((stats["hits"] - stats["misses"]) / 4)
    finally:
        venv.close()


# -- factories -------------------------------------------------------------------------------------------------
def test_env_spec_validation_and_baselines():
    with pytest.raises(ValueError, match="mode"):
        AgentEnvConfig(mode="culture")
    with pytest.raises(ValueError, match="ablation"):
        AgentEnvConfig(ablation="lesion")
    with pytest.raises(ValueError, match="env_kwargs"):
        AgentEnvConfig(env_kwargs={"link": "sdk"})
    with pytest.raises(ValueError, match="random_spike_percentile"):
        AgentEnvConfig(random_spike_percentile=100.0)
    config = AgentEnvConfig(culture=TINY, env_kwargs={"observation": "groups"})
    assert baseline_config(config, "random_source").source == "random"
    assert baseline_config(config, "random_source").env_kwargs == {"observation": "groups"}
    assert baseline_config(config, "zero_spikes").ablation == "zero_spikes"
    assert baseline_config(config, "random_policy") == config
    with pytest.raises(ValueError, match="baseline"):
        baseline_config(config, "shuffled")


def test_vec_env_gives_each_env_its_own_culture_and_is_reproducible():
    spec = AgentEnvConfig(culture=TINY)
    first, second = make_agent_vec_env(spec, 2, seed=7), make_agent_vec_env(spec, 2, seed=7)
    try:
        assert first.num_envs == 2
        obs_first, obs_second = [first.reset()], [second.reset()]
        actions = np.ones(2, dtype=np.int64) * ACTION_STAY
        for _ in range(200):
            obs_first.append(first.step(actions)[0])
            obs_second.append(second.step(actions)[0])
        a, b = np.array(obs_first), np.array(obs_second)
        np.testing.assert_array_equal(a, b)  # same seeds, same spikes
        assert not np.array_equal(a[:, 0], a[:, 1])  # cultures 7 and 8 differ
        seeds = [link.source.culture_config.seed for link in first.get_attr("link")]
        assert seeds == [7, 8]
    finally:
        first.close()
        second.close()


# -- policies --------------------------------------------------------------------------------------------------
def test_random_policy_is_seeded_and_in_space():
    for space in (spaces.Discrete(3), spaces.MultiDiscrete([11] * 8), spaces.MultiBinary(8)):
        a, _ = RandomPolicy(space, seed=1).predict(np.zeros((5, 2)))
        b, _ = RandomPolicy(space, seed=1).predict(np.zeros((5, 2)))
        np.testing.assert_array_equal(a, b)
        assert len(a) == 5 and all(space.contains(x.astype(space.dtype)) for x in a)
    draws, _ = RandomPolicy(spaces.Discrete(3), seed=0).predict(np.zeros((3000, 1)))
    assert set(np.unique(draws)) == {0, 1, 2} and abs(np.mean(draws == 0) - 1 / 3) < 0.03
    with pytest.raises(ValueError):
        ConstantPolicy(spaces.Discrete(3), 3)


# -- evaluation and curves -------------------------------------------------------------------------------------
def pong_episode(end_step, hits, misses, ret, length, truncated):
    return Episode(end_step, ret, length, truncated, {"hits": hits, "misses": misses})


def test_summarize_known_numbers():
    episodes = [pong_episode(100, 2, 1, 1.0, 100, False), pong_episode(200, 0, 1, -1.0, 50, False),
                pong_episode(400, 4, 0, 4.0, 200, True)]
    s = PONG.summarize(episodes)
    assert s["episodes"] == 3 and s["hits"] == 6 and s["misses"] == 2 and s["truncated"] == 1
    assert s["rally_mean"] == pytest.approx(2.0)
    assert s["rally_sem"] == pytest.approx(np.std([2, 0, 4], ddof=1) / math.sqrt(3))
    assert s["hits_per_miss"] == pytest.approx(3.0)
    assert s["hit_rate"] == pytest.approx(0.75)
    assert s["hit_rate_sem"] == pytest.approx(math.sqrt(0.75 * 0.25 / 8))
    assert s["return_mean"] == pytest.approx(4 / 3)
    assert PONG.summarize([])["episodes"] == 0 and PONG.summarize([])["hits_per_miss"] is None
    doom = DOOM.summarize([Episode(10, 95.0, 30, False, {"outcome": "cleared"}),
                           Episode(20, -300.0, 857, True, {"outcome": None}),
                           Episode(30, 90.0, 40, False, {"outcome": "cleared"})])
    assert doom["kill_rate"] == pytest.approx(2 / 3) and doom["return_mean"] == pytest.approx(-115 / 3)
    assert doom["kill_sem"] == pytest.approx(np.std([1, 0, 1], ddof=1) / math.sqrt(3))
    assert doom["truncated"] == 1 and doom["length_mean"] == pytest.approx(309)
    assert "| a | -38.3 +- " in DOOM.table([("a", doom)])


def test_evaluate_counts_episodes_and_scores_from_the_game():
    venv = make_agent_vec_env(AgentEnvConfig(culture=TINY, feedback="no_feedback"), 2, seed=1)
    try:
        stay = evaluate(ConstantPolicy(venv.action_space, ACTION_STAY), venv, n_episodes=6)
        assert stay["episodes"] == 6 and len(stay["episode_list"]) == 6
        assert stay["misses"] + stay["truncated"] == 6  # each episode ends at its one miss, or is truncated
        assert stay["return_mean"] == pytest.approx((stay["hits"] - stay["misses"]) / 6)
        # a paddle pinned at one wall covers 250 of 600 units: some hits, mostly misses, never all hits
        up = evaluate(ConstantPolicy(venv.action_space, ACTION_UP), venv, n_episodes=6)
        assert up["misses"] >= 1 and 0 <= up["hit_rate"] < 1
    finally:
        venv.close()


def test_evaluate_rewards_a_policy_that_sees_the_ball():
    """An oracle that reads the game (not a learnable policy: it peeks) must beat parking at a wall."""

    class Oracle:
        def __init__(self, venv):
            self.games = [env.unwrapped for env in venv.venv.envs]

        def predict(self, obs, state=None, episode_start=None, deterministic=True):
            out = []
            for env in self.games:
                g = env.game
                out.append(ACTION_STAY if abs(g.ball_y - g.paddle_y) < 10 else
                           (ACTION_UP if g.ball_y > g.paddle_y else ACTION_DOWN))
            return np.array(out), None

    config = AgentEnvConfig(culture=TINY, feedback="no_feedback", env_kwargs={"episode_ticks": 2000})
    venv = make_agent_vec_env(config, 2, seed=1)
    try:
        oracle = evaluate(Oracle(venv), venv, n_episodes=4)
        parked = evaluate(ConstantPolicy(venv.action_space, ACTION_UP), venv, n_episodes=4)
        assert oracle["misses"] == 0 and oracle["truncated"] == 4 and oracle["hits"] >= 8
        assert oracle["rally_mean"] > parked["rally_mean"]
    finally:
        venv.close()


def test_bin_curve_assigns_episodes_by_end_step():
    episodes = [pong_episode(s, h, 1, h - 1.0, 10, False) for s, h in ((0, 1), (50, 3), (51, 0), (100, 2), (100, 4))]
    bins = bin_curve(episodes, 100, n_bins=2, score=PONG)
    assert [b["episodes"] for b in bins] == [2, 3]
    assert bins[0]["rally_mean"] == pytest.approx(2.0) and bins[1]["rally_mean"] == pytest.approx(2.0)
    assert bins[1]["step_lo"] == 50 and bins[1]["step_hi"] == 100
    with pytest.raises(ValueError):
        bin_curve(episodes, 0)


def test_algo_kwargs_fit_small_budgets():
    for steps, n_envs in ((3000, 2), (200_000, 8), (100, 3)):
        ppo = algo_kwargs("ppo", steps, n_envs)
        assert (ppo["n_steps"] * n_envs) % ppo["batch_size"] == 0
        assert ppo["n_steps"] * n_envs <= max(steps, 8 * n_envs)
        dqn = algo_kwargs("dqn", steps, n_envs)
        assert dqn["learning_starts"] < steps
    assert algo_kwargs("ppo", 200_000, 8)["n_steps"] == 128
    with pytest.raises(ValueError, match="algo"):
        algo_kwargs("sac", 1000, 1)


def test_decoding_accuracy_separates_signal_from_noise():
    rng = np.random.default_rng(0)
    labels = rng.integers(2, size=3000)
    informative = rng.poisson(1 + 4 * labels[:, None], size=(3000, 3)).astype(np.float32)
    noise = rng.poisson(3, size=(3000, 3)).astype(np.float32)
    good = decoding_accuracy(informative, labels, epochs=30)
    bad = decoding_accuracy(noise, labels, epochs=30)
    assert good["accuracy"] > 0.9
    assert bad["accuracy"] < bad["chance"] + 0.05


def test_the_old_make_vec_env_name_still_works_and_says_it_is_deprecated():
    from clgym import agents

    with pytest.warns(DeprecationWarning, match="make_agent_vec_env"):
        old = agents.make_vec_env
        venv = old(AgentEnvConfig(culture=TINY, feedback="no_feedback"), 1, seed=1)
    venv.close()
