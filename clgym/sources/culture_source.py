"""The simulated culture as a ``cl.sim`` data source: what the cl SDK's producer process reads.

Concepts
--------
The cl SDK's simulator pulls neural data from a *data source* in a producer subprocess. For every window
[from, from + n) of 25 kHz frames it first hands the source the stims committed in that window
(``on_stims``, one event per pulse, bursts already expanded, with the pulse's phases), then asks for the
window (``read``). :class:`CultureSource` answers with our Numba culture: each pulse becomes
``Culture.stimulate`` at its exact frame, ``read`` advances the culture over the window and returns the
spikes its MEA detected (sorted, each with a 75-sample waveform in uV) and, if configured, synthesised
int16 frames (``frames="full"``; the cheap default ``frames="zeros"`` lets the SDK fill zeros).

The SDK builds the source from an importable factory and a JSON config, so the same culture can be rebuilt
in any process: ``culture_source(culture={"preset": "small", "seed": 1}, frames="zeros")``. Two extra
config keys serve process hygiene when the source runs inside the SDK's producer:

- ``parent_pid``: the producer exits (within ~0.25 s) once that process is no longer its parent, so a
  SIGKILLed env process does not leave a busy-polling producer behind;
- ``failure_report_path``: a failure in the source is written there (type, message, traceback) before it
  propagates, so the env process can raise a clear error instead of waiting for an SDK timeout.

Example (what the SDK link does for you)
-----------------------------------------
>>> import cl
>>> from clgym.sources import CULTURE_SOURCE_FACTORY, culture_source_metadata, warm_up_culture_kernels
>>> warm_up_culture_kernels()               # compile/cache Numba before the producer's 15 s start limit
>>> cl.sim.set_simulator_data_source(CULTURE_SOURCE_FACTORY,
...     config={"culture": {"preset": "tiny", "seed": 1}}, metadata=culture_source_metadata())
"""

from __future__ import annotations

import os
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

from clgym.culture import Culture, CultureConfig, spike_waveform

CULTURE_SOURCE_FACTORY = "clgym.sources.culture_source:culture_source"
FRAME_MODES = ("zeros", "full")
UV_PER_SAMPLE_UNIT = 0.195
PARENT_POLL_SECONDS = 0.25


def culture_source_metadata() -> SimulatorDataSourceMetadata:
    """The static metadata of every :class:`CultureSource` (pass it at registration: no parent-side build)."""
    return SimulatorDataSourceMetadata(
        channel_count=Culture.n_channels,
        frames_per_second=25_000,
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

    The SDK gives its producer 15 s to open; a cold Numba compile can take longer, so the SDK link calls this
    before ``cl.open()``. With ``cache=True`` the producer then only loads the compiled kernels.
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
    """A :class:`clgym.culture.Culture` behind the ``cl.sim.SimulatorDataSource`` interface."""

    def __init__(
        self,
        culture: dict[str, Any] | None = None,
        frames: str = "zeros",
        parent_pid: int | None = None,
        failure_report_path: str | None = None,
    ):
        # validate everything here (cheap) so a bad config fails in the env process, not the producer
        self.culture_config = CultureConfig.from_dict(dict(culture) if culture else {"preset": "small"})
        if frames not in FRAME_MODES:
            raise ValueError(f"frames={frames!r} is not allowed; allowed {FRAME_MODES}")
        if parent_pid is not None and (isinstance(parent_pid, bool) or int(parent_pid) <= 0):
            raise ValueError(f"parent_pid={parent_pid!r} is not allowed; allowed a positive process id or None")
        self.frame_mode = frames
        self.parent_pid = None if parent_pid is None else int(parent_pid)
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
            self.culture = Culture(self.culture_config)

    def close(self) -> None:
        self._watchdog_stop.set()
        self.culture = None

    # -- the SDK's per-window calls --------------------------------------------------------------------
    def on_stims(self, stims: Sequence[DataSourceStim]) -> None:
        with self._reporting_failures("on_stims"):
            culture = self._require_open()
            # a canonical order, so delivery order (which differs between links) never changes the result
            for stim in sorted(stims, key=lambda s: (s.timestamp, s.channel)):
                # real-time SDK mode can deliver a stim after its frame was read: apply it now instead
                at_frame = max(int(stim.timestamp), culture.frame)
                culture.stimulate(stim.channel, at_frame, stim.phase_durations_us, stim.phase_currents_uA)

    def on_stim(self, stim: DataSourceStim) -> None:
        self.on_stims((stim,))

    def read(self, from_timestamp: int, frame_count: int) -> DataSourceBatch:
        with self._reporting_failures("read"):
            spikes = self.read_arrays(from_timestamp, frame_count)
            return DataSourceBatch(frames=spikes.frames, spikes=spikes.to_data_source_spikes())

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


def culture_source(
    culture: dict[str, Any] | None = None,
    frames: str = "zeros",
    parent_pid: int | None = None,
    failure_report_path: str | None = None,
) -> CultureSource:
    """The importable factory the SDK calls with the JSON config (see :class:`CultureSource`)."""
    return CultureSource(culture=culture, frames=frames, parent_pid=parent_pid, failure_report_path=failure_report_path)
