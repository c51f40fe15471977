"""The SDK link: the env talks to ``cl.open()``, i.e. a real CL1, or the cl SDK's simulator.

Concepts
--------
On the simulator, ``cl.open()`` starts a producer subprocess that pulls data from a *data source*. This link
picks the source, opens ``cl.open()`` and steps ``neurons.loop(ticks_per_second)`` one tick per ``advance()``:

- ``SdkLink(culture={"preset": "small", "seed": 1})``: our culture (:class:`~clgym.sources.CultureSource`)
  registered with ``cl.sim.set_simulator_data_source``; Numba kernels are compiled/cached in this process
  first, because the producer has 15 s to start;
- ``SdkLink(replay_path="run.h5")``: the SDK replays a recording (``CL_SDK_REPLAY_PATH``, from its start);
- ``SdkLink()``: whatever the ``cl`` runtime provides (the SDK's random source, ``CL_SDK_DATA_SOURCE``, or a
  real CL1); ``random_seed`` pins the random source.

Time is accelerated by default (the producer computes a tick only when the loop asks for it, so stims always
reach the source before the frames after them: deterministic), or real time with ``accelerated=False``
(``CL_SDK_ACCELERATED_TIME=0`` while this link builds the SDK's ``Neurons``, which reads it once, there); in
real time ``last_late_ms`` holds how late (ms) ``advance()`` returned the last tick against the wall clock
(anchored at the earliest tick arrival): a slow caller and a producer falling behind real time both show. The
SDK's accelerated loop gives a tick 0.1 s; a slower (but alive) source is waited for, up to
``SLOW_TICK_LIMIT_S``, with unchanged stim timing, so big cultures and loaded machines still work.

Process hygiene, measured on cl-sdk 1.0.0: leaving ``with cl.open()`` leaves the producer running, so
``close()`` also discards the SDK's ``Neurons`` (``cl.sim.clear_simulator_data_source()``), checks the
process table, and kills any SDK child of ours still running after 3 s. ``close()`` runs on exceptions via
``with``, at exit, and on SIGTERM. Against SIGKILL of this process, where nothing can run, an
:class:`~clgym.links.processes.OrphanGuard` process kills the SDK's helpers (producer, recording, visualiser),
and the culture source's own parent-pid watchdog ends its producer.
A source failure surfaces here as :class:`SourceFailedError` carrying the producer's traceback, within about
0.1-1 s (the SDK alone would wait 0.1 s per tick and report only a timeout, or 30 s in real time).

Example
-------
>>> from clgym.links import SdkLink
>>> with SdkLink({"preset": "tiny", "seed": 1}) as link:      # ~3-5 s to open (the producer loads Numba)
...     link.stim([27], 2.0)
...     tick = link.advance()
>>> tick.start_timestamp, tick.stop_timestamp, tick.stim_timestamps.tolist()
(0, 250, [2])
"""

from __future__ import annotations

import contextlib
import gc
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import cl
import numpy as np

from clgym.cl1 import FRAMES_PER_SECOND
from clgym.culture import CultureConfig
from clgym.sources import (
    CULTURE_SOURCE_FACTORY,
    FRAME_MODES,
    culture_source_metadata,
    warm_up_culture_kernels,
)

from .base import DEFAULT_LATENCY_MS, Link, RecordingOptions, Tick, lifecycle, make_tick
from .in_process_link import culture_config_dict
from .processes import OrphanGuard, kill_and_reap, process_running, sdk_child_processes, wait_until_gone
from .stim_rules import MIN_LEAD_TIME_US, StimRequest

PROCESS_EXIT_TIMEOUT_S = 3.0
FAILURE_REPORT_WAIT_S = 1.0
SLOW_TICK_LIMIT_S = 60.0  # a tick's source read may take this long before the link gives up
GC_EVERY_TICKS = 1000  # cl.open() disables the garbage collector; collect young objects now and then

