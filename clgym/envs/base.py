"""What every culture-played env shares: the culture behind a link, its lifecycle, argument checks, the
decoder-mode spike history, and the Gymnasium plumbing around them (:class:`CultureEnvMixin`).

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

import dataclasses
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from gymnasium import logger, spaces

from clgym.cl1 import FRAMES_PER_SECOND
from clgym.coding.stimulus import Pulse, StimCommand
from clgym.links import InProcessLink, Link, SdkLink, Tick
from clgym.links.base import DEFAULT_LATENCY_MS, FRAME_MS, latency_frames_for
from clgym.links.factory import DEFAULT_CULTURE, culture_spec  # noqa: F401 - re-exported: the env's culture argument

TICKS_PER_SECOND = 100
"""Env steps (and culture ticks) per second: one step is one 10 ms tick, as DishBrain's game loop."""
TICK_S = 1.0 / TICKS_PER_SECOND
FRAMES_PER_TICK = FRAMES_PER_SECOND // TICKS_PER_SECOND
LINK_KINDS = ("in_process", "sdk")
SPIKE_COUNT_CAP_PER_CHANNEL = 50
"""Observed counts are clipped at this many spikes per channel per tick (a 5 kHz channel; the simulated
culture's network bursts peak below 30), so the observation space of a decoder-mode env is bounded."""
HUMAN_FPS = 30
HUMAN_FRAME_EVERY = max(1, round(TICKS_PER_SECOND / HUMAN_FPS))
"""Steps between two frames drawn in ``render_mode="human"`` (30 frames per simulated second)."""


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


def require_flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name}={value!r} is not allowed; allowed: True or False")
    return bool(value)


def require_render_mode(render_mode: Any, allowed: Sequence[str]) -> str | None:
    return None if render_mode is None else require_choice("render_mode", render_mode, allowed)


def require_sensory_feedback_for_encoder(control: str, feedback: str, conditions: Mapping[str, Any]) -> None:
    """``control="encoder"`` acts only through sensory stimulation, so its feedback condition must allow it."""
    if control == "encoder" and not conditions[feedback].sensory:
        allowed = [name for name, c in conditions.items() if c.sensory]
        raise ValueError(f"feedback={feedback!r} (no stimulation at all) leaves control='encoder' nothing to "
                         f"do; allowed with control='encoder': {', '.join(map(repr, allowed))}")


