"""A CL1 user's own script: only ``cl``, no clgym import. The culture is chosen by the environment
(CL_SDK_DATA_SOURCE, CL_SDK_DATA_SOURCE_CONFIG, ...), as the README's "Your own cl script on clgym's culture"
and docs/cl-script.md describe.

    python _helpers_cl_user_script.py run [ticks]   open, stimulate channel 27 every 10 ticks, print a JSON summary
    python _helpers_cl_user_script.py forever       open, print "READY", then loop until killed
    python _helpers_cl_user_script.py unstimulable  stim channels 0, 4 and 27 every tick for 20 ticks (a CL1
                                                    grounds 0 and does not stimulate 4, the reference)
"""

import json
import sys
import time

started = time.perf_counter()
import cl  # noqa: E402

mode = sys.argv[1] if len(sys.argv) > 1 else "run"
opening = time.perf_counter()
with cl.open() as neurons:
    open_s = time.perf_counter() - opening
    if mode == "forever":
        print("READY", flush=True)
        for _tick in neurons.loop(100):
            pass
    if mode == "unstimulable":
        for _tick in neurons.loop(100, stop_after_ticks=20):
            for channel in (0, 4, 27):
                neurons.stim(channel, cl.StimDesign(200, -1.0, 200, 1.0))
    ticks = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    spikes, evoked, stims = [], 0, 0
    for tick in neurons.loop(100, stop_after_ticks=ticks):
        spikes += [(s.timestamp, s.channel) for s in tick.analysis.spikes]
        stims += len(tick.analysis.stims)
        if tick.iteration % 10 == 1:
            neurons.stim(cl.ChannelSet(27), cl.StimDesign(200, -2.5, 200, 2.5))
    frames = neurons.read(2500, None)
print(json.dumps({
    "open_s": round(open_s, 3),
    "total_s": round(time.perf_counter() - started, 3),
    "spikes": spikes,
    "stims": stims,
    "frames_shape": list(frames.shape),
    "frames_std": float(frames.std()),
}))
