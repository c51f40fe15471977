"""The link: the one boundary between an env and a culture, whichever culture it is.

Concepts
--------
An env talks to a culture through five verbs, identical for a real CL1, the SDK's simulator running our
culture in its producer process, or our culture driven in-process:

- ``stim(channels, design, burst=None)``: validated against every CL1 limit (see
  :mod:`clgym.links.stim_rules`), then queued. A stim issued between two ticks is scheduled at the tick
  boundary plus the lead time (80 us = 2 frames by default), exactly as ``neurons.stim`` inside a
  ``neurons.loop`` body; with a closed-loop latency (``latency_ms``, below) it is issued that much later;
- ``advance()``: run one tick (10 ms at 100 ticks/s) and return a :class:`Tick`: the spikes and the stims
  (one per delivered pulse) whose timestamps fall in [start, stop) of that tick;
- ``timestamp()``: the 25 kHz frame at the current tick boundary (the stop of the last tick);
- ``record(path)`` / ``log_event(stream, data)`` / ``stop_recording()``: an SDK-format HDF5 recording, with
  named data streams for game events;
- ``close()``: stop recordings (flushed), stop every process the link started. Also runs on an exception
  through ``with``, at interpreter exit, and on SIGTERM (turned into :class:`Terminated`, a ``SystemExit``).

Watching a link
---------------
``observe(on_tick=..., on_stim=..., before_tick=...)`` registers callbacks that see what the env does, without
changing it: ``on_stim(request)`` gets every accepted stim (the validated :class:`StimRequest`, after it was
queued; ``link.tick_index`` is the tick it was issued in), ``before_tick()`` runs as ``advance()`` starts and
``on_tick(tick)`` gets every :class:`Tick` it returns. It returns a handle whose ``remove()`` stops the
callbacks. Timing a link, logging its stims for a replay, keeping the spikes of a session: all go through it;
nobody rebinds ``advance`` or ``stim``.

Same seed + same stims (+ same ``latency_ms``) => the same ticks, bit for bit, on both simulated links.

Closed-loop latency
-------------------
``latency_ms`` (every link and env; :func:`latency_frames_for`) is the delay from the end of a decode window
(the tick boundary at which the env has the tick's spikes and issues its stims) to the moment the stim command
reaches the stimulator: the command is issued at ``boundary + latency_ms`` (one 25 kHz frame = 0.04 ms
resolution, 0 allowed, at most :data:`MAX_LATENCY_MS`), and its pulses land the SDK's lead time after that. It is
a pure delay of the command stream (a pipeline, not a longer lead time: the channels' busy times and queues are
those of the same commands without latency, shifted), so every pulse of a stim lands exactly ``latency_ms``
later than it would with 0 (tested pulse for pulse on both links). Game time is not touched: the env still
decodes tick t's spikes and issues tick t's stims at the same step; only their delivery moves.

The default is :data:`DEFAULT_LATENCY_MS` = 0, on purpose: we found no published end-to-end figure (spike
detection -> decode -> game -> stimulation at the electrode) for DishBrain's MaxOne loop (Kagan et al. 2022,
Neuron 110:3952) or for a CL1 loop; the only timing facts we have are the SDK's (80 us minimum lead time, 10 ms
ticks, and its simulator allowing 20 frames = 0.8 ms of loop jitter "as desktop OS will likely have higher
latency than CL1", ``cl/_sim/_closed_loop.py``). A made-up default would bias every result, and 0 keeps results
bit-identical to clgym before the parameter existed; set it per experiment (docs/cl-sdk.md, "Closed-loop
latency").

Example
-------
>>> from clgym.links import InProcessLink
>>> with InProcessLink({"preset": "tiny", "seed": 1}) as link:
...     link.stim([9, 10], 1.5)                    # a float x: StimDesign(160, -x, 160, x)
...     tick = link.advance()
...     link.log_event("game", {"event": "serve"})     # returns the timestamp it used
250
>>> tick.stim_timestamps.tolist(), tick.stim_channels.tolist()
([2, 2], [9, 10])

>>> with InProcessLink({"preset": "tiny", "seed": 1}) as link:
...     seen = []
...     watch = link.observe(on_tick=lambda tick: seen.append(tick.index),
...                          on_stim=lambda request: seen.append(request.channels))
...     link.stim([9, 10], 1.5)
...     _ = link.advance()
...     watch.remove()
...     _ = link.advance()
>>> seen
[(9, 10), 0]
"""

