"""``clgym fit``: a digital twin of a culture, the dishbrain model fitted to a rest recording's statistics.

Concepts
--------
The recording (any format :func:`~clgym.analysis.recordings.read_recording` reads) is measured at rest by the
same code as ``clgym compare`` (:func:`~clgym.calibration.compare.session_statistics`). A few free parameters
of the culture model (:data:`PARAMETERS`, at most six, each with bounds and what it controls) are searched
with optuna's TPE sampler (seeded) to make a simulated culture at rest give the same statistics. Each trial
grows ``trial_seeds`` (2) cultures (the same seeds for all trials: common random numbers, so two trials differ
by their parameters only), lets each settle ``settle_s`` (20 s) and measures ``trial_s`` (120 s) through
:func:`~clgym.calibration.compare.simulate_rest`. The best trials are then measured again on longer runs of
other seeds (other dishes), beside the preset itself, and the one with the lowest loss there is written.

Statistics (:data:`TARGETS`): ``bursts_per_min``, ``in_burst_fraction`` and ``motor_corr_outside_bursts``
for every recording; ``rate_hz`` (per electrode) only for a CL1 recording (the cl format), because a MaxOne
electrode and a CL1 electrode do not see the same number of neurons, so DishBrain's rates do not compare with
the simulated CL1's. The loss is the mean square of normalised distances: for a rate-like statistic the log
ratio ``log((sim + floor) / (rec + floor)) / log(tolerance)`` (a miss by the tolerance factor counts one),
for the correlation the difference over its tolerance (it may be zero or negative).

Free parameters: as many as the statistics can identify. The table holds six candidates; by default a
DishBrain (MaxOne) recording fits two, ``mini_rate_hz`` (background against bursts) and ``stp_tau_rec_exc_ms``
(how often bursts recur): in this model the motor correlation outside bursts rises only with burstiness, so
the three statistics span two directions. A CL1 recording adds ``w_inh``, which at rest moves mainly the rate.
``--params`` chooses others from the table. Parameter recovery (``--truth FIELD=VALUE``: fit a recording the
simulator made with known values, on a dish no trial uses) says which are identified; ``--sensitivity`` prints
what each candidate moves.

The output is a JSON culture config ``{"preset": "dishbrain", "mini_rate_hz": ..., ...}`` that
``gym.make("CLPong-v0", culture="culture.json")`` and every command's ``--preset`` accept.

Example
-------
    clgym fit clgym/data/dishbrain/9501.2021-06-01.1.h5 --out culture.json --quick
    clgym fit --truth mini_rate_hz=10 --truth stp_tau_rec_exc_ms=2000 --truth w_inh=0.03 --out recovered.json
    clgym fit --sensitivity          # each candidate at its bounds: which statistics it moves
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clgym.analysis.recordings import RecordingError, read_recording
from clgym.calibration.compare import culture_config, session_statistics, simulate_rest
from clgym.culture import ConfigError, CultureConfig
from clgym.culture.config import parse_overrides
from clgym.culture.culture_file import culture_dict


@dataclass(frozen=True)
class FreeParameter:
    """One fitted field of :class:`~clgym.culture.CultureConfig`: its bounds, scale and what it controls."""

    name: str
    low: float
    high: float
    log: bool
    controls: str


#: The candidate free parameters. Bounds: the preset's value inside, the regimes a culture shows at rest (from
#: silent-with-rare-bursts to bursting tens of times a minute) at the edges. What each moves was measured one at
#: a time at its bounds (``clgym fit --sensitivity``, results/fit/sensitivity.md); ``controls`` says it.
PARAMETERS: dict[str, FreeParameter] = {p.name: p for p in (
    FreeParameter("mini_rate_hz", 2.0, 60.0, True,
                  "spontaneous release: background against bursts (2 Hz: 48 % of spikes in bursts; 60 Hz: no "
                  "bursts) and the rate (x9 across the range)"),
    FreeParameter("stp_tau_rec_exc_ms", 800.0, 10_000.0, True,
                  "recovery of excitatory synapses from depression: how soon the network bursts again (0.25 to "
                  "56 bursts / min across the range)"),
    FreeParameter("w_inh", 0.01, 0.09, True,
                  "inhibition: at rest mostly the rate (x2 across the range), little else; identified only "
                  "where the rate is fitted (a CL1 recording)"),
    FreeParameter("w_exc", 0.006, 0.028, True,
                  "recurrent excitation: bursts from none to 8 / min across the range, the same statistics as "
                  "synaptic recovery moves; not identified beside it"),
    FreeParameter("stp_u_exc", 0.05, 0.5, False,
                  "release probability: the same depression as stp_tau_rec_exc_ms, the same statistics (fit "
                  "one of the two)"),
    FreeParameter("axon_length_um", 300.0, 3000.0, True,
                  "long-range coupling: bursts / min x1.8 across the range; the motor correlation outside bursts "
                  "does not follow it in this model"),
)}
#: MaxOne recordings: three statistics, but at rest the model's motor correlation outside bursts moves only
#: with burstiness (the same two directions), so two parameters are identified. CL1 recordings add the rate,
#: which identifies inhibition.
DEFAULT_PARAMS_MAXONE = ("mini_rate_hz", "stp_tau_rec_exc_ms")
DEFAULT_PARAMS_CL1 = (*DEFAULT_PARAMS_MAXONE, "w_inh")
MAX_FREE = 6


@dataclass(frozen=True)
class Target:
    """One fitted statistic: a log ratio with a ``floor`` (rates) or a difference (correlations), normalised so
    that a miss by ``tolerance`` (a factor, or an absolute difference) counts one."""

    key: str
    log: bool
    tolerance: float
    floor: float = 0.0

    def distance(self, simulated: float, recorded: float) -> float:
        if not (math.isfinite(simulated) and math.isfinite(recorded)):
            return 10.0  # a statistic the simulated culture cannot produce (e.g. no spikes): far, but finite
        if self.log:
            return math.log((simulated + self.floor) / (recorded + self.floor)) / math.log(self.tolerance)
        return (simulated - recorded) / self.tolerance


TARGETS: dict[str, Target] = {t.key: t for t in (
    Target("bursts_per_min", True, 1.5, floor=0.2),
    Target("in_burst_fraction", True, 1.5, floor=0.01),
    Target("motor_corr_outside_bursts", False, 0.05),
    Target("rate_hz", True, 1.5, floor=0.01),
)}
NETWORK_TARGETS = ("bursts_per_min", "in_burst_fraction", "motor_corr_outside_bursts")


def targets_for(recording_format: str) -> tuple[str, ...]:
    """The statistics a recording can be fitted to: the rate only on a CL1 (see the module docstring)."""
    return (*NETWORK_TARGETS, "rate_hz") if recording_format == "cl" else NETWORK_TARGETS


def loss(simulated: dict[str, float], recorded: dict[str, float], keys: tuple[str, ...]) -> float:
    """Mean square of the normalised distances over ``keys``."""
    return float(np.mean([TARGETS[k].distance(simulated[k], recorded[k]) ** 2 for k in keys]))


@dataclass
class FitSettings:
    preset: str = "dishbrain"
    params: tuple[str, ...] = DEFAULT_PARAMS_MAXONE
    trials: int = 60
    seed: int = 0
    settle_s: float = 20.0
    trial_s: float = 120.0
    trial_seeds: int = 2
    finalists: int = 3
    eval_seeds: int = 3
    eval_s: float = 300.0
    progress: bool = True

    @classmethod
    def quick(cls, **changes: Any) -> FitSettings:
        """A smoke run of a couple of minutes."""
        return cls(**{**dict(trials=16, trial_s=45.0, finalists=2, eval_seeds=2, eval_s=120.0), **changes})


@dataclass
class FitResult:
    recorded: dict[str, float]
    keys: tuple[str, ...]
    fitted: dict[str, float]  # the free parameters' fitted values
    default: dict[str, float]  # the preset's values of the same fields
    fitted_stats: dict[str, float]  # mean over the evaluation seeds
    default_stats: dict[str, float]
    fitted_loss: float
    default_loss: float
    best_trial_loss: float
    n_trials: int
    wall_s: float
    settings: FitSettings
    at_bound: list[str] = field(default_factory=list)

    def config(self) -> dict[str, Any]:
        """The JSON culture config (``{"preset": ..., **fitted}``; no seed: the env or command chooses it). A
        preset given as a ``.json`` file is written out in full, with the fitted fields replaced."""
        base = {k: v for k, v in culture_dict(self.settings.preset).items() if k != "seed"}
        return {**base, **self.fitted}


def _round(value: float) -> float:
    """Four significant digits: what the JSON file holds, and what the final evaluation measures."""
    return float(f"{value:.4g}")


def _config(preset: str, values: dict[str, float], seed: int) -> CultureConfig:
    base = culture_config(preset, seed)
    extra = {"w_max": max(base.w_max, values["w_exc"])} if "w_exc" in values else {}
    return culture_config(preset, seed, **values, **extra)


def measure(preset: str, values: dict[str, float], seed: int, seconds: float, settle_s: float) -> dict[str, float]:
    """Rest statistics of one culture with ``values`` overriding ``preset``."""
    return session_statistics(simulate_rest(_config(preset, values, seed), seconds=seconds, settle_s=settle_s))


def measure_mean(preset: str, values: dict[str, float], seeds: list[int], seconds: float,
                 settle_s: float) -> dict[str, float]:
    """Statistics averaged over cultures grown from ``seeds`` (NaNs ignored)."""
    runs = [measure(preset, values, s, seconds, settle_s) for s in seeds]
    out = {}
    for k in runs[0]:
        x = np.array([r[k] for r in runs], np.float64)
        out[k] = float(np.nanmean(x)) if np.isfinite(x).any() else float("nan")
    return out


def check_params(params: tuple[str, ...]) -> None:
    unknown = [p for p in params if p not in PARAMETERS]
    if unknown:
        raise ConfigError(f"--params {unknown} unknown; allowed: {', '.join(PARAMETERS)}")
    if not 1 <= len(params) <= MAX_FREE or len(set(params)) != len(params):
        raise ConfigError(f"--params {list(params)}: allowed 1 to {MAX_FREE} distinct names")


def fit_statistics(recorded: dict[str, float], keys: tuple[str, ...], settings: FitSettings) -> FitResult:
    """Search the free parameters so that the simulated culture at rest gives ``recorded``'s statistics."""
    try:
        import optuna
    except ImportError as err:
        raise ConfigError("clgym fit needs optuna; allowed: install it with pip install 'clgym[fit]'") from err

    check_params(settings.params)
    missing = [k for k in keys if not math.isfinite(recorded.get(k, float("nan")))]
    if missing:
        raise RecordingError(f"the recording's {missing} are undefined; nothing to fit them to")
    t0 = time.perf_counter()
    base = culture_config(settings.preset, settings.seed)
    default = {p: float(getattr(base, p)) for p in settings.params}
    for p, value in default.items():
        if not PARAMETERS[p].low <= value <= PARAMETERS[p].high:
            raise ConfigError(f"preset {settings.preset!r}: {p}={value} lies outside the fit's bounds "
                              f"[{PARAMETERS[p].low}, {PARAMETERS[p].high}]")

    trial_seeds = [settings.seed + i for i in range(settings.trial_seeds)]
    eval_seeds = [settings.seed + settings.trial_seeds + i for i in range(settings.eval_seeds)]  # other dishes

    def objective(trial: optuna.Trial) -> float:
        values = {p: _round(trial.suggest_float(p, PARAMETERS[p].low, PARAMETERS[p].high, log=PARAMETERS[p].log))
                  for p in settings.params}
        stats = measure_mean(settings.preset, values, trial_seeds, settings.trial_s, settings.settle_s)
        for k in keys:
            trial.set_user_attr(k, stats[k])
        return loss(stats, recorded, keys)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=settings.seed, multivariate=True, n_startup_trials=min(
        10, max(1, settings.trials // 3)))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.enqueue_trial(default)  # the preset itself is the first candidate: the fit never ends worse
    study.optimize(objective, n_trials=settings.trials, show_progress_bar=settings.progress)

    done = sorted((t for t in study.trials if t.value is not None), key=lambda t: t.value)
    finalists = [{p: _round(t.params[p]) for p in settings.params} for t in done[:settings.finalists]]
    if default not in finalists:
        finalists.append(default)  # judged on the same other dishes: the written culture is never worse
    scored = []
    for values in finalists:
        stats = measure_mean(settings.preset, values, eval_seeds, settings.eval_s, settings.settle_s)
        scored.append((loss(stats, recorded, keys), values, stats))
    fitted_loss, fitted, fitted_stats = min(scored, key=lambda s: s[0])
    default_stats = next(stats for _, values, stats in scored if values == default)
    at_bound = [p for p, v in fitted.items()
                if _near_bound(v, PARAMETERS[p].low, PARAMETERS[p].high, PARAMETERS[p].log)]
    return FitResult(recorded=recorded, keys=keys, fitted=fitted, default=default, fitted_stats=fitted_stats,
                     default_stats=default_stats, fitted_loss=fitted_loss,
                     default_loss=loss(default_stats, recorded, keys), best_trial_loss=float(done[0].value),
                     n_trials=len(done), wall_s=time.perf_counter() - t0, settings=settings, at_bound=at_bound)


def _near_bound(value: float, low: float, high: float, log: bool, within: float = 0.03) -> bool:
    """Within ``within`` of the range (on the parameter's scale) from either bound."""
    f = (lambda x: math.log(x)) if log else (lambda x: x)
    span = f(high) - f(low)
    return (f(value) - f(low)) < within * span or (f(high) - f(value)) < within * span


def truth_recording_stats(preset: str, truth: dict[str, float], seed: int, seconds: float,
                          settle_s: float) -> dict[str, float]:
    """The statistics of a recording the simulator made with known parameters (a dish no trial uses)."""
    return measure(preset, truth, seed, seconds, settle_s)


def sensitivity(preset: str = "dishbrain", seeds: tuple[int, ...] = (0, 1), seconds: float = 120.0,
                settle_s: float = 20.0) -> list[tuple[str, float, dict[str, float]]]:
    """One candidate at a time at each of its bounds (the rest at the preset's values): the statistics each
    moves, the evidence for which parameters a recording's statistics can identify. First row: the preset."""
    rows = [("preset", float("nan"), measure_mean(preset, {}, list(seeds), seconds, settle_s))]
    for p in PARAMETERS.values():
        for value in (p.low, p.high):
            rows.append((p.name, value, measure_mean(preset, {p.name: value}, list(seeds), seconds, settle_s)))
    return rows


def format_sensitivity(rows: list[tuple[str, float, dict[str, float]]], command: str) -> str:
    keys = (*NETWORK_TARGETS, "rate_hz")
    lines = [f"`{command}`", "", "| parameter | value | " + " | ".join(_STAT_LABELS[k][0] for k in keys) + " |",
             "|---|---|" + "---|" * len(keys)]
    for name, value, stats in rows:
        cells = " | ".join(_fmt(_STAT_LABELS[k][1], stats[k]) for k in keys)
        lines.append(f"| {name} | {'-' if not math.isfinite(value) else f'{value:g}'} | {cells} |")
    return "\n".join(lines)


# -- report ----------------------------------------------------------------------------------------------------
_STAT_LABELS = {"bursts_per_min": ("bursts / min", "{:.2f}"), "in_burst_fraction": ("spikes in bursts", "{:.1%}"),
                "motor_corr_outside_bursts": ("motor corr outside bursts", "{:.3f}"),
                "rate_hz": ("rate per electrode (Hz)", "{:.3f}"), "median_burst_s": ("median burst (s)", "{:.2f}")}


def _fmt(fmt: str, x: float) -> str:
    return "-" if x is None or not math.isfinite(x) else fmt.format(x)


def format_report(result: FitResult, command: str, truth: dict[str, float] | None = None) -> str:
    s = result.settings
    rec_label = "simulated recording (known parameters)" if truth else "recording"
    lines = [f"`{command}`", "", f"| statistic | {rec_label} | fitted culture | preset {s.preset} | fitted? |",
             "|---|---|---|---|---|"]
    for k, (label, fmt) in _STAT_LABELS.items():
        lines.append(f"| {label} | {_fmt(fmt, result.recorded.get(k, float('nan')))} | "
                     f"{_fmt(fmt, result.fitted_stats.get(k, float('nan')))} | "
                     f"{_fmt(fmt, result.default_stats.get(k, float('nan')))} | "
                     f"{'yes' if k in result.keys else 'no'} |")
    lines.append(f"| **loss** (mean square normalised distance) | 0 | **{result.fitted_loss:.3f}** | "
                 f"{result.default_loss:.3f} | |")
    head = "| parameter | bounds | " + ("true | " if truth else "") + f"fitted | preset {s.preset} | controls |"
    lines += ["", head, "|---|---|" + ("---|" if truth else "") + "---|---|---|"]
    for p, value in result.fitted.items():
        spec = PARAMETERS[p]
        mark = " (at a bound)" if p in result.at_bound else ""
        true = f"{truth[p]:.4g} | " if truth else ""
        lines.append(f"| {p} | [{spec.low:g}, {spec.high:g}]{' log' if spec.log else ''} | {true}{value:.4g}{mark} | "
                     f"{result.default[p]:.4g} | {spec.controls} |")
    lines += ["", f"{result.n_trials} TPE trials (seed {s.seed}), each {s.trial_seeds} cultures x {s.trial_s:g} s "
              f"after {s.settle_s:g} s settling (best trial loss {result.best_trial_loss:.3f}); the best "
              f"{s.finalists} and the preset re-measured on {s.eval_seeds} other cultures x {s.eval_s:g} s (the "
              f"statistics above: their mean; the lowest loss there is written). Wall {result.wall_s:.0f} s."]
    if "rate_hz" not in result.keys:
        lines.append("The rate is not fitted: a MaxOne electrode's rate does not compare with a CL1's.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="clgym fit", description=__doc__.split("\n\n")[0])
    ap.add_argument("recording", nargs="?", help="a rest recording (DishBrain MaxLab h5 or cl SDK h5)")
    ap.add_argument("--events", default=None, help="events file (as clgym compare)")
    ap.add_argument("--out", default=None, help="the fitted culture's JSON config (required to fit)")
    ap.add_argument("--report", default=None, help="also write the markdown report to this file")
    ap.add_argument("--preset", default="dishbrain", help="the model whose parameters are fitted (default dishbrain)")
    ap.add_argument("--params", default=None,
                    help=f"comma-separated free parameters from: {', '.join(PARAMETERS)} (default: "
                         f"{','.join(DEFAULT_PARAMS_MAXONE)}; a CL1 recording adds w_inh)")
    ap.add_argument("--trials", type=int, default=None, help="optuna trials (default 60; --quick 16)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--minutes", type=float, default=None,
                    help="simulated minutes per trial and culture (default 2; --quick 0.75)")
    ap.add_argument("--quick", action="store_true", help="a smoke run of a couple of minutes")
    ap.add_argument("--truth", action="append", default=[], metavar="FIELD=VALUE",
                    help="parameter recovery: fit a recording the simulator makes with these values (no RECORDING)")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--sensitivity", action="store_true",
                    help="print how each candidate parameter, at its bounds, moves the statistics (no fit)")
    a = ap.parse_args(argv)
    command = "clgym fit " + " ".join(shlex.quote(x) for x in (argv if argv is not None else sys.argv[1:]))
    if a.sensitivity:
        try:
            print(format_sensitivity(sensitivity(a.preset), command))
        except ConfigError as error:
            print(f"clgym fit: {error}", file=sys.stderr)
            return 2
        return 0
    if a.out is None:
        ap.error("--out is required: the file the fitted culture's JSON config is written to")
    if (a.recording is None) == (not a.truth):
        ap.error("give a RECORDING, or --truth FIELD=VALUE for parameter recovery (not both)")
    if a.trials is not None and a.trials < 1 or a.minutes is not None and not a.minutes > 0 or a.seed < 0:
        ap.error("--trials >= 1, --minutes > 0 and --seed >= 0 are allowed")
    try:
        result, truth = _run(a)
    except (RecordingError, ConfigError) as error:
        print(f"clgym fit: {error}", file=sys.stderr)
        return 2
    report = format_report(result, command, truth)
    with open(a.out, "w") as f:
        json.dump(result.config(), f, indent=1)
        f.write("\n")
    if a.report:
        with open(a.report, "w") as f:
            f.write(report + "\n")
    print(report)
    return 0


def _run(a: argparse.Namespace) -> tuple[FitResult, dict[str, float] | None]:
    changes: dict[str, Any] = dict(preset=a.preset, seed=a.seed, progress=not a.no_progress)
    if a.trials is not None:
        changes["trials"] = a.trials
    if a.minutes is not None:
        changes["trial_s"] = a.minutes * 60
    truth = None
    if a.truth:
        truth = {k: float(v) for k, v in parse_overrides(a.truth).items()}
        check_params(tuple(truth))
        recorded_format = "cl"
    else:
        rec = read_recording(a.recording, a.events)
        if rec.kind != "rest":
            raise RecordingError(f"{a.recording}: a game session; clgym fit fits a rest recording (its events hold "
                                 "hits and misses)")
        recorded_format = rec.format
    default_params = DEFAULT_PARAMS_CL1 if recorded_format == "cl" else DEFAULT_PARAMS_MAXONE
    params = tuple(a.params.split(",")) if a.params else (tuple(truth) if truth else default_params)
    changes["params"] = params
    settings = FitSettings.quick(**changes) if a.quick else FitSettings(**changes)
    check_params(params)
    if truth:
        culture_config(settings.preset, 0, **truth)  # a bad value fails before any simulation
        recorded = truth_recording_stats(settings.preset, truth, seed=1000 + settings.seed, seconds=settings.eval_s,
                                         settle_s=settings.settle_s)
    else:
        recorded = session_statistics(rec)
    return fit_statistics(recorded, targets_for(recorded_format), settings), truth


if __name__ == "__main__":
    raise SystemExit(main())
