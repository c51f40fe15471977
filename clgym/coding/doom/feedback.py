"""Feedback for Doom-lite: a kill is answered by predictable stimulation, damage taken by unpredictable stimulation.

The machinery is :class:`~clgym.coding.feedback.Feedback` (DishBrain's pulses and timing, on our CL1 amplitudes):
a kill plays its "hit" stimulus, 100 Hz x 100 ms on all feedback channels at once; damage plays its "miss"
stimulus, 5 Hz x 4 s on a random feedback channel at random times. What differs from Pong:

=============== ============================================ ======================================== ==========
condition        kill                                         damage                                   sensory
=============== ============================================ ======================================== ==========
``stimulus``     100 Hz x 100 ms, all feedback channels       5 Hz x 4 s, random channel and times     yes
``silent``       nothing                                      nothing                                  yes
``rest``         nothing                                      nothing                                  no
=============== ============================================ ======================================== ==========

* The game never pauses: a shooter's world does not freeze after a hit taken, and enemies would otherwise get free
  bites. Pong's ``no_feedback`` (which differs from ``silent`` only by not pausing) therefore has no Doom
  counterpart.
* The sensory encoder is *not* muted during feedback (``mute_sensory_during_feedback=False``): damage comes in
  bursts while enemies close in, exactly when the player needs to see them. Feedback and sensory pulses share the
  sensory channels (DishBrain's choice); the link spaces pulses that meet on a channel.
* Several damage events in one tick (two enemies biting) start one unpredictable train, not two; a kill and
  damage in the same tick start both stimuli.

Example:
    >>> from clgym.coding.doom.layout import doom_layout
    >>> fb = DoomFeedback(doom_layout().feedback, "stimulus", seed=0)
    >>> out = fb.step_game(0, ("shot", "kill"))
    >>> out.commands[0].burst_count, len(out.commands[0].channels)
    (10, 12)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from clgym.coding.feedback import Feedback, FeedbackCondition, FeedbackParams, FeedbackStep

__all__ = ["DOOM_CONDITIONS", "DOOM_FEEDBACK_PARAMS", "FEEDBACK_EVENTS", "DoomFeedback"]

DOOM_CONDITIONS: dict[str, FeedbackCondition] = {
    "stimulus": FeedbackCondition("stimulus", True, True, False, False, True),
    "silent": FeedbackCondition("silent", False, False, False, False, True),
    "rest": FeedbackCondition("rest", False, False, False, False, False),
}
"""The Doom-lite feedback conditions by name (see the module table)."""

DOOM_FEEDBACK_PARAMS = FeedbackParams(mute_sensory_during_feedback=False)
"""DishBrain's pulses and timing, with the sensory encoder left on during feedback."""

FEEDBACK_EVENTS: dict[str, str] = {"kill": "hit", "damage": "miss"}
"""Game event kind -> the :class:`Feedback` event it triggers (``"hit"``: predictable, ``"miss"``: unpredictable)."""


class DoomFeedback(Feedback):
    """:class:`Feedback` driven by Doom-lite game events.

    Args:
        channels: Feedback channels (a :class:`~clgym.coding.doom.layout.DoomLayout`'s ``feedback``).
        condition: A name from :data:`DOOM_CONDITIONS` or a :class:`FeedbackCondition`.
        params: Timing and pulses (default :data:`DOOM_FEEDBACK_PARAMS`).
        seed: Seed or generator of the random damage pulses.

    Raises:
        ValueError: For an unknown condition name (the message lists the allowed ones) or bad channels.
    """

    def __init__(
        self,
        channels: Sequence[int],
        condition: str | FeedbackCondition = "stimulus",
        params: FeedbackParams | None = None,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        if not isinstance(condition, FeedbackCondition):
            if not isinstance(condition, str) or condition not in DOOM_CONDITIONS:
                raise ValueError(f"feedback={condition!r} is not allowed; allowed: "
                                 f"{', '.join(map(repr, DOOM_CONDITIONS))}")
            condition = DOOM_CONDITIONS[condition]
        super().__init__(channels, condition, params if params is not None else DOOM_FEEDBACK_PARAMS, seed)

    def step_game(self, tick: int, event_kinds: Iterable[str]) -> FeedbackStep:
        """Register a tick's game events (their kinds, e.g. ``("shot", "kill")``; kinds other than ``"kill"`` and
        ``"damage"`` are ignored) and return the stimulation to issue now."""
        kinds = event_kinds if isinstance(event_kinds, tuple | list | set | frozenset) else tuple(event_kinds)
        events = tuple(fb for kind, fb in FEEDBACK_EVENTS.items() if kind in kinds) if kinds else ()
        return self.step_events(tick, events)
