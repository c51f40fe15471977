"""Scripted stims shared by the link tests: a plan with hand-computed pulse timing, and invalid stims."""

N_TICKS = 60
RECORD_FROM_TICK = 3
TINY = {"preset": "tiny", "seed": 1}

EVOKE_CHANNEL = 27  # row 3, column 3 of the 8 x 8 grid
EVOKE_DESIGN = (200, -2.5, 200, 2.5)
EVOKE_TICKS = range(2, N_TICKS, 10)

# tick -> [(channels, design, burst, lead_time_us)], kept away from the evoke ticks and the ticks after them
PLAN = {
    5: [([44], 1.5, (4, 150), 80)],
    15: [([9, 10, 11, 12, 17, 18, 19, 20], 1.0, None, 80)],
    16: [([33], 1.0, None, 80), ([33], 1.0, None, 80)],
    25: [([50, 51], (100, -2.0, 60, 2.0, 20, -1.0), None, 400)],
}
for _tick in EVOKE_TICKS:
    PLAN.setdefault(_tick, []).append(([EVOKE_CHANNEL], EVOKE_DESIGN, None, 80))

# (tick, [(timestamp, channel)]) worked out by hand from the SDK's rules (lead 80 us = 2 frames, 20 us grid):
EXPECTED_PULSES = {
    5: [(1252, 44), (1418, 44)],  # burst 150 Hz -> 6660 us = 333 half-frames apart: 2504, 2837 -> 1252, 1418
    6: [(1585, 44)],  # 3170 // 2
    7: [(1751, 44)],  # 3503 // 2
    15: [(3752, ch) for ch in (9, 10, 11, 12, 17, 18, 19, 20)],  # one request: aligned on all channels
    16: [(4002, 33), (4127, 33)],  # the channel is busy 5 ms (200 pulses/s): the 2nd pulse queues
    25: [(6260, 50), (6260, 51)],  # lead 400 us = 10 frames
}

GAME_EVENTS = {4: ["serve"], 9: ["hit", {"ball": [0.5, 0.25]}], 30: ["miss"]}

# (channels, design, burst, lead_time_us) -> text the error must contain (field and allowed range)
INVALID_STIMS = [
    (
        ([0], 1.0, None, 80),
        "channels: channel 0 is grounded (cannot be stimulated); allowed: 0..63 except [0, 4, 7, 56, 63]",
    ),
    (
        ([4], 1.0, None, 80),
        "channels: channel 4 is the reference electrode; allowed: 0..63 except [0, 4, 7, 56, 63]",
    ),
    (([9, 4, 10], 1.0, None, 80), "channels: channel 4 is the reference electrode"),
    (([9, 7], 1.0, None, 80), "channels: channel 7 is grounded"),
    (([56], 1.0, None, 80), "channels: channel 56 is grounded"),
    (([63], 1.0, None, 80), "channels: channel 63 is grounded"),
    (([64], 1.0, None, 80), "channels: channel 64 is out of range; allowed: 0..63 except"),
    (([-1], 1.0, None, 80), "channels: channel -1 is out of range"),
    (([], 1.0, None, 80), "channels is empty; give at least one channel from 0..63 except"),
    ((["9"], 1.0, None, 80), "channels: expected channel numbers"),
    ((None, 1.0, None, 80), "channels: expected channel numbers"),
    (([9], 3.5, None, 80), "phase_currents_uA[0]: -3.5 uA is out of range; allowed -3.0..3.0 uA"),
    (
        ([9], (160, -1.0, 160, 3.01), None, 80),
        "phase_currents_uA[1]: 3.01 uA is out of range; allowed -3.0..3.0",
    ),
    (
        ([9], (150, -1.0, 150, 1.0), None, 80),
        "phase_durations_us[0]: 150 us is not allowed; allowed multiples of 20 us",
    ),
    (
        ([9], (160, -1.0, 10, 1.0), None, 80),
        "phase_durations_us[1]: 10 us is not allowed; allowed multiples of 20 us, at least 20 us",
    ),
    (
        ([9], (1200, -2.6, 1200, 2.6), None, 80),
        "phase_charge_nC[0]: 1200 us x -2.6 uA = -3.120 nC; allowed |charge| <= 3.0 nC per phase",
    ),
    (
        ([9], (160, -1.0, 160, -1.0), None, 80),
        "phase_currents_uA[1]: -1.0 uA has the polarity of the phase before",
    ),
    (
        ([9], (160, -1.0, 160, 1.0, 160, -1.0, 160, 1.0), None, 80),
        "design: 8 numbers given; allowed 1 to 3 phases",
    ),
    (([9], 1.0, (5, 250), 80), "burst_hz: 250.0 Hz is out of range; allowed 0.01..200 Hz"),
    (([9], 1.0, (5, 0), 80), "burst_hz: 0.0 Hz is out of range; allowed 0.01..200 Hz"),
    (([9], 1.0, (0, 100), 80), "burst_count: 0 is not allowed; allowed integers >= 1"),
    (([9], 1.0, 5, 80), "burst: 5 is not allowed; allowed None, (count, hz) or a cl.BurstDesign"),
    (([9], "strong", None, 80), "design: expected a float (uA), (d1_us, i1_uA, ...) or a cl.StimDesign"),
    (
        ([9], (3000, -0.5, 3000, 0.5), (3, 200), 80),
        "burst_hz: 200.0 Hz leaves 5000 us between pulses of 6000 us; allowed burst_hz <= 164.5 Hz",
    ),
    (([9], 1.0, None, 100), "lead_time_us: 100 is not allowed; allowed multiples of 40 us, at least 80 us"),
    (([9], 1.0, None, 40), "lead_time_us: 40 is not allowed"),
]


def play_scenario(link, recording_path):
    """Run the plan on a link, recording from RECORD_FROM_TICK; returns (ticks, logged events, refusals)."""
    ticks, events = [], []
    for k in range(N_TICKS):
        if k == RECORD_FROM_TICK:
            link.record(recording_path, attributes={"link": type(link).__name__})
        for channels, design, burst, lead in PLAN.get(k, []):
            link.stim(channels, design, burst, lead_time_us=lead)
        for data in GAME_EVENTS.get(k, []):
            events.append((link.log_event("game", data), data))
        ticks.append(link.advance())
    link.stop_recording()
    refusals = []
    for (channels, design, burst, lead), _ in INVALID_STIMS:
        try:
            link.stim(channels, design, burst, lead_time_us=lead)
            refusals.append(None)
        except ValueError as error:
            refusals.append(str(error))
    after_refusals = link.advance()
    return ticks, events, refusals, after_refusals
