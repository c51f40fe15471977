"""CLPong-v0: DishBrain's Pong, played by a neural culture (or an agent working through one)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from clgym.cl1 import N_CHANNELS, UNUSABLE_CHANNELS
from clgym.coding import (
    AgentStimEncoder,
    ChannelLayout,
    Feedback,
    MotorRegionDecoder,
    PlaceRateEncoder,
    channel_counts,
    dishbrain_layout,
    pong_layout,
)
from clgym.coding.feedback import FEEDBACK_CONDITIONS, FeedbackStep
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
from clgym.games.pong import HIT, MISS, PongGame, PongParams
from clgym.links import Link, Tick

CONTROLS = ("culture", "decoder", "encoder")
OBSERVATIONS = {"culture": ("game",), "decoder": ("channels", "groups"), "encoder": ("game",)}
"""What each control mode's observation may be (the first is the default)."""
FEEDBACKS = tuple(FEEDBACK_CONDITIONS)
AGENT_STIM_KINDS = AgentStimEncoder.KINDS
ACTION_UP, ACTION_STAY, ACTION_DOWN = 0, 1, 2
SESSION_TICKS = 20 * 60 * TICKS_PER_SECOND
#: the data stream of a recording that holds the game's events ({"event": "hit" | "miss"})
GAME_EVENTS_STREAM = "game_events"
"""Default episode of control="culture": one 20-minute DishBrain session."""
RL_EPISODE_TICKS = 60 * TICKS_PER_SECOND
"""Default episode cap of control="decoder"/"encoder" (most episodes end at a miss long before)."""
GAME_STATE_FIELDS = ("ball_x", "ball_y", "ball_vx", "ball_vy", "paddle_y", "paused")


