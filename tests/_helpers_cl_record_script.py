"""A CL1 user's own recording script: only ``cl``, no clgym import (the culture is chosen by the environment,
as in tests/_helpers_cl_user_script.py). It records the culture at rest with ``neurons.record()`` and, with ``events``,
logs a few game events to a ``game_events`` data stream the way a user's game loop would.

    python _helpers_cl_record_script.py SECONDS [events]    prints the recording's path as the last line
"""

import os
import sys

import cl

seconds = float(sys.argv[1])
with_events = len(sys.argv) > 2 and sys.argv[2] == "events"
ticks_per_second = 100
with cl.open() as neurons:
    recording = neurons.record(file_location=os.getcwd(), file_suffix="rest", include_raw_samples=False)
    stream = neurons.create_data_stream("game_events") if with_events else None
    for tick in neurons.loop(ticks_per_second, stop_after_seconds=seconds):
        if stream is not None and tick.iteration % 200 == 100:  # a "miss" every 2 s, a "hit" 1 s later
            stream.append(tick.analysis.start_timestamp, {"event": "miss"})
        if stream is not None and tick.iteration % 200 == 0 and tick.iteration:
            stream.append(tick.analysis.start_timestamp, {"event": "hit"})
    recording.stop()
    recording.wait_until_stopped()
    path = recording.file["path"] if isinstance(getattr(recording, "file", None), dict) else None
print(path or "")
