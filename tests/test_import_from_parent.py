"""``import clgym`` from the folder above a clone named ``clgym`` gets the real package, not the clone's folder.

``git clone`` makes ``clgym/`` (the clone) holding ``clgym/`` (the package). Python started in the clone's
parent finds the clone's folder first; the clone's root ``__init__.py`` hands over to the real package.
"""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SCRIPT = """
import gymnasium as gym
import clgym

env = gym.make("CLPong-v0", culture="tiny")
obs, info = env.reset(seed=0)
env.close()
print(clgym.__file__)
print(type(env.unwrapped).__module__, obs.shape)
"""


def _parent_of_a_clone_named_clgym(tmp_path: Path) -> Path:
    (tmp_path / "clgym").symlink_to(REPO, target_is_directory=True)
    return tmp_path


def _environment() -> dict[str, str]:
    # no PYTHONPATH: the parent directory alone must be enough
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}


def test_a_script_run_from_the_clones_parent_makes_clpong(tmp_path):
    parent = _parent_of_a_clone_named_clgym(tmp_path)
    (parent / "play.py").write_text(SCRIPT)
    done = subprocess.run([sys.executable, "play.py"], cwd=parent, env=_environment(), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    package_file, env_line = done.stdout.strip().splitlines()[-2:]
    assert package_file == str(parent / "clgym" / "clgym" / "__init__.py")  # this clone's package
    assert env_line == "clgym.envs.pong (6,)"


def test_a_repl_in_the_clones_parent_imports_the_package_with_its_submodules(tmp_path):
    parent = _parent_of_a_clone_named_clgym(tmp_path)
    code = "import clgym, clgym.envs; from clgym.cli import COMMANDS; print(clgym.__version__, sorted(COMMANDS))"
    done = subprocess.run([sys.executable, "-c", code], cwd=parent, env=_environment(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    version, commands = done.stdout.split(" ", 1)
    assert version == "0.1.0" and "'demo'" in commands and "'train'" in commands
