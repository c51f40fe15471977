"""The soak benchmark (``clgym bench soak``): a short run prints the table, both processes' memory and CPU."""

import pytest

from clgym.bench.soak import main
from clgym.cli import main as cli_main
from clgym.links import sdk_child_processes


def test_a_short_soak_reports_memory_and_cpu_of_both_processes(capsys):
    assert cli_main(["bench", "soak", "--hours", "0.01", "--every-min", "0.2", "--preset", "tiny"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("`clgym bench soak --hours 0.01 --every-min 0.2 --preset tiny`")
    rows = [line for line in out.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == 4  # 0, 0.2, 0.4, 0.6 simulated minutes
    assert [float(r.split("|")[1]) for r in rows] == [0.0, 0.2, 0.4, 0.6]
    assert all(float(r.split("|")[3]) > 50 and float(r.split("|")[5]) > 50 for r in rows)  # both RSS, MB
    assert "stopped by simulated time" in out and "load at start:" in out and "CPU beside wall:" in out
    # 2 samples in the second half: no slope in MB/sim-hour, and no nan either
    assert "too few samples for a memory slope (n = 2 in the second half; at least 3" in out
    assert "nan" not in out and "MB/sim-hour" not in out
    assert not sdk_child_processes()


def test_bad_soak_arguments_name_the_field(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--hours", "-1"])
    assert exit_.value.code == 2
    assert "--hours=-1.0 is out of range; allowed > 0" in capsys.readouterr().err
