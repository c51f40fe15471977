"""One way to open a link on any source: :func:`open_link`.

Sources (``source=``):

- ``"culture"``: clgym's simulated culture (:class:`~clgym.sources.CultureSource`);
- ``"random"``: the cl SDK's own random source (Poisson noise with threshold-crossing spikes). It ignores
  stimulation, so its spikes carry no game information: DishBrain's in-silico control;
- ``"media_only"``: culture medium without cells (:class:`~clgym.sources.noise_source.NoiseSource`): noise
  crossings only, DishBrain's media-only control.

Links (``link=``): ``"in_process"`` drives the source in this process (many per process, bit-identical to the
SDK's ordering); ``"sdk"`` runs it in the SDK's producer process behind ``cl.open()`` (one per process).

In process, every link is a :class:`SilenceableLink`: it counts the spikes its source produced and, with
``drop_spikes=True``, discards them before the caller sees them (the zero-spike ablation at the link).

>>> link = open_link("random", seed=3)
>>> link.frames_per_tick, link.advance().index
(250, 0)
>>> link.close()
>>> open_link("dish")
Traceback (most recent call last):
...
ValueError: source='dish' is not allowed; allowed: 'culture', 'random', 'media_only'
"""

from __future__ import annotations

import contextlib
import io
import numbers
import os
from typing import Any

import numpy as np

from clgym.culture import CultureConfig
from clgym.culture.culture_file import culture_dict

from .base import Link, Tick
from .in_process_link import InProcessLink
from .sdk_link import SdkLink

SOURCES = ("culture", "random", "media_only")
LINK_KINDS = ("in_process", "sdk")
RANDOM_PREFETCH_ENV = "CL_SDK_RANDOM_PREFETCH_WORKERS"
DEFAULT_CULTURE = "dishbrain"  # calibrated to DishBrain's own recordings (README, "The simulated culture")


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

    cl-sdk 1.0.0 exposes this class only privately (``cl.sim._data_source``; ``cl.sim`` re-exports the base
    classes, not the random source): this is the one place clgym imports it. The SDK's default prefetch pool (a
    thread per source) would make N in-process links fight over the cores, so blocks are generated synchronously
    (same bytes: each block depends only on the seed and its index).
    """
    from cl.sim._data_source import RandomDataSource  # private: see the docstring

    previous = os.environ.get(RANDOM_PREFETCH_ENV)
    os.environ[RANDOM_PREFETCH_ENV] = "0"
    try:
        return RandomDataSource(random_seed=int(seed), spike_percentile=spike_percentile)
    finally:
        if previous is None:
            del os.environ[RANDOM_PREFETCH_ENV]
        else:
            os.environ[RANDOM_PREFETCH_ENV] = previous


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name}={value!r} is not allowed; allowed: {', '.join(map(repr, allowed))}")
    return value


def culture_spec(culture: Any) -> tuple[dict[str, Any], int | None]:
    """Validate a culture argument; return its config dict and the seed it pins (``None``: not pinned).

    Accepted: a preset name, the path of a ``.json`` config file (:mod:`clgym.culture.culture_file`; pinned if
    it holds ``"seed"``), a dict ``{"preset": ..., **overrides}`` (pinned if it has ``"seed"``), or a
    :class:`~clgym.culture.CultureConfig` (always pinned: it carries its seed); ``None`` is
    :data:`DEFAULT_CULTURE`. Raises ``ValueError`` with the engine's message (field and allowed range) for a bad
    config.
    """
    if culture is None:
        culture = DEFAULT_CULTURE
    if isinstance(culture, CultureConfig):
        return culture.to_dict(), culture.seed
    if isinstance(culture, str):
        spec: dict[str, Any] = culture_dict(culture)  # a preset name or a .json config file
    elif isinstance(culture, dict):
        spec = dict(culture)
    else:
        raise ValueError(f"culture={culture!r} is not allowed; allowed: a preset name, a .json config file, a dict "
                         "{'preset': ..., **fields} or a CultureConfig")
    config = CultureConfig.from_dict(dict(spec))  # raises ConfigError (a ValueError) naming the field
    return spec, (config.seed if "seed" in spec else None)


def _seeded_culture(culture: Any, seed: int) -> dict[str, Any]:
    """The culture's config dict with ``seed`` unless the culture pins its own."""
    spec, pinned = culture_spec(culture)
    return {**spec, "seed": pinned if pinned is not None else seed}


def open_link(
    source: str = "culture",
    *,
    culture: Any = None,
    seed: int = 0,
    link: str = "in_process",
    ticks_per_second: float = 100.0,
    drop_spikes: bool = False,
    random_spike_percentile: float | None = None,
    **link_kwargs: Any,
) -> Link:
    """Open a link on ``source`` (see the module docstring); the caller closes it.

    Args:
        source: ``"culture"``, ``"random"`` or ``"media_only"``.
        culture: with ``source="culture"``: a preset name, ``{"preset": ..., **fields}`` or a
            :class:`~clgym.culture.CultureConfig` (``None``: :data:`DEFAULT_CULTURE`).
        seed: the culture's seed (unless the culture pins one), or the random / media-only source's seed.
        link: ``"in_process"`` or ``"sdk"``.
        ticks_per_second: the link's tick rate.
        drop_spikes: in process only: the zero-spike ablation (:class:`SilenceableLink`).
        random_spike_percentile: the random source's detection percentile (``None``: the SDK's default).
        **link_kwargs: passed on to the link class (e.g. ``frames="full"``, ``lead_time_us``).

    Raises:
        ValueError: an unknown source or link (the message lists the allowed ones), a bad seed, a bad culture
            config (the message names the field), or a combination the link cannot run.
    """
    _choice("source", source, SOURCES)
    _choice("link", link, LINK_KINDS)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed={seed!r} is not allowed; allowed: an integer >= 0")
    seed = int(seed)
    if link == "sdk":
        if drop_spikes:
            raise ValueError("drop_spikes=True is not allowed with link='sdk'; allowed: link='in_process'")
        if random_spike_percentile is not None:
            raise ValueError("random_spike_percentile is not allowed with link='sdk'; allowed: link='in_process'")
        if source == "media_only":
            raise ValueError("source='media_only' is not allowed with link='sdk'; allowed: link='in_process'")
        if source == "culture":
            return SdkLink(_seeded_culture(culture, seed), ticks_per_second=ticks_per_second, **link_kwargs)
        with contextlib.redirect_stdout(io.StringIO()):  # the SDK prints its seed on open()
            return SdkLink(random_seed=seed, ticks_per_second=ticks_per_second, **link_kwargs)
    options = dict(ticks_per_second=ticks_per_second, drop_spikes=drop_spikes, **link_kwargs)
    if source == "culture":
        return SilenceableLink(_seeded_culture(culture, seed), **options)
    if source == "media_only":
        from clgym.sources.noise_source import NoiseSource

        return SilenceableLink(source=NoiseSource(seed=seed), **options)
    with contextlib.redirect_stdout(io.StringIO()):  # the SDK prints its seed on open()
        return SilenceableLink(source=random_source(seed, random_spike_percentile), **options)
