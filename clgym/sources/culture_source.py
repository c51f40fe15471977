"""The simulated culture as a ``cl.sim`` data source: what the cl SDK's producer process reads.

Concepts
--------
The cl SDK's simulator pulls neural data from a *data source* in a producer subprocess. For every window
[from, from + n) of 25 kHz frames it first hands the source the stims committed in that window
(``on_stims``, one event per pulse, bursts already expanded, with the pulse's phases), then asks for the
window (``read``). :class:`CultureSource` answers with our Numba culture: each pulse becomes
``Culture.stimulate`` at its exact frame, ``read`` advances the culture over the window and returns the
spikes its MEA detected (sorted, each with a 75-sample waveform in uV) and the MEA's synthesised int16
frames (``frames="full"``, the default: what a CL1 user reads from ``tick.frames`` / ``neurons.read()``).
``frames="zeros"`` skips the synthesis (the SDK fills zeros; same spikes, ~1/3 less culture time): the envs'
links use it.

The SDK builds the source from an importable factory and a JSON config, so the same culture can be rebuilt
in any process: ``culture_source(preset="small", seed=1)`` or ``culture_source(culture={"preset": "small",
"seed": 1, "stdp": False})``. Process hygiene when the source runs inside the SDK's producer:

- the *parent watchdog* (``parent_watchdog=True``, the default): inside the SDK's producer process the source
  remembers the process that started the producer (the ``cl`` script) and exits the producer within ~0.25 s
  once that process is gone (SIGTERM, SIGKILL, a crash), instead of busy-polling forever. A source opened
  in any other process never watches (unless ``parent_pid`` names the parent to watch);
- ``failure_report_path``: a failure in the source is written there (type, message, traceback) before it
  propagates, so the env process can raise a clear error instead of waiting for an SDK timeout;
- the 15 s producer start limit: the factory, when called outside the producer (the SDK calls it in the
  ``cl`` script's process to read the metadata unless ``CL_SDK_DATA_SOURCE_METADATA`` is set), compiles or
  loads the Numba kernels there, before the SDK's clock starts; the producer then only loads them from the
  cache (``NUMBA_CACHE_DIR``, by default ``~/.cache/clgym/numba``: see :mod:`clgym.numba_cache`). If the
  producer still takes long to open, it says why on stderr before the SDK's bare ``TimeoutError``.

Example (a plain ``cl`` script; the README's "Using the culture from your own cl script" has more)
-------------------------------------------------------------------------------------------------
>>> import cl
>>> from clgym.sources import CULTURE_SOURCE_FACTORY
>>> cl.sim.set_simulator_data_source(CULTURE_SOURCE_FACTORY, config={"preset": "tiny", "seed": 1})
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from cl.sim import (
    DataSourceBatch,
    DataSourceSpike,
    DataSourceStim,
    SimulatorDataSource,
    SimulatorDataSourceMetadata,
)

from clgym.cl1 import FRAMES_PER_SECOND, UV_PER_SAMPLE_UNIT
from clgym.culture import Culture, CultureConfig, spike_waveform
from clgym.culture.culture_file import culture_dict, is_culture_file
from clgym.sources.script_hygiene import warn_unstimulable_channels

CULTURE_SOURCE_FACTORY = "clgym.sources.culture_source:culture_source"
FRAME_MODES = ("full", "zeros")
PARENT_POLL_SECONDS = 0.25
SDK_PRODUCER_START_LIMIT_S = 15.0  # cl-sdk 1.0.0: BaseProducer.start(timeout=15.0)
SLOW_OPEN_WARNING_S = 9.0  # seconds after the producer's start: warn on stderr while there is still time
SDK_SUBPROCESS_MAIN = "cl._sim._subprocess_main"
SDK_ACCELERATED_WAIT_S = 0.1  # cl-sdk 1.0.0: an accelerated neurons.loop() waits at most this for each tick


def running_in_sdk_producer() -> bool:
    """True in a process the cl SDK started with ``python -m cl._sim._subprocess_main`` (its producer)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and getattr(spec, "name", None) == SDK_SUBPROCESS_MAIN:
        return True
    return bool(sys.argv) and sys.argv[0].replace(os.sep, "/").endswith("cl/_sim/_subprocess_main.py")


