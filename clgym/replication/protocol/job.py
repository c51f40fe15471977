"""The DishBrain protocol that cannot fool itself: the culture is the unit, frozen probes are the endpoint.

Concepts
--------
Per culture seed (one job, all its conditions in order):

1. **Grow and settle** the culture (``settle_s`` of spontaneous activity), then **snapshot** it. Every condition
   starts from that same snapshot (:func:`clgym.culture.snapshots.restore_at`), so conditions differ only by
   what they do, not by which dish they got.
2. **Start probe**: the snapshot, frozen, plays the held-out battery
   (:mod:`clgym.replication.protocol.frozen_probe`);
   one start score per culture, shared by its culture conditions.
3. **Sessions**: each condition plays ``minutes`` of Pong from the snapshot with the culture's own serve
   schedule (game seed = culture seed, shared by its conditions):

   ``stimulus``, ``silent``, ``no_feedback``, ``rest``: DishBrain's conditions; ``swapped``: the two feedback
   stimuli exchanged (:mod:`clgym.coding.feedback`); ``plasticity_off``: ``stimulus`` with STDP, tagging and
   synaptic scaling off; ``yoked``: the culture receives exactly the stimulation of this culture's
   ``stimulus`` session, tick by tick, feedback included, but its own spikes move nothing (open loop);
   ``in_silico``: the cl SDK's random spike source; ``media_only``: a culture-free MEA (noise)
   (:mod:`clgym.replication.conditions`).
4. **End probe**: the session's final state, frozen, plays the same battery. The primary endpoint of a
   condition on a culture is ``delta = end score - start score`` (fraction of first returns hit).

The paper's own measure (average rally in the first quarter vs the last 70 % of the session) is kept as a
secondary endpoint. :func:`run_culture` returns everything as a JSON-able dict; the command is
:mod:`clgym.replication.protocol.command`, the report :mod:`clgym.replication.protocol.report`.

Example
-------
>>> from clgym.replication.protocol.job import CultureJob
>>> job = CultureJob(culture_seed=0, culture={"preset": "tiny"}, minutes=0.5, settle_s=2.0, serves=4,
...                  max_serve_s=10.0, conditions=("stimulus", "plasticity_off"))
>>> result = run_culture(job)  # doctest: +SKIP
>>> sorted(result["conditions"]["stimulus"])  # doctest: +SKIP
['end', 'session', 'start']
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np

from clgym.envs.base import TICKS_PER_SECOND
from clgym.replication.conditions import CONDITIONS, PROTOCOL_CONDITIONS
from clgym.replication.protocol.frozen_probe import ProbeBattery, play_battery, probe_frozen_culture


@dataclass(frozen=True)
class CultureJob:
    """Everything one culture's job needs (picklable, for worker processes and Ray)."""

    culture_seed: int
    culture: dict
    minutes: float
    settle_s: float
    serves: int
    max_serve_s: float
    conditions: tuple[str, ...] = PROTOCOL_CONDITIONS

    def __post_init__(self):
        unknown = sorted(set(self.conditions) - set(PROTOCOL_CONDITIONS))
        if unknown:
            raise ValueError(f"unknown condition(s) {unknown}; allowed: {', '.join(PROTOCOL_CONDITIONS)}")
        for position, name in enumerate(self.conditions):
            replayed = CONDITIONS[name].replays
            if replayed is not None and replayed not in self.conditions[:position]:
                raise ValueError(f"condition {name!r} replays this culture's {replayed!r} session; allowed only "
                                 f"together with {replayed!r}, run before it")
        if not self.minutes > 0 or not self.settle_s >= 0:
            raise ValueError(f"minutes={self.minutes}, settle_s={self.settle_s} are out of range; allowed "
                             "minutes > 0, settle_s >= 0")
        self.battery  # noqa: B018 - serves and max_serve_s are checked by the battery, here before any job runs

    @property
    def battery(self) -> ProbeBattery:
        return ProbeBattery(self.serves, self.max_serve_s)

    @property
    def culture_config(self) -> dict:
        return {**self.culture, "seed": self.culture_seed}


