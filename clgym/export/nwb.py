"""A recording in the cl SDK's HDF5 format as a Neurodata Without Borders (NWB) file, the format neuroscientists'
tools read (pynwb, NWB Widgets, DANDI, SpikeInterface...). Needs the optional extra ``nwb`` (pynwb).

Concepts
--------
Any SDK-format recording converts: one a clgym link wrote (``link.record(path)``, ``clgym demo --nwb``) or a
CL1's own. The NWB file holds:

- **the MEA** as a device, an electrode group and an electrodes table: 64 electrodes on the 8 x 8 grid at
  200 um pitch (x, y in um), each with whether a CL1 records and stimulates it (grounded 0/7/56/63, reference 4);
- **spikes** as a units table: one unit per recording channel that detected spikes (the CL1's threshold
  detector does not sort neurons: a unit is a channel's multi-unit activity), spike times in seconds;
- **stims** as the time-intervals table ``stimulation``: one row per pulse onset with its channel (the recording
  keeps onsets, not pulse shapes, so each row lasts one 40 us frame);
- **game events** and any other data stream as the time-intervals table ``<stream name>``: one row per entry,
  at its timestamp, its fields as columns (missing fields empty), the entry as JSON too;
- **metadata**: the recording's attributes (the culture's config among them, under ``application``) as JSON in
  ``notes``; the start time, the frame rate and the recording's duration.

Times are seconds from the recording's start (its ``start_timestamp``), at the recording's own frame rate
(25 kHz on a CL1). :func:`check_nwb` runs nwbinspector (part of ``dev``; the tests require it to find nothing).

Example
-------
>>> from clgym.export.nwb import recording_to_nwb                             # doctest: +SKIP
>>> recording_to_nwb("out/demo/session.h5", "out/demo/session.nwb")          # doctest: +SKIP
PosixPath('out/demo/session.nwb')
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from clgym.cl1 import GRID_SIZE, GROUNDED_CHANNELS, N_CHANNELS, PITCH_UM, REFERENCE_CHANNEL

STIM_TABLE = "stimulation"
CULTURE_ATTRIBUTE = "culture_config"
"""The key, in a recording's ``application`` attributes, of the culture's config (JSON) a clgym recording stores."""
SIMULATED_SPECIES = "Mus musculus"
UNKNOWN_AGE = "P0D/"
"""NWB's range form "lower bound/" with no upper bound: an age not known (a simulated culture has none)."""
CELL_ORIGIN = "Isocortex"
"""Where the culture's cells come from, as NWB's electrode location (an Allen CCF term): cortical neurons."""


def _json(value: Any) -> str:
    return json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o), sort_keys=True)


def _start_time(attributes: dict[str, Any]) -> datetime:
    for key in ("created_utc", "created_localtime"):
        text = attributes.get(key)
        if text:
            when = datetime.fromisoformat(str(text))
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _add_electrodes(nwbfile) -> None:
    device = nwbfile.create_device(name="CL1", description="Cortical Labs CL1: a 64-electrode MEA (8 x 8, 200 um "
                                   "pitch) under a neural culture; with clgym, a simulated culture behind the cl SDK")
    group = nwbfile.create_electrode_group(name="mea", description="the 8 x 8 multi-electrode array under a "
                                           "dissociated culture of cortical neurons, in vitro",
                                           location=f"{CELL_ORIGIN} (dissociated, in vitro)", device=device)
    nwbfile.add_electrode_column(name="records", description="True if the CL1 records on this channel")
    nwbfile.add_electrode_column(name="stimulable", description="True if the CL1 can stimulate this channel "
                                 f"(grounded {', '.join(map(str, GROUNDED_CHANNELS))} and reference "
                                 f"{REFERENCE_CHANNEL} cannot)")
    unusable = set(GROUNDED_CHANNELS) | {REFERENCE_CHANNEL}
    for channel in range(N_CHANNELS):
        row, col = divmod(channel, GRID_SIZE)
        nwbfile.add_electrode(x=col * PITCH_UM, y=row * PITCH_UM, z=0.0, group=group, location=CELL_ORIGIN,
                              records=channel not in unusable, stimulable=channel not in unusable)


def _add_spikes(nwbfile, timestamps: np.ndarray, channels: np.ndarray, fps: float) -> None:
    from pynwb.misc import Units

    nwbfile.units = Units(name="units", description="spikes detected per MEA channel (multi-unit activity: a "
                          "channel's detector does not sort neurons)", resolution=1.0 / fps,
                          electrode_table=nwbfile.electrodes)
    nwbfile.add_unit_column(name="channel", description="the MEA channel whose threshold detector found the spikes")
    for channel in np.unique(channels):
        times = np.sort(timestamps[channels == channel]) / fps
        nwbfile.add_unit(spike_times=times, electrodes=[int(channel)], channel=int(channel))


def _add_stims(nwbfile, timestamps: np.ndarray, channels: np.ndarray, fps: float) -> None:
    from pynwb.epoch import TimeIntervals

    table = TimeIntervals(name=STIM_TABLE, description="stimulation pulses: onset per channel (the recording keeps "
                          "onsets, not pulse shapes; each row lasts one frame)")
    table.add_column(name="channel", description="the stimulated MEA channel")
    order = np.lexsort((channels, timestamps))
    for ts, channel in zip(timestamps[order], channels[order], strict=True):
        table.add_row(start_time=float(ts) / fps, stop_time=float(ts + 1) / fps, channel=int(channel))
    nwbfile.add_time_intervals(table)


