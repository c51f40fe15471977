"""bin/demo, as a new user runs it: it says what it is doing, a line per step, and ends with what to type next;
a mistake is one line, with no "next" advice after it. (CLGYM_SKIP_INSTALL=1: the environment is already
installed; the install step's own lines are exercised on a fresh clone, see the README.)"""

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_bin_demo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CLGYM_SKIP_INSTALL": "1"}
    return subprocess.run([str(REPO / "bin" / "demo"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_bin_demo_reports_each_step_and_ends_with_the_next_command(tmp_path):
    done = run_bin_demo("--culture", "tiny", "--minutes", "0.1", "--no-show", "--out", str(tmp_path / "out"),
                        cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    steps = [line for line in done.stderr.splitlines() if line.startswith("clgym demo: [")]
    assert len(steps) >= 4 and "kernels" in steps[0] and "playing 0.1 simulated minutes" in done.stderr
    assert done.stderr.rstrip().endswith("installs the rest (SB3 and torch for `clgym train`, pytest) and runs "
                                         "the tests")
    assert "source .venv/bin/activate" in done.stderr and "CLPong demo: culture 'tiny'" in done.stdout
    assert (tmp_path / "out" / "pong_excerpt.gif").stat().st_size > 0


def test_bin_demo_with_a_mistake_is_one_line_and_no_advice(tmp_path):
    done = run_bin_demo("--culture", "smal", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("clgym demo: error: --culture 'smal' is unknown")
    assert "Next:" not in done.stderr and "Traceback" not in done.stderr
