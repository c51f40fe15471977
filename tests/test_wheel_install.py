"""A wheel installed into a fresh venv (no source tree, no -e) has every ``clgym`` command (slow: installs)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [["--help"], ["demo", "--help"], ["train", "--help"], ["replicate", "--help"], ["bench", "--help"],
            *(["bench", name, "--help"] for name in ("engine", "link", "env", "doom-env", "render", "doom"))]


@pytest.mark.slow
def test_an_installed_wheel_runs_every_command(tmp_path):
    uv = [sys.executable, "-m", "uv"]
    if subprocess.run([*uv, "--version"], capture_output=True).returncode != 0:
        pytest.skip("uv is not installed in this environment")
    venv = tmp_path / "venv"
    subprocess.run([*uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True)
    subprocess.run([*uv, "pip", "install", "-q", "-p", str(venv / "bin" / "python"), str(ROOT)], check=True)
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import clgym; print(clgym.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout
    assert Path(where.strip()).is_relative_to(venv)  # the installed copy, not the source tree
    clgym = str(venv / "bin" / "clgym")
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "CL_SDK_VISUALISATION": "0",
           "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    for command in COMMANDS:
        started = time.perf_counter()
        done = subprocess.run([clgym, *command], capture_output=True, text=True, cwd=tmp_path, env=env)
        assert done.returncode == 0, (command, done.stderr[-2000:])
        assert "usage" in done.stdout.lower() or "clgym" in done.stdout, command
        assert time.perf_counter() - started < 3.0 * 2, command  # < 3 s unloaded; slack for a busy machine
    done = subprocess.run([clgym, "replicate", "--quick", "--minutes", "0.5", "--out", str(tmp_path / "quick")],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "quick" / "summary.md").read_text().startswith("# DishBrain replication run")
