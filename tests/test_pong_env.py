"""CLPong-v0: Gymnasium and SB3 conformance, episode semantics, the persistent culture, bad input, rendering."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

os.environ["SDL_VIDEODRIVER"] = "dummy"  # before pygame is imported anywhere

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from gymnasium.utils.env_checker import check_env  # noqa: E402
from stable_baselines3.common.env_checker import check_env as sb3_check_env  # noqa: E402

import clgym  # noqa: E402,F401  (registers CLPong-v0)
from clgym.coding import pong_layout  # noqa: E402
from clgym.demo import run_demo, summarise_rallies  # noqa: E402
from clgym.envs.pong import ACTION_DOWN, ACTION_STAY, ACTION_UP, CLPongEnv  # noqa: E402
from clgym.links import InProcessLink, sdk_child_processes  # noqa: E402

TINY = "tiny"
STEP_INFO_KEYS = {"hits", "misses", "rally", "last_rally", "aces", "spike_count", "paused", "event", "tick",
                  "culture_ticks",
                  "culture_grown", "between_episode_ticks"}  # reset's keys too: one set of keys (Gymnasium)


def make(**kwargs) -> CLPongEnv:
    kwargs.setdefault("culture", TINY)
    kwargs.setdefault("seed", 0)
    return CLPongEnv(**kwargs)


def away_from_ball(env: CLPongEnv) -> int:
    """A decoder-mode policy that misses: park the paddle at the end of the field away from the ball."""
    game = env.game
    return ACTION_DOWN if game.ball_y > game.params.height / 2 else ACTION_UP


def track_ball(env: CLPongEnv) -> int:
    game = env.game
    if game.ball_y > game.paddle_y + 1:
        return ACTION_UP
    return ACTION_DOWN if game.ball_y < game.paddle_y - 1 else ACTION_STAY


def recording_link(culture=TINY, seed=0) -> tuple[InProcessLink, list]:
    """An in-process link whose ticks are kept, to see every pulse the env delivered."""
    link = InProcessLink({"preset": culture, "seed": seed})
    ticks = []
    link.observe(on_tick=ticks.append)
    return link, ticks


def pulses(ticks, start: int = 0, stop: int | None = None) -> int:
    return sum(t.stim_channels.size for t in ticks if start <= t.index and (stop is None or t.index < stop))


# -- registration and conformance --------------------------------------------------------------------------
def test_import_clgym_registers_the_env_without_loading_the_engine_or_the_sdk():
    code = (
        "import sys, gymnasium as gym, clgym\n"
        "assert 'CLPong-v0' in gym.registry\n"
        "heavy = [m for m in ('cl', 'numba', 'pygame', 'clgym.culture', 'clgym.links') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print('ok')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr
    # the module-prefixed id imports clgym on demand, in a fresh interpreter
    code = ("import gymnasium as gym\nenv = gym.make('clgym:CLPong-v0', culture='tiny', seed=0)\n"
            "obs, info = env.reset()\nenv.step(0)\nenv.close()\nprint(obs.shape)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "(6,)", run.stderr


@pytest.mark.parametrize("control", ["culture", "decoder", "encoder"])
def test_gymnasium_and_sb3_env_checkers_pass(control):
    env = gym.make("CLPong-v0", control=control, culture=TINY, seed=0, render_mode="rgb_array")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a checker warning is a failure too
        check_env(env.unwrapped)
        sb3_check_env(env.unwrapped)
    env.close()


@pytest.mark.parametrize(("control", "observation", "shape", "action_space"), [
    ("culture", None, (6,), gym.spaces.Discrete(1)),
    ("decoder", None, (590,), gym.spaces.Discrete(3)),
    ("decoder", "groups", (30,), gym.spaces.Discrete(3)),
    ("encoder", None, (6,), gym.spaces.MultiDiscrete([11] * 8)),
])
def test_spaces_per_control_mode(control, observation, shape, action_space):
    env = make(control=control, observation=observation)
    assert env.observation_space.shape == shape and env.observation_space.dtype == np.float32
    assert env.action_space == action_space
    if observation == "groups":  # clipped counts: 50 per channel of the group (dishbrain: sensory 8, up 12, down 10)
        sizes = [len(g) for g in env.layout.groups.values()]
        assert sizes == [8, 12, 10]
        np.testing.assert_array_equal(env.observation_space.high.reshape(10, 3)[0], np.array(sizes) * 50)
    elif control == "decoder":  # every recording channel, 50 spikes per tick at most
        assert env.unwrapped.observed_channels.size == 59 and (env.observation_space.high == 50).all()
    pulse_env = make(control="encoder", agent_stim="pulse")
    assert pulse_env.action_space == gym.spaces.MultiBinary(8)


def test_channel_observation_sums_to_the_group_observation_of_the_same_culture():
    """The default decoder view is the group view before the sums: same seed, same spikes, same totals."""
    channels, groups = make(control="decoder", seed=4), make(control="decoder", seed=4, observation="groups")
    channels.reset()
    groups.reset()
    sizes = [len(g) for g in channels.unwrapped.layout.groups.values()]
    edges = np.cumsum([0, *sizes])
    spikes = 0.0
    for _ in range(300):
        by_channel, *_ = channels.step(ACTION_STAY)
        by_group, *_ = groups.step(ACTION_STAY)
        per_tick = by_channel.reshape(10, -1)
        summed = np.stack([per_tick[:, edges[k]:edges[k + 1]].sum(1) for k in range(3)], axis=1)
        np.testing.assert_array_equal(summed, by_group.reshape(10, 3))
        spikes += by_group.sum()
    assert spikes > 0  # the culture fired: the comparison was not of zeros
    with pytest.raises(ValueError, match="observation='channels' is not allowed"):
        make(control="culture", observation="channels")


# -- steps, rewards, episode ends ----------------------------------------------------------------------------
def test_step_before_reset_and_after_the_end_raises():
    env = make(control="decoder", episode_ticks=5)
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(ACTION_STAY)
    env.reset()
    for _ in range(5):
        _, _, terminated, truncated, _ = env.step(ACTION_STAY)
    assert truncated and not terminated
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(ACTION_STAY)
    env.close()


def test_rl_episode_terminates_on_a_miss_and_the_miss_feedback_is_played_out_before_the_next_serve():
    link, ticks = recording_link()
    env = CLPongEnv(control="decoder", link=link, seed=0)
    obs, info = env.reset()
    assert not obs.any() and info["culture_grown"] is False  # the caller's link: never regrown
    rewards, steps = [], 0
    while True:
        obs, reward, terminated, truncated, info = env.step(away_from_ball(env))
        assert obs in env.observation_space and set(info) == STEP_INFO_KEYS
        rewards.append(reward)
        steps += 1
        if terminated or truncated:
            break
    assert terminated and info["event"] == "miss" and reward == -1.0 and info["misses"] == 1
    assert info["paused"] and info["aces"] == (info["last_rally"] == 0) and sum(rewards) == info["hits"] - 1
    episode_end = link.tick_index  # the miss happened in the tick before
    _, info = env.reset()
    fb = env.feedback
    # the 4 s of unpredictable stimulation (20 pulses) and the 8.2 s pause ran on the culture between episodes
    assert fb.pause_ticks <= info["between_episode_ticks"] <= fb.pause_ticks + 1
    assert link.tick_index == episode_end + info["between_episode_ticks"]
    assert pulses(ticks, episode_end - 1, link.tick_index) == fb.miss_pulses  # no sensory pulse among them
    assert info["hits"] == info["misses"] == 0 and info["culture_ticks"] == link.tick_index
    env.close()
    assert not link.closed  # the caller's link stays open
    link.close()


def test_a_tracking_agent_hits_every_ball_and_each_hit_is_rewarded_and_fed_back():
    link, ticks = recording_link()
    env = CLPongEnv(control="decoder", link=link, seed=3, episode_ticks=3000)
    env.reset()
    hit_ticks, total = [], 0.0
    for _ in range(3000):
        _, reward, terminated, truncated, info = env.step(track_ball(env))
        total += reward
        if info["event"] == "hit":
            assert reward == 1.0 and info["rally"] == info["hits"]
            hit_ticks.append(link.tick_index - 1)
        if terminated or truncated:
            break
    assert truncated and not terminated and info["misses"] == 0
    # the ball reaches the paddle 4.5 s after the serve, then every 6 s (two 3 s crossings)
    assert hit_ticks == list(range(449, 3000, 600)) and total == len(hit_ticks)
    for hit in hit_ticks:  # the predictable stimulus: 100 Hz x 100 ms on all 8 feedback channels
        assert pulses(ticks, hit, hit + 10) >= 10 * len(pong_layout().feedback)
    env.close()
    link.close()


@pytest.mark.parametrize("feedback", ["stimulus", "silent", "no_feedback", "rest"])
def test_feedback_conditions_shape_what_the_culture_receives(feedback):
    link, ticks = recording_link()
    env = CLPongEnv(control="decoder", feedback=feedback, link=link, seed=1, terminate_on_miss=False,
                    episode_ticks=1500)
    env.reset()
    miss_at, paused_ticks = None, 0
    for _ in range(1500):
        obs, reward, terminated, truncated, info = env.step(away_from_ball(env))
        paused_ticks += info["paused"]
        if info["event"] == "miss" and miss_at is None:
            miss_at = link.tick_index - 1
        if truncated:
            break
    assert miss_at is not None and not terminated
    after_miss = pulses(ticks, miss_at, miss_at + env.feedback.miss_ticks)  # sensory input is muted then
    if feedback == "stimulus":
        assert after_miss == env.feedback.miss_pulses and paused_ticks >= env.feedback.pause_ticks
    elif feedback == "silent":
        assert after_miss == 0 and paused_ticks >= env.feedback.pause_ticks
    elif feedback == "no_feedback":
        assert paused_ticks == 0 and info["misses"] >= 2  # no pause, the ball bounces back at once
        assert after_miss > 0  # sensory stimulation goes on
    else:
        assert pulses(ticks) == 0  # rest: no stimulation at all, the game is still scored
    env.close()
    link.close()


def test_culture_mode_plays_a_fixed_session_and_observes_the_game_within_bounds():
    env = make(control="culture", feedback="no_feedback", episode_ticks=3000)
    assert env.terminate_on_miss is False
    obs, _ = env.reset()
    total, done = 0.0, False
    while not done:
        obs, reward, terminated, truncated, info = env.step(0)
        assert obs in env.observation_space
        total += reward
        done = terminated or truncated
    assert truncated and not terminated and info["tick"] == 3000
    assert total == info["hits"] - info["misses"] and info["misses"] >= 1
    env.close()


# -- determinism and the persistent culture ----------------------------------------------------------------
def play(env, actions, seed=None):
    obs, _ = env.reset(seed=seed)
    observations, infos = [obs], []
    for action in actions:
        obs, _, terminated, truncated, info = env.step(action)
        observations.append(obs)
        infos.append(info)
        if terminated or truncated:
            break
    return np.array(observations), infos


def test_same_seed_and_actions_give_the_same_spikes_and_another_seed_does_not():
    actions = np.random.default_rng(0).integers(0, 3, size=400)
    a, b, c = (make(control="decoder", seed=s) for s in (5, 5, 6))
    obs_a, info_a = play(a, actions)
    obs_b, info_b = play(b, actions)
    obs_c, _ = play(c, actions)
    assert obs_a.sum() > 50  # a living culture, not an empty comparison
    np.testing.assert_array_equal(obs_a, obs_b)
    assert info_a == info_b
    assert not np.array_equal(obs_a, obs_c[: len(obs_a)])
    # a seeded reset restarts the experiment: a fresh culture from that seed, the same episode again
    obs_again, info_again = play(a, actions, seed=5)
    np.testing.assert_array_equal(obs_again, obs_a)
    assert info_again == info_a
    for env in (a, b, c):
        env.close()


def test_the_culture_persists_across_reset_unless_a_fresh_one_is_asked_for():
    env = make(control="culture")
    _, info = env.reset()
    assert info["culture_grown"]
    culture = env.connection.link.source.culture
    for _ in range(200):
        env.step(0)
    _, info = env.reset()  # no seed: the same dish, 200 ticks older
    assert not info["culture_grown"] and env.connection.link.source.culture is culture
    assert info["culture_ticks"] == 200 + info["between_episode_ticks"]
    _, info = env.reset(seed=0)  # the culture ran: a seeded reset grows it again
    assert info["culture_grown"] and env.connection.link.source.culture is not culture
    env.close()

    fresh = make(control="culture", fresh_culture_on_reset=True)
    fresh.reset()
    first = fresh.connection.link.source.culture
    fresh.step(0)
    _, info = fresh.reset()
    assert info["culture_grown"] and info["culture_ticks"] == 0
    assert fresh.connection.link.source.culture is not first
    assert fresh.connection.culture_seed != 0  # unseeded: a new culture from the env's RNG
    fresh.close()

    pinned = make(control="culture", culture={"preset": TINY, "seed": 42})
    pinned.reset(seed=7)
    assert pinned.connection.culture_seed == 42  # a culture config's own seed wins
    pinned.close()


# -- bad input ---------------------------------------------------------------------------------------------
BAD_ARGUMENTS = [
    ({"control": "bogus"}, "control='bogus' is not allowed; allowed: 'culture', 'decoder', 'encoder'"),
    ({"feedback": "loud"}, "allowed: 'stimulus', 'silent', 'no_feedback', 'rest'"),
    ({"link": "cloud"}, "link='cloud' is not allowed; allowed: 'in_process', 'sdk'"),
    ({"culture": "gigantic"}, "preset='gigantic' is unknown; allowed: default, dishbrain, dishbrain-100k, "
                              "dishbrain-10k, huge, large, small, tiny"),
    ({"culture": {"preset": "tiny", "n_neurons": -5}}, "n_neurons=-5 is invalid; allowed: an integer >= 10"),
    ({"culture": {"preset": "tiny", "bogus": 1}}, "unknown culture config field(s) ['bogus']"),
    ({"culture": 3}, "culture=3 is not allowed; allowed: a preset name"),
    ({"layout": {"sensory": [9, 10], "motor": [[9, 11], [12]]}}, "channel 9 is already in group 'sensory'"),
    ({"layout": {"sensory": [0, 10], "motor": [[11], [12]]}}, "channel 0 is grounded"),
    ({"layout": {"sensory": [4], "motor": [[11], [12]]}}, "channel 4 is the reference electrode"),
    ({"layout": {"sensory": [9], "motor": [[11], [12], [13]], "motor_names": ["a", "b", "c"]}},
     "3 motor regions ('a', 'b', 'c'); allowed: 2"),
    ({"layout": {"sensory": [9], "motors": [[11]]}}, "unknown field(s) ['motors']; allowed: sensory, motor"),
    ({"layout": "hexagon"}, "layout='hexagon' is unknown; allowed: dishbrain, quadrants"),
    ({"render_mode": "movie"}, "render_mode='movie' is not allowed; allowed: 'human', 'rgb_array'"),
    ({"episode_ticks": 0}, "episode_ticks=0 is not allowed; allowed: an integer >= 1"),
    ({"seed": -1}, "seed=-1 is not allowed; allowed: None or an integer >= 0"),
    ({"history_ticks": 0}, "history_ticks=0 is not allowed"),
    ({"paddle_speed": 0.0}, "paddle_speed=0.0 is not allowed; allowed: a finite number > 0"),
    ({"agent_stim": "burst"}, "agent_stim='burst' is not allowed; allowed: 'rate', 'pulse'"),
    ({"terminate_on_miss": "yes"}, "terminate_on_miss='yes' is not allowed; allowed: True or False"),
    ({"game_params": {"width": 1}}, "allowed: a PongParams or None"),
    ({"control": "encoder", "feedback": "rest"}, "allowed with control='encoder': 'stimulus', 'silent', "),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_ARGUMENTS, ids=[str(k) for k, _ in BAD_ARGUMENTS])
def test_bad_arguments_raise_a_clear_error_before_any_process_starts(kwargs, message):
    with pytest.raises(ValueError) as error:
        CLPongEnv(**{"link": "sdk", **kwargs})  # the SDK link would start a producer if it got that far
    assert message in str(error.value)
    assert not sdk_child_processes()


def test_a_culture_with_a_link_instance_and_a_link_at_another_tick_rate_are_refused():
    with InProcessLink(TINY) as link:
        with pytest.raises(ValueError, match="culture='tiny' is not allowed with a Link instance"):
            CLPongEnv(link=link, culture=TINY)
    with InProcessLink(TINY, ticks_per_second=50) as slow:
        with pytest.raises(ValueError, match="allowed: 250 frames"):
            CLPongEnv(link=slow)
    with pytest.raises(ValueError, match="is closed"):
        CLPongEnv(link=link)


@pytest.mark.parametrize(("control", "bad_actions", "message"), [
    ("decoder", [3, -1, 1.5, "up", None], "allowed: 0 (up), 1 (stay), 2 (down)"),
    ("culture", [1, None, [0]], "allowed: 0 (control='culture' ignores the action)"),
    ("encoder", [np.zeros(7, int), np.full(8, 11), np.full(8, -1)], "is not in the action space MultiDiscrete"),
])
def test_an_action_outside_the_space_raises_and_changes_nothing(control, bad_actions, message):
    env = make(control=control)
    env.reset()
    good = env.action_space.sample()
    env.step(good)
    for action in bad_actions:
        with pytest.raises(ValueError) as error:
            env.step(action)
        assert message in str(error.value) and str(env.action_space) in str(error.value)
    _, _, _, _, info = env.step(good)
    assert info["tick"] == 2 == env.connection.link.tick_index  # the refused actions ran no tick
    env.close()


# -- SDK link: same culture, same spikes; nothing left behind ---------------------------------------------
def sdk_processes_by_pgrep() -> list[str]:
    run = subprocess.run(["pgrep", "-P", str(os.getpid()), "-f", "cl._sim._subprocess_main"],
                         capture_output=True, text=True)
    return run.stdout.split()


def test_sdk_link_gives_the_in_process_spikes_and_close_leaves_no_producer():
    actions = [ACTION_STAY] * 60
    reference, _ = play(make(control="decoder", seed=2), actions)
    env = make(control="decoder", seed=2, link="sdk")
    assert not sdk_processes_by_pgrep()  # the link opens at reset, not in the constructor
    observations, _ = play(env, actions)
    assert sdk_processes_by_pgrep()  # the producer runs while the env is open
    np.testing.assert_array_equal(observations, reference)
    env.close()
    env.close()  # twice is fine
    assert not sdk_processes_by_pgrep() and not sdk_child_processes()
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(ACTION_STAY)


# -- rendering ---------------------------------------------------------------------------------------------
def test_rgb_array_frames_and_render_misuse():
    env = make(render_mode="rgb_array")
    with pytest.raises(RuntimeError, match="reset"):
        env.render()
    env.reset()
    first = env.render()
    assert first.shape == (480, 640, 3) and first.dtype == np.uint8
    for _ in range(50):
        env.step(0)
    second = env.render()
    assert not np.array_equal(first, second)  # the ball moved and the raster scrolled
    env.close()
    silent = make()
    silent.reset()
    with pytest.warns(UserWarning, match="render_mode"):
        assert silent.render() is None
    silent.close()


def test_human_mode_opens_a_window_headless():
    env = make(render_mode="human")
    env.reset()
    for _ in range(10):
        env.step(0)
    assert env.render() is None and env._renderer.window_open
    env.close()
    assert env._renderer is None


def test_record_video_wrapper(tmp_path):
    pytest.importorskip("moviepy", reason="gymnasium's RecordVideo needs moviepy, which is not installed")
    env = gym.wrappers.RecordVideo(make(render_mode="rgb_array", episode_ticks=50), str(tmp_path))
    env.reset()
    for _ in range(50):
        env.step(0)
    env.close()
    assert list(tmp_path.glob("*.mp4"))


# -- SB3 and the demo --------------------------------------------------------------------------------------
def test_a_short_ppo_run_in_decoder_mode():
    from stable_baselines3 import PPO

    env = make(control="decoder")
    model = PPO("MlpPolicy", env, n_steps=128, batch_size=64, n_epochs=1, seed=0, device="cpu")
    model.learn(total_timesteps=256)
    assert model.num_timesteps >= 256
    action, _ = model.predict(env.reset()[0], deterministic=True)
    assert env.action_space.contains(int(action))
    env.close()


def test_rally_summary_windows():
    # rallies ending at 0.5, 1.5, 2.5 and 3.5 min of a 4-minute session with 0, 3, 1 and 4 hits
    windows = summarise_rallies([3000, 9000, 15000, 21000], [0, 3, 1, 4], minutes=4.0)
    early, late, everything = windows
    assert (early.label, early.rallies, early.hits) == ("0-2 min", 2, 3)
    assert (early.aces_percent, early.long_rallies_percent, early.average_rally) == (50.0, 50.0, 1.5)
    assert (late.rallies, late.aces_percent, late.long_rallies_percent, late.average_rally) == (2, 0.0, 50.0, 2.5)
    assert everything.rallies == 4 and everything.average_rally == 2.0
    long_session = summarise_rallies([], [], minutes=20.0)
    assert [w.label for w in long_session] == ["0-5 min", "6-20 min", "all 20 min"]  # DishBrain's windows
    assert long_session[0].rallies == 0 and np.isnan(long_session[0].average_rally)


def test_demo_writes_a_gif_a_frame_and_a_consistent_summary(tmp_path, capsys):
    from PIL import Image

    result = run_demo(minutes=0.5, out_dir=tmp_path, culture=TINY, seed=0, show=False, excerpt_seconds=3.0)
    printed = capsys.readouterr().out
    assert "| window | rallies | hits | aces %" in printed and str(result.gif_path) in printed
    with Image.open(result.gif_path) as gif:
        assert gif.n_frames == 75 and gif.size == (640, 480)  # 3 s at 25 frames per simulated second
    with Image.open(result.png_path) as png:
        assert png.size == (640, 480)
    everything = result.windows[-1]
    assert everything.rallies == result.misses
    assert everything.hits <= result.hits
    assert sum(w.rallies for w in result.windows[:2]) == result.misses


def test_the_default_layout_is_dishbrains_geometry_and_the_quadrants_layout_is_still_there():
    from clgym.coding.pong import dishbrain_layout

    env = make(control="culture")
    assert env.layout == dishbrain_layout()
    pitch = 200.0
    rows = lambda group: {c // 8 for c in group}  # noqa: E731
    assert rows(env.layout.sensory) == {1}
    gap_um = (min(min(rows(g)) for g in env.layout.motor) - 1) * pitch
    assert gap_um == 600.0  # sensory row to the nearest motor row, as in the paper
    env.close()
    quadrants = make(control="culture", layout="quadrants")
    assert quadrants.layout == pong_layout()
    quadrants.close()


def test_a_gym_made_session_is_truncated_by_the_env_not_by_time_limit():
    """env.spec.max_episode_steps is where the env truncates, in every control mode; no TimeLimit cuts it."""
    env = gym.make("CLPong-v0", control="culture", culture=TINY, seed=0)
    assert env.spec.max_episode_steps == env.unwrapped.episode_ticks == 120_000
    env.close()
    decoder = gym.make("CLPong-v0", control="decoder", culture=TINY, seed=0)
    assert decoder.spec.max_episode_steps == decoder.unwrapped.episode_ticks == 6_000
    assert "TimeLimit" not in str(decoder)
    decoder.close()
    longer = gym.make("CLPong-v0", control="decoder", culture=TINY, seed=0, episode_ticks=5,
                      terminate_on_miss=False)
    longer.reset()
    ends = [longer.step(ACTION_STAY)[3] for _ in range(5)]
    assert ends == [False] * 4 + [True]
    longer.close()


@pytest.mark.parametrize("env_id", ["CLPong-v0", "CLDoomLiteBasic-v0"])
@pytest.mark.parametrize("control", ["culture", "decoder", "encoder"])
def test_reset_and_step_info_carry_the_same_keys(env_id, control):
    env = gym.make(env_id, control=control, culture=TINY, seed=0)
    try:
        _, reset_info = env.reset(seed=0)
        _, _, _, _, step_info = env.step(env.action_space.sample())
        assert set(reset_info) == set(step_info)
        assert reset_info["culture_grown"] is True and step_info["culture_grown"] is False
        assert step_info["between_episode_ticks"] == 0
    finally:
        env.close()
