"""CLDoomLite-v0: the Doom coding (layout, encoder, decoder, feedback), Gymnasium and SB3 conformance in every control
mode, episodes and feedback, determinism, bad input, rendering, the SDK link, and the PPO script's quick mode."""

from __future__ import annotations

import math
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

import clgym  # noqa: E402,F401  (registers the ids)
from clgym.coding import (  # noqa: E402
    DOOM_MOTOR_NAMES,
    NOOP_GROUP,
    UNUSABLE_CHANNELS,
    DoomDecoderParams,
    DoomFeedback,
    DoomLayout,
    DoomMotorDecoder,
    DoomSensoryEncoder,
    Feedback,
    bearing_band_edges,
    doom_layout,
)
from clgym.envs.doom_lite import CLDoomLiteEnv  # noqa: E402
from clgym.games.doom import Action, DoomGame, make_scenario  # noqa: E402
from clgym.links import InProcessLink, sdk_child_processes  # noqa: E402

TINY = "tiny"
STEP_INFO_KEYS = {"kills", "health", "ammo", "events", "outcome", "game_action", "spike_count", "tick",
                  "culture_ticks",
                  "culture_grown", "between_episode_ticks"}  # reset's keys too: one set of keys (Gymnasium)


def make(**kwargs) -> CLDoomLiteEnv:
    kwargs.setdefault("culture", TINY)
    kwargs.setdefault("seed", 0)
    return CLDoomLiteEnv(**kwargs)


def recording_link(seed: int = 0) -> tuple[InProcessLink, list]:
    """An in-process tiny culture whose ticks are kept, to see every pulse the env delivered."""
    link = InProcessLink({"preset": TINY, "seed": seed})
    ticks = []
    link.observe(on_tick=ticks.append)
    return link, ticks


def pulses(ticks, start: int = 0, stop: int | None = None, channels=None) -> int:
    total = 0
    for t in ticks:
        if start <= t.index and (stop is None or t.index < stop):
            total += t.stim_channels.size if channels is None else int(np.isin(t.stim_channels, channels).sum())
    return total


def aim(game: DoomGame) -> int:
    """The oracle player: turn towards the nearest visible enemy and shoot when on it, else turn right."""
    seen = game.nearest_enemy()
    if seen is None:
        return int(Action.TURN_RIGHT)
    if abs(seen.bearing) < 0.02:
        return int(Action.ATTACK)
    return int(Action.TURN_RIGHT if seen.bearing > 0 else Action.TURN_LEFT)


# -- coding: layout ----------------------------------------------------------------------------------------
def test_default_layout_is_disjoint_symmetric_and_avoids_unusable_channels():
    layout = doom_layout()
    groups = [layout.bearing, layout.wall, *layout.motor]
    used = [c for g in groups for c in g]
    assert len(used) == len(set(used)) and not set(used) & UNUSABLE_CHANNELS
    assert [len(g) for g in layout.motor] == [10, 10, 12, 10] and len(layout.bearing) == 8 == 2 * len(layout.wall)
    for group in layout.motor:  # every motor group maps onto itself under a 180-degree rotation of the array
        assert {63 - c for c in group} == set(group)
    assert layout.feedback == layout.sensory == layout.bearing + layout.wall
    assert layout.channels.motor_names == DOOM_MOTOR_NAMES
    counts = layout.readout_counts(np.array([24, 24, 31, 37, 1, 9, 58, 5, 33, 59, 60], dtype=np.int32))
    expected = np.zeros(16, int)
    expected[[0, 7, 11]] = [2, 1, 1]
    expected[12:] = [2, 0, 1, 2]  # 1, 9 turn_left; 60 forward; 58, 5 attack; 33 and 59 are free
    np.testing.assert_array_equal(counts, expected)
    rng = np.random.default_rng(0)
    for size in (0, 1, 5, 64, 65, 400):  # the plain-Python count (few spikes) and the numpy one (many) agree
        spikes = rng.integers(0, 64, size=size).astype(np.int32)
        assert layout.readout_count_list(spikes) == layout.readout_counts(spikes).tolist()
    for count in (layout.readout_counts, layout.readout_count_list):
        with pytest.raises(ValueError, match="spike channel 64 is out of range"):
            count(np.array([3, 64]))
        with pytest.raises(ValueError, match="spike channel -2 is out of range"):
            count(np.array([-2]))
        with pytest.raises(ValueError, match="spike channels must be integers"):
            count(np.array([1.5]))


