"""``clgym calibrate --game``: the culture under the game's stimulation beside DishBrain's game sessions.

Concepts
--------
Each culture plays CLPong-v0 in culture mode with DishBrain's stimulus feedback (:mod:`clgym.calibration.game`);
DishBrain's column is computed by the same code from the game sessions shipped with clgym
(``clgym/data/dishbrain``, chip 9501; Kagan et al. 2022). Every row has its goal and a mark; hits per rally is
reported and never a goal. A second table, the Wagenaar check (:func:`distributed_stimulation_burstiness`),
stimulates random electrodes at increasing aggregate rates and reports bursts per minute against spontaneous
activity: distributed stimulation lowers burstiness below spontaneous in real cultures (Wagenaar, Madhavan,
Pine & Potter 2005, J Neurosci 25:680).

Example
-------
    clgym calibrate --game --preset dishbrain --cultures 4 --minutes 5
"""

from __future__ import annotations

import numpy as np

from clgym.analysis import calibration as stats
from clgym.cl1 import FRAMES_PER_SECOND as FPS
from clgym.cl1 import STIMULABLE_CHANNELS

#: (key, label, format, goal text, check on the mean over cultures or None for "reported")
GAME_ROWS = [
    ("bursts_per_min", "bursts / min", "{:.1f}", "1-6", lambda x: 1 <= x <= 6),
    ("in_burst_fraction", "spikes in bursts", "{:.0%}", "8-35 %", lambda x: 0.08 <= x <= 0.35),
    ("motor_corr_outside_bursts", "motor corr outside bursts", "{:.2f}", "-", None),
    ("rally_pause_rate_ratio", "rate in rallies / in the pause", "{:.2f}", "0.3-0.8", lambda x: 0.3 <= x <= 0.8),
    ("after_miss_ratio", "rate 0-8 s after a miss / 1 s before", "{:.2f}", "x1.5-4", lambda x: 1.5 <= x <= 4),
    ("after_miss_0_1", "  0-1 s", "{:.2f}", "-", None),
    ("after_miss_1_2", "  1-2 s", "{:.2f}", "-", None),
    ("after_miss_2_4", "  2-4 s", "{:.2f}", "-", None),
    ("after_miss_4_8", "  4-8 s", "{:.2f}", "-", None),
    ("after_hit_ratio", "rate 0-50 ms after a hit / before", "{:.2f}", "x0.3-3", lambda x: 0.3 <= x <= 3),
    ("evoked_0_20ms", "spikes per sensory pulse 0-20 ms (above baseline)", "{:.2f}", "- (not logged in DishBrain)",
     None),
    ("evoked_20_200ms", "spikes per sensory pulse 20-200 ms", "{:.2f}", "-", None),
    ("hits_per_rally", "hits per rally (reported, never a goal)", "{:.2f}", "-", None),
]


def _cell(values, fmt: str) -> str:
    x = np.asarray(values, np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return "-"
    if x.size == 1:
        return fmt.format(x[0])
    return f"{fmt.format(x.mean())} +- {fmt.format(x.std())}"


def format_game_table(reference: list[dict], results: dict[str, list[dict]]) -> str:
    """Markdown: one row per statistic, DishBrain's sessions (each) then each preset (mean +- sd, mark)."""
    presets = list(results)
    head = ("| statistic | goal | DishBrain 9501 (2 game sessions) | "
            + " | ".join(f"{p} (n = {len(results[p])})" for p in presets) + " |")
    lines = [head, "|---|---|---|" + "---|" * len(presets)]
    for key, label, fmt, goal, check in GAME_ROWS:
        ref = ", ".join(fmt.format(r[key]) if np.isfinite(r.get(key, np.nan)) else "-" for r in reference)
        cells = []
        for p in presets:
            x = np.array([r.get(key, np.nan) for r in results[p]], np.float64)
            mean = float(np.nanmean(x)) if np.isfinite(x).any() else float("nan")
            mark = "" if check is None or not np.isfinite(mean) else (" ok" if check(mean) else " **miss**")
            cells.append(_cell(x, fmt) + mark)
        lines.append(f"| {label} | {goal} | {ref} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def distributed_stimulation_burstiness(culture_config, aggregate_hz=(0.0, 5.0, 10.0, 20.0, 40.0), *,
                                       seconds: float = 120.0, settle_s: float = 30.0, current_ua: float = 1.0,
                                       seed: int = 0) -> list[dict]:
    """Wagenaar et al. 2005's check: bursts per minute and the share of spikes in bursts while single pulses
    go to random stimulable electrodes (Poisson, ``aggregate_hz`` over the array), each rate from the same
    snapshot of one settled culture. Plasticity stays on, as in the rest calibration: the culture's bursts at
    rest are sustained by its synaptic scaling."""
    from clgym.culture import Culture, CultureConfig

    cfg = culture_config if isinstance(culture_config, CultureConfig) else CultureConfig.from_dict(culture_config)
    culture = Culture(cfg)
    culture.advance(int(settle_s * FPS))
    start = culture.snapshot()
    rng = np.random.default_rng([seed, 2005])
    channels = np.array(STIMULABLE_CHANNELS)
    out = []
    for rate in aggregate_hz:
        culture.restore(start)
        frame0 = culture.frame
        n = int(seconds * FPS)
        ts = []
        chunk = FPS
        for c0 in range(0, n, chunk):
            if rate > 0:
                k = rng.poisson(rate * chunk / FPS)
                for f in np.sort(rng.integers(0, chunk, k)):
                    culture.stimulate(int(rng.choice(channels)), culture.frame + int(f), (200, 200),
                                      (-current_ua, current_ua))
            ts.append(culture.advance(min(chunk, n - c0)).timestamps)
        t = np.concatenate(ts)
        b = stats.population_bursts(t, n, start_frame=frame0)
        out.append(dict(aggregate_hz=float(rate), bursts_per_min=b.per_minute, in_burst_fraction=b.fraction_in_bursts,
                        rate_hz=t.size / seconds / len(channels)))
    return out


def format_wagenaar_table(rows_by_culture: list[list[dict]]) -> str:
    """Markdown: bursts/min and spikes in bursts per aggregate rate, mean over cultures, and the ratio to
    spontaneous (the goal: below 1 at the highest rates)."""
    rates = [r["aggregate_hz"] for r in rows_by_culture[0]]
    lines = ["| aggregate rate (Hz) | bursts / min | spikes in bursts | bursts vs spontaneous |", "|---|---|---|---|"]
    spont = np.mean([rows[0]["bursts_per_min"] for rows in rows_by_culture])
    for i, rate in enumerate(rates):
        b = np.mean([rows[i]["bursts_per_min"] for rows in rows_by_culture])
        f = np.mean([rows[i]["in_burst_fraction"] for rows in rows_by_culture])
        ratio = f"x{b / spont:.2f}" if spont > 0 else "-"
        lines.append(f"| {rate:g} | {b:.1f} | {f:.0%} | {'(spontaneous)' if rate == 0 else ratio} |")
    return "\n".join(lines)
