"""A deterministic stand-in for a culture: each delivered pulse comes back as one spike on its own channel
``ECHO_FRAMES`` later, and nothing else ever spikes. The latency tests use it to see a pulse's delivery and the
"culture's" response frame-exact, on both links (the SDK's producer imports this module by name: it inherits the
test process's sys.path, which holds tests/)."""

import heapq

import numpy as np
from cl.sim import DataSourceBatch, DataSourceSpike, SimulatorDataSource

from clgym.cl1 import N_CHANNELS, SPIKE_WAVEFORM_SAMPLES
from clgym.sources import culture_source_metadata

ECHO_FRAMES = 30  # 1.2 ms after the pulse


class EchoSource(SimulatorDataSource):
    def __init__(self, **_config):
        self._pending: list[tuple[int, int]] = []

    @property
    def metadata(self):
        return culture_source_metadata()

    def on_stims(self, stims) -> None:
        for stim in stims:
            heapq.heappush(self._pending, (int(stim.timestamp) + ECHO_FRAMES, int(stim.channel)))

    def read(self, from_timestamp: int, frame_count: int) -> DataSourceBatch:
        stop, spikes = from_timestamp + frame_count, []
        while self._pending and self._pending[0][0] < stop:
            timestamp, channel = heapq.heappop(self._pending)
            timestamp = max(timestamp, from_timestamp)  # real time: a pulse that came late is echoed late
            spikes.append(DataSourceSpike(timestamp, channel, np.zeros(SPIKE_WAVEFORM_SAMPLES, np.float32)))
        return DataSourceBatch(np.zeros((frame_count, N_CHANNELS), np.int16), spikes)


def echo_source(**config) -> EchoSource:
    """The factory the SDK link's producer calls (it passes the culture source's config, ignored here)."""
    return EchoSource(**config)
