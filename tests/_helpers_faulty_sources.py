"""A culture source with injected faults (failures, slowness), for the link tests.

The SDK's producer process imports this module by name: it inherits the test process's sys.path, which holds
tests/.
"""

import time

from clgym.sources import CultureSource


class FaultyCultureSource(CultureSource):
    """A :class:`CultureSource` that raises ``RuntimeError`` in ``open`` or in the ``read`` passing a frame
    (``fail_in``), and/or sleeps ``slow_seconds`` in the ``read`` that contains ``slow_at_frame``."""

    def __init__(
        self,
        fail_in: str = "nowhere",
        fail_at_frame: int = 0,
        slow_at_frame: int | None = None,
        slow_seconds: float = 0.0,
        **config,
    ):
        super().__init__(**config)
        self.fail_in, self.fail_at_frame = fail_in, fail_at_frame
        self.slow_at_frame, self.slow_seconds = slow_at_frame, slow_seconds

    def open(self) -> None:
        if self.fail_in == "open":
            with self._reporting_failures("open"):
                raise RuntimeError("deliberate failure while opening the culture")
        super().open()

    def read(self, from_timestamp: int, frame_count: int):
        if self.fail_in == "read" and from_timestamp + frame_count > self.fail_at_frame:
            with self._reporting_failures("read"):
                raise RuntimeError(f"deliberate failure reading frame {from_timestamp}")
        if self.slow_at_frame is not None and from_timestamp <= self.slow_at_frame < from_timestamp + frame_count:
            time.sleep(self.slow_seconds)
        return super().read(from_timestamp, frame_count)


def faulty_culture_source(**config) -> FaultyCultureSource:
    return FaultyCultureSource(**config)
