"""``clgym replicate sessions``: seeded Pong sessions per condition, the culture playing alone (the paper's design).

Concepts
--------
Conditions (``--conditions``): :mod:`clgym.replication.conditions` (stimulus, silent, no_feedback, rest,
in_silico, media_only, plasticity_off; each stands for a group of the paper). Session ``k`` of every condition
uses seed ``--seed + k`` (culture, serves and feedback), so conditions are compared on the same cultures, like
the paper's same-day rest. The game, the decoder and the feedback are the env's
(``gym.make("CLPong-v0", control="culture", ...)``); nothing here knows the score except the analysis. During
play each session also measures what the culture does, per bin of ``--minutes``/20: spike rate per recording
channel, network bursts per minute (:mod:`clgym.analysis.activity`), the mean weight of excitatory synapses
from neurons near the sensory electrodes onto neurons near the motor electrodes, the mean excitatory->excitatory
weight, and how often the paddle moves toward the ball ("tracking"; 0.5 = chance).

The session is the unit here, and the measure is the paper's (average rally early vs late in the session); the
measure we trust is the frozen-probe protocol's (``clgym replicate protocol``).

Outputs in ``--out``: ``sessions.csv`` (one row per session and window), ``rallies.csv`` (one row per rally),
``activity.csv`` (one row per session and bin), ``results.json`` (all the sessions returned, for
``--reanalyse`` and ``--resume``), ``run.json`` (the command and its arguments), ``failures.json`` (if any
session failed), ``summary.md`` (the command, our table next to the paper's, feedback % changes vs rest, what
the culture did), ``rally_over_time.png``, ``rally_bars.png``, ``plasticity.png``.

Example
-------
    clgym replicate sessions --quick                                     # ~1 min: tiny culture, 2 x 2 min
    clgym replicate sessions --sessions 8 --minutes 20 --culture small   # the campaign
    clgym replicate sessions --override stdp_a_plus=0.02 --conditions stimulus rest
    clgym replicate sessions --ray-address auto                          # the same sessions as Ray tasks
    clgym replicate sessions --reanalyse results/dishbrain --long-rally-hits 2   # re-report a finished run
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field

from clgym.replication.campaign_io import (
    CampaignFolder,
    argument_error,
    check_culture,
    parse_overrides,
    portable_command,
)
from clgym.replication.conditions import SESSIONS_CONDITIONS
from clgym.replication.sessions.job import SessionSpec, run_session

PROG = "clgym replicate sessions"
QUICK = dict(sessions=2, minutes=2.0, culture="tiny", conditions=["stimulus", "rest"])


@dataclass
class CampaignOutcome:
    """What a campaign ended with: the finished sessions, and the sessions that failed (spec and error)."""

    results: list[dict] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)


def run_campaign(specs: list[SessionSpec], workers: int, ray_address: str | None,
                 on_result=lambda result: None) -> CampaignOutcome:
    """Run ``specs`` on local worker processes (``workers``) or as Ray tasks (``ray_address``).

    A session that fails is recorded in ``failures`` and the others go on; ``on_result`` is called with each
    finished session as it arrives (the command saves it there, so an interrupted campaign can be resumed).
    Ray tasks are not retried (``max_retries=0``): a failure is reported, never silently run again.
    """
    from clgym.replication.runner import run_jobs

    outcome = CampaignOutcome()

    def finished(result: dict) -> None:
        outcome.results.append(result)
        on_result(result)

    def failed(spec: SessionSpec, error: BaseException) -> None:
        outcome.failures.append({"spec": asdict(spec), "error": f"{type(error).__name__}: {error}"})
        print(f"session {spec.condition} #{spec.session} (seed {spec.seed}) failed: {error!r}", file=sys.stderr)

    run_jobs(run_session, specs, workers, ray_address, finished, failed, desc="sessions")
    return outcome


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--conditions", nargs="+", choices=SESSIONS_CONDITIONS, default=list(SESSIONS_CONDITIONS))
    p.add_argument("--sessions", type=int, default=8, help="sessions per condition (default 8)")
    p.add_argument("--minutes", type=float, default=20.0, help="simulated minutes per session (default 20)")
    p.add_argument("--culture", default="dishbrain",
                   help="culture preset (dishbrain: calibrated to DishBrain's recordings; tiny, small, ...)")
    p.add_argument("--override", action="append", default=[], metavar="FIELD=VALUE",
                   help="culture config field for every culture condition (JSON value), repeatable")
    p.add_argument("--seed", type=int, default=0, help="seed of session 0 (session k: seed + k)")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="local processes")
    p.add_argument("--ray-address", default=None, help="run the sessions as Ray tasks on this cluster")
    p.add_argument("--in-silico-link", choices=("in_process", "sdk"), default="in_process",
                   help="drive the SDK's random source in process (default) or through cl.open()")
    p.add_argument("--early-minutes", type=float, default=None, help="end of the first window (default 5/20)")
    p.add_argument("--late-start-minutes", type=float, default=None, help="start of the last window (6/20)")
    p.add_argument("--long-rally-hits", type=int, default=3)
    p.add_argument("--out", default="out/dishbrain", help="output folder")
    p.add_argument("--reanalyse", metavar="DIR", default=None,
                   help="rebuild the report of a finished run in DIR (its results.json) without running sessions; "
                        "--early-minutes, --late-start-minutes and --long-rally-hits may be changed")
    p.add_argument("--quick", action="store_true",
                   help=f"smoke run: {QUICK['sessions']} sessions x {QUICK['minutes']:g} min of "
                        f"{' and '.join(QUICK['conditions'])}, {QUICK['culture']} culture (explicit "
                        "--sessions/--minutes/--culture/--conditions still win)")
    p.add_argument("--resume", action="store_true",
                   help="keep the sessions already in --out/results.json (same arguments) and run only the others")
    return p


def check_analysis_options(args) -> None:
    """The report's windows and long-rally threshold, checked before anything runs or is rewritten."""
    from clgym.analysis.game_metrics import dishbrain_windows

    if args.long_rally_hits < 1:
        argument_error(PROG, "--long-rally-hits", f"{args.long_rally_hits} is not allowed; allowed: >= 1")
    try:
        dishbrain_windows(args.minutes, args.early_minutes, args.late_start_minutes)
    except ValueError as error:
        argument_error(PROG, "--early-minutes/--late-start-minutes", f"{error} (session of {args.minutes:g} min)")


