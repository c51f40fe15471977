"""Links the SB3 envs run on: the culture, the SDK's random source, or the culture with its spikes silenced.

Every agent env is built on a link this module opens, so that the three things the agents need sit in one
place and are identical for the agent and its baselines:

- ``source="culture"``: clgym's culture in-process (exactly the link ``CLPong-v0`` opens for
  ``link="in_process"``), one culture per env, many per process;
- ``source="random"``: the cl SDK's own ``RandomDataSource`` (Poisson noise with threshold-crossing spikes)
  in place of the culture, driven in-process by the same :class:`~clgym.links.InProcessLink`. It ignores
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

import contextlib
import io
import os
from typing import Any

import numpy as np

from clgym.envs.base import FRAMES_PER_TICK, TICKS_PER_SECOND, culture_spec, require_choice, require_seed
from clgym.links import InProcessLink, Tick

SOURCES = ("culture", "random")
RANDOM_PREFETCH_ENV = "CL_SDK_RANDOM_PREFETCH_WORKERS"


class SilenceableLink(InProcessLink):
    """An :class:`~clgym.links.InProcessLink` whose spikes can be silenced (the zero-spike ablation), counting what
    the source produced.

    Args:
        *args, **kwargs: as :class:`~clgym.links.InProcessLink`.
        drop_spikes: discard every spike before it leaves the link (the culture still runs and is
            stimulated; the env, its decoder and the agent see silence).

    Attributes:
        spikes_seen: spikes the source produced since the link opened (before ``drop_spikes``).
    """

    def __init__(self, *args: Any, drop_spikes: bool = False, **kwargs: Any):
        self.drop_spikes = bool(drop_spikes)
        self.spikes_seen = 0
        super().__init__(*args, **kwargs)

    def _advance(self) -> Tick:
        tick = super()._advance()
        self.spikes_seen += int(tick.spike_channels.size)
        if self.drop_spikes and tick.spike_channels.size:
            tick = Tick(tick.index, tick.start_timestamp, tick.stop_timestamp, np.empty(0, np.int64),
                        np.empty(0, np.int32), tick.stim_timestamps, tick.stim_channels)
        return tick


def random_source(seed: int, spike_percentile: float | None = None):
    """The cl SDK's ``RandomDataSource`` seeded with ``seed``, computing its blocks in the calling thread.

    The SDK's default prefetch pool (a thread per source) would make N in-process envs fight over the cores
    the agent is measured on, so blocks are generated synchronously (same bytes: each block depends only on
    the seed and its index).
    """
    from cl.sim._data_source import RandomDataSource  # the SDK's own class (not re-exported by cl.sim)

    previous = os.environ.get(RANDOM_PREFETCH_ENV)
    os.environ[RANDOM_PREFETCH_ENV] = "0"
    try:
        return RandomDataSource(random_seed=int(seed), spike_percentile=spike_percentile)
    finally:
        if previous is None:
            del os.environ[RANDOM_PREFETCH_ENV]
        else:
            os.environ[RANDOM_PREFETCH_ENV] = previous


def make_link(source: str = "culture", culture: Any = "small", seed: int = 0, *, drop_spikes: bool = False,
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
    if source == "culture":
        spec, pinned = culture_spec(culture)
        config = {**spec, "seed": pinned if pinned is not None else seed}
        link = SilenceableLink(config, ticks_per_second=TICKS_PER_SECOND, drop_spikes=drop_spikes)
    else:
        with contextlib.redirect_stdout(io.StringIO()):  # the SDK prints its seed on open()
            link = SilenceableLink(source=random_source(seed, random_spike_percentile),
                                   ticks_per_second=TICKS_PER_SECOND, drop_spikes=drop_spikes)
    if link.frames_per_tick != FRAMES_PER_TICK:  # a guard against the env's and link's tick rates drifting apart
        link.close()
        raise RuntimeError(f"link ticks every {link.frames_per_tick} frames, the env needs {FRAMES_PER_TICK}")
    return link
