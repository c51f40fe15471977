"""results/: every file says where it came from without naming the machine that wrote it, and the index lists
every folder."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
ABSOLUTE = re.compile(rb"(?<![\w.])/(?:work|tmp|root|home|Users)/")


def result_files() -> list[Path]:
    """The files of results/ the repository holds (untracked local outputs, e.g. a model being trained, are not
    results yet); every file when this is not a git checkout."""
    listed = subprocess.run(["git", "ls-files", "-z", "results"], cwd=ROOT, capture_output=True)
    if listed.returncode == 0 and listed.stdout:
        return [ROOT / name for name in listed.stdout.decode().split("\0") if name]
    return sorted(RESULTS.rglob("*"))


def test_no_file_under_results_names_an_absolute_path():
    offenders = []
    for path in result_files():
        if path.is_file() and path.suffix not in (".png", ".zip") and ABSOLUTE.search(path.read_bytes()):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"absolute paths in {offenders}"


def test_the_absolute_path_check_catches_one():
    assert ABSOLUTE.search(b'"out": "/work/main/results/x"') and ABSOLUTE.search(b"--out /tmp/run")
    assert not ABSOLUTE.search(b"--out results/run") and not ABSOLUTE.search(b"docs/work/notes")


def test_the_index_lists_every_results_folder():
    index = (RESULTS / "README.md").read_text()
    for folder in sorted(p for p in RESULTS.iterdir() if p.is_dir()):
        assert f"`{folder.name}/" in index, folder.name
