"""CLDoomLite-v0: a first-person shooter (Doom-lite, no ViZDoom) played by a neural culture, or by an agent through
one."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from clgym.coding import (
    DOOM_CONDITIONS,
    DOOM_MOTOR_NAMES,
    NOOP_GROUP,
    AgentStimEncoder,
    DoomFeedback,
    DoomLayout,
    DoomMotorDecoder,
    DoomSensoryEncoder,
)
from clgym.envs.base import (
    HUMAN_FRAME_EVERY,
    TICK_S,
    TICKS_PER_SECOND,
    CultureConnection,
    CultureEnvMixin,
    SpikeCountHistory,
    require_action,
    require_choice,
    require_flag,
    require_positive_int,
    require_render_mode,
    require_seed,
    require_sensory_feedback_for_encoder,
)
from clgym.games.doom import ACTION_NAMES, SCENARIOS, Action, DoomGame, Observation, Scenario, make_scenario
from clgym.links import Link, Tick

__all__ = ["CLDoomLiteEnv", "CONTROLS", "FEEDBACKS", "OBSERVATIONS", "SCENARIO_NAMES"]

CONTROLS = ("culture", "decoder", "encoder")
FEEDBACKS = tuple(DOOM_CONDITIONS)
SCENARIO_NAMES = tuple(SCENARIOS)
OBSERVATIONS: dict[str, tuple[str, ...]] = {
    "culture": ("vector", "pixels"),
    "decoder": ("spikes",),
    "encoder": ("vector", "pixels"),
}
"""The observations each control mode offers; the first is the default."""
AGENT_STIM_KINDS = AgentStimEncoder.KINDS
DEFAULT_PIXEL_SIZE = (80, 60)
"""Width and height of ``observation="pixels"`` frames (SB3's CnnPolicy wants at least 36 x 36)."""
_ALLOWED_ACTIONS = ", ".join(f"{a.value} ({a.name.lower()})" for a in Action)
_GROUP_ACTIONS = tuple(int(Action[name.upper()]) for name in DOOM_MOTOR_NAMES)  # motor group k -> its Action


class CLDoomLiteEnv(CultureEnvMixin, gym.Env):
    """
    ## Description

    Doom-lite (:mod:`clgym.games.doom`: a grid-map raycaster with enemies, hitscan shooting and pickups) with a neural
    culture in the loop. Every step is one 10 ms tick: what the player sees is encoded as stimulation (the nearest
    visible enemy's bearing as a place code over 8 channels, its distance as a 4-40 Hz rate; walls nearer than
    4 cells as rates on 4 sector channels: :class:`~clgym.coding.DoomSensoryEncoder`), the culture (simulated
    in-process, the cl SDK's simulator, or a real CL1 through ``cl``) answers with spikes, spike counts of four
    motor groups pick the action (:class:`~clgym.coding.DoomMotorDecoder`), and kills and damage are fed back as
    predictable and unpredictable stimulation (``feedback``, :class:`~clgym.coding.DoomFeedback`). The channel
    map is :func:`~clgym.coding.doom.layout`. Scenarios (modelled on ViZDoom's, :mod:`clgym.games.doom.scenarios`):

    - ``"basic"``: one enemy on the far wall of a room: turn, aim, shoot (ends on the kill or after 8.6 s);
    - ``"defend_the_center"``: enemies close in on a turret from all sides; 26 rounds (ends on death or at 60 s);
    - ``"deadly_corridor"``: walk down a corridor past shooters on both sides to a goal (ends at the goal, on
      death or at 60 s).

    Who plays:

    - ``control="culture"``: the culture plays alone (DishBrain); the fixed encoder and decoder run the game and
      the agent's action is ignored;
    - ``control="decoder"``: the agent reads the culture's spike counts and chooses the game action;
    - ``control="encoder"``: the agent chooses the sensory stimulation; the fixed motor decoder chooses the action.

    ## Action Space

    - culture: ``Discrete(1)``; the only action, 0, is ignored.
    - decoder: ``Discrete(5)``: 0 noop, 1 turn_left, 2 turn_right, 3 forward, 4 attack
      (:class:`~clgym.games.doom.Action`).
    - encoder: the :class:`~clgym.coding.AgentStimEncoder` space over the 12 sensory channels (8 bearing, then 4
      wall): ``MultiDiscrete([11] * 12)`` (rate level per channel: 0 off, k = 4k Hz) for ``agent_stim="rate"``,
      ``MultiBinary(12)`` (pulse now) for ``agent_stim="pulse"``.

    An action outside the space raises ``ValueError`` naming the action and the space; no tick runs.

    ## Observation Space

    - decoder (``observation="spikes"``): ``Box(0, cap, (history_ticks * 16,), float32)``: spikes in each of the
      last ``history_ticks`` ticks, oldest first (``obs.reshape(history_ticks, 16)``), per readout entry of the
      layout: each of the 8 bearing and 4 wall channels on its own (a place code is in which channel fires), then
      the turn_left, turn_right, forward and attack groups. Each entry is clipped at 50 spikes per channel. The
      agent sees the culture only, never the game. The bounds differ by entry (50 for a single channel, 50 x the
      channels of a group, e.g. 500 or 600) and most counts sit far below them: normalise before a neural network,
      with SB3's ``VecNormalize`` (what ``clgym train`` does for every Doom-lite id) or Gymnasium's
      ``NormalizeObservation`` (``clgym.agents.wrappers.LogCountObservation`` compresses the counts as well).
    - culture, encoder, ``observation="vector"`` (default): ``Box(float32, (30,))``: the game's
      :meth:`~clgym.games.doom.DoomGame.observation_vector`: 16 wall distances across the 90 degree view / 16, then
      the 4 nearest visible enemies as (distance / 16, bearing / pi, present), then health / max and ammo / max
      (health below 0 at death is clipped to 0).
    - culture, encoder, ``observation="pixels"``: ``Box(0, 255, (height, width, 3), uint8)``: the first-person view
      (:class:`~clgym.render.doom_view.DoomView`, HUD without the minimap) at ``pixel_size`` (80 x 60).

    ## Rewards

    The scenario's rewards for the tick (:class:`~clgym.games.doom.RewardParams`, ViZDoom's): basic +100 per kill,
    -5 per missed shot, -0.35 per tick alive; defend_the_center +1 per kill, -1 on death; deadly_corridor +64 per
    cell of progress towards the goal (negative when moving away), -100 on death.

    ## Starting State

    The scenario's start: the player on its ``'P'`` cell with full health and the scenario's ammo, enemies placed
    by the scenario's spawn rule (Basic: one of the seven far-wall cells at random); a decoder-mode history of
    zeros. The culture persists across ``reset()`` like a real dish (plasticity carries over, and the decoder's
    adaptive baselines with it); unpredictable feedback still scheduled when an episode ends (up to 4 s after the
    last damage) is played out on it, without sensory input, before the next episode
    (``info["between_episode_ticks"]``). ``reset(seed=s)`` restarts the experiment reproducibly: a fresh culture
    grown from ``s`` (or from the culture config's own ``"seed"``) unless the current one has not run a tick since
    it was grown from that seed. ``fresh_culture_on_reset=True`` grows a new culture on every reset. A
    :class:`~clgym.links.Link` passed in is never regrown.

    ## Episode End

    From the game: termination on the player's death, on reaching the goal (deadly_corridor), or when every
    enemy is dead (basic); truncation at the scenario's time limit (basic 300 ViZDoom tics = 8.57 s = 857 steps,
    the others 2100 tics = 60 s = 6000 steps).

    ## Info

    ``kills``, ``health``, ``ammo``, ``events`` (the kinds of this tick's game events, e.g. ``("shot",
    "kill")``), ``outcome`` (``None`` while playing, then ``"death"``, ``"goal"``, ``"cleared"`` or
    ``"timeout"``), ``game_action`` (the :class:`~clgym.games.doom.Action` index the game took this tick: the
    agent's in decoder mode, the decoder's otherwise), ``spike_count`` (spikes in this tick, all channels),
    ``tick`` (step of the episode), ``culture_ticks`` (ticks the culture has run since it was grown). ``reset``
    sets ``culture_grown`` and ``between_episode_ticks`` (every step's info has them too, as ``False`` and ``0``:
    reset and step carry the same keys).
    With ``real_time=True``, ``late_ms``: how late (ms) this step's tick reached the env against the wall clock
    (0 = on time; the env or the culture falling behind both show; a rig would log it).

    ## Arguments

    ```python
    >>> import gymnasium as gym, clgym
    >>> env = gym.make("CLDoomLiteBasic-v0", control="decoder", culture="tiny", seed=0)
    >>> obs, info = env.reset()
    >>> obs.shape
    (160,)
    >>> obs, reward, terminated, truncated, info = env.step(4)   # attack: with this seed the enemy is dead ahead
    >>> info["events"], terminated
    (('shot', 'kill'), True)
    >>> env.close()

    ```

    | Parameter | Default | Description |
    |---|---|---|
    | `scenario` | `"basic"` | `"basic"`, `"defend_the_center"`, `"deadly_corridor"`, or a `Scenario` (10 ms ticks) |
    | `control` | `"culture"` | `"culture"`, `"decoder"` or `"encoder"` (above) |
    | `feedback` | `"stimulus"` | `"stimulus"`, `"silent"` or `"rest"` (:mod:`clgym.coding.doom.feedback`) |
    | `link` | `"in_process"` | `"in_process"`, `"sdk"` (cl SDK / CL1), or an open `Link` (the caller closes it) |
    | `culture` | `"small"` | preset name, dict `{"preset": ..., **fields}` or `CultureConfig` |
    | `seed` | `None` | seed of the first `reset()` when it is given none |
    | `render_mode` | `None` | `"human"` (window, real time) or `"rgb_array"` (640 x 480 frames) |
    | `observation` | per control | `"spikes"` (decoder); `"vector"` or `"pixels"` (culture, encoder) |
    | `pixel_size` | `(80, 60)` | width and height of pixel observations |
    | `map_rows` | `None` | a map (list of strings, :mod:`clgym.games.doom.grid_map`) replacing the scenario's |
    | `layout` | `doom_layout()` | a `DoomLayout` or a dict of its fields |
    | `history_ticks` | `10` | decoder mode: ticks of spike counts in an observation |
    | `agent_stim` | `"rate"` | encoder mode: `"rate"` or `"pulse"` |
    | `fresh_culture_on_reset` | `False` | grow a new culture on every reset |
    | `latency_ms` | `None` (0) | closed-loop latency: each tick's stims reach the stimulator this much after \
      the tick's end (0 to 1000 ms in 0.04 ms steps; `None`: 0, or a `Link` instance's own; :mod:`clgym.links.base`) |
    | `real_time` | `False` | with `link="sdk"`: run in wall-clock time (10 ms per step); `info["late_ms"]` |
    """

    metadata = {"render_modes": ["human", "rgb_array"], "render_fps": TICKS_PER_SECOND}
    ENV_ID = "CLDoomLite-v0"

    def __init__(self, scenario: str | Scenario = "basic", control: str = "culture", feedback: str = "stimulus",
                 link: str | Link = "in_process", culture: Any = None, seed: int | None = None,
                 render_mode: str | None = None, observation: str | None = None,
                 pixel_size: tuple[int, int] = DEFAULT_PIXEL_SIZE, map_rows: Sequence[str] | None = None,
                 layout: DoomLayout | Mapping[str, Any] | None = None, history_ticks: int = 10,
                 agent_stim: str = "rate", fresh_culture_on_reset: bool = False,
                 latency_ms: float | None = None, real_time: bool = False):
        # every check happens here, before a culture is grown or any process starts
        self.scenario = _scenario_from(scenario, map_rows)
        self.control = require_choice("control", control, CONTROLS)
        self.feedback_name = require_choice("feedback", feedback, FEEDBACKS)
        require_sensory_feedback_for_encoder(control, feedback, DOOM_CONDITIONS)
        self.render_mode = require_render_mode(render_mode, self.metadata["render_modes"])
        allowed_observations = OBSERVATIONS[control]
        if observation is None:
            observation = allowed_observations[0]
        if not isinstance(observation, str) or observation not in allowed_observations:
            raise ValueError(f"observation={observation!r} is not allowed with control={control!r}; allowed: "
                             f"{', '.join(map(repr, allowed_observations))}")
        self.observation = observation
        self.pixel_size = _pixel_size_from(pixel_size)
        self.initial_seed = require_seed("seed", seed)
        self.history_ticks = require_positive_int("history_ticks", history_ticks)
        require_choice("agent_stim", agent_stim, AGENT_STIM_KINDS)
        self.fresh_culture_on_reset = require_flag("fresh_culture_on_reset", fresh_culture_on_reset)
        self.layout = DoomLayout.from_fields(layout)
        sensing = self.scenario.sensing
        self.sensory_encoder = DoomSensoryEncoder(self.layout.bearing, self.layout.wall, sensing.n_rays,
                                                  sensing.fov_deg, sensing.max_distance, tick_s=TICK_S)
        self.connection = CultureConnection(link, culture, latency_ms, real_time)

        self.feedback = DoomFeedback(self.layout.feedback, feedback)
        self.motor_decoder = DoomMotorDecoder()
        self.agent_encoder = AgentStimEncoder(self.layout.sensory, agent_stim, tick_s=TICK_S) \
            if control == "encoder" else None
        self._vector_scale, low, high = _vector_layout(self.scenario)
        self.spike_history = SpikeCountHistory(self.layout.readout_sizes, self.history_ticks)
        if control == "decoder":
            self.action_space = spaces.Discrete(len(Action))
            self.observation_space = self.spike_history.space
        else:
            self.action_space = self.agent_encoder.action_space if control == "encoder" else spaces.Discrete(1)
            if observation == "pixels":
                width, height = self.pixel_size
                self.observation_space = spaces.Box(0, 255, (height, width, 3), dtype=np.uint8)
            else:
                self.observation_space = spaces.Box(low, high, dtype=np.float32)
        self._vector_scale_list = self._vector_scale.tolist()

        self.game: DoomGame | None = None
        self._pixel_view = None
        self._episode_over = False
        self._decoded_action = int(Action.NOOP)
        self.tick = 0
        self.last_spike_count = 0
        self.last_game_action = int(Action.NOOP)

    # -- Gymnasium API ---------------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        """Start an episode of the scenario; see the class docstring for what happens to the culture."""
        reseeded, culture_seed, game_seed, feedback_seed = self._draw_episode_seeds(seed)
        grown, between = self._connect_culture(reseeded, culture_seed)
        self.motor_decoder.clear_evidence()
        self.feedback.reset(feedback_seed)
        if self.game is None:
            self.game = DoomGame(self.scenario, seed=game_seed)
        else:
            self.game.reset(seed=game_seed)
        self.sensory_encoder.reset()
        if self.agent_encoder is not None:
            self.agent_encoder.reset()
        self.spike_history.clear()
        self._decoded_action = self.last_game_action = int(Action.NOOP)
        self.tick = 0
        self.last_spike_count = 0
        self._episode_over = False
        senses = self.game.observe()
        if self.render_mode == "human":
            self.render()
        info = self._info(())
        info.update(culture_grown=grown, between_episode_ticks=between)
        return self._observation(senses.rays.tolist(), senses.enemies.tolist(), senses), info

    def step(self, action):
        """Advance one 10 ms tick; returns ``(obs, reward, terminated, truncated, info)``."""
        self._require_running_episode()
        agent_commands = ()
        if self.control == "decoder":
            require_action(action, self.action_space, _ALLOWED_ACTIONS)
            game_action = int(action)
        else:
            agent_commands = self._agent_commands(action)
            game_action = self._decoded_action
        game, connection = self.game, self.connection
        kinds = tuple(event.kind for event in game.step(game_action))
        feedback_step = self.feedback.step_game(connection.link.tick_index, kinds)
        senses = game.observe()
        rays, enemies = senses.rays.tolist(), senses.enemies.tolist()  # plain floats: cheap on cold caches
        commands = feedback_step.commands
        if feedback_step.sensory_enabled:
            commands = commands + (agent_commands if self.control == "encoder" else self._encode(rays, enemies))
        connection.send(commands)
        self._take_counts(connection.advance())
        self.tick += 1
        self.last_game_action = game_action
        terminated, truncated = game.terminated, game.truncated
        self._episode_over = terminated or truncated
        if self.render_mode == "human" and (self.tick % HUMAN_FRAME_EVERY == 0 or self._episode_over):
            self.render()
        obs = self._observation(rays, enemies, senses)
        return obs, game.last_reward, terminated, truncated, self._info(kinds)

    # render() and close(): CultureEnvMixin

    # -- internals -------------------------------------------------------------------------------------
    def _encode(self, rays: list[float], enemies: list[list[float]]) -> tuple:
        """The sensory encoder's pulses for what the player sees now (the nearest enemy is in slot 0)."""
        distance, bearing, present = enemies[0]
        if present > 0.0:
            return self.sensory_encoder.encode(rays, distance, bearing)
        return self.sensory_encoder.encode(rays)

    def _take_counts(self, tick: Tick) -> None:
        """Read the tick's spikes: the decoder-mode history, or the motor decoder's next action."""
        counts = self.layout.readout_count_list(tick.spike_channels)
        self.last_spike_count = int(tick.spike_channels.size)
        if self.control == "decoder":
            self.spike_history.push(counts)
        else:
            group = self.motor_decoder.step(counts[-len(DOOM_MOTOR_NAMES):])
            self._decoded_action = int(Action.NOOP) if group == NOOP_GROUP else _GROUP_ACTIONS[group]
        self._show_tick(tick)

    def _feedback_in_progress(self) -> bool:
        return self.feedback.pending > 0  # unpredictable feedback still scheduled (up to 4 s after a damage)

    def _next_feedback_commands(self) -> tuple:
        """A tick of the feedback still scheduled (no game, no sensory input), played out between episodes."""
        return self.feedback.step_game(self.connection.link.tick_index, ()).commands

    def _observation(self, rays: list[float], enemies: list[list[float]], senses: Observation) -> np.ndarray:
        if self.control == "decoder":
            return self.spike_history.observation()
        if self.observation == "pixels":
            if self._pixel_view is None:
                from clgym.render.doom_view import DoomView  # the view's kernels load only when pixels are asked for

                self._pixel_view = DoomView(*self.pixel_size, minimap=False, hud=True)
            return self._pixel_view.render(self.game.state())
        # the game's observation_vector() from the lists already made: rays and enemy distances are capped at
        # max_distance and bearings lie in [-pi, pi) by the game's construction; a dead player's health may be < 0
        raw = [*rays, *(x for slot in enemies for x in slot), max(senses.health, 0.0), senses.ammo]
        return np.array([x * k for x, k in zip(raw, self._vector_scale_list, strict=True)], dtype=np.float32)

    def _info(self, kinds: tuple[str, ...]) -> dict[str, Any]:
        g = self.game
        info = {"kills": g.kills, "health": float(g.health), "ammo": int(g.ammo), "events": kinds,
                "outcome": g.outcome, "game_action": self.last_game_action, "spike_count": self.last_spike_count,
                "tick": self.tick, "culture_ticks": self.connection.ticks_since_grown, **self._step_info_defaults()}
        if self.connection.real_time:
            info["late_ms"] = self.connection.late_ms()
        return info

    def _episode_limit(self) -> int:
        return self.scenario.timeout_ticks

    def _scene(self) -> tuple:
        score = {"scenario": self.scenario.name, "control": self.control, "feedback": self.feedback_name,
                 **self.game.score(), "action": ACTION_NAMES[self.last_game_action]}
        return self.game, score

    def _make_renderer(self, fps: float | None):
        from clgym.render.doom_view import DoomRenderer  # pygame only when rendering

        return DoomRenderer(self.layout.channels, tick_s=TICK_S, fps=fps,
                            title=f"clgym: {self.ENV_ID} ({self.scenario.name})")


def _scenario_from(scenario: Any, map_rows: Sequence[str] | None) -> Scenario:
    """The env's scenario: a built-in one by name or a :class:`Scenario`, its map optionally replaced; checked."""
    if isinstance(scenario, str):
        if scenario not in SCENARIOS:
            raise ValueError(f"scenario={scenario!r} is not allowed; allowed: {', '.join(map(repr, SCENARIO_NAMES))} "
                             "or a Scenario")
        scenario = make_scenario(scenario)
    elif not isinstance(scenario, Scenario):
        raise ValueError(f"scenario={scenario!r} is not allowed; allowed: {', '.join(map(repr, SCENARIO_NAMES))} "
                         "or a Scenario")
    if map_rows is not None:
        if isinstance(map_rows, str) or not isinstance(map_rows, Sequence):
            raise ValueError(f"malformed map: map_rows={map_rows!r}; allowed: a list of strings, one per row "
                             "(see clgym.games.doom.grid_map)")
        scenario = scenario.replace(map_rows=tuple(map_rows))  # GridMap.parse names what is wrong
    if not math.isclose(scenario.tick_s, TICK_S):
        raise ValueError(f"scenario tick_s={scenario.tick_s!r} is not allowed; allowed: {TICK_S} (one env step is one "
                         "10 ms culture tick)")
    return scenario


def _pixel_size_from(pixel_size: Any) -> tuple[int, int]:
    ok = (isinstance(pixel_size, Sequence) and not isinstance(pixel_size, str) and len(pixel_size) == 2
          and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 16 for v in pixel_size))
    if not ok:
        raise ValueError(f"pixel_size={pixel_size!r} is not allowed; allowed: (width, height), integers >= 16")
    return int(pixel_size[0]), int(pixel_size[1])


def _vector_layout(scenario: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale, low and high of the game-state observation (:meth:`DoomGame.observation_vector`'s layout)."""
    s, p = scenario.sensing, scenario.player
    per_slot_scale, per_slot_low = (1.0 / s.max_distance, 1.0 / math.pi, 1.0), (0.0, -1.0, 0.0)
    scale = np.concatenate((np.full(s.n_rays, 1.0 / s.max_distance), np.tile(per_slot_scale, s.enemy_slots),
                            (1.0 / p.max_health, 1.0 / max(1, p.max_ammo))))
    low = np.concatenate((np.zeros(s.n_rays), np.tile(per_slot_low, s.enemy_slots), (0.0, 0.0))).astype(np.float32)
    return scale, low, np.ones_like(low)