def require_action(action: Any, space: spaces.Space, allowed: str) -> None:
    """``ValueError`` naming the action, the space and ``allowed`` unless ``space`` contains ``action``."""
    if not space.contains(action):
        raise ValueError(f"action {action!r} is not in the action space {space}; allowed: {allowed}")


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
        latency_ms: closed-loop latency of the links this connection opens (0 to 1000 ms in 0.04 ms steps;
            ``None``: :data:`~clgym.links.base.DEFAULT_LATENCY_MS`, or a Link instance's own); see
            :mod:`clgym.links.base`.
        real_time: run the SDK link in wall-clock time (``link="sdk"`` only).

    Raises:
        ValueError: unknown link kind, a bad culture config, a culture given with a Link instance, a
            Link instance that is closed or does not tick every 10 ms, a bad latency (or one that differs from
            a Link instance's), or ``real_time`` without ``link="sdk"``.
    """

    def __init__(self, link: str | Link = "in_process", culture: Any = None, latency_ms: float | None = None,
                 real_time: bool = False):
        if not isinstance(real_time, bool | np.bool_):
            raise ValueError(f"real_time={real_time!r} is not allowed; allowed: True or False")
        self.real_time = bool(real_time)
        if self.real_time and (isinstance(link, Link) or link != "sdk"):
            shown = "a Link instance" if isinstance(link, Link) else repr(link)
            raise ValueError(f"real_time=True is not allowed with link={shown}; allowed: link='sdk' (wall-clock "
                             "time through the cl SDK)")
        if isinstance(link, Link):
            if latency_ms is not None and latency_frames_for(latency_ms) != link.latency_frames:
                raise ValueError(f"latency_ms={latency_ms!r} is not allowed with a Link instance opened with "
                                 f"latency_ms={link.latency_ms:g}; allowed: None or {link.latency_ms:g} (the link "
                                 "sets the latency)")
            self.latency_ms = link.latency_ms
        else:
            frames = latency_frames_for(DEFAULT_LATENCY_MS if latency_ms is None else latency_ms)
            self.latency_ms = frames * FRAME_MS
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
        if self.kind == "in_process":
            self.link = InProcessLink(config, ticks_per_second=TICKS_PER_SECOND, latency_ms=self.latency_ms)
        else:
            self.link = SdkLink(config, ticks_per_second=TICKS_PER_SECOND, latency_ms=self.latency_ms,
                                accelerated=not self.real_time)
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

    def late_ms(self) -> float:
        """Real time: how late (ms, >= 0) the last tick reached the env against the 10 ms wall clock (0 before
        the first tick)."""
        late = None if self.link is None else self.link.last_late_ms
        return 0.0 if late is None else float(late)

    def close(self) -> None:
        """Close the link if this connection opened it (safe to call twice)."""
        link, self.link = self.link, (None if self.owns_link else self.link)
        if link is not None and self.owns_link:
            link.close()


class SpikeCountHistory:
    """The decoder-mode observation: spike counts per readout group in each of the last ``ticks`` ticks, oldest
    first, flattened (SB3's MLP policies expect 1-D). A group's count is clipped at
    ``SPIKE_COUNT_CAP_PER_CHANNEL`` x its channels, so the observation space is bounded."""

    def __init__(self, group_sizes: Sequence[int] | np.ndarray, ticks: int):
        self.cap = np.asarray(group_sizes, dtype=np.float32) * np.float32(SPIKE_COUNT_CAP_PER_CHANNEL)
        self._cap_list = self.cap.tolist()
        self.counts = np.zeros((ticks, self.cap.size), dtype=np.float32)

    @property
    def space(self) -> spaces.Box:
        high = np.tile(self.cap, len(self.counts))
        return spaces.Box(np.zeros_like(high), high, dtype=np.float32)

    def clear(self) -> None:
        self.counts[:] = 0.0

    def push(self, counts: np.ndarray | list[int]) -> None:
        """Append one tick's counts per group, dropping the oldest tick."""
        history = self.counts
        history[:-1] = history[1:]
        if isinstance(counts, np.ndarray):
            np.minimum(counts, self.cap, out=history[-1], casting="unsafe")
        else:  # plain ints (counted in Python for speed): a comprehension beats converting them to an array
            history[-1] = [min(c, cap) for c, cap in zip(counts, self._cap_list, strict=True)]

    def observation(self) -> np.ndarray:
        return self.counts.flatten()  # a fresh copy each step


class CultureEnvMixin:
    """The Gymnasium plumbing of a culture-played env (place it before ``gym.Env`` in the bases): seeding a reset
    and growing or keeping its culture, playing out feedback between episodes, checking that an episode runs and a
    non-decoder action, the renderer's lifecycle, ``render()`` and ``close()``.

    The env sets ``connection`` (a :class:`CultureConnection`), ``control``, ``agent_encoder``, ``motor_decoder``,
    ``initial_seed``, ``fresh_culture_on_reset``, ``render_mode``, ``game`` (``None`` until reset) and
    ``_episode_over``, and implements ``_take_counts(tick)``, ``_feedback_in_progress()``,
    ``_next_feedback_commands()`` (a tick of feedback alone, the game standing still), ``_scene()`` (the
    renderer's ``draw`` arguments) and ``_make_renderer(fps)``.
    """

    ENV_ID = ""
    """The registered id, in messages."""
    _registered_spec = None

    @property
    def spec(self):
        """Gymnasium's ``EnvSpec`` (``None`` for an env built without ``gym.make``), with ``max_episode_steps`` the
        env's own truncation length (:meth:`_episode_limit`): a registered id cannot know it, since it depends on
        ``control`` and ``episode_ticks`` (CLPong-v0) or the scenario (CLDoomLite-v0), so the ids register none
        and the env truncates itself."""
        if self._registered_spec is None:
            return None
        return dataclasses.replace(self._registered_spec, max_episode_steps=self._episode_limit())

    @spec.setter
    def spec(self, value) -> None:
        self._registered_spec = value

    def _episode_limit(self) -> int:
        """Steps after which the env truncates an episode."""
        raise NotImplementedError

    @staticmethod
    def _step_info_defaults() -> dict[str, Any]:
        """The keys only ``reset`` gives a value to, in every ``step`` info too (Gymnasium: one set of keys)."""
        return {"culture_grown": False, "between_episode_ticks": 0}
    # instance state until first set (immutable defaults, so sharing them is safe)
    _renderer = None
    _first_reset = True

    def _draw_episode_seeds(self, seed: Any) -> tuple[bool, int, int, int]:
        """Seed the env's RNG as ``gym.Env.reset`` does (with the constructor's seed at the first reset) and draw
        the episode's seeds; returns ``(reseeded, culture_seed, game_seed, feedback_seed)``."""
        seed = require_seed("seed", seed)
        if seed is None and self._first_reset:
            seed = self.initial_seed
        super().reset(seed=seed)
        self._first_reset = False
        culture_seed, game_seed, feedback_seed = (int(s) for s in self.np_random.integers(0, 2**31 - 1, size=3))
        if seed is not None:
            culture_seed = seed  # reset(seed=s) grows the culture from s itself
        return seed is not None, culture_seed, game_seed, feedback_seed

    def _connect_culture(self, reseeded: bool, culture_seed: int) -> tuple[bool, int]:
        """Grow a culture (reseeded, fresh on every reset, or none yet) or keep the current one, playing out the
        feedback it is still getting; returns ``(grown, ticks played out)``."""
        if reseeded or self.fresh_culture_on_reset:
            grown = self.connection.grow(culture_seed)
        else:
            grown = self.connection.ensure_open(culture_seed)
        between = 0
        if grown:
            self.motor_decoder.reset()  # its adaptive baselines belong to the culture it read
        elif self.connection.is_open:
            between = self._play_out_feedback()
        return grown, between

    def _play_out_feedback(self) -> int:
        """Run the culture tick by tick through the feedback in progress (no game, no sensory input); the ticks."""
        ticks = 0
        while self._feedback_in_progress():
            self.connection.send(self._next_feedback_commands())
            self._take_counts(self.connection.advance())
            ticks += 1
        return ticks

    def _require_running_episode(self) -> None:
        if self.game is None or self._episode_over:
            raise RuntimeError("the episode has ended or not started; call reset() first")

    def _agent_commands(self, action: Any) -> tuple[StimCommand, ...]:
        """The stimulation a non-decoder action asks for: the agent encoder's (``control="encoder"``; it validates
        the action), none for ``control="culture"``, whose only action, 0, is ignored."""
        if self.control == "encoder":
            return self.agent_encoder.encode(action)
        if not (type(action) is int and action == 0):  # the usual action, without a space check
            require_action(action, self.action_space, "0 (control='culture' ignores the action)")
        return ()

    def render(self):
        """``rgb_array``: the frame as ``(480, 640, 3)`` uint8; ``human``: draw it in the window (None)."""
        if self.render_mode is None:
            logger.warn("render() called without a render_mode; pass render_mode='rgb_array' or 'human' to the "
                        f"env (e.g. gym.make('{self.ENV_ID}', render_mode='rgb_array'))")
            return None
        if self.game is None:
            raise RuntimeError("call reset() before render()")
        renderer = self._ensure_renderer()
        scene = self._scene()
        if self.render_mode == "rgb_array":
            return renderer.draw(*scene)
        renderer.draw_surface(*scene)
        renderer.show()
        return None

    def close(self):
        """Close the window and the link this env opened (a Link passed in stays open). Idempotent."""
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None
        self.connection.close()
        self.game = None  # step() and render() now ask for a reset(), which grows a new culture

    def _ensure_renderer(self):
        if self._renderer is None:
            fps = TICKS_PER_SECOND / HUMAN_FRAME_EVERY if self.render_mode == "human" else None
            self._renderer = self._make_renderer(fps)
        return self._renderer

    def _show_tick(self, tick: Tick) -> None:
        """Hand a tick's spikes and stims to the renderer's raster (only when rendering)."""
        if self.render_mode is not None:
            self._ensure_renderer().push_tick(tick.spike_channels, tick.spike_timestamps, tick.stim_channels,
                                              tick.index)