class CLPongEnv(CultureEnvMixin, gym.Env):
    """
    ## Description

    DishBrain's Pong (Kagan et al. 2022) with a neural culture in the loop: every step is one 10 ms tick in
    which the ball's position is encoded as stimulation (place code on 8 sensory channels, 4-40 Hz rate code
    for the distance to the paddle), the culture (a simulated one in-process, the cl SDK's simulator, or a
    real CL1 through ``cl``) answers with spikes, spike counts in two motor regions move the paddle, and hits
    and misses are fed back to the culture as stimulation (``feedback``). Field 600 x 600, paddle 250 long on
    the left wall, ball x-speed 2 units per tick (:class:`~clgym.games.pong.PongParams`). Who plays:

    - ``control="culture"``: the culture plays alone (DishBrain); the fixed DishBrain decoder moves the paddle
      and the agent's action is ignored;
    - ``control="decoder"``: the agent reads the culture's spike counts and moves the paddle itself;
    - ``control="encoder"``: the agent chooses the sensory stimulation; the DishBrain decoder moves the paddle.

    ## Action Space

    - culture: ``Discrete(1)``; the only action, 0, is ignored.
    - decoder: ``Discrete(3)``: 0 paddle up, 1 stay, 2 down, at ``paddle_speed`` units per tick.
    - encoder: the :class:`~clgym.coding.AgentStimEncoder` space over the sensory channels:
      ``MultiDiscrete([11] * 8)`` (rate level per channel: 0 off, k = 4k Hz) for ``agent_stim="rate"``,
      ``MultiBinary(8)`` (pulse now) for ``agent_stim="pulse"``. Agent stimulation is muted, like the
      sensory encoder, while feedback stimulation or a pause runs.

    An action outside the space raises ``ValueError`` naming the action and the space.

    ## Observation Space

    - decoder, ``observation="channels"`` (default): ``Box(0, 50, (history_ticks * C,), float32)``: spikes on
      each of the layout's ``C`` channels (sensory in place order, then each motor region's; every recording
      channel for the default layout, ``C = 59``) in each of the last ``history_ticks`` ticks, oldest first
      (``obs.reshape(history_ticks, C)``; flat because SB3's MLP policies expect 1-D), clipped at 50 per tick.
      This is the culture's whole answer: which sensory channel fires carries the ball's place.
    - decoder, ``observation="groups"``: ``Box(0, cap, (history_ticks * 3,), float32)``: the same counts
      summed per channel group (sensory, up, down); a group's count is clipped at ``50 x its channels``. The
      sum over the sensory channels loses the place code. In both views the agent sees the culture only,
      never the game.
    - culture, encoder: ``Box(float32, (6,))``: ball x / width, ball y / height (0..1), ball x- and
      y-velocity over their maxima (-1..1), paddle centre / height (0..1), paused (0 or 1).

    ## Rewards

    +1 for a hit, -1 for a miss, 0 otherwise (also while play is paused).

    ## Starting State

    Score zeroed, paddle centred, ball served from the centre away from the paddle with a random y-speed in
    0.04-1.92 units per tick (first arrival 4.5 s after the serve); a decoder-mode history of zeros.
    The culture persists across ``reset()`` like a real dish: its plasticity carries over, and any feedback
    in progress (the rest of a miss's 4 s stimulation and 8.2 s pause) is played out on it before the new
    serve (``info["between_episode_ticks"]``). ``reset(seed=s)`` restarts the experiment reproducibly: a
    fresh culture grown from ``s`` (or from the culture config's own ``"seed"``), unless the current culture
    has not run a tick since it was grown from that seed. ``fresh_culture_on_reset=True`` grows a new culture
    (seeded from the env's RNG) on every reset. A :class:`~clgym.links.Link` passed in is never regrown.

    ## Episode End

    1. Termination: a miss, if ``terminate_on_miss`` (default: ``True`` for decoder and encoder, the RL
       modes; ``False`` for culture, which plays a whole session as DishBrain did).
    2. Truncation: after ``episode_ticks`` steps (default: 120,000 = a 20-minute session for culture; 6,000
       = 60 s for decoder and encoder).

    ## Info

    ``hits``, ``misses``, ``rally`` (hits since the last miss), ``last_rally`` (hits of the rally the last
    miss ended), ``aces`` (rallies of 0 hits), ``spike_count`` (spikes in this tick, all channels),
    ``paused`` (play is frozen from the next step on: the pause after a miss), ``event`` (``"hit"``,
    ``"miss"`` or ``None``), ``tick`` (step of the episode), ``culture_ticks`` (ticks the culture has run
    since it was grown). ``reset`` sets ``culture_grown`` and ``between_episode_ticks`` (every step's info has
    them too, as ``False`` and ``0``: reset and step carry the same keys). Counts are per episode.
    With ``real_time=True``, ``late_ms``: how late (ms) this step's tick reached the env against the wall clock
    (0 = on time; the env or the culture falling behind both show; a rig would log it).

    ## Arguments

    ```python
    >>> import gymnasium as gym, clgym
    >>> env = gym.make("CLPong-v0", control="decoder", culture="tiny", seed=0)
    >>> obs, info = env.reset()
    >>> obs.shape
    (590,)
    >>> obs, reward, terminated, truncated, info = env.step(1)
    >>> env.close()

    ```

    | Parameter | Default | Description |
    |---|---|---|
    | `control` | `"culture"` | `"culture"`, `"decoder"` or `"encoder"` (above) |
    | `feedback` | `"stimulus"` | `"stimulus"`, `"silent"`, `"no_feedback"`, `"rest"` (:mod:`clgym.coding.feedback`) |
    | `link` | `"in_process"` | `"in_process"`, `"sdk"` (cl SDK / CL1), or an open `Link` (the caller closes it) |
    | `culture` | `"dishbrain"` | preset name, dict `{"preset": ..., **fields}` or `CultureConfig` |
    | `seed` | `None` | seed of the first `reset()` when it is given none |
    | `episode_ticks` | per control | truncation length in steps (10 ms each) |
    | `terminate_on_miss` | per control | end the episode at a miss |
    | `fresh_culture_on_reset` | `False` | grow a new culture on every reset |
    | `render_mode` | `None` | `"human"` (window, real time) or `"rgb_array"` (frames) |
    | `layout` | `"dishbrain"` | `"dishbrain"` (the paper's geometry: sensory row, motor blocks 0.6 mm away, \
      `clgym.coding.pong.dishbrain_layout`), `"quadrants"` (`pong_layout()`: motor quadrants beside a central \
      sensory block), a `ChannelLayout` or its fields as a dict; 2 motor regions (up, down) |
    | `game_params` | `PongParams()` | game geometry and rules |
    | `history_ticks` | `10` | decoder mode: ticks of spike counts in an observation |
    | `observation` | per control | decoder mode: `"channels"` (default) or `"groups"`; otherwise `"game"` |
    | `paddle_speed` | `2.0` | decoder mode: paddle units per tick (the fastest serve moves 1.92) |
    | `agent_stim` | `"rate"` | encoder mode: `"rate"` or `"pulse"` |
    | `latency_ms` | `None` (0) | closed-loop latency: each tick's stims reach the stimulator this much after \
      the tick's end (0 to 1000 ms in 0.04 ms steps; `None`: 0, or a `Link` instance's own; :mod:`clgym.links.base`) |
    | `real_time` | `False` | with `link="sdk"`: run in wall-clock time (10 ms per step); `info["late_ms"]` |
    """

    metadata = {"render_modes": ["human", "rgb_array"], "render_fps": TICKS_PER_SECOND}
    ENV_ID = "CLPong-v0"

    def __init__(self, control: str = "culture", feedback: str = "stimulus", link: str | Link = "in_process",
                 culture: Any = None, seed: int | None = None, episode_ticks: int | None = None,
                 terminate_on_miss: bool | None = None, fresh_culture_on_reset: bool = False,
                 render_mode: str | None = None, layout: ChannelLayout | Mapping[str, Any] | None = None,
                 game_params: PongParams | None = None, history_ticks: int = 10, paddle_speed: float = 2.0,
                 agent_stim: str = "rate", observation: str | None = None,
                 latency_ms: float | None = None, real_time: bool = False):
        # every check happens here, before a culture is grown or any process starts
        self.control = require_choice("control", control, CONTROLS)
        self.feedback_name = require_choice("feedback", feedback, FEEDBACKS)
        require_sensory_feedback_for_encoder(control, feedback, FEEDBACK_CONDITIONS)
        self.render_mode = require_render_mode(render_mode, self.metadata["render_modes"])
        self.initial_seed = require_seed("seed", seed)
        self.episode_ticks = require_positive_int("episode_ticks", episode_ticks if episode_ticks is not None
                                                  else (SESSION_TICKS if control == "culture" else RL_EPISODE_TICKS))
        if terminate_on_miss is None:
            terminate_on_miss = control != "culture"
        self.terminate_on_miss = require_flag("terminate_on_miss", terminate_on_miss)
        self.fresh_culture_on_reset = require_flag("fresh_culture_on_reset", fresh_culture_on_reset)
        self.layout = _pong_layout_from(layout)
        if game_params is not None and not isinstance(game_params, PongParams):
            raise ValueError(f"game_params={game_params!r} is not allowed; allowed: a PongParams or None")
        self.history_ticks = require_positive_int("history_ticks", history_ticks)
        if isinstance(paddle_speed, bool) or not isinstance(paddle_speed, int | float) \
                or not math.isfinite(paddle_speed) or paddle_speed <= 0:
            raise ValueError(f"paddle_speed={paddle_speed!r} is not allowed; allowed: a finite number > 0 "
                             "(field units per tick)")
        self.paddle_speed = float(paddle_speed)
        require_choice("agent_stim", agent_stim, AGENT_STIM_KINDS)
        allowed_observations = OBSERVATIONS[control]
        self.observation = require_choice("observation", allowed_observations[0] if observation is None
                                          else observation, allowed_observations)
        self.connection = CultureConnection(link, culture, latency_ms, real_time)

        self.feedback = Feedback(self.layout.feedback, feedback)
        params = game_params if game_params is not None else PongParams()
        self.game_params = dataclasses.replace(params, reset_ball_on_miss=self.feedback.reset_ball_on_miss)
        self.sensory_encoder = PlaceRateEncoder(self.layout.sensory, self.game_params.height,
                                                self.game_params.width, tick_s=TICK_S)
        self.motor_decoder = MotorRegionDecoder()
        self.agent_encoder = AgentStimEncoder(self.layout.sensory, agent_stim, tick_s=TICK_S) \
            if control == "encoder" else None
        self.n_groups = len(self.layout.group_names)
        # every recording channel (the culture's whole answer): the layout's groups first, in group order, then
        # the channels no group uses (29 of them in the dishbrain layout)
        grouped = np.concatenate([np.asarray(g, dtype=np.int64) for g in self.layout.groups.values()])
        others = np.setdiff1d(np.setdiff1d(np.arange(N_CHANNELS), sorted(UNUSABLE_CHANNELS)), grouped)
        self.observed_channels = np.concatenate([grouped, others])
        sizes = [1] * self.observed_channels.size if self.observation == "channels" else \
            [len(g) for g in self.layout.groups.values()]
        self.spike_history = SpikeCountHistory(sizes, self.history_ticks)
        if control == "decoder":
            self.action_space = spaces.Discrete(3)
            self.observation_space = self.spike_history.space
        else:
            self.action_space = self.agent_encoder.action_space if control == "encoder" else spaces.Discrete(1)
            low = np.array([0, 0, -1, -1, 0, 0], dtype=np.float32)
            self.observation_space = spaces.Box(low, np.ones(len(GAME_STATE_FIELDS), np.float32), dtype=np.float32)

        self.game: PongGame | None = None
        self._last_feedback = FeedbackStep((), True, False)
        self._episode_over = False
        self.tick = 0
        self.aces = 0
        self.last_spike_count = 0

    # -- Gymnasium API ---------------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        """Start an episode (a new serve); see the class docstring for what happens to the culture."""
        reseeded, culture_seed, game_seed, feedback_seed = self._draw_episode_seeds(seed)
        grown, between = self._connect_culture(reseeded, culture_seed)
        self.feedback.reset(feedback_seed)
        self._last_feedback = FeedbackStep((), True, False)
        self.game = PongGame(self.game_params, seed=game_seed)
        self.sensory_encoder.reset()
        if self.agent_encoder is not None:
            self.agent_encoder.reset()
        self.motor_decoder.velocity = 0.0  # the paddle starts still; baselines carry over with the culture
        self.spike_history.clear()
        self.tick = 0
        self.aces = 0
        self.last_spike_count = 0
        self._episode_over = False
        if self.render_mode == "human":
            self.render()
        info = self._info(None, paused=False)
        info.update(culture_grown=grown, between_episode_ticks=between)
        return self._observation(paused=False), info

    def step(self, action):
        """Advance one 10 ms tick; returns ``(obs, reward, terminated, truncated, info)``."""
        self._require_running_episode()
        agent_commands = ()
        if self.control == "decoder":
            velocity = self._decoder_action_velocity(action)
        else:
            agent_commands = self._agent_commands(action)
            velocity = self.motor_decoder.velocity
        game, connection = self.game, self.connection
        culture_tick = connection.link.tick_index
        paused = self.feedback.is_paused(culture_tick)
        event = None if paused else game.step(velocity)
        feedback_step = self.feedback.step(culture_tick, event)
        commands = feedback_step.commands
        if feedback_step.sensory_enabled:
            if self.control == "encoder":
                commands = commands + agent_commands
            else:
                commands = commands + self.sensory_encoder.encode(game.ball_x, game.ball_y,
                                                                  self.game_params.paddle_x)
        self._last_feedback = feedback_step
        if event is not None and connection.link.recording_path is not None:
            # hits and misses go into the recording beside the spikes, at the frame their feedback starts
            connection.link.log_event(GAME_EVENTS_STREAM, {"event": event})
        connection.send(commands)
        tick = connection.advance()
        self._take_counts(tick)
        reward = 0.0
        if event == HIT:
            reward = 1.0
        elif event == MISS:
            reward = -1.0
            self.aces += game.last_rally == 0
            if self.feedback.reset_ball_on_miss:
                self.sensory_encoder.reset()  # the culture hears the next serve at once
        self.tick += 1
        terminated = event == MISS and self.terminate_on_miss
        truncated = not terminated and self.tick >= self.episode_ticks
        self._episode_over = terminated or truncated
        if self.render_mode == "human" and self.tick % HUMAN_FRAME_EVERY == 0:
            self.render()
        paused_next = feedback_step.paused
        return self._observation(paused_next), reward, terminated, truncated, self._info(event, paused_next)

    # render() and close(): CultureEnvMixin

    # -- internals -------------------------------------------------------------------------------------
    def _decoder_action_velocity(self, action) -> float:
        require_action(action, self.action_space, f"{ACTION_UP} (up), {ACTION_STAY} (stay), {ACTION_DOWN} (down)")
        return (ACTION_STAY - int(action)) * self.paddle_speed

    def _take_counts(self, tick: Tick) -> None:
        """Decode the tick's spikes (DishBrain decoder, decoder-mode history) and show them to the renderer."""
        self.last_spike_count = int(tick.spike_channels.size)
        if self.observation == "channels":
            self.spike_history.push(channel_counts(tick.spike_channels, N_CHANNELS)[self.observed_channels])
        else:
            counts = self.layout.group_counts(tick.spike_channels)
            if self.control == "decoder":
                self.spike_history.push(counts)
            else:
                self.motor_decoder.step(counts[1:])
        self._show_tick(tick)

    def _feedback_in_progress(self) -> bool:
        last = self._last_feedback
        muted = self.feedback.condition.sensory and not last.sensory_enabled
        return last.paused or muted or self.feedback.pending > 0

    def _next_feedback_commands(self) -> tuple:
        """A tick of the feedback in progress, the game standing still (played out between episodes)."""
        self._last_feedback = self.feedback.step(self.connection.link.tick_index, None)
        return self._last_feedback.commands

    def _observation(self, paused: bool) -> np.ndarray:
        if self.control == "decoder":
            return self.spike_history.observation()

        g, p = self.game, self.game_params
        state = (g.ball_x / p.width, g.ball_y / p.height, g.ball_vx / p.ball_speed_x,
                 g.ball_vy / max(p.serve_vy_max, 1e-9), g.paddle_y / p.height, float(paused))
        return np.array(state, dtype=np.float32)  # within the bounds by the game's construction (tested)

    def _info(self, event: str | None, paused: bool) -> dict[str, Any]:
        g = self.game
        info = {"hits": g.hits, "misses": g.misses, "rally": g.rally, "last_rally": g.last_rally,
                "aces": self.aces, "spike_count": self.last_spike_count, "paused": paused, "event": event,
                "tick": self.tick, "culture_ticks": self.connection.ticks_since_grown, **self._step_info_defaults()}
        if self.connection.real_time:
            info["late_ms"] = self.connection.late_ms()
        return info

    def _episode_limit(self) -> int:
        return self.episode_ticks

    def _scene(self) -> tuple:
        status = "paused: miss feedback" if self._last_feedback.paused else None
        score = {"control": self.control, "feedback": self.feedback_name, "hits": self.game.hits,
                 "misses": self.game.misses, "rally": self.game.rally, "aces": self.aces}
        return self.game, score, status

    def _make_renderer(self, fps: float | None):
        from clgym.render import PongRenderer  # pygame only when rendering

        return PongRenderer(self.layout, tick_s=TICK_S, fps=fps, title=f"clgym: {self.ENV_ID}")


