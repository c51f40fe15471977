"""What both replication commands do with their output folder: arguments, ``run.json``, resume, failures.

Concepts
--------
A campaign writes everything into one folder (``--out``). ``run.json`` holds the command and its arguments
with every path relative to the repository (a folder holding ``.git``; else the working directory), so a
result says where it came from on any machine. Finished jobs are saved as they arrive, so an interrupted or
failed campaign resumes (``--resume``) without redoing them; the jobs that failed are listed in
``failures.json`` (removed when a run has none). A bad argument stops the command before any job starts,
with one line naming the option and what it allows, and exit status 2, as argparse does.

Example
-------
>>> from clgym.replication.campaign_io import portable_command
>>> portable_command("clgym replicate sessions", ["--quick", "--out", "results/run"])
'clgym replicate sessions --quick --out results/run'
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import NoReturn

PATH_OPTIONS = ("--out", "--reanalyse")
"""Options whose value is a folder: written relative to the repository."""


def argument_error(prog: str, option: str, message: str) -> NoReturn:
    """Stop the command as argparse does for a bad argument: one line on stderr, exit status 2."""
    print(f"{prog}: error: {option}: {message}", file=sys.stderr)
    raise SystemExit(2)


def parse_overrides(prog: str, items: list[str]) -> dict:
    """``--override FIELD=VALUE`` items as a dict of culture config fields (a bad one: :func:`argument_error`)."""
    from clgym.culture.config import ConfigError
    from clgym.culture.config import parse_overrides as parse

    try:
        return parse(items)
    except ConfigError as error:
        argument_error(prog, "--override", str(error))


def check_culture(prog: str, culture: dict) -> None:
    """Build the culture config once, so a bad preset or field fails before any job runs."""
    from clgym.culture import CultureConfig
    from clgym.culture.config import ConfigError

    try:
        CultureConfig.from_dict({**culture, "seed": 0})
    except (ConfigError, ValueError, TypeError) as error:
        argument_error(prog, "--culture/--override", str(error))


def repository_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) holding ``.git``; else the
    working directory."""
    here = Path.cwd().resolve()
    for folder in (start or here).resolve(), *(start or here).resolve().parents:
        if (folder / ".git").exists():
            return folder
    return here


def relative_path(path: str | Path) -> str:
    """``path`` relative to the repository (``results/run``; ``../elsewhere`` outside it), never absolute."""
    return os.path.relpath(Path(path).resolve(), repository_root())


def portable_arguments(argv: list[str]) -> list[str]:
    """``argv`` with the values of :data:`PATH_OPTIONS` made repository-relative (``--out X`` and ``--out=X``)."""
    out, previous = [], None
    for arg in argv:
        option, equals, value = arg.partition("=")
        if previous in PATH_OPTIONS:
            arg = relative_path(arg)
        elif equals and option in PATH_OPTIONS:
            arg = f"{option}={relative_path(value)}"
        out.append(arg)
        previous = arg if arg.startswith("--") else None
    return out


def portable_command(prog: str, argv: list[str]) -> str:
    """The command line as a user would type it from the repository root (paths repository-relative)."""
    return " ".join([prog, *(shlex.quote(a) for a in portable_arguments(argv))]) if argv else prog


def portable_args(args) -> dict:
    """``vars(args)`` of an argparse namespace, with its folder options made repository-relative."""
    values = dict(vars(args))
    for option in PATH_OPTIONS:
        key = option.lstrip("-").replace("-", "_")
        if values.get(key) is not None:
            values[key] = relative_path(values[key])
    return values


class CampaignFolder:
    """The output folder of one campaign: ``run.json``, ``failures.json`` and the finished jobs' files."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def create(self) -> CampaignFolder:
        self.path.mkdir(parents=True, exist_ok=True)
        return self

    def write_run(self, command: str, args, indent: int = 2, **extra) -> None:
        """``run.json``: the command, its arguments (paths repository-relative) and ``extra`` fields."""
        run = {"command": command, "args": portable_args(args), **extra}
        (self.path / "run.json").write_text(json.dumps(run, indent=indent))

    def read_run(self, prog: str) -> dict:
        """``run.json`` of a finished run (for ``--reanalyse``); a missing one is an argument error."""
        path = self.path / "run.json"
        if not path.is_file():
            argument_error(prog, "--reanalyse", f"{self.path} holds no run.json; allowed: the --out folder of a "
                                                "finished run")
        return json.loads(path.read_text())

    def clear_failures(self) -> None:
        (self.path / "failures.json").unlink(missing_ok=True)

    def write_failures(self, failures: list[dict], indent: int = 2) -> None:
        """``failures.json``: one entry per failed job (what it was, and its error)."""
        if failures:
            (self.path / "failures.json").write_text(json.dumps(failures, indent=indent))
        else:
            self.clear_failures()

    def display(self, name: str = "") -> str:
        """A file of the folder as a message names it (repository-relative)."""
        return relative_path(self.path / name if name else self.path)