def _process_age_seconds() -> float:
    """Seconds since this process started (Linux /proc; 0.0 where unknown)."""
    try:
        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime_file:
            fields = stat.read().rsplit(")", 1)[1].split()
            uptime = float(uptime_file.read().split()[0])
        started_ticks = int(fields[19])  # field 22: starttime, in clock ticks since boot
        return max(0.0, uptime - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def culture_source_metadata() -> SimulatorDataSourceMetadata:
    """The static metadata of every :class:`CultureSource` (pass it at registration: no parent-side build)."""
    return SimulatorDataSourceMetadata(
        channel_count=Culture.n_channels,
        frames_per_second=FRAMES_PER_SECOND,
        uV_per_sample_unit=UV_PER_SAMPLE_UNIT,
        start_timestamp=0,
        duration_frames=None,  # unbounded: the culture lives as long as it is read
        seekable=False,  # a culture only moves forward in time
        realtime_only=False,
        supports_accelerated=True,
    )


_kernels_warm = False


def warm_up_culture_kernels() -> None:
    """Compile (or load from Numba's cache) every culture kernel in this process, once.

    The SDK gives its producer 15 s to open; a cold Numba compile can take longer, so the SDK link (and the
    factory, when the SDK calls it in the script's process) calls this before the producer starts. With
    ``cache=True`` the producer then only loads the compiled kernels from ``NUMBA_CACHE_DIR``.
    """
    global _kernels_warm
    if _kernels_warm:
        return
    culture = Culture(CultureConfig.from_preset("tiny", seed=0))
    culture.stimulate(9, 0, (160, 160), (-1.0, 1.0))
    culture.advance(50, frames=True)  # the frame synthesis kernel too
    _kernels_warm = True


@dataclass
class SpikeArrays:
    """The spikes of one window as arrays (what :meth:`CultureSource.read_arrays` returns)."""

    timestamps: np.ndarray  # int64, sorted
    channels: np.ndarray  # int32
    amplitudes_uv: np.ndarray  # float32, negative trough amplitudes
    frames: np.ndarray | None  # int16 (n, 64) with frames="full", else None

    def waveforms(self) -> list[np.ndarray]:
        return [spike_waveform(float(a)) for a in self.amplitudes_uv]

    def to_data_source_spikes(self) -> list[DataSourceSpike]:
        # channel_mean_sample 0.0: our frames are zero-centred (saves the SDK a mean per spike)
        return [
            DataSourceSpike(timestamp=int(t), channel=int(c), samples=spike_waveform(float(a)), channel_mean_sample=0.0)
            for t, c, a in zip(self.timestamps, self.channels, self.amplitudes_uv, strict=True)
        ]


class CultureSource(SimulatorDataSource):
    """A :class:`clgym.culture.Culture` behind the ``cl.sim.SimulatorDataSource`` interface.

    Args (every key of ``CL_SDK_DATA_SOURCE_CONFIG``; all optional):
        culture: a JSON object of :class:`~clgym.culture.CultureConfig` fields, ``{"preset": ..., **overrides}``
            (default ``{"preset": "dishbrain"}``, the calibrated culture), or the path of a ``.json`` config
            file (``clgym fit`` writes one; also accepted as ``preset``).
        preset, seed: shorthands for ``culture.preset`` / ``culture.seed`` (an error if both disagree).
        frames: ``"full"`` (default: synthesised MEA frames) or ``"zeros"`` (the SDK fills zeros; faster).
        parent_watchdog: inside the SDK's producer, exit when the process that started it is gone (default
            true).
        parent_pid: watch this process instead (it must be this process's parent); implies the watchdog.
        failure_report_path: write a failure (with its traceback) to this file before raising it.
    """

    def __init__(
        self,
        culture: dict[str, Any] | None = None,
        frames: str = "full",
        parent_pid: int | None = None,
        failure_report_path: str | None = None,
        *,
        preset: str | None = None,
        seed: int | None = None,
        parent_watchdog: bool = True,
    ):
        # validate everything here (cheap) so a bad config fails in the script's process, not the producer
        self.culture_config = CultureConfig.from_dict(_culture_dict(culture, preset, seed))
        if frames not in FRAME_MODES:
            raise ValueError(f"frames={frames!r} is not allowed; allowed {FRAME_MODES}")
        if parent_pid is not None and (
            isinstance(parent_pid, bool) or not isinstance(parent_pid, int) or parent_pid <= 0
        ):
            raise ValueError(f"parent_pid={parent_pid!r} is not allowed; allowed a positive process id or None")
        if not isinstance(parent_watchdog, bool):
            raise ValueError(f"parent_watchdog={parent_watchdog!r} is not allowed; allowed true or false")
        if parent_pid is not None and not parent_watchdog:
            raise ValueError(
                "parent_watchdog=false contradicts parent_pid; allowed: parent_pid only with the watchdog on"
            )
        self.frame_mode = frames
        self.parent_watchdog = parent_watchdog
        self.in_sdk_producer = running_in_sdk_producer()
        # serving a cl script's accelerated loop: a read slower than the SDK's wait fails the script
        self.accelerated_sdk = self.in_sdk_producer and os.environ.get("CL_SDK_ACCELERATED_TIME", "0") == "1"
        self._slow_tick_reported = False
        if parent_pid is None and parent_watchdog and self.in_sdk_producer:
            parent_pid = os.getppid()  # the cl script that started this producer, read before it can die
        self.parent_pid = parent_pid
        self.failure_report_path = failure_report_path
        self.culture: Culture | None = None
        self._metadata = culture_source_metadata()
        self._watchdog_stop = threading.Event()
        self._watchdog: threading.Thread | None = None

    @property
    def metadata(self) -> SimulatorDataSourceMetadata:
        return self._metadata

    # -- lifecycle -------------------------------------------------------------------------------------
    def open(self) -> None:
        with self._reporting_failures("open"):
            if self.parent_pid is not None:
                self._start_parent_watchdog()
            warning = _slow_open_warning(self.culture_config) if self.in_sdk_producer else None
            try:
                if self.in_sdk_producer:
                    # every kernel loaded now, before the SDK marks the producer ready: else the first read
                    # loads the stepping kernels and misses the accelerated loop's 0.1 s wait
                    warm_up_culture_kernels()
                self.culture = Culture(self.culture_config)
            finally:
                if warning is not None:
                    warning.cancel()

    def close(self) -> None:
        self._watchdog_stop.set()
        self.culture = None

    # -- the SDK's per-window calls --------------------------------------------------------------------
    def on_stims(self, stims: Sequence[DataSourceStim]) -> None:
        with self._reporting_failures("on_stims"):
            culture = self._require_open()
            # a canonical order, so delivery order (which differs between links) never changes the result
            # the reference (4) reaches the source; the SDK drops 0/7/56/63 before (the script's process warns)
            warn_unstimulable_channels((stim.channel for stim in stims), in_producer=self.in_sdk_producer)
            for stim in sorted(stims, key=lambda s: (s.timestamp, s.channel)):
                # real-time SDK mode can deliver a stim after its frame was read: apply it now instead
                at_frame = max(int(stim.timestamp), culture.frame)
                culture.stimulate(stim.channel, at_frame, stim.phase_durations_us, stim.phase_currents_uA)

    def on_stim(self, stim: DataSourceStim) -> None:
        self.on_stims((stim,))

    def read(self, from_timestamp: int, frame_count: int) -> DataSourceBatch:
        with self._reporting_failures("read"):
            started = time.perf_counter()
            spikes = self.read_arrays(from_timestamp, frame_count)
            batch = DataSourceBatch(frames=spikes.frames, spikes=spikes.to_data_source_spikes())
            if self.accelerated_sdk:
                self._check_tick_cost(from_timestamp, frame_count, time.perf_counter() - started)
            return batch

    def _check_tick_cost(self, from_timestamp: int, frame_count: int, seconds: float) -> None:
        """Explain on stderr (once) a read slower than the SDK's accelerated wait, before its bare
        'Timeout waiting for timestamp'."""
        if seconds <= SDK_ACCELERATED_WAIT_S or self._slow_tick_reported:
            return
        self._slow_tick_reported = True
        print(slow_tick_message(self.culture_config, from_timestamp, frame_count, seconds), file=sys.stderr, flush=True)

    def read_arrays(self, from_timestamp: int, frame_count: int) -> SpikeArrays:
        """``read`` without building per-spike objects (the in-process link's fast path, same spikes)."""
        culture = self._require_open()
        if from_timestamp < culture.frame:
            raise ValueError(
                f"from_timestamp={from_timestamp} is behind the culture (frame {culture.frame}); "
                "allowed >= the culture's frame (a culture cannot be rewound)"
            )
        if from_timestamp > culture.frame:  # a gap the SDK skipped: simulate through it
            culture.advance(from_timestamp - culture.frame)
        batch = culture.advance(frame_count, frames=self.frame_mode == "full")
        return SpikeArrays(batch.timestamps, batch.channels, batch.amplitudes_uv, batch.frames)

    # -- internals -------------------------------------------------------------------------------------
    def _require_open(self) -> Culture:
        if self.culture is None:
            raise RuntimeError("CultureSource is not open; call open() first")
        return self.culture

    def _reporting_failures(self, where: str):
        return _FailureReport(self.failure_report_path, where)

    def _start_parent_watchdog(self) -> None:
        parent_pid = self.parent_pid

        def watch() -> None:
            while not self._watchdog_stop.wait(PARENT_POLL_SECONDS):
                if os.getppid() != parent_pid:  # our parent died; we were re-parented
                    os._exit(0)

        if os.getppid() != parent_pid:
            raise RuntimeError(f"parent_pid={parent_pid} is not this process's parent ({os.getppid()})")
        self._watchdog = threading.Thread(target=watch, name="clgym-parent-watchdog", daemon=True)
        self._watchdog.start()


class _FailureReport:
    """Context manager: on an exception, write it to ``path`` (if any) and let it propagate."""

    def __init__(self, path: str | None, where: str):
        self.path, self.where = path, where

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None and self.path and not isinstance(exc, (KeyboardInterrupt, SystemExit)):
            text = (
                f"{exc_type.__name__} in CultureSource.{self.where} (producer pid {os.getpid()}, "
                f"{time.strftime('%H:%M:%S')}): {exc}\n" + "".join(traceback.format_exception(exc_type, exc, tb))
            )
            temporary = f"{self.path}.tmp"
            with open(temporary, "w") as report:
                report.write(text)
            os.replace(temporary, self.path)
        return False


def _culture_dict(culture: dict[str, Any] | None, preset: str | None, seed: int | None) -> dict[str, Any]:
    """The culture config from ``culture`` and the ``preset`` / ``seed`` shorthands (default preset: small)."""
    if isinstance(culture, str) and is_culture_file(culture):  # a .json config file (clgym fit writes one)
        culture = culture_dict(culture)
    if culture is not None and not isinstance(culture, dict):
        raise ValueError(f"culture={culture!r} is not allowed; allowed a JSON object of CultureConfig fields, the "
                         "path of a .json config file, or null (a preset name goes in culture.preset or preset)")
    merged = dict(culture or {})
    for name, value in (("preset", preset), ("seed", seed)):
        if value is None:
            continue
        if name in merged and merged[name] != value:
            raise ValueError(
                f"{name}={value!r} conflicts with culture.{name}={merged[name]!r}; allowed: give {name} once"
            )
        merged[name] = value
    if isinstance(merged.get("preset"), str) and is_culture_file(merged["preset"]):  # {"preset": "fit.json"}
        merged = {**culture_dict(merged.pop("preset")), **merged}
    merged.setdefault("preset", "dishbrain")
    return merged


def slow_tick_message(config: CultureConfig, from_timestamp: int, frame_count: int, seconds: float) -> str:
    """Why an accelerated cl loop on this culture times out: the preset and the measured cost of the tick."""
    return (
        f"clgym culture source: culture preset {config.preset!r} ({config.n_neurons} neurons) took "
        f"{seconds * 1e3:.0f} ms to simulate the {frame_count / FRAMES_PER_SECOND * 1e3:g} ms from frame "
        f"{from_timestamp} (a network burst), longer than the {SDK_ACCELERATED_WAIT_S * 1e3:.0f} ms the cl SDK waits "
        "for a tick in accelerated mode (CL_SDK_ACCELERATED_TIME=1): the script fails with 'Timeout waiting for "
        "timestamp'. This preset cannot keep up on this machine in accelerated mode; use a smaller one "
        "(dishbrain, small, default), real time (CL_SDK_ACCELERATED_TIME=0), or clgym's own SDK link "
        "(link='sdk'), which waits longer."
    )


def _slow_open_warning(config: CultureConfig) -> threading.Timer:
    """A timer that explains on stderr, before the SDK's bare TimeoutError, why the producer is slow to open."""

    def warn() -> None:
        from clgym.numba_cache import numba_cache_dir

        print(
            f"clgym culture source: the SDK producer (pid {os.getpid()}) has been opening for "
            f"{_process_age_seconds():.0f} s (culture preset {config.preset!r}, {config.n_neurons} neurons); "
            f"the cl SDK gives it {SDK_PRODUCER_START_LIMIT_S:.0f} s, then cl.open() fails with "
            "'Producer did not start within timeout'. The usual cause is a cold Numba cache "
            f"(NUMBA_CACHE_DIR={numba_cache_dir()}): the kernels are being compiled in the producer because "
            "CL_SDK_DATA_SOURCE_METADATA was set (so the SDK did not build the source in your process first) "
            "or the cache was invalidated. Warm it once, e.g. python -c 'from clgym.sources import "
            "warm_up_culture_kernels as w; w()', or leave CL_SDK_DATA_SOURCE_METADATA unset; "
            "else the machine is overloaded.",
            file=sys.stderr,
            flush=True,
        )

    timer = threading.Timer(max(0.0, SLOW_OPEN_WARNING_S - _process_age_seconds()), warn)
    timer.daemon = True
    timer.start()
    return timer


def culture_source(
    culture: dict[str, Any] | None = None,
    frames: str = "full",
    parent_pid: int | None = None,
    failure_report_path: str | None = None,
    *,
    preset: str | None = None,
    seed: int | None = None,
    parent_watchdog: bool = True,
) -> CultureSource:
    """The importable factory the SDK calls with the JSON config (every key: :class:`CultureSource`).

    Called outside the SDK's producer (the SDK calls it in the ``cl`` script's process to read the metadata),
    it also compiles / loads the Numba kernels there, so the producer only loads them within its 15 s.
    """
    source = CultureSource(
        culture=culture,
        frames=frames,
        parent_pid=parent_pid,
        failure_report_path=failure_report_path,
        preset=preset,
        seed=seed,
        parent_watchdog=parent_watchdog,
    )
    if not source.in_sdk_producer:
        warm_up_culture_kernels()
        from clgym.sources.script_hygiene import install_script_hooks

        install_script_hooks()  # the cl script's process: unstimulable channels, SIGTERM, Ctrl-C, timeouts
    return source
