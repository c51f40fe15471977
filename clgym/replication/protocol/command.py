"""``clgym replicate protocol``: the frozen-probe protocol over N cultures, its tests and its report.

Concepts
--------
One job per culture (:func:`clgym.replication.protocol.job.run_culture`), on local worker processes or Ray
tasks: the culture settles, is snapshotted, and every condition starts from that snapshot; a frozen copy of
the culture plays a held-out battery of serves before and after each session
(:mod:`clgym.replication.protocol.frozen_probe`). Each finished culture is written to ``cultures/<seed>.json``
at once, so a failed or interrupted run resumes (``--resume``) without redoing finished cultures. The analysis
is paired across cultures (the culture is the unit): per condition the mean +- SEM of ``delta`` (end probe
minus start probe, fraction of first returns hit), and paired t-tests (``scipy.stats.ttest_rel``) of the
comparisons the plan names, the primary one being ``stimulus`` vs ``plasticity_off`` at alpha 0.01
(:mod:`clgym.replication.protocol.report`).

Outputs in ``--out``: ``cultures/<seed>.json`` (everything one culture's job returned), ``run.json`` (the
command and its arguments), ``failures.json`` (if a culture failed), ``results.json``
(``primary.conditions.<name>.{n, delta_mean, delta_sem}``, ``primary.tests.<a>_vs_<b>.{diff, p}``, the same
for the rally-length and the paper's measures), ``cultures.csv`` (one row per culture and condition),
``probes.csv`` (one row per serve), ``primary.png``, ``rally.png``, ``paper_measure.png`` and ``summary.md``.

Example
-------
    clgym replicate protocol --quick --out out/protocol_quick     # ~15 s: 2 tiny cultures, 30 s sessions
    clgym replicate protocol --cultures 12 --minutes 20 --serves 100 --out results/protocol
    clgym replicate protocol --reanalyse results/protocol_confirmatory   # rebuild a finished run's report
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from clgym.replication.campaign_io import (
    CampaignFolder,
    argument_error,
    check_culture,
    parse_overrides,
    portable_command,
)
from clgym.replication.conditions import PROTOCOL_CONDITIONS

PROG = "clgym replicate protocol"
QUICK = dict(cultures=2, minutes=0.5, settle_s=2.0, serves=4, max_serve_s=10.0, culture="tiny")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cultures", type=int, default=12, help="cultures (seeds --seed .. --seed + N - 1)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--minutes", type=float, default=20.0, help="session length (default 20, as DishBrain)")
    p.add_argument("--settle-s", type=float, default=60.0, help="spontaneous activity before the snapshot")
    p.add_argument("--serves", type=int, default=100, help="held-out serves per probe (default 100)")
    p.add_argument("--max-serve-s", type=float, default=30.0, help="cap on one probe serve (s)")
    p.add_argument("--culture", default="dishbrain", help="culture preset (default dishbrain)")
    p.add_argument("--override", action="append", default=[], metavar="FIELD=VALUE",
                   help="culture config override (JSON value), repeatable")
    p.add_argument("--conditions", nargs="+", default=list(PROTOCOL_CONDITIONS), choices=PROTOCOL_CONDITIONS)
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--ray-address", default=None, help="run the cultures as Ray tasks on this cluster")
    p.add_argument("--quick", action="store_true",
                   help="2 tiny cultures, 30 s sessions, 4 serves per probe (tests)")
    p.add_argument("--resume", action="store_true", help="keep the cultures already in --out")
    p.add_argument("--reanalyse", metavar="DIR", default=None,
                   help="rebuild the report of a finished run in DIR from its cultures/*.json; runs nothing")
    p.add_argument("--out", default="out/protocol")
    return p


def _run(jobs: list, workers: int, ray_address: str | None, save) -> list[dict]:
    from clgym.replication.protocol.job import run_culture
    from clgym.replication.runner import run_jobs

    failures: list[dict] = []

    def failed(job, error: BaseException) -> None:
        failures.append({"culture_seed": job.culture_seed, "error": repr(error)})
        print(f"culture {job.culture_seed} failed: {error!r}", file=sys.stderr)

    run_jobs(run_culture, jobs, workers, ray_address, save, failed, desc="cultures")
    return failures


def _jobs(args, culture: dict, conditions: tuple[str, ...]) -> list:
    from clgym.replication.protocol.job import CultureJob

    try:
        return [CultureJob(culture_seed=args.seed + k, culture=culture, minutes=args.minutes,
                           settle_s=args.settle_s, serves=args.serves, max_serve_s=args.max_serve_s,
                           conditions=conditions) for k in range(args.cultures)]
    except ValueError as error:  # minutes, settle, serves, the cap of a serve, a replay without its source
        argument_error(PROG, "--minutes/--settle-s/--serves/--max-serve-s/--conditions", str(error))


def reanalyse(folder: CampaignFolder) -> int:
    """Rebuild the report of a finished run from its ``cultures/*.json`` (the command and wall time it had)."""
    from clgym.replication.protocol.report import write_report

    run = folder.read_run(PROG)
    results = [json.loads(p.read_text()) for p in sorted((folder.path / "cultures").glob("*.json"),
                                                         key=lambda p: int(p.stem))]
    if len(results) < 2:
        argument_error(PROG, "--reanalyse", f"{folder.display()} holds {len(results)} culture(s); allowed: a run "
                                            "with >= 2 cultures (tests are paired across cultures)")
    previous = folder.path / "results.json"
    wall = json.loads(previous.read_text()).get("wall_s", float("nan")) if previous.exists() else float("nan")
    write_report(results, folder.path, command=run["command"], wall_s=wall)
    print((folder.path / "summary.md").read_text())
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.reanalyse is not None:
        return reanalyse(CampaignFolder(args.reanalyse))
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    if args.cultures < 2:
        argument_error(PROG, "--cultures", f"{args.cultures} is not allowed; allowed: >= 2 (tests are paired "
                                           "across cultures)")
    culture = {"preset": args.culture, **parse_overrides(PROG, args.override)}
    check_culture(PROG, culture)  # a bad preset or override fails before any job runs
    conditions = tuple(c for c in PROTOCOL_CONDITIONS if c in args.conditions)
    jobs = _jobs(args, culture, conditions)
    folder = CampaignFolder(args.out).create()
    per_culture = folder.path / "cultures"
    per_culture.mkdir(exist_ok=True)
    command = portable_command(PROG, argv)
    folder.write_run(command, args, indent=1)

    def path_of(seed: int):
        return per_culture / f"{seed}.json"

    def save(result: dict) -> None:
        path_of(result["job"]["culture_seed"]).write_text(json.dumps(result))

    todo = [j for j in jobs if not (args.resume and path_of(j.culture_seed).exists())]
    t0 = time.perf_counter()
    failures = _run(todo, args.workers, args.ray_address, save)
    wall = time.perf_counter() - t0
    folder.write_failures(failures, indent=1)
    results = [json.loads(path_of(j.culture_seed).read_text()) for j in jobs if path_of(j.culture_seed).exists()]
    if failures:
        print(f"{len(failures)} culture(s) failed ({folder.display('failures.json')}); the others are kept; "
              "rerun with --resume", file=sys.stderr)
    if len(results) >= 2:
        from clgym.replication.protocol.report import write_report

        write_report(results, folder.path, command=command, wall_s=wall)
        print((folder.path / "summary.md").read_text())
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