def _add_stream(nwbfile, name: str, entries: list[tuple[int, Any]], fps: float) -> None:
    from pynwb.epoch import TimeIntervals

    table = TimeIntervals(name=name, description=f"the recording's data stream {name!r}: one row per entry at its "
                          "timestamp (lasting one frame); the entry's fields as columns, as text (empty if missing; "
                          "an entry that is not a mapping is in the column 'value')")
    fields = sorted({k for _, data in entries if isinstance(data, dict) for k in data
                     if k not in ("start_time", "stop_time", "id")})
    if any(not isinstance(data, dict) for _, data in entries) and "value" not in fields:
        fields.append("value")
    for key in fields:
        table.add_column(name=key, description=f"the entry's field {key!r} (as text)")
    for ts, data in entries:
        values = data if isinstance(data, dict) else {"value": data}
        row = {key: "" if values.get(key) is None else _text(values[key]) for key in fields}
        table.add_row(start_time=float(ts) / fps, stop_time=float(ts + 1) / fps, **row)
    nwbfile.add_time_intervals(table)


def _text(value: Any) -> str:
    """A field as text: scalars as they print, anything nested flattened to ``key=value`` pairs (NWB tables hold no
    dictionaries)."""
    if isinstance(value, dict):
        return "; ".join(f"{k}={_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _culture_of(application: dict[str, Any]) -> dict[str, Any] | None:
    """The culture config a clgym link stored in the recording's ``application`` attributes, if any."""
    culture = application.get(CULTURE_ATTRIBUTE)
    if isinstance(culture, str):
        try:
            culture = json.loads(culture)
        except json.JSONDecodeError:
            return {"config": culture}
    return culture if isinstance(culture, dict) else None


def recording_to_nwb(recording_path: str | Path, nwb_path: str | Path, session_description: str | None = None,
                     experimenter: str | None = None, institution: str | None = None,
                     species: str = SIMULATED_SPECIES, age: str = UNKNOWN_AGE) -> Path:
    """Write the SDK-format recording at ``recording_path`` as an NWB file at ``nwb_path`` (see the module).

    ``species``: the cells' species in Latin (NWB's subject), ``"Mus musculus"`` by default: the simulated culture
    models rodent cortical neurons (DishBrain's mouse cortical cells); give the real one for a CL1 recording.
    ``age``: an ISO 8601 duration or range (NWB's subject age), ``"P0D/"`` (unknown) by default; e.g. ``"P14D"``
    for a culture at 14 days in vitro.
    """
    from cl import RecordingView
    from pynwb import NWBHDF5IO, NWBFile

    recording_path, nwb_path = Path(recording_path), Path(nwb_path)
    if not recording_path.is_file():
        raise ValueError(f"recording={str(recording_path)!r} does not exist; allowed: an SDK-format .h5 recording")
    with RecordingView(str(recording_path)) as recording:
        attributes = dict(recording.attributes.items())
        fps = float(attributes.get("frames_per_second", 25_000))
        spikes = recording.spikes
        spike_ts = np.asarray(spikes.col("timestamp"), np.int64) if spikes is not None else np.zeros(0, np.int64)
        spike_ch = np.asarray(spikes.col("channel"), np.int64) if spikes is not None else np.zeros(0, np.int64)
        stims = recording.stims
        stim_ts = np.asarray(stims.col("timestamp"), np.int64) if stims is not None else np.zeros(0, np.int64)
        stim_ch = np.asarray(stims.col("channel"), np.int64) if stims is not None else np.zeros(0, np.int64)
        streams = {name: list(stream.items()) for name, stream in (recording.data_streams or {}).items()}
    application = attributes.get("application") or {}
    description = session_description or (
        f"{attributes.get('duration_seconds', 0):g} s recorded through the cl SDK "
        f"({attributes.get('project_id', 'unknown project')}, {attributes.get('cell_batch_id', 'unknown cells')})")
    from pynwb.file import Subject

    culture = _culture_of(application)
    subject = Subject(subject_id=str(attributes.get("cell_batch_id") or "culture"), species=species,
                      age=age, sex="U",
                      description=("a neural culture on the MEA" + (f"; clgym culture config: {_text(culture)}"
                                                                      if culture else "")))
    nwbfile = NWBFile(
        session_description=description,
        identifier=str(uuid.uuid4()),
        session_start_time=_start_time(attributes),
        experimenter=[experimenter] if experimenter else None,
        experiment_description=("A neural culture on a CL1 multi-electrode array in a closed loop with a game "
                                "(clgym); culture config in notes" if application else "A cl SDK recording"),
        notes=_json({"recording_attributes": attributes, "source_file": recording_path.name}),
        source_script="clgym.export.nwb.recording_to_nwb",
        source_script_file_name="clgym/export/nwb.py",
        keywords=["CL1", "multi-electrode array", "in vitro", "closed loop", "cl SDK"],
        institution=institution,
        subject=subject,
    )
    _add_electrodes(nwbfile)
    _add_spikes(nwbfile, spike_ts, spike_ch, fps)
    if stim_ts.size:
        _add_stims(nwbfile, stim_ts, stim_ch, fps)
    for name, entries in streams.items():
        if entries:
            _add_stream(nwbfile, name, entries, fps)
    nwb_path.parent.mkdir(parents=True, exist_ok=True)
    with NWBHDF5IO(str(nwb_path), "w") as io:
        io.write(nwbfile)
    return nwb_path


def check_nwb(nwb_path: str | Path) -> list[str]:
    """nwbinspector's findings on ``nwb_path``, one line each (``[]``: nothing to report)."""
    from nwbinspector import inspect_nwbfile

    return [f"{m.importance.name}: {m.check_function_name}: {m.message} ({m.location})"
            for m in inspect_nwbfile(nwbfile_path=str(nwb_path))]
