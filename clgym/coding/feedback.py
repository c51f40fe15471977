"""Feedback conditions: what the culture is told after a hit or a miss, tick by tick.

DishBrain's conditions (``docs/dishbrain.md``), with our CL1 amplitudes
(:mod:`clgym.coding.stimulus`: 75 mV -> 1 uA, 150 mV -> 2 uA, 200 us phases):

=============== ===================================== ========================================== ==========
condition        hit                                   miss                                       sensory
=============== ===================================== ========================================== ==========
``stimulus``     100 Hz x 100 ms on all feedback       5 Hz x 4 s, random channel, random time     yes
                 channels at once ("predictable")      ("unpredictable"); play frozen 8.2 s
``silent``       nothing                               nothing; play frozen 8.2 s (equally long)   yes
``no_feedback``  nothing                               nothing; no pause; ball not reset           yes
``rest``         nothing                               nothing; play frozen 8.2 s                  no
``swapped``      the miss pattern (5 Hz x 4 s, random)  the hit pattern (100 Hz x 100 ms); play      yes
                                                       frozen 8.2 s
=============== ===================================== ========================================== ==========

``swapped`` is a control of ours, not the paper's: the same two stimuli as ``stimulus``, the same pause, but
the unpredictable one follows hits and the predictable one misses. If predictability is what teaches, it
should teach the opposite behaviour.

Choices of ours, each a parameter:

* The hit stimulus is one burst command (10 pulses at 100 Hz) issued on the hit tick, not 10 separate
  commands.
* "Random times" at 5 Hz: the 4 s are cut into 20 slots of 200 ms and one pulse falls at a uniformly random
  tick of each slot (stratified), on a random feedback channel. That is random timing with exactly 5 Hz on
  average and never two miss pulses in one tick.
* The pause: the raw logs show play frozen 8.2 s after every miss (4 s stimulation + rest); we freeze the game
  for ``round(8.2 s / tick)`` = 820 ticks after the miss tick in every condition that resets the ball, so
  rally counts per session stay comparable between conditions. In ``no_feedback`` the ball is not reset and
  play never pauses.
* The sensory encoder is muted while feedback stimulation runs and while play is frozen (the frozen ball
  carries no information and the feedback channels are the sensory channels).

Usage per tick ``t`` (the env does this)::

    event = None if fb.is_paused(t) else game.step(velocity)
    out = fb.step(t, event)
    stims = out.commands + (encoder.encode(...) if out.sensory_enabled else ())
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from clgym.coding.stimulus import (
    PREDICTABLE_PULSE,
    UNPREDICTABLE_PULSE,
    Pulse,
    StimCommand,
    validate_channels,
)

__all__ = [
    "FEEDBACK_CONDITIONS",
    "FeedbackCondition",
    "FeedbackParams",
    "FeedbackStep",
    "Feedback",
]


@dataclass(frozen=True)
class FeedbackCondition:
    """What a feedback condition does (see the module table).

    Args:
        name: The condition's name.
        hit_stim: Deliver the predictable stimulus on a hit.
        miss_stim: Deliver the unpredictable stimulus on a miss.
        pause_on_miss: Freeze play after a miss.
        reset_ball_on_miss: Whether the game should serve a new ball after a miss (the env reads this flag).
        sensory: Whether the sensory encoder stimulates at all.
        swap: Deliver the predictable stimulus after a miss and the unpredictable one after a hit (``hit_stim``
            and ``miss_stim`` then switch the predictable and the unpredictable stimulus on).
    """

    name: str
    hit_stim: bool
    miss_stim: bool
    pause_on_miss: bool
    reset_ball_on_miss: bool
    sensory: bool
    swap: bool = False


FEEDBACK_CONDITIONS: dict[str, FeedbackCondition] = {
    "stimulus": FeedbackCondition("stimulus", True, True, True, True, True),
    "silent": FeedbackCondition("silent", False, False, True, True, True),
    "no_feedback": FeedbackCondition("no_feedback", False, False, False, False, True),
    "rest": FeedbackCondition("rest", False, False, True, True, False),
    "swapped": FeedbackCondition("swapped", True, True, True, True, True, swap=True),
}
"""The built-in conditions by name (Pong's; Doom's are :data:`clgym.coding.doom.DOOM_CONDITIONS`)."""


def __getattr__(name: str):
    if name == "CONDITIONS":  # its old name, which the replication's condition table also had
        import warnings

        warnings.warn("clgym.coding.feedback.CONDITIONS is deprecated; use FEEDBACK_CONDITIONS", DeprecationWarning,
                      stacklevel=2)
        return FEEDBACK_CONDITIONS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class FeedbackParams:
    """Timing and pulses of the feedback (defaults: the paper's protocol on a CL1).

    Args:
        tick_s: Tick duration in seconds.
        hit_hz: Pulse rate of the predictable stimulus (100 Hz).
        hit_duration_s: Duration of the predictable stimulus (0.1 s -> 10 pulses).
        hit_pulse: Pulse of the predictable stimulus (1 uA x 200 us, the paper's 75 mV).
        miss_hz: Mean pulse rate of the unpredictable stimulus (5 Hz).
        miss_duration_s: Duration of the unpredictable stimulus (4 s -> 20 pulses).
        miss_pulse: Pulse of the unpredictable stimulus (2 uA x 200 us, the paper's 150 mV).
        miss_channels_per_pulse: Feedback channels stimulated together by each miss pulse (1).
        miss_pause_s: Play frozen after a miss (8.2 s); must cover the miss stimulus.
        mute_sensory_during_feedback: Mute the sensory encoder during feedback stimulation and pauses.
    """

    tick_s: float = 0.01
    hit_hz: float = 100.0
    hit_duration_s: float = 0.1
    hit_pulse: Pulse = PREDICTABLE_PULSE
    miss_hz: float = 5.0
    miss_duration_s: float = 4.0
    miss_pulse: Pulse = UNPREDICTABLE_PULSE
    miss_channels_per_pulse: int = 1
    miss_pause_s: float = 8.2
    mute_sensory_during_feedback: bool = True

    def __post_init__(self) -> None:
        for name in ("tick_s", "hit_hz", "hit_duration_s", "miss_hz", "miss_duration_s"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise ValueError(f"FeedbackParams.{name} = {v!r}; allowed: a positive number")
        if not (math.isfinite(self.miss_pause_s) and self.miss_pause_s >= 0):
            raise ValueError(f"FeedbackParams.miss_pause_s = {self.miss_pause_s!r}; allowed: >= 0 s")
        if self.hit_hz > 200:
            raise ValueError(f"FeedbackParams.hit_hz = {self.hit_hz}; allowed: <= 200 Hz (CL1 burst limit)")
        if self.miss_hz > 1.0 / self.tick_s:
            raise ValueError(
                f"FeedbackParams.miss_hz = {self.miss_hz}; allowed: <= {1.0 / self.tick_s:g} Hz "
                "(one pulse per tick)"
            )
        if self.miss_channels_per_pulse < 1:
            raise ValueError(
                f"FeedbackParams.miss_channels_per_pulse = {self.miss_channels_per_pulse}; allowed: >= 1"
            )

    def ticks(self, seconds: float) -> int:
        """Whole ticks in ``seconds`` (rounded)."""
        return int(round(seconds / self.tick_s))


@dataclass(frozen=True, slots=True)
class FeedbackStep:
    """The feedback's output for one tick.

    Attributes:
        commands: Stimulation to issue this tick.
        sensory_enabled: Whether the sensory encoder may stimulate this tick.
        paused: Whether play is frozen on the *next* tick (same as ``Feedback.is_paused(tick + 1)``).
    """

    commands: tuple[StimCommand, ...]
    sensory_enabled: bool
    paused: bool


class Feedback:
    """A feedback condition as a per-tick schedule of stimulation and pauses.

    Args:
        channels: Feedback channels (the layout's ``feedback``, i.e. the sensory channels by default).
        condition: A name from :data:`FEEDBACK_CONDITIONS` (``"stimulus"``, ``"silent"``, ``"no_feedback"``,
            ``"rest"``) or a :class:`FeedbackCondition`.
        params: Timing and pulses (:class:`FeedbackParams`).
        seed: Seed or ``np.random.Generator`` for the random miss pulses (same seed -> same schedule).

    Raises:
        ValueError: For an unknown condition name (the message lists the allowed ones) or bad channels.
    """

    EVENTS = (None, "hit", "miss")

    def __init__(
        self,
        channels: Sequence[int],
        condition: str | FeedbackCondition = "stimulus",
        params: FeedbackParams | None = None,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        if isinstance(condition, FeedbackCondition):
            self.condition = condition
        elif isinstance(condition, str) and condition in FEEDBACK_CONDITIONS:
            self.condition = FEEDBACK_CONDITIONS[condition]
        else:
            raise ValueError(f"unknown feedback condition {condition!r}; allowed: {tuple(FEEDBACK_CONDITIONS)}")
        self.channels = validate_channels(channels, "Feedback.channels")
        self.params = params if params is not None else FeedbackParams()
        p = self.params
        if p.miss_channels_per_pulse > len(self.channels):
            raise ValueError(
                f"FeedbackParams.miss_channels_per_pulse = {p.miss_channels_per_pulse}; allowed: <= "
                f"{len(self.channels)} (the number of feedback channels)"
            )
        self.hit_pulses = max(1, int(round(p.hit_hz * p.hit_duration_s)))
        self.hit_ticks = max(1, p.ticks(p.hit_duration_s))
        self.miss_pulses = max(1, int(round(p.miss_hz * p.miss_duration_s)))
        self.miss_ticks = max(self.miss_pulses, p.ticks(p.miss_duration_s))
        self.pause_ticks = p.ticks(p.miss_pause_s) if self.condition.pause_on_miss else 0
        if (self.condition.miss_stim and self.condition.pause_on_miss and not self.condition.swap
                and self.pause_ticks < self.miss_ticks):
            raise ValueError(
                f"FeedbackParams.miss_pause_s = {p.miss_pause_s} s is shorter than the miss stimulus "
                f"({p.miss_duration_s} s); allowed: miss_pause_s >= miss_duration_s"
            )
        self._hit_command = (
            StimCommand(
                self.channels, p.hit_pulse, self.hit_pulses, p.hit_hz if self.hit_pulses > 1 else None
            )
            if self.condition.hit_stim
            else None
        )
        self._single = {c: StimCommand((c,), p.miss_pulse) for c in self.channels}
        self._channel_arr = np.asarray(self.channels, dtype=np.int64)
        self.reset(seed)

    # ---- state -------------------------------------------------------------------------------------------
    def reset(self, seed: int | np.random.Generator | None = None) -> None:
        """Forget pending stimulation and pauses; reseed if ``seed`` is given (``None`` keeps the RNG)."""
        if seed is not None or not hasattr(self, "rng"):
            self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self._queue: list[tuple[int, int, StimCommand]] = []
        self._seq = 0
        self._last_tick: int | None = None
        self._pause_start = -(2**62)  # first frozen tick of the current/last pause
        self._paused_until = -(2**62)  # first tick that plays again
        self._mute_until = -(2**62)  # first tick on which the sensory encoder may stimulate again

    @property
    def name(self) -> str:
        """Name of the condition."""
        return self.condition.name

    @property
    def reset_ball_on_miss(self) -> bool:
        """Whether the game should serve a new ball after a miss (``False`` only for ``no_feedback``)."""
        return self.condition.reset_ball_on_miss

    def is_paused(self, tick: int) -> bool:
        """Whether play is frozen at ``tick`` (the game must not advance)."""
        return self._pause_start <= tick < self._paused_until

    @property
    def pending(self) -> int:
        """Number of scheduled commands not yet issued."""
        return len(self._queue)

    # ---- per tick ----------------------------------------------------------------------------------------
    def step(self, tick: int, event: str | None = None) -> FeedbackStep:
        """Register this tick's game event and return the stimulation to issue now.

        Call once per tick, after the game update of that tick (``event=None`` if nothing happened or play was
        frozen). Commands scheduled for ticks skipped by the caller are issued at the next call.

        Args:
            tick: Index of the current tick; must increase from call to call.
            event: ``"hit"``, ``"miss"`` or ``None``.

        Raises:
            ValueError: If the event is unknown or ``tick`` does not increase.
        """
        if event not in self.EVENTS:
            raise ValueError(f"unknown game event {event!r}; allowed: {self.EVENTS}")
        return self.step_events(tick, () if event is None else (event,))

    def step_events(self, tick: int, events: Sequence[str]) -> FeedbackStep:
        """:meth:`step` for a tick with any number of events (e.g. a kill and a hit taken in the same tick of a
        shooter), registered in the order given; ``()`` is a tick without events.

        Raises:
            ValueError: If an event is unknown or ``tick`` does not increase.
        """
        for event in events:
            if event is None or event not in self.EVENTS:
                raise ValueError(f"unknown game event {event!r}; allowed: {self.EVENTS}")
        tick = int(tick)
        if self._last_tick is not None and tick <= self._last_tick:
            raise ValueError(f"tick {tick} does not follow tick {self._last_tick}; ticks must increase")
        self._last_tick = tick
        cond = self.condition
        mute = self.params.mute_sensory_during_feedback
        commands: list[StimCommand] = []
        for event in events:
            # which stimulus this event earns: the predictable one after a hit, unless the condition swaps them
            predictable = (event == "hit") != cond.swap
            if predictable and self._hit_command is not None:
                commands.append(self._hit_command)
                if mute:
                    self._mute_until = max(self._mute_until, tick + self.hit_ticks)
            elif not predictable and cond.miss_stim:
                self._schedule_miss(tick)
                if mute:
                    self._mute_until = max(self._mute_until, tick + self.miss_ticks)
            if event == "miss":
                if self.pause_ticks > 0:
                    if tick + 1 >= self._paused_until:  # not inside a pause: a new one starts next tick
                        self._pause_start = tick + 1
                    self._paused_until = max(self._paused_until, tick + 1 + self.pause_ticks)
        q = self._queue
        while q and q[0][0] <= tick:
            commands.append(heapq.heappop(q)[2])
        paused_next = self.is_paused(tick + 1)
        sensory = cond.sensory and not (mute and (tick < self._mute_until or tick < self._paused_until))
        return FeedbackStep(tuple(commands), sensory, paused_next)

    def _schedule_miss(self, tick: int) -> None:
        """Queue the unpredictable stimulus: a pulse per slot, at a random tick of it, on random channels."""
        n, span = self.miss_pulses, self.miss_ticks
        bounds = (np.arange(n + 1) * span) // n  # slot j = [bounds[j], bounds[j+1]), each >= 1 tick
        offsets = bounds[:-1] + self.rng.integers(0, bounds[1:] - bounds[:-1])
        k = self.params.miss_channels_per_pulse
        for off in offsets.tolist():
            if k == 1:
                cmd = self._single[int(self._channel_arr[self.rng.integers(len(self._channel_arr))])]
            else:
                chans = self.rng.choice(self._channel_arr, size=k, replace=False)
                cmd = StimCommand(tuple(sorted(chans.tolist())), self.params.miss_pulse)
            heapq.heappush(self._queue, (tick + off, self._seq, cmd))
            self._seq += 1