_open_sdk_link: SdkLink | None = None  # the SDK keeps one Neurons per process


class SourceFailedError(RuntimeError):
    """The data source (in the SDK's producer process) failed; the message carries its traceback."""


class SdkLink(Link):
    """A link through ``cl.open()``. See the module docstring.

    Args:
        culture: our culture as the source (a :class:`CultureConfig`, ``{"preset": ..., **overrides}`` or a
            preset name). ``None`` (with no ``replay_path``) uses the ``cl`` runtime's own source.
        replay_path: replay this SDK recording from its first frame instead.
        ticks_per_second: tick rate of ``neurons.loop``.
        accelerated: accelerated time (default) or wall-clock real time.
        frames: ``"zeros"`` or ``"full"`` frame synthesis in the culture source.
        random_seed: seed of the SDK's random source (only when neither culture nor replay is given).
        lead_time_us: default stim lead time (>= 80 us, multiple of 40 us).
        latency_ms: closed-loop latency: a stim issued at a tick boundary is commanded this much later, through
            the SDK's public ``StimPlan.run(at_timestamp=...)`` (0 to 1000 ms in 0.04 ms frames; default 0: plain
            ``neurons.stim``; see :mod:`clgym.links.base`).
        visualise: keep the SDK's web visualiser (real time only).
        source_factory: import path of the factory the producer calls with the culture source's config
            (``culture``, ``frames``, ``parent_pid``, ``failure_report_path``), e.g. an instrumented
            :class:`~clgym.sources.CultureSource` subclass; default: :func:`clgym.sources.culture_source`.
        source_options: extra JSON-able keyword arguments for that factory.
    """

    def __init__(
        self,
        culture: CultureConfig | dict[str, Any] | str | None = None,
        *,
        replay_path: str | os.PathLike | None = None,
        ticks_per_second: float = 100.0,
        accelerated: bool = True,
        frames: str = "zeros",
        random_seed: int | None = None,
        lead_time_us: int = MIN_LEAD_TIME_US,
        latency_ms: float = DEFAULT_LATENCY_MS,
        visualise: bool = False,
        source_factory: str = CULTURE_SOURCE_FACTORY,
        source_options: dict[str, Any] | None = None,
    ):
        super().__init__(ticks_per_second, lead_time_us, latency_ms)
        global _open_sdk_link
        if _open_sdk_link is not None and not _open_sdk_link.closed:
            raise RuntimeError(
                "an SdkLink is already open in this process (the SDK keeps one Neurons per "
                "process); close it first, or use InProcessLink for many cultures"
            )
        if culture is not None and replay_path is not None:
            raise ValueError("give either culture or replay_path, not both")
        if frames not in FRAME_MODES:
            raise ValueError(f"frames={frames!r} is not allowed; allowed {FRAME_MODES}")
        if replay_path is not None and not Path(replay_path).is_file():
            raise FileNotFoundError(f"replay_path {replay_path} does not exist")
        self._cl = cl
        self.accelerated = accelerated
        self._failure_report = None if culture is None else _new_report_path()
        self._children_before = set(sdk_child_processes())
        self._orphan_guard = OrphanGuard()  # kills our SDK helpers if this process is SIGKILLed
        self._stack = contextlib.ExitStack()
        self._loop_iter = None
        self._last_stop: int | None = None
        self._wall_anchor: float | None = None  # real time: perf_counter() at frame 0 (earliest arrival)
        self._recording = None
        self._streams: dict[str, Any] = {}
        self._producer = None
        try:
            self._register_source(culture, frames, source_factory, source_options)
            environment = _sdk_environment(accelerated, replay_path, random_seed, visualise, culture is not None)
            with _temporary_environment(environment):
                self.neurons = self._stack.enter_context(cl.open())
        except BaseException as error:
            explained = self._explain_failure(error)
            self._shutdown_sdk()
            if explained is not None:
                raise explained from error
            raise
        self._producer = _producer_handle(self.neurons)
        self._guard_new_children()
        _open_sdk_link = self
        lifecycle.adopt(self)

    @property
    def producer_pid(self) -> int | None:
        """Process id of the SDK's producer (None on a real CL1)."""
        return getattr(self._producer, "pid", None)

    def timestamp(self) -> int:
        return self._last_stop if self._last_stop is not None else int(self.neurons.timestamp())

    # -- Link hooks ------------------------------------------------------------------------------------
    def _send_stim(self, request: StimRequest) -> None:
        channels, design, burst = request.to_sdk()
        if not self.latency_frames:
            self.neurons.stim(channels, design, burst, lead_time_us=request.lead_time_us)
            return
        # the closed-loop latency: the same command, issued latency_frames after the tick boundary (the SDK
        # schedules it from there exactly as neurons.stim from the boundary: a pure shift, as in process)
        plan = self.neurons.create_stim_plan()
        plan.stim(channels, design, burst, lead_time_us=request.lead_time_us)
        plan.run(at_timestamp=self.command_timestamp())

    def _advance(self) -> Tick:
        start = self.timestamp()
        try:
            if self._loop_iter is None:
                self._loop_iter = iter(self.neurons.loop(self.ticks_per_second))
            if not self.accelerated:
                self._publish_stims_now(start + self.frames_per_tick)
                self._wait_for_frames(start + self.frames_per_tick, deadline_seconds=None)
            try:
                analysis = next(self._loop_iter).analysis
            except TimeoutError:
                if not self.accelerated:
                    raise
                analysis = self._read_slow_tick(start)
        except BaseException as error:
            explained = self._explain_failure(error)
            if explained is not None:
                raise explained from error
            raise
        if not self.accelerated:
            self.last_late_ms = self._lateness_ms(int(analysis.stop_timestamp))
        spikes = analysis.spikes
        result = make_tick(
            self.tick_index,
            analysis.start_timestamp,
            analysis.stop_timestamp,
            np.fromiter((s.timestamp for s in spikes), np.int64, len(spikes)),
            np.fromiter((s.channel for s in spikes), np.int32, len(spikes)),
            [(s.timestamp, s.channel) for s in analysis.stims],
        )
        self._last_stop = result.stop_timestamp
        if (self.tick_index + 1) % GC_EVERY_TICKS == 0:
            gc.collect(1)
        return result

    def _lateness_ms(self, stop: int) -> float:
        """How late (ms) a tick ending at frame ``stop`` reaches the caller against the wall clock. No tick can
        arrive before real time has produced its frames, so the clock is anchored at the earliest arrival seen
        (``perf_counter() - stop / 25 kHz``, moved back whenever a tick arrives earlier than any before): a
        producer that falls behind real time shows here as well as a slow caller."""
        offset = time.perf_counter() - stop / FRAMES_PER_SECOND
        if self._wall_anchor is None or offset < self._wall_anchor:
            self._wall_anchor = offset
        return (offset - self._wall_anchor) * 1000.0

    def _publish_stims_now(self, until: int) -> None:
        """Real time: hand the stims issued since the last tick to the producer now, not after this tick's frames.

        cl-sdk 1.0.0's real-time loop publishes a loop body's stims (up to the end of the next tick) only when
        the loop is resumed, and this link waits for the next tick's frames (watching the producer) before
        resuming it: without this the stims would reach the source a whole tick late. This is the loop's own
        publish call (private in 1.0.0), made at the start of ``advance()``; a runtime without it (a real CL1)
        is left alone.
        """
        publish = getattr(self.neurons, "_publish_stims_to_buffer_until", None)
        if publish is not None and self._loop_iter is not None:
            publish(until * 2)  # the SDK's internal 50 kHz timestamps

    def _read_slow_tick(self, start: int):
        """The SDK's accelerated loop gives up after 0.1 s per tick; a slow (not dead) source gets more time.

        The loop generator is finished after its TimeoutError; make sure the producer is still asked for the
        tick, wait for it (watching the producer), read it with ``neurons.read(..., analysis=True)``, and
        start a fresh loop at the next tick. Stim timing is unchanged: outside a loop the SDK schedules
        stims from the producer's timestamp, which is the same tick boundary.
        """
        self._loop_iter = None
        target = start + self.frames_per_tick
        buffer = getattr(self.neurons, "_shared_buffer", None)
        if buffer is not None and self.neurons.timestamp() < target:
            # the loop's cleanup withdrew its request (requested_timestamp = 0): a producer that had not picked
            # it up yet (starved of CPU for 0.1 s on a loaded machine) would never make this tick. Ask again:
            # the tick's stims were published before the first request, so nothing else changes.
            buffer.requested_timestamp = target
        self._wait_for_frames(target, deadline_seconds=SLOW_TICK_LIMIT_S)
        return self.neurons.read(self.frames_per_tick, start, analysis=True)

    def _start_recording(self, path: Path, options: RecordingOptions) -> None:
        # the SDK names the file itself (date prefix): record next to the target, rename on stop
        self._recording = self.neurons.record(
            file_location=str(path.parent), file_suffix=f".{path.stem}.partial", **options.as_kwargs()
        )
        lifecycle.run_first_at_exit()  # before the exit handler the SDK just registered for this recording
        self._guard_new_children()  # the recording process

    def _write_event(self, stream: str, timestamp: int, data: Any) -> None:
        if stream not in self._streams:
            self._streams[stream] = self.neurons.create_data_stream(stream)
        self._streams[stream].append(timestamp, data)

    def _stop_recording(self, path: Path) -> None:
        recording, self._recording = self._recording, None
        if recording is not None:
            producer_gone = self._failure is not None or not self._producer_alive()
            if producer_gone and hasattr(self.neurons, "_last_published_stim_timestamp"):
                # cl-sdk 1.0.0 stretches a recording to its last published stim and waits (30 s, twice)
                # for the producer to make those frames; a failed one never will: stop at the last frame made
                self.neurons._last_published_stim_timestamp = None
            recording.stop()
            os.replace(recording.file["path"], path)

    def _close(self) -> None:
        global _open_sdk_link
        try:
            if self._loop_iter is not None:
                with contextlib.suppress(Exception):
                    self._loop_iter.close()  # the SDK's loop pauses the producer in its finally
        finally:
            self._shutdown_sdk()
            if _open_sdk_link is self:
                _open_sdk_link = None

    # -- internals -------------------------------------------------------------------------------------
    def _register_source(self, culture, frames: str, factory: str, options: dict[str, Any] | None) -> None:
        sim = getattr(self._cl, "sim", None)
        if sim is None:  # a real CL1 runtime: nothing to register
            if culture is not None:
                raise RuntimeError("this cl runtime has no simulator (cl.sim); culture= needs the cl SDK")
            return
        if culture is None:
            sim.clear_simulator_data_source()  # fresh Neurons: the SDK reads its env vars when it builds one
            return
        config = {
            "culture": culture_config_dict(culture),
            "frames": frames,
            "parent_pid": os.getpid(),
            "failure_report_path": str(self._failure_report),
            **(options or {}),
        }
        CultureConfig.from_dict(dict(config["culture"]))  # a bad config fails here, not in the producer
        warm_up_culture_kernels()
        sim.set_simulator_data_source(factory, config=config, metadata=culture_source_metadata())

    def _guard_new_children(self) -> None:
        self._orphan_guard.watch(set(sdk_child_processes()) - self._children_before)

    def _shutdown_sdk(self) -> None:
        """Exit cl.open(), discard the SDK's Neurons (stops its processes), then check the process table."""
        try:
            self._stack.close()
        finally:
            sim = getattr(self._cl, "sim", None)
            if sim is not None:
                with contextlib.suppress(Exception):
                    sim.clear_simulator_data_source()
            ours = set(sdk_child_processes()) - self._children_before
            kill_and_reap(wait_until_gone(ours, PROCESS_EXIT_TIMEOUT_S))
            self._orphan_guard.release()
            if self._failure_report is not None:
                with contextlib.suppress(OSError):
                    self._failure_report.unlink()

    def _producer_alive(self) -> bool:
        pid = self.producer_pid
        return pid is None or process_running(pid)

    def _wait_for_frames(self, timestamp: int, deadline_seconds: float | None) -> None:
        """Wait until the producer has written up to ``timestamp``, checking that it is alive (the SDK
        alone waits 30 s for a dead producer)."""
        started = checked = time.monotonic()
        while self.neurons.timestamp() < timestamp:
            now = time.monotonic()
            if now - checked > 0.05:
                if not self._producer_alive() or self._report_text() is not None:
                    raise TimeoutError(f"the SDK producer stopped before timestamp {timestamp}")
                if deadline_seconds is not None and now - started > deadline_seconds:
                    raise TimeoutError(f"the data source took over {deadline_seconds} s for one tick")
                checked = now
            time.sleep(0.0005)

    def _explain_failure(self, error: BaseException) -> SourceFailedError | None:
        """If the producer or our source failed, a clear error with the source's report; else None."""
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            return None
        deadline = time.monotonic() + FAILURE_REPORT_WAIT_S
        while time.monotonic() < deadline and self._report_text() is None and self._producer_alive():
            time.sleep(0.02)  # the producer may still be writing its report / exiting
        report = self._report_text()
        if report is not None:
            return SourceFailedError(f"the culture data source failed in the SDK producer process:\n{report}")
        if not self._producer_alive():
            code = getattr(self._producer, "exitcode", None)
            return SourceFailedError(
                f"the SDK producer (pid {self.producer_pid}) exited (code {code}) while "
                f"the link waited for data ({error!r}); its traceback is on stderr"
            )
        if isinstance(error, TimeoutError):
            return SourceFailedError(f"the data source is too slow: {error}")
        return None

    def _report_text(self) -> str | None:
        if self._failure_report is None:
            return None
        try:
            return self._failure_report.read_text()
        except OSError:
            return None