from __future__ import annotations

import atexit
import math
import numbers
import signal
import threading
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from clgym.cl1 import FRAMES_PER_SECOND

from .stim_rules import CHANNEL_COUNT, MIN_LEAD_TIME_US, StimRequest, validate_stim


class LinkClosedError(RuntimeError):
    """The link was closed (or failed) and cannot be used any more."""


class Terminated(SystemExit):
    """Raised in the main thread when the process receives SIGTERM while a link is open."""


@dataclass(frozen=True)
class Tick:
    """What one ``advance()`` returns: the spikes and pulses with timestamps in [start, stop)."""

    index: int
    start_timestamp: int
    stop_timestamp: int
    spike_timestamps: np.ndarray  # int64, sorted
    spike_channels: np.ndarray  # int32
    stim_timestamps: np.ndarray  # int64, sorted by (timestamp, channel)
    stim_channels: np.ndarray  # int32

    def spike_counts(self) -> np.ndarray:
        """Spikes per channel in this tick (length 64)."""
        return np.bincount(self.spike_channels, minlength=CHANNEL_COUNT)


@dataclass(frozen=True)
class RecordingOptions:
    """What :meth:`Link.record` was asked to write, handed as one value to each link's ``_start_recording``."""

    include_raw_samples: bool = False
    include_spikes: bool = True
    include_stims: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)

    def as_kwargs(self) -> dict[str, Any]:
        """The options as the keyword arguments ``neurons.record()`` (and our recorder) take; attributes copied."""
        return {"include_raw_samples": self.include_raw_samples, "include_spikes": self.include_spikes,
                "include_stims": self.include_stims, "attributes": dict(self.attributes)}


def make_tick(index: int, start: int, stop: int, spike_ts, spike_ch, stim_pairs) -> Tick:
    stims = sorted(stim_pairs)
    return Tick(
        index,
        start,
        stop,
        np.asarray(spike_ts, np.int64),
        np.asarray(spike_ch, np.int32),
        np.array([s[0] for s in stims], np.int64),
        np.array([s[1] for s in stims], np.int32),
    )


@dataclass(eq=False)
class LinkObserver:
    """The callbacks :meth:`Link.observe` registered; ``remove()`` unregisters them (safe to call twice)."""

    link: Link
    on_tick: Callable[[Tick], Any] | None = None
    on_stim: Callable[[StimRequest], Any] | None = None
    before_tick: Callable[[], Any] | None = None

    def remove(self) -> None:
        if self in self.link._observers:
            self.link._observers.remove(self)


DEFAULT_LATENCY_MS = 0.0
"""Default closed-loop latency: 0 (no published rig figure to base another on; see the module docstring)."""
MAX_LATENCY_MS = 1000.0
"""Largest closed-loop latency a link takes (100 ticks; the SDK's ring buffer holds 5.24 s)."""
FRAME_MS = 1000.0 / FRAMES_PER_SECOND  # 0.04 ms: the latency's resolution


def latency_frames_for(latency_ms) -> int:
    """Validate a closed-loop latency in ms; return it in 25 kHz frames (0.04 ms each).

    >>> latency_frames_for(4.2), latency_frames_for(0)
    (105, 0)
    >>> latency_frames_for(0.05)
    Traceback (most recent call last):
    ...
    ValueError: latency_ms=0.05 is not allowed; allowed: 0 to 1000 ms in steps of 0.04 ms (one 25 kHz frame)
    """
    message = (f"latency_ms={latency_ms!r} is not allowed; allowed: 0 to {MAX_LATENCY_MS:g} ms in steps of "
               f"{FRAME_MS:g} ms (one 25 kHz frame)")
    if isinstance(latency_ms, bool) or not isinstance(latency_ms, numbers.Real):
        raise ValueError(message)
    value = float(latency_ms)
    if not math.isfinite(value) or not 0.0 <= value <= MAX_LATENCY_MS:
        raise ValueError(message)
    frames = value / FRAME_MS
    if abs(frames - round(frames)) > 1e-6:
        raise ValueError(message)
    return int(round(frames))


