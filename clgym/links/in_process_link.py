"""The in-process link: drives a ``cl.sim`` data source directly, with the SDK's ordering, no subprocess.

Concepts
--------
The SDK's simulator, in accelerated time, does three things per window [t, t + n): it expands committed
stims into pulses (bursts, lead time, per-channel busy time), hands the source every pulse landing in the
window (``on_stims``), and only then reads the window (``read``). This link does the same three things in
the calling thread, with :class:`~clgym.links.stim_rules.PulseScheduler` re-deriving the SDK's pulse timing,
so a culture gives bit-identical spikes here and behind the SDK (a test holds both links to it). Nothing
runs in another process, so many links (many cultures) can live in one process, and a failing source
raises straight into the caller.

For a :class:`~clgym.sources.CultureSource` the link reads spike arrays (``read_arrays``) instead of
per-spike objects: the same spikes, without building a waveform per spike unless a recording needs one.
Any other ``SimulatorDataSource`` (e.g. the SDK's replay of a recording) is read through ``read`` and
checked the way the SDK's producer checks it.

Example
-------
>>> import pathlib, tempfile
>>> from clgym.links import InProcessLink
>>> with InProcessLink({"preset": "tiny", "seed": 1}, ticks_per_second=100) as link:
...     path = link.record(pathlib.Path(tempfile.mkdtemp()) / "run.h5")
...     link.stim([27], (200, -2.0, 200, 2.0), burst=(3, 200))   # 3 pulses at 200 Hz: 125 frames apart
...     ticks = [link.advance() for _ in range(3)]
>>> [tick.stim_timestamps.tolist() for tick in ticks]
[[2, 127], [252], []]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from cl.sim import DataSourceStim, SimulatorDataSource

from clgym.cl1 import FRAMES_PER_SECOND, SPIKE_WAVEFORM_SAMPLES
from clgym.culture import CultureConfig
from clgym.culture.culture_file import culture_dict
from clgym.sources import CultureSource

from .base import DEFAULT_LATENCY_MS, Link, RecordingOptions, Tick, lifecycle, make_tick
from .recording import InProcessRecorder
from .stim_rules import CHANNEL_COUNT, MIN_LEAD_TIME_US, PulseScheduler, StimRequest

SPIKE_SAMPLES = SPIKE_WAVEFORM_SAMPLES


def culture_config_dict(culture: CultureConfig | dict[str, Any] | str | None) -> dict[str, Any]:
    """A JSON-able culture config from a config, a dict (``"preset"`` + overrides), a preset name or the path
    of a ``.json`` config file (:mod:`clgym.culture.culture_file`)."""
    if culture is None:
        return {"preset": "dishbrain"}
    if isinstance(culture, str):
        return culture_dict(culture)
    if isinstance(culture, CultureConfig):
        return culture.to_dict()
    if isinstance(culture, dict):
        return dict(culture)
    raise TypeError(f"culture must be a CultureConfig, a dict or a preset name, got {type(culture).__name__}")


class InProcessLink(Link):
    """A link that owns its data source and steps it in the calling thread.

    Args:
        culture: the culture to build (a :class:`CultureConfig`, a dict ``{"preset": ..., **overrides}``, or
            a preset name); ignored when ``source`` is given.
        source: any ``cl.sim.SimulatorDataSource`` to drive instead (the link opens and closes it).
        ticks_per_second: tick rate (100 = 10 ms ticks, 250 frames).
        frames: ``"zeros"`` (cheap) or ``"full"`` (synthesised int16 frames) for the culture source.
        lead_time_us: default stim lead time (>= 80 us, multiple of 40 us), as ``neurons.stim``.
        latency_ms: closed-loop latency: a stim issued at a tick boundary is commanded this much later (0 to
            1000 ms in 0.04 ms frames; default 0; see :mod:`clgym.links.base`).
    """

    def __init__(
        self,
        culture: CultureConfig | dict[str, Any] | str | None = None,
        *,
        source: SimulatorDataSource | None = None,
        ticks_per_second: float = 100.0,
        frames: str = "zeros",
        lead_time_us: int = MIN_LEAD_TIME_US,
        latency_ms: float = DEFAULT_LATENCY_MS,
    ):
        super().__init__(ticks_per_second, lead_time_us, latency_ms)
        if source is None:
            source = CultureSource(culture=culture_config_dict(culture), frames=frames)
        self.source = source
        metadata = source.metadata
        if metadata.channel_count != CHANNEL_COUNT or metadata.frames_per_second != FRAMES_PER_SECOND:
            raise ValueError(f"source metadata {metadata} is not allowed; allowed 64 channels at 25 kHz")
        source.open()
        # the array fast path gives the same spikes as read(); only when read() is CultureSource's own
        self._reads_arrays = isinstance(source, CultureSource) and type(source).read is CultureSource.read
        self._next_start = int(metadata.start_timestamp)
        self._scheduler = PulseScheduler(self._next_start)
        self._recorder: InProcessRecorder | None = None
        lifecycle.adopt(self)

    def timestamp(self) -> int:
        return self._next_start

    # -- Link hooks ------------------------------------------------------------------------------------
    def _send_stim(self, request: StimRequest) -> None:
        self._scheduler.queue(request, command_timestamp=self._next_start + self.latency_frames)

    def _advance(self) -> Tick:
        start = self._next_start
        count = self.frames_per_tick
        stop = start + count
        pulses = self._scheduler.pop_due(stop)
        if pulses:
            self.source.on_stims(
                [
                    DataSourceStim(
                        timestamp=p.timestamp,
                        channel=p.channel,
                        intended_timestamp=p.timestamp,
                        phase_durations_us=p.phase_durations_us,
                        phase_currents_uA=p.phase_currents_uA,
                    )
                    for p in pulses
                ]
            )
        recorder = self._recorder
        if self._reads_arrays:
            spikes = self.source.read_arrays(start, count)
            spike_ts, spike_ch, frames = spikes.timestamps, spikes.channels, spikes.frames
            if recorder is not None:
                recorder.write_spike_arrays(spike_ts, spike_ch, spikes.waveforms())
                recorder.write_window(count, frames, (), pulses)
        else:
            batch = self.source.read(start, count)
            spike_list = list(batch.spikes)
            _check_batch(batch.frames, spike_list, start, stop)
            spike_ts = [s.timestamp for s in spike_list]
            spike_ch = [s.channel for s in spike_list]
            if recorder is not None:
                recorder.write_window(count, batch.frames, [_with_samples(s) for s in spike_list], pulses)
        self._next_start = stop
        return make_tick(self.tick_index, start, stop, spike_ts, spike_ch, [(p.timestamp, p.channel) for p in pulses])

    def _start_recording(self, path: Path, options: RecordingOptions) -> None:
        self._recorder = InProcessRecorder(
            path,
            self._next_start,
            **options.as_kwargs(),
            uV_per_sample_unit=self.source.metadata.uV_per_sample_unit,
        )

    def _write_event(self, stream: str, timestamp: int, data: Any) -> None:
        if self._recorder is not None:
            self._recorder.write_event(stream, timestamp, data)

    def _stop_recording(self, path: Path) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is not None:
            recorder.stop(self._next_start)

    def _close(self) -> None:
        self.source.close()


class _SpikeWithSamples:
    __slots__ = ("timestamp", "channel", "samples")

    def __init__(self, timestamp, channel, samples):
        self.timestamp, self.channel, self.samples = timestamp, channel, samples


def _with_samples(spike):
    """A spike as the recording needs it (the SDK writes zeros for a spike without a waveform)."""
    if spike.samples is not None:
        return spike
    return _SpikeWithSamples(spike.timestamp, spike.channel, np.zeros(SPIKE_SAMPLES, np.float32))


def _check_batch(frames, spikes, start: int, stop: int) -> None:
    """The checks the SDK's producer applies to a batch (it dies on them; we raise)."""
    if frames is not None and np.shape(frames) != (stop - start, CHANNEL_COUNT):
        raise ValueError(f"source frames have shape {np.shape(frames)}; allowed ({stop - start}, {CHANNEL_COUNT})")
    for spike in spikes:
        if not start <= spike.timestamp < stop:
            raise ValueError(
                f"source spike timestamp {spike.timestamp} is outside the window; allowed [{start}, {stop})"
            )
        if not 0 <= spike.channel < CHANNEL_COUNT:
            raise ValueError(f"source spike channel {spike.channel} is out of range; allowed 0..{CHANNEL_COUNT - 1}")
        if spike.samples is not None and np.shape(spike.samples) != (SPIKE_SAMPLES,):
            raise ValueError(f"source spike samples have shape {np.shape(spike.samples)}; allowed ({SPIKE_SAMPLES},)")
