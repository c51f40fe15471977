"""Recordings in the cl SDK's own HDF5 format, written by the in-process link.

Concepts
--------
A recording is one HDF5 file (PyTables layout of the cl SDK): ``/spikes`` (timestamp, channel, 75-sample
waveform in uV), ``/stims`` (timestamp, channel), optional ``/samples`` (int16 frames x 64) and
``/data_stream/<name>`` (msgpack-encoded entries, one per timestamp, e.g. the game's events). Spike and stim
timestamps are stored relative to the recording's ``start_timestamp`` attribute, as the SDK stores them.
Because the layout is the SDK's, ``cl.RecordingView`` opens these files and ``CL_SDK_REPLAY_PATH`` replays
them, whichever link made them.

The SDK link records through ``neurons.record()`` (a recording subprocess of the SDK). The in-process link has
no SDK session, so :class:`InProcessRecorder` feeds the SDK's own background HDF5 writer directly (imported
from the SDK, not re-implemented) with the same attribute set ``neurons.record()`` writes.

Example
-------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "run.h5"
>>> recorder = InProcessRecorder(path, start_timestamp=0, include_raw_samples=False)
>>> recorder.write_window(250, frames=None, spikes=[], stims=[])
>>> recorder.write_event("game_events", 120, {"event": "hit"})
>>> recorder.stop(stop_timestamp=250) == path
True
>>> from cl import RecordingView
>>> with RecordingView(str(path)) as recording:
...     list(recording.data_streams["game_events"].items()), recording.attributes["duration_frames"]
([(120, {'event': 'hit'})], 250)
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from clgym.cl1 import FRAMES_PER_SECOND
from clgym.cl1 import N_CHANNELS as CHANNEL_COUNT
from clgym.cl1 import UV_PER_SAMPLE_UNIT as DEFAULT_UV_PER_SAMPLE_UNIT


def recording_attributes(
    start_timestamp: int, application: dict[str, Any] | None, uV_per_sample_unit: float, created: datetime
) -> dict[str, Any]:
    """The root attributes ``neurons.record()`` writes (stop-time ones are set by :func:`stop_attributes`)."""
    return {
        "application": dict(application or {}),
        "hostname": socket.gethostname(),
        "project_id": "clgym-in-process",
        "cell_batch_id": "clgym-simulated",
        "created_localtime": created.isoformat(),
        "created_utc": created.astimezone(UTC).isoformat(),
        "ended_localtime": "",
        "ended_utc": "",
        "git_hash": "",
        "git_branch": "",
        "git_tags": "",
        "git_status": "",
        "channel_count": CHANNEL_COUNT,
        "sampling_frequency": FRAMES_PER_SECOND,
        "frames_per_second": FRAMES_PER_SECOND,
        "uV_per_sample_unit": float(uV_per_sample_unit),
        "start_timestamp": int(start_timestamp),
        "end_timestamp": 0,
        "duration_frames": 0,
        "duration_seconds": 0,
        "file_format": {"version": "SDK", "stim_and_spike_timestamps_relative_to_start": True},
    }


def stop_attributes(attributes: dict[str, Any], stop_timestamp: int, created: datetime) -> dict[str, Any]:
    elapsed_frames = int(stop_timestamp) - int(attributes["start_timestamp"])
    elapsed_seconds = elapsed_frames / FRAMES_PER_SECOND
    ended = created + timedelta(seconds=elapsed_seconds)
    return {
        "end_timestamp": int(stop_timestamp),
        "duration_frames": elapsed_frames,
        "duration_seconds": elapsed_seconds,
        "ended_localtime": ended.isoformat(),
        "ended_utc": ended.astimezone(UTC).isoformat(),
    }


class _SpikeRow:
    """What the SDK writer reads from a spike: timestamp, channel, samples."""

    __slots__ = ("timestamp", "channel", "samples")

    def __init__(self, timestamp: int, channel: int, samples: np.ndarray):
        self.timestamp, self.channel, self.samples = timestamp, channel, samples


class InProcessRecorder:
    """Writes the windows an in-process link advances through into an SDK-format recording."""

    def __init__(
        self,
        path: str | Path,
        start_timestamp: int,
        *,
        include_raw_samples: bool = False,
        include_spikes: bool = True,
        include_stims: bool = True,
        attributes: dict[str, Any] | None = None,
        uV_per_sample_unit: float = DEFAULT_UV_PER_SAMPLE_UNIT,
    ):
        from cl._sim._recording_writer import RecordingWriter  # the SDK's writer: its format by construction

        self.path = Path(path)
        self.start_timestamp = int(start_timestamp)
        self.include_raw_samples = include_raw_samples
        self._created = datetime.now().astimezone()
        self._attributes = recording_attributes(start_timestamp, attributes, uV_per_sample_unit, self._created)
        self._streams: set[str] = set()
        self._writer = RecordingWriter(
            file_path=self.path,
            channel_count=CHANNEL_COUNT,
            start_timestamp=self.start_timestamp,
            include_spikes=include_spikes,
            include_stims=include_stims,
            include_raw_samples=include_raw_samples,
            include_data_streams=True,
            initial_attributes=dict(self._attributes),
        )
        self._writer.start()
        self.stopped = False

    def write_window(self, frame_count: int, frames: np.ndarray | None, spikes, stims) -> None:
        """One advanced window: frames (None = zeros, as the SDK fills them), spikes and stims objects
        with ``timestamp``/``channel`` (spikes also ``samples``)."""
        if self.include_raw_samples:
            self._writer.write_samples(
                frames if frames is not None else np.zeros((frame_count, CHANNEL_COUNT), np.int16)
            )
        if spikes:
            self._writer.write_spikes(list(spikes))
        if stims:
            self._writer.write_stims(list(stims))

    def write_spike_arrays(self, timestamps: np.ndarray, channels: np.ndarray, waveforms) -> None:
        if len(timestamps):
            self._writer.write_spikes(
                [_SpikeRow(int(t), int(c), w) for t, c, w in zip(timestamps, channels, waveforms, strict=True)]
            )

    def init_stream(self, name: str, attributes: dict[str, Any] | None = None) -> None:
        if name not in self._streams:
            self._streams.add(name)
            self._writer.init_data_stream(name, dict(attributes or {}))

    def write_event(self, name: str, timestamp: int, data: Any) -> None:
        from cl.util import to_msgpacked

        self.init_stream(name)
        self._writer.write_data_stream_event(name, int(timestamp), to_msgpacked(data))

    def stop(self, stop_timestamp: int) -> Path:
        """Finish the file (indexes, final attributes) and close it; safe to call twice."""
        if not self.stopped:
            self.stopped = True
            self._writer.update_attributes(stop_attributes(self._attributes, stop_timestamp, self._created))
            self._writer.stop(timeout=30.0)
            if not self.path.exists():  # the SDK writer logs its errors instead of raising them
                raise RuntimeError(f"recording {self.path} was not written (see the 'RecordingWriter' log)")
        return self.path