def _pong_layout_from(layout: ChannelLayout | Mapping[str, Any] | None) -> ChannelLayout:
    """The env's channel layout: validated (by :class:`ChannelLayout`) and with two motor regions."""
    if layout is None or isinstance(layout, str):
        # the paper's geometry by default: sensory and motor electrodes 0.6 mm apart, so the paddle moves
        # through pathways across the culture rather than by current spreading from a sensory electrode to a
        # motor one 200 um away (the "quadrants" layout)
        named = {"dishbrain": dishbrain_layout, "quadrants": pong_layout}
        name = "dishbrain" if layout is None else layout
        if name not in named:
            raise ValueError(f"layout={name!r} is unknown; allowed: {', '.join(named)}, a ChannelLayout or a dict")
        return named[name]()
    if isinstance(layout, Mapping):
        fields = ("sensory", "motor", "motor_names", "feedback")
        unknown = sorted(set(layout) - set(fields))
        if unknown:
            raise ValueError(f"layout has unknown field(s) {unknown}; allowed: {', '.join(fields)}")
        try:
            layout = ChannelLayout(**{k: (tuple(map(tuple, v)) if k == "motor" else v) for k, v in layout.items()})
        except TypeError as error:
            raise ValueError(f"layout is not allowed: {error}") from error
    if not isinstance(layout, ChannelLayout):
        raise ValueError(f"layout={layout!r} is not allowed; allowed: a ChannelLayout, a dict of its fields "
                         "(sensory, motor, motor_names, feedback) or None")
    if layout.n_motor != 2:
        raise ValueError(f"layout has {layout.n_motor} motor regions {layout.motor_names}; allowed: 2 "
                         "(paddle up, paddle down)")
    return layout
