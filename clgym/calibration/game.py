"""The culture under the game's stimulation, measured as DishBrain's recordings are.

Concepts
--------
:func:`record_game_session` plays one culture in ``CLPong-v0`` (culture mode: DishBrain's place + rate encoder
and motor decoder, the chosen feedback) and records it through the link's own SDK-format recording, game events
included (the env writes them to the ``game_events`` data stream). :func:`measure_game` reads that recording
back with the same reader ``clgym compare`` uses and computes the same statistics as for DishBrain's recordings
(:func:`clgym.analysis.session_stats.game_statistics`). :func:`dishbrain_game_reference` computes them from the
DishBrain game sessions shipped with clgym (``clgym/data/dishbrain``; Kagan et al. 2022, OSF 5u6qv).

Nothing here feeds a statistic back into the culture: the numbers are reported beside their goals.

Example
-------
>>> from clgym.calibration.game import measure_game
>>> stats = measure_game("dishbrain", seed=0, minutes=0.5, settle_s=2)     # doctest: +SKIP
>>> sorted(stats)[:2]                                                       # doctest: +SKIP
['after_hit_ratio', 'after_miss_0_1']
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from clgym.analysis.recordings import read_recording
from clgym.analysis.session_stats import game_statistics

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "dishbrain"
#: DishBrain's game sessions shipped with clgym (chip 9501; the other chips' game sessions are held out)
DISHBRAIN_GAME_SESSIONS = ("9501.2021-06-01.0", "9501.2021-06-01.2")
DISHBRAIN_REST_SESSIONS = ("9501.2021-06-01.1", "9501.2021-06-01.3", "11614.2021-06-02.1", "11615.2021-06-18.3")
TICKS_PER_SECOND = 100


def record_game_session(culture: Any, seed: int, path: str | Path, *, minutes: float = 5.0, settle_s: float = 30.0,
                        feedback: str = "stimulus") -> Path:
    """Play ``culture`` (a preset name, a config dict or a ``CultureConfig``) in CLPong-v0's culture mode for
    ``settle_s`` unrecorded, then ``minutes`` recorded to ``path``; returns the path."""
    from clgym.envs.pong import CLPongEnv

    settle = int(round(settle_s * TICKS_PER_SECOND))
    ticks = int(round(minutes * 60 * TICKS_PER_SECOND))
    env = CLPongEnv(control="culture", feedback=feedback, culture=culture, seed=seed,
                    episode_ticks=settle + ticks + 1)
    try:
        env.reset(seed=seed)
        for _ in range(settle):
            env.step(0)
        link = env.connection.link
        link.record(path, attributes={"clgym": {"culture": str(culture), "seed": seed, "feedback": feedback}})
        for _ in range(ticks):
            env.step(0)
        return link.stop_recording()
    finally:
        env.close()


def measure_game(culture: Any, seed: int, *, minutes: float = 5.0, settle_s: float = 30.0,
                 feedback: str = "stimulus", keep: str | Path | None = None) -> dict[str, float]:
    """Game statistics of one simulated culture (see :func:`record_game_session`); ``keep``: also keep the
    recording at this path."""
    t0, c0 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(keep) if keep is not None else Path(tmp) / "game.h5"
        record_game_session(culture, seed, path, minutes=minutes, settle_s=settle_s, feedback=feedback)
        out = game_statistics(read_recording(path))
    out.update(wall_s=time.perf_counter() - t0, cpu_s=time.process_time() - c0)
    return out


def dishbrain_game_reference() -> list[dict[str, float]]:
    """Game statistics of DishBrain's shipped game sessions, one dict per session."""
    return [game_statistics(read_recording(DATA_DIR / f"{name}.h5")) for name in DISHBRAIN_GAME_SESSIONS]