@pytest.mark.parametrize(("change", "message"), [
    ({"wall": (24, 35)}, "layout group 'wall': channel 24 is already in group 'bearing'"),
    ({"attack": (0, 13)}, "layout group 'attack': channel 0 is grounded"),
    ({"forward": (4,)}, "channel 4 is the reference electrode"),
    ({"turn_right": (1, 14)}, "channel 1 is already in group 'turn_left'"),
    ({"bearing": (24,)}, "allowed: at least 2"),
    ({"forward": ()}, "layout group 'forward' is empty"),
    ({"feedback": (1,)}, "feedback may use sensory or free channels only"),
])
def test_layout_validation_names_the_group_and_the_channel(change, message):
    fields = {name: getattr(doom_layout(), name) for name in ("bearing", "wall", *DOOM_MOTOR_NAMES)}
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        DoomLayout.from_fields({**fields, **change})


# -- coding: the sensory encoder ---------------------------------------------------------------------------
def test_bearing_bands_are_foveated_and_the_rate_tracks_distance_exactly():
    edges = np.degrees(bearing_band_edges(8, math.pi / 4))
    np.testing.assert_allclose(edges, [-25.3125, -11.25, -2.8125, 0, 2.8125, 11.25, 25.3125])
    np.testing.assert_allclose(np.degrees(bearing_band_edges(4, math.pi / 4, fovea=1)), [-22.5, 0, 22.5])
    layout = doom_layout()
    enc = DoomSensoryEncoder(layout.bearing, layout.wall, n_rays=16)
    far = np.full(16, 16.0)
    for bearing_deg, band in ((-40, 0), (-5, 2), (-1, 3), (1, 4), (5, 5), (40, 7), (170, 7), (-170, 0)):
        enc.reset()
        (command,) = enc.encode(far, 9.0, math.radians(bearing_deg))  # a fresh train fires at once
        assert command.channels == (layout.bearing[band],) and enc.last_band == band
    for distance, rate in ((0.0, 40), (8.0, 24), (15.99, 4), (40.0, 4)):  # 10 rate steps over 16 cells
        enc.reset()
        fired = sum(len(enc.encode(far, distance, 0.1)) for _ in range(500))  # 5 s
        assert fired == 5 * rate and enc.last_rate_hz == rate
    assert enc.encode(far) == () and enc.last_band == -1  # no enemy in view: silent bearing channels
    assert enc.encode(far, 9.0, 0.01)[0].channels == (layout.bearing[4],)  # ... and the next one is heard at once


def test_wall_channels_signal_near_walls_per_sector():
    layout = doom_layout()
    enc = DoomSensoryEncoder(layout.bearing, layout.wall, n_rays=16, wall_range=4.0)
    rays = np.full(16, 10.0)
    rays[0:4] = [9.0, 1.0, 9.0, 9.0]  # sector 0 (left): a wall 1 cell away
    rays[12:16] = 3.9  # sector 3 (right): just inside the range
    fired = {c: 0 for c in layout.wall}
    for _ in range(100):  # 1 s
        for command in enc.encode(rays):
            for c in command.channels:
                fired[c] += 1
    assert fired == {layout.wall[0]: 32, layout.wall[1]: 0, layout.wall[2]: 0, layout.wall[3]: 4}
    np.testing.assert_array_equal(enc.last_wall_levels, [8, 0, 0, 1])
    for bad in (np.full(15, 1.0), np.full(16, np.nan), np.full(16, -1.0)):
        with pytest.raises(ValueError, match="rays must be|wall distances must be"):
            enc.encode(bad)