def reanalyse(args, argv: list[str]) -> int:
    """The report of a finished run, from its ``results.json`` and ``run.json``; analysis options may change."""
    from clgym.replication.sessions.report import report

    folder = CampaignFolder(args.reanalyse)
    run = folder.read_run(PROG)
    saved = argparse.Namespace(**run["args"])
    for name in ("early_minutes", "late_start_minutes", "long_rally_hits"):
        if f"--{name.replace('_', '-')}" in {a.split("=")[0] for a in argv}:
            setattr(saved, name, getattr(args, name))
    check_analysis_options(saved)
    results = json.loads((folder.path / "results.json").read_text())
    print(report(results, saved, run["command"], run["wall_seconds"], folder.path))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.reanalyse is not None:
        return reanalyse(args, argv)
    if args.quick:
        given = {a.split("=")[0] for a in argv}
        for key, value in QUICK.items():
            if f"--{key}" not in given:
                setattr(args, key, value)
    if args.sessions < 1:
        argument_error(PROG, "--sessions", f"{args.sessions} is not allowed; allowed: >= 1")
    if not args.minutes > 0:
        argument_error(PROG, "--minutes", f"{args.minutes:g} is not allowed; allowed: > 0")
    check_analysis_options(args)
    culture = {"preset": args.culture, **parse_overrides(PROG, args.override)}
    check_culture(PROG, culture)  # a bad preset or field fails here, before any process starts
    from clgym.analysis.game_metrics import dishbrain_windows
    from clgym.replication.sessions.report import report, session_key

    windows = dishbrain_windows(args.minutes, args.early_minutes, args.late_start_minutes)
    specs = [SessionSpec(name, k, args.seed + k, args.minutes, culture, args.in_silico_link, args.long_rally_hits)
             for k in range(args.sessions) for name in args.conditions]
    folder = CampaignFolder(args.out).create()
    out = folder.path
    command = portable_command(PROG, argv)
    kept = _resumable_results(folder, specs) if args.resume else []
    done = {_spec_identity(r["spec"]) for r in kept}
    todo = [spec for spec in specs if _spec_identity(asdict(spec)) not in done]
    print(f"{command}\n{len(specs)} sessions ({args.sessions} x {len(args.conditions)} conditions) of "
          f"{args.minutes:g} simulated min, culture {culture}, windows {windows[0].label} vs {windows[1].label}"
          + (f"; {len(kept)} kept from the last run" if args.resume else ""), file=sys.stderr)
    results = list(kept)

    def save(result: dict) -> None:  # every finished session is on disk at once: a failed campaign resumes
        results.append(result)
        (out / "results.json").write_text(json.dumps(sorted(results, key=session_key)))

    started = time.perf_counter()
    folder.clear_failures()
    outcome = run_campaign(todo, args.workers, args.ray_address, on_result=save)
    wall = time.perf_counter() - started
    (out / "results.json").write_text(json.dumps(sorted(results, key=session_key)))
    folder.write_run(command, args, culture=culture, wall_seconds=wall)
    folder.write_failures(outcome.failures)
    if results:
        print(report(results, args, command, wall, out))
    if outcome.failures:
        print(f"{len(outcome.failures)} of {len(todo)} sessions failed (see {folder.display('failures.json')}); "
              f"{len(results)} finished sessions are kept in {folder.display('results.json')}: run the same "
              "command with --resume to run only the missing ones", file=sys.stderr)
        return 1
    return 0


def _spec_identity(spec: dict) -> str:
    return json.dumps(spec, sort_keys=True)


def _resumable_results(folder: CampaignFolder, specs: list[SessionSpec]) -> list[dict]:
    """The sessions of ``results.json`` in ``folder`` that belong to this campaign (the same specs)."""
    path = folder.path / "results.json"
    if not path.exists():
        return []
    wanted = {_spec_identity(asdict(spec)) for spec in specs}
    return [r for r in json.loads(path.read_text()) if _spec_identity(r["spec"]) in wanted]


if __name__ == "__main__":
    raise SystemExit(main())