def frames_per_tick_for(ticks_per_second: float) -> int:
    """Frames per tick as ``neurons.loop`` computes them (floor of 25 kHz / rate)."""
    if not 0 < ticks_per_second <= FRAMES_PER_SECOND:
        raise ValueError(f"ticks_per_second={ticks_per_second} is out of range; allowed (0, {FRAMES_PER_SECOND}]")
    return int(FRAMES_PER_SECOND // ticks_per_second)


class Link(ABC):
    """The interface envs use; implemented by :class:`~clgym.links.SdkLink` and
    :class:`~clgym.links.InProcessLink`."""

    def __init__(self, ticks_per_second: float = 100.0, lead_time_us: int = MIN_LEAD_TIME_US,
                 latency_ms: float = DEFAULT_LATENCY_MS):
        self.ticks_per_second = float(ticks_per_second)
        self.frames_per_tick = frames_per_tick_for(ticks_per_second)
        validate_stim([1], 1.0, None, lead_time_us)  # checks lead_time_us with the shared message
        self.lead_time_us = int(lead_time_us)
        self.latency_frames = latency_frames_for(latency_ms)
        self.latency_ms = self.latency_frames * FRAME_MS
        self.last_late_ms: float | None = None  # real time only: how late the last tick reached the caller
        self.tick_index = 0
        self._closed = False
        self._failure: BaseException | None = None
        self._last_event_timestamp: dict[str, int] = {}
        self.recording_path: Path | None = None
        self._observers: list[LinkObserver] = []

    # -- the verbs -------------------------------------------------------------------------------------
    def stim(self, channels, design, burst=None, *, lead_time_us: int | None = None) -> None:
        """Validate a stim against every CL1 limit, then queue it (rules and accepted forms:
        :func:`~clgym.links.stim_rules.validate_stim`). Nothing is sent if any limit is broken. The command
        takes effect at :meth:`command_timestamp` (the tick boundary + the closed-loop latency)."""
        self._check_usable()
        request = validate_stim(channels, design, burst, self.lead_time_us if lead_time_us is None else lead_time_us)
        self._send_stim(request)
        for observer in tuple(self._observers):
            if observer.on_stim is not None:
                observer.on_stim(request)

    def advance(self) -> Tick:
        """Run one tick; return its spikes and stims."""
        self._check_usable()
        for observer in tuple(self._observers):
            if observer.before_tick is not None:
                observer.before_tick()
        try:
            tick = self._advance()
        except BaseException as error:
            self._failure = error
            raise
        self.tick_index += 1
        for observer in tuple(self._observers):
            if observer.on_tick is not None:
                observer.on_tick(tick)
        return tick

    def observe(self, on_tick: Callable[[Tick], Any] | None = None,
                on_stim: Callable[[StimRequest], Any] | None = None,
                before_tick: Callable[[], Any] | None = None) -> LinkObserver:
        """Call ``on_stim(request)`` after every accepted stim, ``before_tick()`` as every ``advance()`` starts
        and ``on_tick(tick)`` with every tick it returns, in the order observers were added; returns the
        handle whose ``remove()`` stops them. Observers watch; they must not stim or advance the link."""
        if on_tick is None and on_stim is None and before_tick is None:
            raise ValueError("observe() needs at least one of on_tick, on_stim, before_tick")
        observer = LinkObserver(self, on_tick, on_stim, before_tick)
        self._observers.append(observer)
        return observer

    @abstractmethod
    def timestamp(self) -> int:
        """The frame at the current tick boundary (where the next tick starts)."""

    def command_timestamp(self) -> int:
        """The frame a stim issued now is commanded at: the tick boundary + ``latency_frames``."""
        return self.timestamp() + self.latency_frames

    def record(
        self,
        path: str | Path,
        *,
        include_raw_samples: bool = False,
        include_spikes: bool = True,
        include_stims: bool = True,
        attributes: dict[str, Any] | None = None,
    ) -> Path:
        """Start an SDK-format recording at ``path`` from the current tick boundary."""
        self._check_usable()
        if self.recording_path is not None:
            raise RuntimeError(f"already recording to {self.recording_path}; call stop_recording() first")
        path = Path(path).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        options = RecordingOptions(include_raw_samples, include_spikes, include_stims, dict(attributes or {}))
        self._start_recording(path, options)
        self.recording_path = path
        return path

    def log_event(self, stream: str, data: Any, timestamp: int | None = None) -> int:
        """Append ``data`` to the data stream ``stream`` of the recording; returns the timestamp used.

        The default timestamp is the current tick boundary. A stream holds one entry per timestamp, so an
        entry at or before the stream's last one moves to the next free frame (40 us later).
        """
        self._check_usable()
        at = self.timestamp() if timestamp is None else int(timestamp)
        last = self._last_event_timestamp.get(stream)
        if last is not None and at <= last:
            at = last + 1
        self._last_event_timestamp[stream] = at
        self._write_event(stream, at, data)
        return at

    def stop_recording(self) -> Path | None:
        """Finish the current recording (flushed and closed); returns its path."""
        if self.recording_path is None:
            return None
        path, self.recording_path = self.recording_path, None
        self._stop_recording(path)
        return path

    def close(self) -> None:
        """Stop the recording and everything the link started. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        try:
            self.stop_recording()
        finally:
            try:
                self._close()
            finally:
                lifecycle.forget(self)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    # -- for subclasses --------------------------------------------------------------------------------
    def _check_usable(self) -> None:
        if self._closed:
            raise LinkClosedError(f"{type(self).__name__} is closed")
        if self._failure is not None:
            raise LinkClosedError(
                f"{type(self).__name__} failed earlier ({self._failure!r}); close it and open a new link"
            ) from self._failure

    @abstractmethod
    def _send_stim(self, request: StimRequest) -> None: ...

    @abstractmethod
    def _advance(self) -> Tick: ...

    @abstractmethod
    def _start_recording(self, path: Path, options: RecordingOptions) -> None: ...

    @abstractmethod
    def _write_event(self, stream: str, timestamp: int, data: Any) -> None: ...

    @abstractmethod
    def _stop_recording(self, path: Path) -> None: ...

    @abstractmethod
    def _close(self) -> None: ...


class _Lifecycle:
    """Process-wide safety net for open links: close them at exit; turn SIGTERM into :class:`Terminated`."""

    def __init__(self):
        self._open: weakref.WeakSet[Link] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._previous_sigterm = None
        self._sigterm_installed = False
        atexit.register(self.close_all)

    def run_first_at_exit(self) -> None:
        """Re-register the exit handler so it runs before handlers registered since (atexit is LIFO).

        cl-sdk 1.0.0 registers, per recording, an exit handler that kills the recording process, and then
        one that stops the recording and waits 30 s for that dead process: an unclosed SDK link must be
        closed before either runs, or its recording is lost and exit stalls for 30 s.
        """
        atexit.unregister(self.close_all)
        atexit.register(self.close_all)

    def adopt(self, link: Link) -> None:
        self.run_first_at_exit()
        with self._lock:
            self._open.add(link)
            if (
                not self._sigterm_installed
                and threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None)
            ):
                self._previous_sigterm = signal.signal(signal.SIGTERM, _raise_terminated)
                self._sigterm_installed = True

    def forget(self, link: Link) -> None:
        with self._lock:
            self._open.discard(link)
            if not self._open and self._sigterm_installed and threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, self._previous_sigterm or signal.SIG_DFL)
                self._sigterm_installed = False

    def close_all(self) -> None:
        for link in list(self._open):
            try:
                link.close()
            except Exception:  # noqa: BLE001 - at exit, keep closing the others
                pass


def _raise_terminated(signum, frame):
    raise Terminated(128 + signum)


lifecycle = _Lifecycle()
