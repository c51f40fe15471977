"""The ``clgym`` command: one entry point for the demo, benchmarks, training and replication.

    clgym demo [--real-time]        the culture plays DishBrain Pong (rendered; headless-safe; --real-time: wall
                                    clock through the cl SDK)
    clgym bench [engine|link|env|doom-env|render|doom|latency|jitter|soak] ...
    clgym train --env ID ...        SB3 agents on any clgym env id (clgym.agents.train)
    clgym replicate protocol ...    the frozen-probe replication protocol (clgym.replication.protocol)
    clgym replicate sessions ...    the paper's session design (clgym.replication.sessions)
    clgym calibrate [--preset P]    a culture preset's statistics beside DishBrain's (clgym.calibration)

Each subcommand imports its room lazily, so ``clgym <command> --help`` is quick.
"""

from __future__ import annotations

import argparse
import importlib
import sys


def _demo(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="clgym demo", description="The simulated culture plays DishBrain Pong.")
    p.add_argument("--minutes", type=float, default=2.0, help="simulated minutes of play (default 2)")
    p.add_argument("--culture", default="dishbrain",
                   help="culture preset (dishbrain, tiny, small, default, large, huge)")
    p.add_argument("--feedback", default="stimulus", help="stimulus, silent, no_feedback or rest")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="out/demo", help="folder for the GIF, PNG and summary")
    p.add_argument("--show", action=argparse.BooleanOptionalAction, default=None,
                   help="open a window (default: only when a display exists)")
    p.add_argument("--real-time", action="store_true",
                   help="play in wall-clock time through the cl SDK (link='sdk', real_time=True); reports lateness")
    a = p.parse_args(argv)
    from clgym.demo import run_demo

    run_demo(minutes=a.minutes, out_dir=a.out, culture=a.culture, feedback=a.feedback, seed=a.seed, show=a.show,
             real_time=a.real_time)
    return 0


def _bench(argv: list[str]) -> int:
    from clgym.bench import BENCHMARKS

    if argv and argv[0] in ("-h", "--help"):
        print(f"usage: clgym bench [{'|'.join(BENCHMARKS)}] [options]  (default: engine; "
              "clgym bench <name> --help for its options)")
        return 0
    what = argv[0] if argv and argv[0] in BENCHMARKS else "engine"
    rest = argv[1:] if argv and argv[0] in BENCHMARKS else argv
    return _run_module(BENCHMARKS[what], rest)


def _run_module(module: str, argv: list[str]) -> int:
    """``module.main(argv)``, with argparse's exits (``--help``, bad arguments) turned into exit codes."""
    try:
        return int(importlib.import_module(module).main(argv) or 0)
    except SystemExit as done:
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
            return 1
        return int(done.code or 0)


COMMANDS = {
    "demo": _demo,
    "bench": _bench,
    "train": lambda argv: _run_module("clgym.agents.train", argv),
    "replicate": lambda argv: _run_module("clgym.replication.command", argv),
    "calibrate": lambda argv: _run_module("clgym.calibration.command", argv),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command = argv[0]
    if command not in COMMANDS:
        print(f"clgym: unknown command {command!r}; allowed: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    return COMMANDS[command](argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