def _culture_link(job: CultureJob, snapshot: dict | None = None):
    from clgym.culture.snapshots import restore_at
    from clgym.links import InProcessLink

    link = InProcessLink(job.culture_config, ticks_per_second=TICKS_PER_SECOND)
    if snapshot is not None:
        restore_at(link.source.culture, snapshot, frame=link.timestamp())
    return link


def _source_link(condition: str, seed: int):
    from clgym.links import open_link

    return open_link("media_only" if condition == "media_only" else "random", seed=seed,
                     ticks_per_second=TICKS_PER_SECOND)


def _record_stims(link) -> list:
    """Log every stim issued on ``link`` as (tick, request), for the yoked replay."""
    log: list = []
    link.observe(on_stim=lambda request: log.append((link.tick_index, request)))
    return log


# Weight change after an outcome is measured over this window from the hit or miss tick: the hit's tetanus
# and capture window (0.2 s) and the first second of the miss stimulus both fit in it.
PLASTICITY_WINDOW_S = 1.0


def play_session(link, feedback: str, ticks: int, game_seed: int, culture=None) -> dict:
    """The culture behind ``link`` plays Pong alone for ``ticks``; the ticks of its hits and misses.

    With ``culture`` (the culture behind the link) the session also measures how much the E->E weights move
    in the :data:`PLASTICITY_WINDOW_S` after each hit and each miss: ``plasticity`` holds the mean summed
    absolute change per event, and ``kappa`` = after a miss / after a hit (the issue's perturbation ratio)."""
    import gymnasium as gym

    import clgym  # noqa: F401

    env = gym.make("CLPong-v0", control="culture", feedback=feedback, link=link, episode_ticks=ticks,
                   max_episode_steps=ticks)
    hits, misses = [], []
    tracker = _WeightChangeTracker(culture, round(PLASTICITY_WINDOW_S * TICKS_PER_SECOND)) if culture else None
    try:
        env.reset(seed=game_seed)
        for t in range(ticks):
            _, reward, terminated, truncated, _ = env.step(0)
            if reward > 0:
                hits.append(t)
            elif reward < 0:
                misses.append(t)
            if tracker is not None:
                tracker.tick(t, "hit" if reward > 0 else "miss" if reward < 0 else None)
            if terminated or truncated:
                break
    finally:
        env.close()
    out: dict = {"hits": hits, "misses": misses}
    if tracker is not None:
        out["plasticity"] = tracker.summary()
    return out


class _WeightChangeTracker:
    """Summed |change| of the E->E weights over ``window`` ticks after each outcome (hit or miss)."""

    def __init__(self, culture, window: int):
        self.culture = culture
        self.ee = culture.plastic_synapses
        self.window = window
        self.pending: list[tuple[int, str, np.ndarray]] = []
        self.changes: dict[str, list[float]] = {"hit": [], "miss": []}

    def tick(self, t: int, outcome: str | None) -> None:
        # the weights read after step t include the outcome tick's stimulation only from the next tick on
        if outcome is not None:
            self.pending.append((t + self.window, outcome, self.culture.syn_w[self.ee].copy()))
        while self.pending and self.pending[0][0] <= t:
            _, kind, w0 = self.pending.pop(0)
            dw = self.culture.syn_w[self.ee].astype(np.float64) - w0
            self.changes[kind].append(float(np.abs(dw).sum()))

    def summary(self) -> dict:
        hit = float(np.mean(self.changes["hit"])) if self.changes["hit"] else float("nan")
        miss = float(np.mean(self.changes["miss"])) if self.changes["miss"] else float("nan")
        kappa = miss / hit if hit > 0 else float("nan")
        return {"window_s": PLASTICITY_WINDOW_S, "n_hit": len(self.changes["hit"]),
                "n_miss": len(self.changes["miss"]), "abs_dw_after_hit": hit, "abs_dw_after_miss": miss,
                "kappa": kappa}


