"""The primary endpoint: score a frozen culture on a fixed battery of held-out serves.

Concepts
--------
Rally length during play confounds learning with luck in the ball schedule and with anything that stills the
paddle (a still paddle scores ~0.9 hits per rally; ``docs/dishbrain.md``). A frozen probe removes both: the
culture's state at one moment (a snapshot) is restored into a fresh link, long-term plasticity is switched off,
and it plays the same battery of serves that no session ever played, with no feedback stimulation. The score
is the fraction of serves whose first return the paddle hits; the mean rally length (hits before the first
miss, capped) is the secondary score. Scoring the snapshots of one culture at t = 0 and at the end of a session
on the same battery gives a change that schedule luck cannot move: same serves, same decoder, same culture but
for what the session did to it.

Cultures without a culture state (the SDK's random source, a media-only MEA) have nothing to freeze: their
start probe runs on a fresh source, their end probe continues the session's source.

Example
-------
>>> from clgym.replication.protocol.frozen_probe import ProbeBattery
>>> battery = ProbeBattery(serves=3, max_serve_s=10.0)
>>> len(battery.serve_seeds)
3
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clgym.envs.base import TICKS_PER_SECOND

BATTERY_SEED_BASE = 900_000_000
"""Serve seeds of the battery start here: far from every session's game seed (culture seeds are small)."""


@dataclass(frozen=True)
class ProbeBattery:
    """The held-out serves: ``serves`` game seeds, each played until its first miss or ``max_serve_s``."""

    serves: int = 100
    max_serve_s: float = 30.0

    def __post_init__(self):
        if not isinstance(self.serves, int) or self.serves < 1:
            raise ValueError(f"serves={self.serves!r} is out of range; allowed integers >= 1")
        if not self.max_serve_s >= 5.0:
            raise ValueError(f"max_serve_s={self.max_serve_s} is out of range; allowed >= 5 (a first return "
                             "takes ~4.5 s)")

    @property
    def serve_seeds(self) -> list[int]:
        return [BATTERY_SEED_BASE + i for i in range(self.serves)]


def play_battery(link, battery: ProbeBattery, layout=None) -> dict[str, np.ndarray]:
    """Play every serve of ``battery`` through ``link`` with the culture playing alone and no feedback.

    The env never closes the link (the caller owns it). Returns per serve: ``first_hit`` (1 if the first
    return was hit) and ``rally`` (hits before the first miss, or before the cap)."""
    import gymnasium as gym

    import clgym  # noqa: F401 - registers CLPong-v0

    ticks = int(round(battery.max_serve_s * TICKS_PER_SECOND))
    kwargs = {} if layout is None else {"layout": layout}
    env = gym.make("CLPong-v0", control="culture", feedback="no_feedback", link=link, episode_ticks=ticks,
                   terminate_on_miss=True, max_episode_steps=ticks, **kwargs)
    first_hit = np.zeros(battery.serves, np.int8)
    rally = np.zeros(battery.serves, np.int32)
    try:
        for i, seed in enumerate(battery.serve_seeds):
            env.reset(seed=seed)
            hits, first = 0, None
            while True:
                _, reward, terminated, truncated, _ = env.step(0)
                if reward > 0:
                    hits += 1
                    first = 1 if first is None else first
                elif reward < 0:
                    first = 0 if first is None else first
                if terminated or truncated:
                    break
            first_hit[i] = 1 if first == 1 else 0
            rally[i] = hits
    finally:
        env.close()
    return {"first_hit": first_hit, "rally": rally}


def probe_frozen_culture(culture_config: dict, snapshot: dict, battery: ProbeBattery,
                         layout=None) -> dict[str, np.ndarray]:
    """Restore ``snapshot`` into a fresh in-process culture, freeze its plasticity and play the battery."""
    from clgym.culture.snapshots import restore_at
    from clgym.links import InProcessLink

    link = InProcessLink(culture_config, ticks_per_second=TICKS_PER_SECOND)
    try:
        culture = link.source.culture
        restore_at(culture, snapshot, frame=link.timestamp())
        culture.set_plasticity(stdp=False, homeostasis=False)
        return play_battery(link, battery, layout)
    finally:
        link.close()