def _new_report_path() -> Path:
    handle, name = tempfile.mkstemp(prefix="clgym-source-failure-", suffix=".txt")
    os.close(handle)
    os.unlink(name)  # the source creates it only if it fails
    return Path(name)


def _producer_handle(neurons):
    """The SDK's producer process handle (private in cl-sdk 1.0.0; None if absent, e.g. on a real CL1)."""
    producer = getattr(neurons, "_data_producer", None)
    return getattr(producer, "_process", None)


def _sdk_environment(
    accelerated: bool, replay_path, random_seed, visualise: bool, custom_source: bool
) -> dict[str, str | None]:
    """Env vars the SDK reads when it builds its Neurons (None = unset)."""
    env: dict[str, str | None] = {
        "CL_SDK_ACCELERATED_TIME": "1" if accelerated else "0",
        "CL_SDK_VISUALISATION": "1" if visualise and not accelerated else "0",
    }
    if replay_path is not None:
        env.update(
            CL_SDK_REPLAY_PATH=str(Path(replay_path).resolve()),
            CL_SDK_REPLAY_START_OFFSET="0",
            CL_SDK_DATA_SOURCE=None,
            CL_SDK_DATA_SOURCE_CONFIG=None,
            CL_SDK_DATA_SOURCE_METADATA=None,
        )
    elif random_seed is not None and not custom_source:
        env.update(CL_SDK_RANDOM_SEED=str(int(random_seed)), CL_SDK_REPLAY_START_OFFSET="0", CL_SDK_REPLAY_PATH=None)
    return env


@contextlib.contextmanager
def _temporary_environment(values: dict[str, str | None]):
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