def replay_stims(link, log: list, ticks: int) -> None:
    """Open loop: issue each logged stim at the tick it was issued (ticks counted from the link's first tick,
    as in the session that logged them) and advance ``ticks`` ticks."""
    k = 0
    for _ in range(ticks):
        while k < len(log) and log[k][0] <= link.tick_index:
            _, request = log[k]
            link.stim(*request.as_stim_arguments(), lead_time_us=request.lead_time_us)
            k += 1
        link.advance()


def reseed_noise(culture, seed: int) -> None:
    """Give ``culture`` a fresh random stream (derived from ``seed``), keeping its state and weights."""
    state = np.random.SeedSequence([int(seed), 0x70CED]).generate_state(2, np.uint64)
    culture.rng[0] = state[0] or np.uint64(1)  # xorshift needs a non-zero state
    culture.frame_rng[0] = state[1] or np.uint64(1)


def _scores(probe: dict[str, np.ndarray]) -> dict[str, list[int]]:
    return {"first_hit": probe["first_hit"].tolist(), "rally": probe["rally"].tolist()}


def run_culture(job: CultureJob) -> dict:
    """Run one culture through every condition of ``job``; a JSON-able dict (see the module docstring)."""
    t0, c0 = time.perf_counter(), time.process_time()
    ticks = int(round(job.minutes * 60 * TICKS_PER_SECOND))
    battery = job.battery
    out: dict = {"job": asdict(job), "conditions": {}}

    grow = _culture_link(job)
    try:
        for _ in range(int(round(job.settle_s * TICKS_PER_SECOND))):
            grow.advance()
        snapshot = grow.source.culture.snapshot()
    finally:
        grow.close()
    start_culture = _scores(probe_frozen_culture(job.culture_config, snapshot, battery))

    replayed_later = {CONDITIONS[name].replays for name in job.conditions}
    stim_logs: dict[str, list] = {}  # every stim a condition issued, for a condition that replays it
    for condition in job.conditions:
        spec = CONDITIONS[condition]
        record: dict = {}
        if spec.source != "culture":
            start_link = _source_link(condition, job.culture_seed)
            try:
                record["start"] = _scores(play_battery(start_link, battery))
            finally:
                start_link.close()
            link = _source_link(condition, job.culture_seed)
            try:
                record["session"] = play_session(link, spec.feedback, ticks, job.culture_seed)
                record["end"] = _scores(play_battery(link, battery))  # no state to freeze: the source goes on
            finally:
                link.close()
        else:
            record["start"] = start_culture
            link = _culture_link(job, snapshot)
            try:
                culture = link.source.culture
                spec.apply_plasticity(culture)
                if spec.replays is not None:
                    # A different noise realisation (miniature EPSPs, detection noise): with the same snapshot
                    # and the same random stream, the culture would retrace the stimulus session exactly, and
                    # the stims would still be contingent on its own spikes. Reseeded, its activity diverges
                    # within a few ticks and the replayed stimulation is no longer caused by it (a yoked dish).
                    reseed_noise(culture, job.culture_seed)
                    replayed = stim_logs[spec.replays]
                    replay_stims(link, replayed, ticks)
                    record["session"] = {"hits": [], "misses": [], "replayed_stims": len(replayed)}
                else:
                    if condition in replayed_later:
                        stim_logs[condition] = _record_stims(link)
                    record["session"] = play_session(link, spec.feedback, ticks, job.culture_seed, culture=culture)
                end_snapshot = culture.snapshot()
            finally:
                link.close()
            record["end"] = _scores(probe_frozen_culture(job.culture_config, end_snapshot, battery))
        out["conditions"][condition] = record
    out["wall_s"] = time.perf_counter() - t0
    out["cpu_s"] = time.process_time() - c0
    return out