# -- coding: the motor decoder -----------------------------------------------------------------------------
def test_motor_decoder_picks_the_group_above_its_baseline_else_noop():
    dec = DoomMotorDecoder()
    assert dec.step([0, 0, 0, 0]) == NOOP_GROUP  # all tied at zero
    assert dec.step([0, 0, 1, 1]) == NOOP_GROUP  # two groups tied
    dec.reset()
    assert dec.step([0, 2, 0, 0]) == NOOP_GROUP  # 2 spikes: 1.24 x the initial baseline, below the threshold
    assert dec.step([0, 3, 0, 0]) == 1 and dec.step([0, 0, 0, 0]) == 1  # evidence adds up, and lingers ...
    for _ in range(30):
        last = dec.step([0, 0, 0, 0])
    assert last == NOOP_GROUP  # ... and fades below the threshold
    steady = DoomMotorDecoder()
    decisions = steady.run(np.tile([2, 2, 2, 1], (8000, 1)))  # attack's group fires half as often as the others
    assert set(decisions[-1000:].tolist()) == {NOOP_GROUP}  # at their usual rates, no group stands out
    np.testing.assert_allclose(steady.baselines, [2, 2, 2, 1], rtol=1e-3)
    decisions = [steady.step([2, 2, 2, 2]) for _ in range(8)]  # the same count everywhere: double attack's usual
    assert decisions[:5] == [NOOP_GROUP] * 5 and decisions[5:] == [3] * 3  # evidence builds up over ticks
    with pytest.raises(ValueError, match="4 motor groups"):
        steady.step([1, 2])
    with pytest.raises(ValueError, match="threshold"):
        DoomDecoderParams(threshold=0)


# -- coding: feedback --------------------------------------------------------------------------------------
def test_kill_is_predictable_and_damage_unpredictable_and_the_game_never_pauses():
    channels = doom_layout().feedback
    fb = DoomFeedback(channels, "stimulus", seed=1)
    out = fb.step_game(0, ("shot", "kill"))
    (burst,) = out.commands
    assert burst.channels == channels and burst.burst_count == 10 and burst.burst_hz == 100
    out = fb.step_game(1, ("damage", "damage"))  # two bites in one tick: one unpredictable train
    issued = len(out.commands) + sum(len(fb.step_game(t, ()).commands) for t in range(2, 402))
    assert issued == 20 and fb.pending == 0 and out.sensory_enabled and not out.paused
    assert not any(fb.is_paused(t) for t in range(400))
    for name in ("silent", "rest"):
        quiet = DoomFeedback(channels, name)
        assert quiet.step_game(0, ("kill", "damage")).commands == () and quiet.pending == 0
        assert quiet.step_game(1, ()).sensory_enabled == (name == "silent")
    with pytest.raises(ValueError, match="feedback='no_feedback' is not allowed; allowed: 'stimulus', 'silent'"):
        DoomFeedback(channels, "no_feedback")


def test_feedback_step_events_matches_step_for_single_events():
    one, many = Feedback((27, 28), seed=3), Feedback((27, 28), seed=3)
    for tick, event in enumerate([None, "hit", None, "miss"] + [None] * 900):
        a, b = one.step(tick, event), many.step_events(tick, () if event is None else (event,))
        assert a == b
    with pytest.raises(ValueError, match="unknown game event 'kill'"):
        many.step_events(2000, ("kill",))


