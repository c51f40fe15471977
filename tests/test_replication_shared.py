"""What the two replication designs share: the conditions table, campaign I/O, the ``clgym replicate`` dispatcher,
one-line argument errors, no import circle, and the preregistered results still readable by ``--reanalyse``."""

import ast
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clgym.replication.campaign_io import portable_arguments, portable_command
from clgym.replication.conditions import CONDITIONS, PROTOCOL_CONDITIONS, SESSIONS_CONDITIONS

ROOT = Path(__file__).resolve().parent.parent
CLGYM = [sys.executable, "-m", "clgym.cli"]


def clgym(*args, timeout=300, cwd=ROOT):
    return subprocess.run([*CLGYM, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


# -- one table of conditions --------------------------------------------------------------------------------
def test_each_design_runs_conditions_of_the_one_table():
    assert set(PROTOCOL_CONDITIONS) | set(SESSIONS_CONDITIONS) == set(CONDITIONS)
    assert len(set(PROTOCOL_CONDITIONS)) == len(PROTOCOL_CONDITIONS)
    assert len(set(SESSIONS_CONDITIONS)) == len(SESSIONS_CONDITIONS)
    from clgym.coding.feedback import FEEDBACK_CONDITIONS

    for condition in CONDITIONS.values():
        assert condition.feedback in FEEDBACK_CONDITIONS
        assert condition.replays is None or condition.replays in CONDITIONS
    assert [c for c in CONDITIONS.values() if not c.plasticity] == [CONDITIONS["plasticity_off"]]


def test_plasticity_off_is_switched_off_on_the_culture_and_the_others_leave_it():
    from clgym.culture import Culture, CultureConfig
    from clgym.culture import kernel as K

    for name, on in (("plasticity_off", 0.0), ("stimulus", 1.0)):
        culture = Culture(CultureConfig.from_dict({"preset": "tiny", "stdp_tagging": True, "seed": 1}))
        CONDITIONS[name].apply_plasticity(culture)
        assert culture._P[K.P_STDP_ON] == culture._P[K.P_TAG_ON] == culture._P[K.P_HOMEO_ON] == on


# -- the package's shape ----------------------------------------------------------------------------------------
def module_imports(path: Path, package: str) -> set[str]:
    """The clgym modules ``path`` imports (any depth: lazy imports inside functions count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing module's package
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("clgym")}


def clgym_import_graph() -> dict[str, set[str]]:
    modules = {}
    for path in sorted((ROOT / "clgym").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = {m for m in module_imports(path, package) if m in modules and m != name}
    return graph


def find_cycle(graph: dict[str, set[str]], within: str) -> list[str] | None:
    nodes = {n for n in graph if n.startswith(within)}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node] & nodes):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(nodes):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a.x": {"a.y"}, "a.y": {"a.x"}}, "a") == ["a.x", "a.y", "a.x"]
    assert find_cycle({"a.x": {"a.y"}, "a.y": set()}, "a") is None


def test_the_replication_package_has_no_import_circle_and_the_shared_layer_imports_no_design():
    graph = clgym_import_graph()
    assert "clgym.replication.protocol.job" in graph and "clgym.replication.sessions.job" in graph
    assert find_cycle(graph, "clgym.replication") is None
    for shared in ("conditions", "runner", "campaign_io"):
        assert not {m for m in graph[f"clgym.replication.{shared}"] if m.startswith("clgym.replication.")}
    protocol = {m for name, deps in graph.items() if name.startswith("clgym.replication.protocol") for m in deps}
    sessions = {m for name, deps in graph.items() if name.startswith("clgym.replication.sessions") for m in deps}
    assert not any(m.startswith("clgym.replication.sessions") for m in protocol)
    assert not any(m.startswith("clgym.replication.protocol") for m in sessions)


def test_every_clgym_module_imports():
    import importlib

    skipped = {"clgym.render._pygame"}  # needs a display library only when drawing
    for name in clgym_import_graph():
        if name not in skipped and not name.endswith("__main__"):
            importlib.import_module(name)


# -- the command line ---------------------------------------------------------------------------------------------
def test_a_bare_replicate_runs_nothing_and_names_the_two_designs(tmp_path):
    done = clgym("replicate", cwd=tmp_path)
    assert done.returncode == 2 and "protocol" in done.stderr and "sessions" in done.stderr
    assert list(tmp_path.iterdir()) == []
    wrong = clgym("replicate", "protocols", cwd=tmp_path)
    assert wrong.returncode == 2 and "'protocols' is not allowed; allowed: protocol, sessions" in wrong.stderr
    assert clgym("replicate", "--help").returncode == 0


def test_the_old_protocol_flag_runs_the_protocol_with_a_deprecation_note(tmp_path):
    done = clgym("replicate", "--protocol", "--cultures", "1", "--out", str(tmp_path / "x"))
    assert done.returncode == 2 and "deprecated" in done.stderr and "clgym replicate protocol" in done.stderr
    assert "clgym replicate protocol: error: --cultures: 1 is not allowed; allowed: >= 2" in done.stderr


@pytest.mark.parametrize("args,option", [
    (["sessions", "--quick", "--sessions", "0"], "--sessions"),
    (["sessions", "--quick", "--minutes", "-1"], "--minutes"),
    (["sessions", "--quick", "--early-minutes", "1.5"], "--early-minutes"),
    (["sessions", "--quick", "--long-rally-hits", "0"], "--long-rally-hits"),
    (["sessions", "--quick", "--culture", "enormous"], "--culture"),
    (["sessions", "--reanalyse", "no/such/run"], "--reanalyse"),
    (["protocol", "--quick", "--override", "stdp_a_plus"], "--override"),
    (["protocol", "--minutes", "0"], "--minutes"),
    (["protocol", "--serves", "0"], "--serves"),
    (["protocol", "--conditions", "yoked"], "--conditions"),
    (["protocol", "--reanalyse", "no/such/run"], "--reanalyse"),
])
def test_a_bad_argument_is_one_line_naming_the_option_and_exit_status_2(tmp_path, args, option):
    done = clgym("replicate", *args, "--out", str(tmp_path / "out"))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(lines) == 1 and option in lines[0] and "allowed" in lines[0], done.stderr
    assert not (tmp_path / "out" / "run.json").exists()


def test_reanalysing_with_windows_that_do_not_fit_the_session_is_an_argument_error(tmp_path):
    """The reported case: --reanalyse DIR --early-minutes 1 of a 2-minute run ended in a 30-line traceback."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "run.json").write_text(json.dumps({"command": "c", "wall_seconds": 1.0, "args": {
        "minutes": 2.0, "early_minutes": None, "late_start_minutes": None, "long_rally_hits": 3,
        "workers": 1, "ray_address": None}}))
    (out / "results.json").write_text("[]")
    done = clgym("replicate", "sessions", "--reanalyse", str(out), "--early-minutes", "1")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "--early-minutes" in done.stderr and "allowed" in done.stderr


