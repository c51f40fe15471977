"""What every culture-played env shares: the culture behind a link, its lifecycle, and argument checks.

Concepts
--------
A game env owns a :class:`CultureConnection`: the link to a culture (in-process, through the cl SDK, or a
:class:`~clgym.links.Link` the caller opened) and the rules for when that culture is grown:

- the link opens lazily, at the first ``reset()``, so a bad argument fails in the constructor before any
  process starts, and the culture's seed can come from ``reset(seed=...)``;
- a culture *persists* across episodes, like a real dish (plasticity carries over);
- ``grow(seed)`` grows a fresh culture (closing the old link), unless the current one is still pristine (no
  tick run yet) and was grown from the same seed; a link the caller passed in is never regrown.

:func:`send_commands` is the one place where clgym's coding layer (:class:`~clgym.coding.StimCommand`, its
own :class:`~clgym.coding.Pulse`) meets the link's cl-like ``stim(channels, design, burst)``.

Example
-------
>>> connection = CultureConnection("in_process", "tiny")
>>> connection.grow(seed=1)
True
>>> connection.send((StimCommand((27,), Pulse.biphasic(1.0)),))
>>> tick = connection.advance()
>>> connection.close()
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from clgym.coding.stimulus import Pulse, StimCommand
from clgym.culture import CultureConfig
from clgym.links import InProcessLink, Link, SdkLink, Tick

TICKS_PER_SECOND = 100
"""Env steps (and culture ticks) per second: one step is one 10 ms tick, as DishBrain's game loop."""
TICK_S = 1.0 / TICKS_PER_SECOND
FRAMES_PER_TICK = 25_000 // TICKS_PER_SECOND
LINK_KINDS = ("in_process", "sdk")
DEFAULT_CULTURE = "small"
SPIKE_COUNT_CAP_PER_CHANNEL = 50
"""Observed counts are clipped at this many spikes per channel per tick (a 5 kHz channel; the simulated
culture's network bursts peak below 30), so the observation space of a decoder-mode env is bounded."""


def require_choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    """``value`` if it is one of ``allowed``, else a ``ValueError`` naming both."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name}={value!r} is not allowed; allowed: {', '.join(map(repr, allowed))}")
    return value


def require_positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name}={value!r} is not allowed; allowed: an integer >= 1")
    return int(value)


def require_seed(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name}={value!r} is not allowed; allowed: None or an integer >= 0")
    return int(value)


def culture_spec(culture: Any) -> tuple[dict[str, Any], int | None]:
    """Validate a culture argument; return its config dict and the seed it pins (``None``: not pinned).

    Accepted: a preset name, a dict ``{"preset": ..., **overrides}`` (pinned if it has ``"seed"``), or a
    :class:`~clgym.culture.CultureConfig` (always pinned: it carries its seed). Raises ``ValueError`` with the
    engine's message (field and allowed range) for a bad config.
    """
    if culture is None:
        culture = DEFAULT_CULTURE
    if isinstance(culture, CultureConfig):
        return culture.to_dict(), culture.seed
    if isinstance(culture, str):
        spec: dict[str, Any] = {"preset": culture}
    elif isinstance(culture, dict):
        spec = dict(culture)
    else:
        raise ValueError(f"culture={culture!r} is not allowed; allowed: a preset name, a dict "
                         "{'preset': ..., **fields} or a CultureConfig")
    config = CultureConfig.from_dict(dict(spec))  # raises ConfigError (a ValueError) naming the field
    return spec, (config.seed if "seed" in spec else None)


def send_commands(link: Link, commands: Iterable[StimCommand]) -> None:
    """Issue coding-layer stim commands on a link (``Pulse`` -> flat design, burst -> ``(count, hz)``)."""
    for command in commands:
        pulse: Pulse = command.pulse
        burst = (command.burst_count, command.burst_hz) if command.burst_count > 1 else None
        link.stim(command.channels, pulse.as_args(), burst)


class CultureConnection:
    """The culture an env plays with, behind a link; see the module docstring.

    Args:
        link: ``"in_process"`` (default; no subprocess), ``"sdk"`` (the cl SDK's simulator, or a real CL1
            when the runtime is one) or an open :class:`~clgym.links.Link` (the caller keeps ownership and
            closes it; its culture is never regrown).
        culture: preset name, dict or :class:`~clgym.culture.CultureConfig` (not with a Link instance).

    Raises:
        ValueError: unknown link kind, a bad culture config, a culture given with a Link instance, or a
            Link instance that is closed or does not tick every 10 ms.
    """

    def __init__(self, link: str | Link = "in_process", culture: Any = None):
        if isinstance(link, Link):
            if culture is not None:
                raise ValueError(f"culture={culture!r} is not allowed with a Link instance (the link already "
                                 "holds its culture); allowed: culture=None")
            if link.closed:
                raise ValueError(f"link={link!r} is closed; allowed: an open Link, or one of {LINK_KINDS}")
            if link.frames_per_tick != FRAMES_PER_TICK:
                raise ValueError(f"link ticks every {link.frames_per_tick} frames; allowed: {FRAMES_PER_TICK} "
                                 f"frames ({TICKS_PER_SECOND} ticks/s, one 10 ms tick per env step)")
            self.kind = "instance"
            self.culture_spec: dict[str, Any] | None = None
            self.pinned_seed: int | None = None
        else:
            self.kind = require_choice("link", link, LINK_KINDS)
            self.culture_spec, self.pinned_seed = culture_spec(culture)
        self.link: Link | None = link if isinstance(link, Link) else None
        self.culture_seed: int | None = None
        self._ticks_at_grow = link.tick_index if isinstance(link, Link) else 0

    @property
    def owns_link(self) -> bool:
        """Whether this connection opened (and so closes) its link."""
        return self.kind != "instance"

    @property
    def is_open(self) -> bool:
        return self.link is not None and not self.link.closed

    @property
    def ticks_since_grown(self) -> int:
        """Ticks the current culture has run (since it was grown, or since a given link was attached)."""
        return 0 if self.link is None else self.link.tick_index - self._ticks_at_grow

    def grow(self, seed: int) -> bool:
        """Make sure a culture grown from ``seed`` (or its pinned seed) is connected and untouched.

        Returns ``True`` if a new culture was grown, ``False`` if the pristine current one already fits or
        the link is the caller's (which is never regrown).
        """
        if not self.owns_link:
            return False
        seed = self.pinned_seed if self.pinned_seed is not None else int(seed)
        if self.is_open and self.ticks_since_grown == 0 and seed == self.culture_seed:
            return False
        self.close()
        config = {**self.culture_spec, "seed": seed}
        link_class = InProcessLink if self.kind == "in_process" else SdkLink
        self.link = link_class(config, ticks_per_second=TICKS_PER_SECOND)
        self.culture_seed = seed
        self._ticks_at_grow = self.link.tick_index
        return True

    def ensure_open(self, seed: int) -> bool:
        """Grow a culture only if none is connected yet; returns whether one was grown."""
        if self.is_open:
            return False
        if not self.owns_link:
            raise RuntimeError("the Link passed to the env was closed by its owner; the env cannot reopen it")
        return self.grow(seed)

    def send(self, commands: Sequence[StimCommand]) -> None:
        if commands:
            send_commands(self.link, commands)

    def advance(self) -> Tick:
        return self.link.advance()

    def close(self) -> None:
        """Close the link if this connection opened it (safe to call twice)."""
        link, self.link = self.link, (None if self.owns_link else self.link)
        if link is not None and self.owns_link:
            link.close()
