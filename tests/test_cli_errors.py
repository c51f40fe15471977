"""A mistake on the ``clgym`` command line ends in one line naming the field and the allowed values, exit 2."""

import subprocess
import sys

import pytest

from clgym.cli import main

MISTAKES = [
    (["demo", "--culture", "smal"], "clgym demo: error: --culture 'smal' is unknown; allowed: dishbrain, tiny, small"),
    (["demo", "--feedback", "loud"], "clgym demo: error: --feedback 'loud' is unknown; allowed: stimulus, silent"),
    (["demo", "--minutes", "0"], "clgym demo: error: --minutes 0 is out of range; allowed: 0 < minutes <= 1440"),
    (["demo", "--seed", "-1"], "clgym demo: error: --seed -1 is out of range; allowed: >= 0"),
    (["train", "--culture", "smal"], "clgym train: error: --culture 'smal' is unknown; allowed: dishbrain, tiny"),
    (["train", "--feedback", "loud"], "clgym train: error: --feedback 'loud' is unknown for CLPong-v0; allowed:"),
    (["train", "--observation", "pixels"], "clgym train: error: --observation 'pixels' is unknown for CLPong-v0"),
    (["train", "--threads", "0"], "clgym train: error: --threads 0 is out of range; allowed: >= 1"),
    (["bench", "engin"], "clgym bench: error: unknown benchmark 'engin'; allowed: engine, link, env"),
    (["bench", "soak", "--hours", "-1"], "clgym bench soak: error: --hours=-1.0 is out of range; allowed > 0"),
    (["dmeo"], "clgym: error: unknown command 'dmeo'; allowed: demo, bench, train"),
]


@pytest.mark.parametrize(("argv", "line"), MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_a_mistake_is_one_line_and_exit_2(argv, line, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith(line)
    assert not any("Traceback" in e for e in err)


def test_the_clgym_command_prints_no_traceback_for_a_mistake():
    done = subprocess.run([sys.executable, "-m", "clgym.cli", "demo", "--culture", "smal"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("clgym demo: error: --culture 'smal' is unknown")


@pytest.mark.parametrize("command", ["demo", "train", "bench soak"])
def test_help_lists_every_option_with_its_allowed_values(command, capsys):
    assert main([*command.split(), "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: clgym {command}")
    if command == "demo":
        for option in ("--minutes", "--culture", "--feedback", "--seed", "--out", "--show", "--real-time"):
            assert option in out
        assert "dishbrain, tiny, small, default, large, huge" in " ".join(out.split())


def test_a_config_error_from_deeper_down_is_one_line(monkeypatch, capsys):
    import clgym.demo

    def bad(**_kwargs):
        raise ValueError("gif_fps=0 is not allowed; allowed: 0 < gif_fps <= 100")

    monkeypatch.setattr(clgym.demo, "run_demo", bad)
    assert main(["demo", "--culture", "tiny"]) == 2
    assert capsys.readouterr().err.strip() == ("clgym demo: error: gif_fps=0 is not allowed; allowed: "
                                               "0 < gif_fps <= 100")