def test_paths_in_a_recorded_command_are_repository_relative():
    assert portable_arguments(["--out", str(ROOT / "results" / "x"), "--quick"]) == ["--out", "results/x", "--quick"]
    assert portable_arguments([f"--reanalyse={ROOT / 'results'}"]) == ["--reanalyse=results"]
    assert portable_command("clgym replicate protocol", ["--out", "/tmp/a b"]).startswith(
        "clgym replicate protocol --out '../")


# -- the preregistered results are still readable --------------------------------------------------------------
def test_a_preregistered_protocol_run_reanalyses_to_its_own_results(tmp_path):
    run = tmp_path / "protocol_pilot"
    shutil.copytree(ROOT / "results" / "protocol_pilot", run)
    before = json.loads((run / "results.json").read_text())
    done = clgym("replicate", "protocol", "--reanalyse", str(run))
    assert done.returncode == 0, done.stderr[-2000:]
    after = json.loads((run / "results.json").read_text())
    for key in ("verdict", "n_cultures", "command"):
        assert after[key] == before[key], key
    for endpoint in ("primary", "secondary_rally", "secondary_paper_measure"):
        assert after[endpoint]["conditions"] == before[endpoint]["conditions"]
        for name, test in before[endpoint]["tests"].items():  # comparisons added since are reported too
            assert after[endpoint]["tests"][name] == test, (endpoint, name)


def test_a_finished_session_run_reanalyses(tmp_path):
    run = tmp_path / "dishbrain"
    shutil.copytree(ROOT / "results" / "dishbrain", run)
    with (run / "sessions.csv").open() as handle:
        before = list(csv.DictReader(handle))
    done = clgym("replicate", "sessions", "--reanalyse", str(run), timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    with (run / "sessions.csv").open() as handle:
        after = list(csv.DictReader(handle))
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):  # a column added since (w_steer_at_end) is NaN for it
        assert {key: new[key] for key in old} == old
