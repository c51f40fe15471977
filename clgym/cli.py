"""The ``clgym`` command: one entry point for the demo, benchmarks, training and replication.

    clgym demo                      the culture plays DishBrain Pong (rendered; headless-safe)
    clgym bench [engine|link|env|render|soak] ...
    clgym train ...                 SB3 agents on CLPong-v0 (scripts/train_sb3.py)
    clgym replicate ...             the DishBrain replication campaign (scripts/dishbrain.py)
    clgym calibrate [--preset P]    a culture preset's statistics beside DishBrain's (clgym/calibration/)

Each subcommand imports its room lazily, so ``clgym --help`` is instant.
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _demo(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="clgym demo", description="The simulated culture plays DishBrain Pong.")
    p.add_argument("--minutes", type=float, default=2.0, help="simulated minutes of play (default 2)")
    p.add_argument("--culture", default="dishbrain", help="culture preset (dishbrain, tiny, small, default, large, huge)")
    p.add_argument("--feedback", default="stimulus", help="stimulus, silent, no_feedback or rest")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="out/demo", help="folder for the GIF, PNG and summary")
    p.add_argument("--show", action=argparse.BooleanOptionalAction, default=None,
                   help="open a window (default: only when a display exists)")
    a = p.parse_args(argv)
    from clgym.demo import run_demo

    run_demo(minutes=a.minutes, out_dir=a.out, culture=a.culture, feedback=a.feedback, seed=a.seed, show=a.show)
    return 0


def _bench(argv: list[str]) -> int:
    targets = {"engine": None, "link": "bench_link.py", "env": "bench_env.py", "render": "bench_render.py",
               "soak": None}
    what = argv[0] if argv and argv[0] in targets else "engine"
    rest = argv[1:] if argv and argv[0] in targets else argv
    if what == "engine":
        from clgym.bench import main

        return main(rest)
    if what == "soak":
        from clgym.bench_soak import main as soak_main

        return soak_main(rest)
    return _script(targets[what], rest)


def _script(name: str, argv: list[str]) -> int:
    path = SCRIPTS / name
    if not path.exists():
        print(f"clgym: {path} is not available in this installation (it lives in the source tree)", file=sys.stderr)
        return 2
    sys.argv = [str(path), *argv]
    try:
        runpy.run_path(str(path), run_name="__main__")
    except SystemExit as done:
        return int(done.code or 0) if not isinstance(done.code, str) else 1
    return 0


def _calibrate(argv: list[str]) -> int:
    from clgym.calibration.command import main

    return main(argv)


COMMANDS = {
    "demo": _demo,
    "calibrate": _calibrate,
    "bench": _bench,
    "train": lambda argv: _script("train_sb3.py", argv),
    "replicate": lambda argv: _script("dishbrain.py", argv),
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
