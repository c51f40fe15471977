"""The ``clgym`` command: one entry point for the demo, benchmarks, training and replication.

    clgym demo [options]            the culture plays DishBrain Pong (rendered; headless-safe; --real-time: wall
                                    clock through the cl SDK; --nwb: record it, as NWB too)
    clgym bench [engine|link|env|doom-env|render|doom|latency|jitter|soak] ...
    clgym train --env ID ...        SB3 agents on any clgym env id (clgym.agents.train)
    clgym replicate protocol ...    the frozen-probe replication protocol (clgym.replication.protocol)
    clgym replicate sessions ...    the paper's session design (clgym.replication.sessions)
    clgym calibrate [--preset P]    a culture preset's statistics beside DishBrain's (clgym.calibration)
    clgym nwb RECORDING.h5          a cl SDK recording as Neurodata Without Borders (extra [nwb]; clgym.export)
    clgym compare RECORDING         a recording's statistics beside a culture's, same protocol (rest or game)
    clgym fit RECORDING --out F     fit the dishbrain culture to a rest recording: a digital twin (.json config)

Each subcommand imports its room lazily, so ``clgym <command> --help`` is quick.
"""

from __future__ import annotations

import argparse
import importlib
import sys


def _demo(argv: list[str]) -> int:
    from clgym.coding.feedback import FEEDBACK_CONDITIONS
    from clgym.culture.config import PRESETS

    presets, feedbacks = ", ".join(PRESETS), ", ".join(FEEDBACK_CONDITIONS)
    p = argparse.ArgumentParser(prog="clgym demo", description="The simulated culture plays DishBrain Pong.")
    p.add_argument("--minutes", type=float, default=2.0, help="simulated minutes of play, 0 < M <= 1440 (default 2)")
    p.add_argument("--culture", default="dishbrain", metavar="PRESET",
                   help=f"culture preset, one of {presets} (default dishbrain)")
    p.add_argument("--feedback", default="stimulus", metavar="CONDITION",
                   help=f"feedback condition, one of {feedbacks} (default stimulus)")
    p.add_argument("--seed", type=int, default=0, help="seed of the culture, the serves and the miss feedback (>= 0)")
    p.add_argument("--out", default="out/demo", help="folder for the GIF, PNG and summary (default out/demo)")
    p.add_argument("--show", action=argparse.BooleanOptionalAction, default=None,
                   help="open a window (default: only when a display exists)")
    p.add_argument("--real-time", action="store_true",
                   help="play in wall-clock time through the cl SDK (link='sdk', real_time=True); reports lateness")
    p.add_argument("--nwb", action="store_true",
                   help="also record the session: OUT/session.h5 (the cl SDK's format) and OUT/session.nwb "
                        "(Neurodata Without Borders: spikes, stims, game events, culture config; extra [nwb])")
    a = p.parse_args(argv)
    if a.culture not in PRESETS:
        p.error(f"--culture {a.culture!r} is unknown; allowed: {presets}")
    if a.feedback not in FEEDBACK_CONDITIONS:
        p.error(f"--feedback {a.feedback!r} is unknown; allowed: {feedbacks}")
    if not 0 < a.minutes <= 24 * 60:
        p.error(f"--minutes {a.minutes:g} is out of range; allowed: 0 < minutes <= 1440")
    if a.seed < 0:
        p.error(f"--seed {a.seed} is out of range; allowed: >= 0")
    from clgym.demo import run_demo

    run_demo(minutes=a.minutes, out_dir=a.out, culture=a.culture, feedback=a.feedback, seed=a.seed, show=a.show,
             real_time=a.real_time, progress=True, nwb=a.nwb)
    return 0


def _bench(argv: list[str]) -> int:
    from clgym.bench import BENCHMARKS

    if argv and argv[0] in ("-h", "--help"):
        print(f"usage: clgym bench [{'|'.join(BENCHMARKS)}] [options]  (default: engine; "
              "clgym bench <name> --help for its options)")
        return 0
    if argv and not argv[0].startswith("-") and argv[0] not in BENCHMARKS:
        print(f"clgym bench: error: unknown benchmark {argv[0]!r}; allowed: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
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


def _missing_extra(error: ModuleNotFoundError) -> str | None:
    """The install line for a package that only an optional extra brings, or ``None``."""
    extras = {"stable_baselines3": "rl", "torch": "rl", "tensorboard": "rl", "ray": "ray", "pynwb": "nwb",
              "moviepy": "video"}
    extra = extras.get((error.name or "").split(".")[0])
    if extra is None:
        return None
    return (f"needs the optional extra [{extra}] ({error.name} is not installed): "
            f"pip install -e '.[{extra}]' (or bin/test, which installs every extra)")


def _nwb(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="clgym nwb", description="Write a recording in the cl SDK's HDF5 format (a "
                                "clgym link's or a CL1's) as Neurodata Without Borders: spikes, stims, data streams "
                                "(game events), the recording's attributes (culture config). Needs the extra [nwb].")
    p.add_argument("recording", help="an SDK-format .h5 recording")
    p.add_argument("--out", default=None, help="the .nwb file (default: the recording's path with .nwb)")
    p.add_argument("--experimenter", default=None, help="NWB's experimenter (e.g. 'Last, First')")
    p.add_argument("--institution", default=None, help="NWB's institution")
    p.add_argument("--species", default=None, help="the cells' species in Latin (default Mus musculus)")
    p.add_argument("--age", default=None, help="the culture's age, ISO 8601 (e.g. P14D; default P0D/: unknown)")
    p.add_argument("--check", action="store_true", help="run nwbinspector on the result and print its findings")
    a = p.parse_args(argv)
    from pathlib import Path

    from clgym.export.nwb import check_nwb, recording_to_nwb

    recording = Path(a.recording)
    if not recording.is_file():
        p.error(f"recording {a.recording!r} does not exist; allowed: an SDK-format .h5 recording")
    options = {k: v for k, v in (("experimenter", a.experimenter), ("institution", a.institution),
                                 ("species", a.species), ("age", a.age)) if v is not None}
    path = recording_to_nwb(recording, a.out or recording.with_suffix(".nwb"), **options)
    print(path)
    if a.check:
        findings = check_nwb(path)
        print("\n".join(findings) if findings else "nwbinspector: nothing to report")
    return 0


COMMANDS = {
    "demo": _demo,
    "bench": _bench,
    "train": lambda argv: _run_module("clgym.agents.train", argv),
    "replicate": lambda argv: _run_module("clgym.replication.command", argv),
    "calibrate": lambda argv: _run_module("clgym.calibration.command", argv),
    "nwb": _nwb,
    "compare": lambda argv: _run_module("clgym.calibration.compare", argv),
    "fit": lambda argv: _run_module("clgym.calibration.fit", argv),
}


def main(argv: list[str] | None = None) -> int:
    """Run one ``clgym`` command. A bad argument or config ends in one line (``clgym <command>: error: ...``
    naming the field and the allowed values) and exit 2, like argparse's own errors."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command = argv[0]
    if command not in COMMANDS:
        print(f"clgym: error: unknown command {command!r}; allowed: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[command](argv[1:])
    except SystemExit as done:  # argparse: --help (0) or a bad argument (2, its one line already printed)
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
            return 1
        return int(done.code or 0)
    except ModuleNotFoundError as error:
        line = _missing_extra(error)
        if line is None:
            raise
        print(f"clgym {command}: {line}", file=sys.stderr)
        return 1
    except ValueError as error:  # the project's config errors: "field=value ...; allowed: ..."
        if "allowed" not in str(error):
            raise
        print(f"clgym {command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"clgym {command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
