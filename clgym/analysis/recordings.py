"""Spike recordings from any rig, read into one shape: :class:`SpikeRecording`.

Concepts
--------
The statistics of :mod:`clgym.analysis.activity_stats` work on one shape whatever made the recording: spike
timestamps on the CL1's clock (25 kHz frames, from 0 at the recording's start), an electrode group per spike
(an integer id; the recording's :attr:`~SpikeRecording.regions` name which ids form the sensory area and the
two motor blocks), the recording's length, and the game's events (hit, miss) when it was a game session, also
on the 25 kHz clock. Two formats are read:

* **DishBrain** (MaxWell MaxLab spike h5 + ``<session>.events.txt``): ``proc0/spikeTimes`` (``frame_no`` at
  20 kHz, ``channel``), ``mapping`` (channel -> electrode, electrode = row * 220 + col). Regions by DishBrain's
  geometry (``docs/dishbrain.md``): sensory band rows < 60; motor blocks rows >= 60, split at column 110. The
  events file's ``ball return`` is a hit, ``ball missed`` a miss, ``game begin`` the start of play; its
  ``stimulation mode`` header says whether it was a game (``full game``) or rest. The recorded span is the span
  of the spikes (the files hold no explicit start and stop).
* **cl SDK** (``neurons.record()`` on a CL1 or the SDK's simulator, and clgym's own in-process recordings, which
  share the layout): ``/spikes`` (timestamp, channel), ``/stims``, attributes ``start_timestamp`` and
  ``duration_frames``; game events from a data stream whose entries are ``{"event": "hit" | "miss", ...}``
  (clgym's envs write ``game_events``), or from an events file in DishBrain's text format on the recording's
  own clock. Regions by clgym's DishBrain layout on the CL1 (:func:`clgym.coding.pong.dishbrain_layout`).

Every reader fails with :class:`RecordingError` naming the file and what is wrong (missing, not HDF5, an unknown
layout, no spikes, events outside the recording) before any statistic runs.

Example
-------
>>> rec = read_recording("tests/data/dishbrain/9501.2021-06-01.1.h5")        # doctest: +SKIP
>>> rec.kind, round(rec.duration_s / 60)                                      # doctest: +SKIP
('rest', 10)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from clgym.cl1 import FRAMES_PER_SECOND as FPS
from clgym.cl1 import NON_RECORDING_CHANNELS

#: event kinds the statistics use
HIT, MISS, GAME_BEGIN = "hit", "miss", "game_begin"
_DISHBRAIN_EVENTS = {"ball return": HIT, "ball missed": MISS, "game begin": GAME_BEGIN}
#: DishBrain's MaxOne: 20 kHz frames; the electrode grid is 220 columns wide
MAXLAB_FPS = 20_000
MAXLAB_COLUMNS = 220
#: DishBrain's regions on the MaxOne (docs/dishbrain.md): sensory rows < 60, motor rows >= 60 split at column 110
MAXLAB_SENSORY_ROWS = 60
MAXLAB_SPLIT_COLUMN = 110

SENSORY, MOTOR_LEFT, MOTOR_RIGHT, OTHER = 0, 1, 2, 3
REGION_NAMES = {SENSORY: "sensory", MOTOR_LEFT: "motor_left", MOTOR_RIGHT: "motor_right", OTHER: "other"}


class RecordingError(ValueError):
    """A recording or its events cannot be read (the message names the file and the reason)."""


@dataclass
class SpikeRecording:
    """Spikes of one recording on the 25 kHz clock, with regions and game events (see the module docstring)."""

    timestamps: np.ndarray  # int64, 25 kHz frames from the recording's start, sorted
    regions: np.ndarray  # int8 per spike: SENSORY, MOTOR_LEFT, MOTOR_RIGHT or OTHER
    duration_frames: int
    kind: str  # "game" or "rest"
    events: list[tuple[int, str]] = field(default_factory=list)  # (25 kHz frame, HIT | MISS | GAME_BEGIN)
    stim_timestamps: np.ndarray | None = None  # 25 kHz frames of stimulation pulses, when the rig logged them
    stim_regions: np.ndarray | None = None
    source: str = ""
    format: str = ""
    n_electrodes: int = 0

    @property
    def duration_s(self) -> float:
        return self.duration_frames / FPS

    def event_frames(self, kind: str) -> np.ndarray:
        return np.array([f for f, k in self.events if k == kind], np.int64)


# -- DishBrain (MaxLab) --------------------------------------------------------------------------------------
def read_dishbrain_events(path: str | Path) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """``<session>.events.txt`` -> (header ``info:`` fields, [(20 kHz frame, event kind)])."""
    path = Path(path)
    if not path.is_file():
        raise RecordingError(f"events file {path}: not found")
    header: dict[str, str] = {}
    events: list[tuple[int, str]] = []
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise RecordingError(f"events file {path}: unreadable ({err})") from err
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("info:"):
            key, _, value = line[5:].partition(":")
            header[key.strip()] = value.strip()
            continue
        m = re.fullmatch(r"(\d+):\s*(.+)", line)
        if m is None:
            raise RecordingError(f"events file {path}, line {number}: {line[:60]!r} is not 'frame_no: event' "
                                 "or 'info: ...'")
        kind = _DISHBRAIN_EVENTS.get(m.group(2).strip())
        if kind is not None:
            events.append((int(m.group(1)), kind))
    return header, events


def read_dishbrain(path: str | Path, events: str | Path | None = None) -> SpikeRecording:
    """A DishBrain MaxLab spike h5 (and its events file: by default ``<session>.events.txt`` beside it)."""
    import h5py

    path = Path(path)
    with _open_h5(path) as f:
        if "proc0/spikeTimes" not in f or "mapping" not in f:
            raise RecordingError(f"{path}: not a MaxLab spike file (no proc0/spikeTimes and mapping)")
        spikes = f["proc0/spikeTimes"][:]
        mapping = f["mapping"][:]
    del h5py
    if spikes.size == 0:
        raise RecordingError(f"{path}: the recording holds no spikes")
    electrode_of = {int(c): int(e) for c, e in zip(mapping["channel"], mapping["electrode"], strict=True)}
    channels = spikes["channel"].astype(np.int64)
    known = np.isin(channels, list(electrode_of))
    frames = spikes["frame_no"].astype(np.int64)[known]
    channels = channels[known]
    if frames.size == 0:
        raise RecordingError(f"{path}: no spike is on a mapped channel")
    lut = np.full(int(channels.max()) + 1, -1, np.int64)
    for c, e in electrode_of.items():
        if c < lut.size:
            lut[c] = e
    electrodes = lut[channels]
    row, col = electrodes // MAXLAB_COLUMNS, electrodes % MAXLAB_COLUMNS
    regions = np.where(row < MAXLAB_SENSORY_ROWS, SENSORY,
                       np.where(col < MAXLAB_SPLIT_COLUMN, MOTOR_LEFT, MOTOR_RIGHT)).astype(np.int8)
    events_path = Path(events) if events is not None else path.with_name(path.name[:-3] + ".events.txt") \
        if path.name.endswith(".h5") else None
    header, raw_events = ({}, [])
    if events_path is not None and (events is not None or events_path.is_file()):
        header, raw_events = read_dishbrain_events(events_path)
    order = np.argsort(frames, kind="stable")
    frames, regions = frames[order], regions[order]
    start, stop = int(frames[0]), int(frames[-1]) + 1
    ev = []
    for frame, kind in raw_events:
        if not start - 60 * MAXLAB_FPS <= frame <= stop:
            raise RecordingError(f"events file {events_path}: event {kind!r} at frame {frame} lies outside the "
                                 f"recording's spikes [{start}, {stop}); do the events belong to {path.name}?")
        ev.append((max(0, _to_cl_frames(frame - start)), kind))
    # rest sessions are scored too (their events hold hits and misses): the header says which it was
    mode = header.get("stimulation mode", "")
    is_game = "game" in mode if mode else any(k in (HIT, MISS) for _, k in ev)
    return SpikeRecording(timestamps=_to_cl_frames(frames - start), regions=regions,
                          duration_frames=int(_to_cl_frames(stop - start)), kind="game" if is_game else "rest",
                          events=ev, source=str(path), format="dishbrain", n_electrodes=len(electrode_of))


def _to_cl_frames(maxlab_frames):
    """20 kHz MaxLab frames -> 25 kHz CL1 frames (exact for multiples of 4; rounded down otherwise)."""
    return np.asarray(maxlab_frames, np.int64) * FPS // MAXLAB_FPS


# -- cl SDK / clgym ------------------------------------------------------------------------------------------
def cl_layout_regions() -> np.ndarray:
    """Region of each of the CL1's 64 channels under clgym's DishBrain layout (non-recording channels: OTHER)."""
    from clgym.coding.pong import dishbrain_layout, motor_blocks

    out = np.full(64, OTHER, np.int8)
    out[list(dishbrain_layout().sensory)] = SENSORY
    left, right = motor_blocks()
    out[list(left)] = MOTOR_LEFT
    out[list(right)] = MOTOR_RIGHT
    return out


def read_cl_recording(path: str | Path, events: str | Path | None = None, stream: str | None = None
                      ) -> SpikeRecording:
    """A recording in the cl SDK's HDF5 layout (a CL1, the SDK's simulator, or clgym's links), read with the
    SDK's own ``cl.RecordingView``.

    Game events come from ``events`` (DishBrain's text format, frames on this recording's 25 kHz clock) or
    else from the data stream ``stream`` (default: the first stream whose entries carry ``"event"``)."""
    from cl import RecordingView

    path = Path(path)
    with _open_h5(path) as f:  # a clear error for a missing or non-HDF5 file before the SDK opens it
        if "spikes" not in f:
            raise RecordingError(f"{path}: not a cl SDK recording (no /spikes table)")
    with RecordingView(str(path)) as view:
        attrs = view.attributes
        duration = int(attrs["duration_frames"]) if "duration_frames" in attrs else 0
        spikes = view.spikes.read(field="timestamp"), view.spikes.read(field="channel")
        stims = (view.stims.read(field="timestamp"), view.stims.read(field="channel")) \
            if hasattr(view, "stims") else None
        streams = dict(view.data_streams.items()) if hasattr(view, "data_streams") else {}
        stream_events = _stream_events(path, streams, stream)
    ts, ch = np.asarray(spikes[0], np.int64), np.asarray(spikes[1], np.int64)
    if ts.size == 0:
        raise RecordingError(f"{path}: the recording holds no spikes")
    if ch.min() < 0 or ch.max() > 63:
        raise RecordingError(f"{path}: spike channels {ch.min()}..{ch.max()} are not CL1 channels (0-63)")
    duration = duration or int(ts.max()) + 1
    order = np.argsort(ts, kind="stable")
    regions = cl_layout_regions()
    ev = stream_events
    if events is not None:
        _, raw = read_dishbrain_events(events)
        ev = [(int(frame), kind) for frame, kind in raw]
    for frame, kind in ev:
        if not 0 <= frame <= duration:
            raise RecordingError(f"{path}: event {kind!r} at frame {frame} is outside the recording [0, {duration}); "
                                 "do the events belong to this recording?")
    stim_ts = stim_reg = None
    if stims is not None and len(stims[0]):
        so = np.argsort(stims[0], kind="stable")
        stim_ts = np.asarray(stims[0], np.int64)[so]
        stim_reg = regions[np.asarray(stims[1], np.int64)[so]]
    is_game = any(k in (HIT, MISS) for _, k in ev)
    return SpikeRecording(timestamps=ts[order], regions=regions[ch[order]], duration_frames=duration,
                          kind="game" if is_game else "rest", events=sorted(ev), stim_timestamps=stim_ts,
                          stim_regions=stim_reg, source=str(path), format="cl",
                          n_electrodes=64 - len(NON_RECORDING_CHANNELS))


def _stream_events(path: Path, streams: dict[str, Any], name: str | None) -> list[tuple[int, str]]:
    """Game events from the SDK's data streams: entries that are dicts with an ``"event"`` key (the SDK's
    writer stores their timestamps relative to the recording's start, like spikes and stims)."""
    if name is not None and name not in streams:
        raise RecordingError(f"{path}: no data stream {name!r}; it has {sorted(streams) or 'none'}")
    for n in [name] if name is not None else sorted(streams):
        out = []
        for ts, data in streams[n].items():
            kind = data.get("event") if isinstance(data, dict) else None
            kind = {"ball return": HIT, "ball missed": MISS}.get(kind, kind)
            if kind in (HIT, MISS, GAME_BEGIN):
                out.append((int(ts), kind))
        if out or name is not None:
            return out
    return []


# -- any -----------------------------------------------------------------------------------------------------
def read_recording(path: str | Path, events: str | Path | None = None) -> SpikeRecording:
    """Read a DishBrain MaxLab or a cl SDK recording, whichever ``path`` is (see the module docstring)."""
    path = Path(path)
    with _open_h5(path) as f:
        is_maxlab = "proc0" in f and "mapping" in f
        is_cl = "spikes" in f
    if is_maxlab:
        return read_dishbrain(path, events)
    if is_cl:
        return read_cl_recording(path, events)
    raise RecordingError(f"{path}: unknown recording format; allowed: a DishBrain MaxLab spike h5 (proc0/spikeTimes"
                         " + mapping) or a cl SDK recording (/spikes)")


class _open_h5:
    """``h5py.File(path, "r")`` with a :class:`RecordingError` for a missing or non-HDF5 file."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        import h5py

        if not self.path.is_file():
            raise RecordingError(f"{self.path}: not found")
        try:
            self.f = h5py.File(self.path, "r")
        except OSError as err:
            raise RecordingError(f"{self.path}: not an HDF5 file ({err})") from err
        return self.f

    def __exit__(self, *exc):
        self.f.close()
        return False
