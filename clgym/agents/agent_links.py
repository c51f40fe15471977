"""Links the SB3 envs run on: the culture, the SDK's random source, or the culture with its spikes silenced.

Every agent env is built on a link this module opens, so that the three things the agents need sit in one
place and are identical for the agent and its baselines:

- ``source="culture"``: clgym's culture in-process (exactly the link ``CLPong-v0`` opens for
  ``link="in_process"``), one culture per env, many per process;
- ``source="random"``: the cl SDK's own ``RandomDataSource`` (Poisson noise with threshold-crossing spikes)
  in place of the culture, driven in-process by the same :class:`~clgym.links.InProcessLink`
  (both opened by :func:`clgym.links.open_link`). It ignores
  stimulation, so its spikes carry no game information: DishBrain's in-silico control, and the baseline an
  agent must fail on (if it does not, the signal came from somewhere other than the culture);
- ``drop_spikes=True``: the culture runs and is stimulated as usual but every spike is discarded before the
  env sees it (the zero-spike ablation at the link, for ``control="encoder"`` where spikes drive the paddle).

>>> link = make_link("culture", culture="tiny", seed=1, drop_spikes=True)
>>> link.advance().spike_channels.size
0
>>> link.close()
"""

from __future__ import annotations

from typing import Any

from clgym.envs.base import FRAMES_PER_TICK, TICKS_PER_SECOND, require_choice, require_seed
from clgym.links.factory import SilenceableLink, open_link, random_source

__all__ = ["SOURCES", "SilenceableLink", "make_link", "random_source"]

SOURCES = ("culture", "random")


def make_link(source: str = "culture", culture: Any = "dishbrain", seed: int = 0, *, drop_spikes: bool = False,
              random_spike_percentile: float | None = None) -> SilenceableLink:
    """Open a :class:`SilenceableLink` at the env's tick rate (100 ticks/s) on a culture or the SDK's random source.

    Args:
        source: ``"culture"`` or ``"random"`` (see the module docstring).
        culture: culture preset, dict or config (``source="culture"``; validated as ``CLPong-v0`` does).
        seed: the culture's seed (unless the culture config pins one), or the random source's seed.
        drop_spikes: the zero-spike ablation at the link.
        random_spike_percentile: the random source's detection percentile (``None``: the SDK's default,
            99.995, i.e. about 1.3 spikes/s per channel).

    Raises:
        ValueError: unknown source, bad seed, or a bad culture config (message names the field).
    """
    require_choice("source", source, SOURCES)
    seed = require_seed("seed", seed)
    if seed is None:
        raise ValueError("seed=None is not allowed; allowed: an integer >= 0")
    link = open_link(source, culture=culture, seed=seed, ticks_per_second=TICKS_PER_SECOND, drop_spikes=drop_spikes,
                     random_spike_percentile=random_spike_percentile)
    if link.frames_per_tick != FRAMES_PER_TICK:  # a guard against the env's and link's tick rates drifting apart
        link.close()
        raise RuntimeError(f"link ticks every {link.frames_per_tick} frames, the env needs {FRAMES_PER_TICK}")
    return link
