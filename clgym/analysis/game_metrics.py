"""Game metrics of DishBrain sessions: rallies per time window, session summaries and the paper's statistics.

Concepts
--------
A *rally* is the run of hits before a miss; it is stamped with the tick of the miss that ends it, and belongs
to the analysis window in which that miss falls. Per window (DishBrain: 0-5 min vs 6-20 min of a 20-minute
session) a session gives the average rally (hits per rally), the percentage of *aces* (rallies of 0 hits) and
of *long rallies* (>= ``long_rally_hits`` hits; 3 by default, a parameter because the paper's threshold is
uncertain). Across sessions of one condition we report mean +- SEM, a paired t-test of the first window
against the last (the paper's learning test), and, for the feedback experiment, each condition's % change in
average rally versus the rest condition in the same window (with a Welch t-test between two conditions).

The t distribution comes from scipy when it is installed (it is not a dependency of clgym); otherwise from
the regularised incomplete beta function, computed here with Lentz's continued fraction (Numerical Recipes
6.4). Both give the same p-values to ~1e-12 (a test holds them to it).

Example
-------
>>> import numpy as np
>>> counter = RallyCounter()
>>> for tick, event in [(10, "hit"), (20, "hit"), (30, "miss"), (40, "miss")]:
...     counter.add(tick, event)
>>> counter.end_ticks, counter.hits
([30, 40], [2, 0])
>>> w = rally_window("all", np.array(counter.hits))
>>> (w.rallies, w.hits, w.aces_percent, w.average_rally)
(2, 2, 50.0, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

TICKS_PER_MINUTE = 60 * 100  # the envs' 10 ms ticks
DISHBRAIN_SESSION_MINUTES = 20.0
DISHBRAIN_EARLY_MINUTES = 5.0
DISHBRAIN_LATE_START_MINUTES = 6.0
LONG_RALLY_HITS = 3


# -- rallies -----------------------------------------------------------------------------------------------
class RallyCounter:
    """Rallies from a stream of game events: ``add(tick, "hit" | "miss" | None)``, in tick order."""

    def __init__(self) -> None:
        self.end_ticks: list[int] = []
        self.hits: list[int] = []
        self.current = 0

    def add(self, tick: int, event: str | None) -> None:
        if event == "hit":
            self.current += 1
        elif event == "miss":
            self.end_ticks.append(int(tick))
            self.hits.append(self.current)
            self.current = 0
        elif event is not None:
            raise ValueError(f"event={event!r} is not allowed; allowed: 'hit', 'miss' or None")


@dataclass(frozen=True)
class TimeWindow:
    """An analysis window ``[start_minutes, stop_minutes)`` of a session."""

    label: str
    start_minutes: float
    stop_minutes: float

    def contains(self, minutes: np.ndarray) -> np.ndarray:
        return (minutes >= self.start_minutes) & (minutes < self.stop_minutes)


@dataclass(frozen=True)
class RallyWindow:
    """Rally statistics of one analysis window (NaN where the window has no rally)."""

    label: str
    rallies: int
    hits: int
    aces_percent: float
    long_rallies_percent: float
    average_rally: float


def dishbrain_windows(minutes: float = DISHBRAIN_SESSION_MINUTES, early_minutes: float | None = None,
                      late_start_minutes: float | None = None) -> tuple[TimeWindow, TimeWindow]:
    """The paper's early and late windows, 0-5 and 6-20 min of a 20-minute session.

    For another session length both bounds scale with it by default (0-25 % and 30-100 %), so a short
    exploratory session compares the same fractions of play; pass ``early_minutes`` and
    ``late_start_minutes`` to fix them instead.
    """
    if not minutes > 0:
        raise ValueError(f"minutes={minutes!r} is not allowed; allowed: > 0")
    scale = minutes / DISHBRAIN_SESSION_MINUTES
    early = DISHBRAIN_EARLY_MINUTES * scale if early_minutes is None else float(early_minutes)
    late = DISHBRAIN_LATE_START_MINUTES * scale if late_start_minutes is None else float(late_start_minutes)
    if not 0 < early <= late < minutes:
        raise ValueError(f"windows 0-{early:g} and {late:g}-{minutes:g} min are not allowed; allowed: "
                         "0 < early_minutes <= late_start_minutes < minutes")
    return (TimeWindow(f"0-{early:g} min", 0.0, early), TimeWindow(f"{late:g}-{minutes:g} min", late, minutes))


def analysis_windows(minutes: float) -> list[tuple[str, float, float]]:
    """The demo's windows ``(label, start_min, stop_min)``: DishBrain's 0-5 vs 6-end for sessions over
    10 minutes, halves for shorter ones, then the whole session."""
    if minutes > 2 * DISHBRAIN_EARLY_MINUTES:
        early, late = DISHBRAIN_EARLY_MINUTES, DISHBRAIN_LATE_START_MINUTES
    else:
        early = late = minutes / 2
    return [(f"{0:g}-{early:g} min", 0.0, early), (f"{late:g}-{minutes:g} min", late, minutes),
            (f"all {minutes:g} min", 0.0, minutes)]


def rally_window(label: str, rally_hits: np.ndarray, long_rally_hits: int = LONG_RALLY_HITS) -> RallyWindow:
    """Statistics of the rallies (hits per rally, one entry per miss) of one window; NaN when empty."""
    hits = np.asarray(rally_hits, dtype=np.int64)
    n = int(hits.size)
    if n == 0:
        return RallyWindow(label, 0, 0, math.nan, math.nan, math.nan)
    return RallyWindow(label, n, int(hits.sum()), 100.0 * float(np.mean(hits == 0)),
                       100.0 * float(np.mean(hits >= long_rally_hits)), float(np.mean(hits)))


def rallies_in_windows(end_ticks, rally_hits, windows: Iterable[TimeWindow],
                       long_rally_hits: int = LONG_RALLY_HITS) -> list[RallyWindow]:
    """:func:`rally_window` of each window; a rally counts in the window where its miss falls."""
    end_minutes = np.asarray(end_ticks, dtype=float) / TICKS_PER_MINUTE
    hits = np.asarray(rally_hits, dtype=np.int64)
    if end_minutes.shape != hits.shape:
        raise ValueError(f"end_ticks ({end_minutes.size}) and rally_hits ({hits.size}) differ in length")
    return [rally_window(w.label, hits[w.contains(end_minutes)], long_rally_hits) for w in windows]


def summarise_rallies(end_ticks, rally_hits, minutes: float,
                      long_rally_hits: int = LONG_RALLY_HITS) -> list[RallyWindow]:
    """Rally statistics per :func:`analysis_windows` window (the demo's table)."""
    windows = [TimeWindow(label, start, stop) for label, start, stop in analysis_windows(minutes)]
    return rallies_in_windows(end_ticks, rally_hits, windows, long_rally_hits)


def _number(value: float, digits: int) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def format_table(windows: list[RallyWindow], long_rally_hits: int = LONG_RALLY_HITS) -> str:
    """A markdown table of one session's windows."""
    lines = [f"| window | rallies | hits | aces % | long rallies % (>= {long_rally_hits} hits) | avg rally (hits) |",
             "|---|---|---|---|---|---|"]
    for w in windows:
        lines.append(f"| {w.label} | {w.rallies} | {w.hits} | {_number(w.aces_percent, 1)} | "
                     f"{_number(w.long_rallies_percent, 1)} | {_number(w.average_rally, 2)} |")
    return "\n".join(lines)


def rally_length_over_time(end_ticks, rally_hits, minutes: float, bin_minutes: float = 1.0) -> np.ndarray:
    """Average rally per ``bin_minutes`` bin of a session (NaN where no rally ended), for plots."""
    n_bins = max(1, int(math.ceil(minutes / bin_minutes - 1e-9)))
    index = np.floor(np.asarray(end_ticks, dtype=float) / TICKS_PER_MINUTE / bin_minutes).astype(np.int64)
    hits = np.asarray(rally_hits, dtype=float)
    inside = (index >= 0) & (index < n_bins)
    totals = np.bincount(index[inside], weights=hits[inside], minlength=n_bins)
    counts = np.bincount(index[inside], minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)


# -- statistics across sessions ----------------------------------------------------------------------------
@dataclass(frozen=True)
class MeanSem:
    mean: float
    sem: float
    n: int

    def __str__(self) -> str:
        return f"{_number(self.mean, 3)} +- {_number(self.sem, 3)}"


def mean_sem(values: Iterable[float]) -> MeanSem:
    """Mean and standard error of the finite values (``scipy.stats.sem``: sample s.d. / sqrt(n); NaN below 2)."""
    from scipy import stats  # scipy loads on first use: commands' --help stays quick

    x = np.asarray(list(values), dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return MeanSem(math.nan, math.nan, 0)
    sem = float(stats.sem(x)) if x.size > 1 else math.nan
    return MeanSem(float(np.mean(x)), sem, int(x.size))


@dataclass(frozen=True)
class TTest:
    """A t-test result: statistic, degrees of freedom, two-sided p-value and the pairs/values used."""

    t: float
    df: float
    p: float
    n: int

    def __str__(self) -> str:
        if math.isnan(self.t):
            return f"n/a (n = {self.n})"
        return f"t({self.df:.3g}) = {self.t:.2f}, p = {self.p:.2g}"


def paired_t_test(first: Sequence[float], second: Sequence[float]) -> TTest:
    """Paired t-test (``scipy.stats.ttest_rel``) of ``first`` vs ``second`` (t < 0 when ``second`` is larger),
    over pairs where both are finite. NaN with fewer than 2 pairs or no variation in the differences."""
    from scipy import stats

    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in length: {a.size} vs {b.size}")
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    n = int(a.size)
    if n < 2 or np.ptp(a - b) == 0.0:
        return TTest(math.nan, float(max(n - 1, 0)), math.nan, n)
    result = stats.ttest_rel(a, b)
    return TTest(float(result.statistic), float(result.df), float(result.pvalue), n)


def welch_t_test(first: Sequence[float], second: Sequence[float]) -> TTest:
    """Welch's unequal-variance t-test (``scipy.stats.ttest_ind(equal_var=False)``) of two independent samples
    (finite values only); NaN with fewer than 2 values on a side or no variance at all."""
    from scipy import stats

    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    n = int(a.size + b.size)
    if a.size < 2 or b.size < 2 or (np.ptp(a) == 0.0 and np.ptp(b) == 0.0):
        return TTest(math.nan, math.nan, math.nan, n)
    result = stats.ttest_ind(a, b, equal_var=False)
    return TTest(float(result.statistic), float(result.df), float(result.pvalue), n)


def percent_change(values: Sequence[float], reference: Sequence[float]) -> float:
    """% change of the mean of ``values`` against the mean of ``reference`` (the paper's "vs rest")."""
    ours, ref = mean_sem(values).mean, mean_sem(reference).mean
    if math.isnan(ours) or math.isnan(ref) or ref == 0:
        return math.nan
    return 100.0 * (ours - ref) / ref


# -- one condition's summary -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConditionSummary:
    """A condition's sessions, first vs last window, as the paper's table reports them."""

    name: str
    sessions: int
    early_rally: MeanSem
    late_rally: MeanSem
    early_aces_percent: MeanSem
    late_aces_percent: MeanSem
    early_long_percent: MeanSem
    late_long_percent: MeanSem
    learning_test: TTest  # paired t, average rally, first vs last window (t < 0: improvement)

    @property
    def improved(self) -> bool:
        return self.late_rally.mean > self.early_rally.mean


def summarise_condition(name: str, early: Sequence[RallyWindow], late: Sequence[RallyWindow]) -> ConditionSummary:
    """Summarise sessions given each session's early and late :class:`RallyWindow` (same order)."""
    if len(early) != len(late):
        raise ValueError(f"{len(early)} early windows vs {len(late)} late windows; give one of each per session")

    def field(windows, name):
        return [getattr(w, name) for w in windows]

    return ConditionSummary(
        name, len(early),
        mean_sem(field(early, "average_rally")), mean_sem(field(late, "average_rally")),
        mean_sem(field(early, "aces_percent")), mean_sem(field(late, "aces_percent")),
        mean_sem(field(early, "long_rallies_percent")), mean_sem(field(late, "long_rallies_percent")),
        paired_t_test(field(early, "average_rally"), field(late, "average_rally")))


def format_condition_table(summaries: Sequence[ConditionSummary], early_label: str, late_label: str) -> str:
    """Markdown table in the paper's layout: avg rally per window (mean +- SEM), % aces, % long, paired t."""
    lines = [f"| group (n sessions) | avg rally {early_label} | avg rally {late_label} | % aces | % long rallies "
             "| paired t, first vs last |", "|---|---|---|---|---|---|"]
    for s in summaries:
        lines.append(f"| {s.name} ({s.sessions}) | {s.early_rally} | {s.late_rally} | "
                     f"{_number(s.early_aces_percent.mean, 1)} -> {_number(s.late_aces_percent.mean, 1)} | "
                     f"{_number(s.early_long_percent.mean, 1)} -> {_number(s.late_long_percent.mean, 1)} | "
                     f"{s.learning_test} |")
    return "\n".join(lines)