# -- registration and conformance --------------------------------------------------------------------------
def test_import_clgym_registers_the_doom_ids_without_loading_the_game_or_the_engine():
    code = (
        "import sys, gymnasium as gym, clgym\n"
        "ids = ['CLDoomLite-v0', 'CLDoomLiteBasic-v0', 'CLDoomLiteDefendTheCenter-v0', 'CLDoomLiteDeadlyCorridor-v0']\n"
        "assert all(i in gym.registry for i in ids)\n"
        "heavy = [m for m in ('cl', 'numba', 'pygame', 'clgym.culture', 'clgym.links', 'clgym.games.doom')\n"
        "         if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print('ok')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr
    for env_id, name in (("CLDoomLite-v0", "basic"), ("CLDoomLiteDefendTheCenter-v0", "defend_the_center"),
                         ("CLDoomLiteDeadlyCorridor-v0", "deadly_corridor")):
        env = gym.make(env_id, culture=TINY)
        assert env.unwrapped.scenario.name == name
        env.close()
    assert gym.make("CLDoomLite-v0", scenario="deadly_corridor", culture=TINY).unwrapped.scenario.name == \
        "deadly_corridor"


@pytest.mark.parametrize(("control", "observation"), [
    ("culture", "vector"), ("decoder", "spikes"), ("encoder", "vector"), ("culture", "pixels"),
])
def test_gymnasium_and_sb3_env_checkers_pass(control, observation):
    env = gym.make("CLDoomLiteBasic-v0", control=control, observation=observation, culture=TINY, seed=0,
                   render_mode="rgb_array")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a checker warning is a failure too
        check_env(env.unwrapped)
        sb3_check_env(env.unwrapped)
    env.close()


@pytest.mark.parametrize(("kwargs", "shape", "action_space"), [
    ({"control": "culture"}, (30,), gym.spaces.Discrete(1)),
    ({"control": "decoder"}, (160,), gym.spaces.Discrete(5)),
    ({"control": "decoder", "history_ticks": 3}, (48,), gym.spaces.Discrete(5)),
    ({"control": "encoder"}, (30,), gym.spaces.MultiDiscrete([11] * 12)),
    ({"control": "encoder", "agent_stim": "pulse", "observation": "pixels", "pixel_size": (48, 40)}, (40, 48, 3),
     gym.spaces.MultiBinary(12)),
])
def test_spaces_per_control_mode(kwargs, shape, action_space):
    env = make(**kwargs)
    assert env.observation_space.shape == shape and env.action_space == action_space
    if kwargs["control"] == "decoder":  # 50 spikes per channel: 1 channel per sensory entry, then the groups
        np.testing.assert_array_equal(env.observation_space.high[:16], [50] * 12 + [500, 500, 600, 500])


# -- episodes, rewards, feedback ---------------------------------------------------------------------------
@pytest.mark.parametrize("feedback", ["stimulus", "silent"])
def test_an_aiming_agent_clears_basic_and_the_kill_is_fed_back_as_a_burst(feedback):
    link, ticks = recording_link()
    env = CLDoomLiteEnv(control="decoder", feedback=feedback, link=link, seed=2)
    env.reset()
    total, steps = 0.0, 0
    while True:
        obs, reward, terminated, truncated, info = env.step(aim(env.game))
        assert obs in env.observation_space and set(info) == STEP_INFO_KEYS
        total += reward
        steps += 1
        if terminated or truncated:
            break
    assert terminated and info["outcome"] == "cleared" and info["kills"] == 1 and "kill" in info["events"]
    shots = 50 - info["ammo"]
    assert total == pytest.approx(100 - 5 * (shots - 1) - 35 * 0.01 * steps)  # ViZDoom Basic's rewards
    kill_tick = link.tick_index - 1
    _, info = env.reset()
    assert info["between_episode_ticks"] == 0  # the burst is one command, already issued: nothing to play out
    for _ in range(10):  # the burst's pulses land while the culture runs on
        env.step(int(Action.NOOP))
    burst = pulses(ticks, kill_tick, kill_tick + 10, env.layout.feedback)
    if feedback == "stimulus":  # 100 Hz x 100 ms on all 12 feedback channels, besides any sensory pulse
        assert burst >= 10 * 12
    else:
        assert burst < 10 * 12
    env.close()
    link.close()


def test_doing_nothing_in_basic_times_out_with_the_living_penalty():
    env = make(control="decoder")
    env.reset()
    total, steps, done = 0.0, 0, False
    while not done:
        _, reward, terminated, truncated, info = env.step(int(Action.NOOP))
        total += reward
        steps += 1
        done = terminated or truncated
    assert truncated and not terminated and steps == 857 and info["outcome"] == "timeout"
    assert total == pytest.approx(-0.35 * 857)
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(0)
    env.close()


def test_damage_is_fed_back_as_unpredictable_pulses_played_out_before_the_next_episode():
    delivered = {}
    for feedback in ("stimulus", "silent"):  # noop actions: the same game in both, only the feedback differs
        link, ticks = recording_link()
        env = CLDoomLiteEnv("defend_the_center", control="decoder", feedback=feedback, link=link, seed=4)
        env.reset()
        damage_ticks = 0
        while True:
            _, reward, terminated, truncated, info = env.step(int(Action.NOOP))
            damage_ticks += "damage" in info["events"]
            if terminated or truncated:
                break
        assert terminated and info["outcome"] == "death" and reward == -1.0 and damage_ticks >= 5
        _, info = env.reset()
        if feedback == "stimulus":  # the last trains (4 s after the last bite) ran between the episodes
            assert 0 < info["between_episode_ticks"] <= 400 and env.feedback.pending == 0
        else:
            assert info["between_episode_ticks"] == 0
        delivered[feedback] = (pulses(ticks, channels=env.layout.feedback), damage_ticks)
        env.close()
        link.close()
    assert delivered["stimulus"][1] == delivered["silent"][1]
    assert delivered["stimulus"][0] - delivered["silent"][0] == 20 * delivered["stimulus"][1]


@pytest.mark.parametrize("scenario", ["basic", "defend_the_center", "deadly_corridor"])
def test_culture_mode_plays_a_scenario_end_to_end(scenario):
    env = make(scenario=scenario, control="culture", seed=1)
    obs, _ = env.reset()
    total, actions, previous_decision = 0.0, set(), int(Action.NOOP)
    while True:
        obs, reward, terminated, truncated, info = env.step(0)
        assert obs in env.observation_space
        assert info["game_action"] == previous_decision  # the action decoded from the previous tick's spikes
        previous_decision = env._decoded_action
        total += reward
        actions.add(info["game_action"])
        if terminated or truncated:
            break
    assert info["outcome"] in {"death", "goal", "cleared", "timeout"} and info["tick"] == env.game.tick
    assert total == pytest.approx(env.game.total_reward)
    assert len(actions) >= 3  # the culture's spikes move the player, not a constant action
    env.close()


def test_vector_observation_is_the_games_and_encoder_mode_stimulates_what_the_agent_chooses():
    link, ticks = recording_link()
    env = CLDoomLiteEnv("deadly_corridor", control="encoder", agent_stim="pulse", link=link, seed=0)
    obs, _ = env.reset()
    np.testing.assert_array_equal(obs, env.game.observation_vector())
    all_on = np.ones(12, dtype=np.int8)
    obs, *_ = env.step(all_on)
    np.testing.assert_array_equal(obs, env.game.observation_vector())
    assert sorted(ticks[-1].stim_channels.tolist()) == sorted(env.layout.sensory)
    env.step(np.zeros(12, dtype=np.int8))
    assert ticks[-1].stim_channels.size == 0  # no agent pulse, no sensory encoder in encoder mode
    env.close()
    link.close()


def test_the_culture_hears_the_enemy_on_the_channel_of_its_bearing():
    link, ticks = recording_link()
    env = CLDoomLiteEnv(control="decoder", link=link, seed=5)
    env.reset()
    env.step(int(Action.NOOP))  # the encoder's trains start at once: this tick carries the enemy's pulse
    seen = env.game.nearest_enemy()
    band = env.sensory_encoder.enemy.band(seen.bearing)
    assert seen is not None and ticks[-1].stim_channels.tolist() == [env.layout.bearing[band]]
    env.close()
    link.close()


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


@pytest.mark.parametrize("control", ["decoder", "culture"])
def test_same_seed_and_actions_give_the_same_episode_and_another_seed_does_not(control):
    actions = np.random.default_rng(0).integers(0, 5, size=300) if control == "decoder" else [0] * 300
    a, b, c = (make(control=control, scenario="defend_the_center", seed=s) for s in (5, 5, 6))
    obs_a, info_a = play(a, actions)
    obs_b, info_b = play(b, actions)
    obs_c, info_c = play(c, actions)
    np.testing.assert_array_equal(obs_a, obs_b)
    assert info_a == info_b
    assert sum(i["spike_count"] for i in info_a) > 50  # a living culture, not an empty comparison
    assert not np.array_equal(obs_a, obs_c[: len(obs_a)]) or info_a != info_c
    obs_again, info_again = play(a, actions, seed=5)  # a seeded reset restarts the experiment
    np.testing.assert_array_equal(obs_again, obs_a)
    assert info_again == info_a
    for env in (a, b, c):
        env.close()


def test_the_culture_persists_across_reset_unless_reseeded():
    env = make(control="culture")
    _, info = env.reset()
    culture = env.connection.link.source.culture
    for _ in range(100):
        env.step(0)
    _, info = env.reset()
    assert not info["culture_grown"] and env.connection.link.source.culture is culture
    assert info["culture_ticks"] == 100 + info["between_episode_ticks"]
    _, info = env.reset(seed=3)
    assert info["culture_grown"] and env.connection.link.source.culture is not culture
    env.close()


# -- bad input ---------------------------------------------------------------------------------------------
BAD_ARGUMENTS = [
    ({"scenario": "doom2"}, "scenario='doom2' is not allowed; allowed: 'basic', 'defend_the_center', "
                            "'deadly_corridor'"),
    ({"scenario": 3}, "scenario=3 is not allowed; allowed: 'basic'"),
    ({"map_rows": ["#####", "#P.X#", "#####"]}, "malformed map: unknown character 'X' at row 1, column 3"),
    ({"map_rows": ["#####", "#..E#", "#####"]}, "malformed map: no player start 'P'"),
    ({"map_rows": ["#####", "#P.E#", "####"]}, "malformed map: not rectangular: row 2 has 4 characters"),
    ({"map_rows": "#P#"}, "malformed map: map_rows='#P#'; allowed: a list of strings"),
    ({"map_rows": ["#####", "#P..#", "#####"]}, "spawn.initial = 1 but the map has 0 'E' cells"),
    ({"scenario": make_scenario("basic", tick_s=0.02)}, "tick_s=0.02 is not allowed; allowed: 0.01"),
    ({"control": "bogus"}, "control='bogus' is not allowed; allowed: 'culture', 'decoder', 'encoder'"),
    ({"feedback": "no_feedback"}, "feedback='no_feedback' is not allowed; allowed: 'stimulus', 'silent', 'rest'"),
    ({"control": "encoder", "feedback": "rest"}, "allowed with control='encoder': 'stimulus', 'silent'"),
    ({"control": "decoder", "observation": "pixels"}, "observation='pixels' is not allowed with control='decoder'; "
                                                      "allowed: 'spikes'"),
    ({"observation": "rgb"}, "observation='rgb' is not allowed with control='culture'; allowed: 'vector', 'pixels'"),
    ({"pixel_size": (8, 8)}, "pixel_size=(8, 8) is not allowed; allowed: (width, height), integers >= 16"),
    ({"render_mode": "movie"}, "render_mode='movie' is not allowed; allowed: 'human', 'rgb_array'"),
    ({"link": "cloud"}, "link='cloud' is not allowed; allowed: 'in_process', 'sdk'"),
    ({"culture": "gigantic"}, "preset='gigantic' is unknown; allowed: default, dishbrain, dishbrain-100k, "
                              "dishbrain-10k, huge, large, small, tiny"),
    ({"seed": -1}, "seed=-1 is not allowed; allowed: None or an integer >= 0"),
    ({"history_ticks": 0}, "history_ticks=0 is not allowed"),
    ({"agent_stim": "burst"}, "agent_stim='burst' is not allowed; allowed: 'rate', 'pulse'"),
    ({"fresh_culture_on_reset": "yes"}, "fresh_culture_on_reset='yes' is not allowed; allowed: True or False"),
    ({"layout": {"bearing": [24, 25]}}, "layout has missing field(s) ['wall', 'turn_left'"),
    ({"layout": {**{n: getattr(doom_layout(), n) for n in ("bearing", "wall", *DOOM_MOTOR_NAMES)}, "motors": [1]}},
     "layout has unknown field(s) ['motors']"),
    ({"layout": {**{n: getattr(doom_layout(), n) for n in ("bearing", "wall", *DOOM_MOTOR_NAMES)},
                 "attack": [63]}}, "layout group 'attack': channel 63 is grounded"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_ARGUMENTS, ids=[str(k)[:60] for k, _ in BAD_ARGUMENTS])
def test_bad_arguments_raise_a_clear_error_before_any_process_starts(kwargs, message):
    with pytest.raises(ValueError) as error:
        CLDoomLiteEnv(**{"link": "sdk", **kwargs})  # the SDK link would start a producer if it got that far
    assert message in str(error.value)
    assert not sdk_child_processes()


@pytest.mark.parametrize(("control", "bad_actions", "message"), [
    ("decoder", [5, -1, 1.5, "attack", None], "allowed: 0 (noop), 1 (turn_left), 2 (turn_right), 3 (forward), "
                                              "4 (attack)"),
    ("culture", [1, None, [0]], "allowed: 0 (control='culture' ignores the action)"),
    ("encoder", [np.zeros(8, int), np.full(12, 11), np.full(12, -1)], "is not in the action space MultiDiscrete"),
])
def test_an_action_outside_the_space_raises_and_runs_no_tick(control, bad_actions, message):
    env = make(control=control)
    env.reset()
    good = np.zeros_like(env.action_space.sample())  # noop / no stimulation: a sampled attack may end the episode
    env.step(good)
    for action in bad_actions:
        with pytest.raises(ValueError) as error:
            env.step(action)
        assert message in str(error.value) and str(env.action_space) in str(error.value)
    _, _, _, _, info = env.step(good)
    assert info["tick"] == 2 == env.connection.link.tick_index == env.game.tick
    env.close()


# -- rendering ---------------------------------------------------------------------------------------------
def test_rgb_array_frames_pixel_observations_and_render_misuse():
    env = make(render_mode="rgb_array", observation="pixels", scenario="defend_the_center")
    with pytest.raises(RuntimeError, match="reset"):
        env.render()
    obs, _ = env.reset()
    first = env.render()
    assert first.shape == (480, 640, 3) and first.dtype == np.uint8
    assert obs.shape == (60, 80, 3) and obs.dtype == np.uint8 and obs.std() > 5  # walls, floor, sky: not blank
    env.game.heading += math.pi / 2  # look elsewhere: the pixels change with the view
    for _ in range(30):
        later, *_ = env.step(0)
    assert not np.array_equal(first, env.render()) and not np.array_equal(obs, later)
    env.close()
    silent = make()
    silent.reset()
    with pytest.warns(UserWarning, match="render_mode"):
        assert silent.render() is None
    silent.close()


def test_human_mode_opens_a_window_headless():
    env = make(render_mode="human")
    env.reset()
    for _ in range(6):
        env.step(0)
    assert env.render() is None and env._renderer.window_open
    env.close()
    assert env._renderer is None


# -- SDK link: same culture, same spikes; nothing left behind ---------------------------------------------
def test_sdk_link_gives_the_in_process_spikes_and_close_leaves_no_producer():
    actions = np.random.default_rng(1).integers(0, 5, size=60)
    reference, _ = play(make(control="decoder", seed=2), actions)
    env = make(control="decoder", seed=2, link="sdk")
    assert not sdk_child_processes()  # the link opens at reset, not in the constructor
    observations, _ = play(env, actions)
    assert sdk_child_processes()
    np.testing.assert_array_equal(observations, reference)
    env.close()
    env.close()  # twice is fine
    assert not sdk_child_processes()


def test_every_id_spec_says_where_its_env_truncates():
    """No id registers a TimeLimit; a made env's spec.max_episode_steps is the scenario's own time limit."""
    from clgym.envs import DOOM_LITE_SCENARIO_IDS, ENV_IDS
    from clgym.games.doom import make_scenario

    for env_id in ENV_IDS:
        assert gym.spec(env_id).max_episode_steps is None
    for env_id, name in DOOM_LITE_SCENARIO_IDS.items():
        env = gym.make(env_id, culture="tiny", seed=0)
        assert env.spec.max_episode_steps == make_scenario(name).timeout_ticks, env_id
        assert "TimeLimit" not in str(env)
        env.close()
