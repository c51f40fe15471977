"""``large`` in a cl script's accelerated loop (issue 13, item 4): the SDK waits at most 0.1 s for a tick, so a
tick of the culture slower than that fails the script with the SDK's bare "Timeout waiting for timestamp". The
culture source then explains it on stderr, naming the preset and the tick's measured cost.

The slow test runs ``large`` (10,000 neurons) through the SDK accelerated for 20 simulated seconds: it either
completes without a timeout or fails with that explanation (on this project's loaded 2-core machines it fails:
the culture's first network burst, ~0.1 s after it starts, costs ~110-160 ms for one 10 ms tick)."""

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clgym.links.processes import process_running, sdk_processes
from clgym.sources import CULTURE_SOURCE_FACTORY

culture_source_module = importlib.import_module("clgym.sources.culture_source")

SCRIPT = Path(__file__).with_name("_helpers_cl_user_script.py")
WATCHDOG_EXIT_S = 3.0


def test_a_tick_slower_than_the_sdks_accelerated_wait_is_explained_once(monkeypatch, capsys):
    source = culture_source_module.CultureSource(preset="tiny", seed=1)
    source.accelerated_sdk = True  # as inside the SDK's producer with CL_SDK_ACCELERATED_TIME=1
    source.open()
    try:
        monkeypatch.setattr(culture_source_module, "SDK_ACCELERATED_WAIT_S", -1.0)  # every tick is "too slow"
        source.read(0, 250)
        source.read(250, 250)
    finally:
        source.close()
    err = capsys.readouterr().err
    assert err.count("clgym culture source:") == 1, err
    assert "culture preset 'tiny' (250 neurons) took " in err
    assert " ms to simulate the 10 ms from frame 0" in err and "Timeout waiting for timestamp" in err


def test_a_source_outside_an_accelerated_sdk_loop_never_reports_tick_costs(monkeypatch, capsys):
    monkeypatch.setenv("CL_SDK_ACCELERATED_TIME", "1")
    source = culture_source_module.culture_source(preset="tiny", seed=1)
    assert not source.accelerated_sdk  # not in the SDK's producer (the in-process link, a test)
    source.open()
    monkeypatch.setattr(culture_source_module, "SDK_ACCELERATED_WAIT_S", -1.0)
    source.read(0, 250)
    source.close()
    assert "clgym culture source" not in capsys.readouterr().err


@pytest.mark.slow
def test_large_through_the_sdk_accelerated_runs_20_s_or_explains_its_timeout(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CL_SDK_")}
    env.update(
        CL_SDK_DATA_SOURCE=CULTURE_SOURCE_FACTORY,
        CL_SDK_DATA_SOURCE_CONFIG=json.dumps({"preset": "large", "seed": 1}),
        CL_SDK_ACCELERATED_TIME="1",
        CL_SDK_VISUALISATION="0",
    )
    script = subprocess.Popen(
        [sys.executable, str(SCRIPT), "run", "2000"],  # 2,000 ticks of 10 ms
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    producers: set[int] = set()
    try:
        deadline = time.monotonic() + 900
        while script.poll() is None and time.monotonic() < deadline:
            producers |= set(sdk_processes(parent_pid=script.pid))
            time.sleep(0.2)
        out, err = script.communicate(timeout=60)
        if script.returncode == 0:
            result = json.loads(out.strip().splitlines()[-1])
            assert result["open_s"] < 15.0 and result["stims"] >= 190 and len(result["spikes"]) > 0
        else:
            assert "Timeout waiting for timestamp" in err, err[-3000:]
            assert "culture preset 'large' (10000 neurons) took " in err, err[-3000:]
            cost_ms = float(err.split("culture preset 'large' (10000 neurons) took ")[1].split(" ms")[0])
            assert cost_ms > 100.0
        gone_by = time.monotonic() + WATCHDOG_EXIT_S
        while time.monotonic() < gone_by and any(process_running(pid) for pid in producers):
            time.sleep(0.05)
        assert not [pid for pid in producers if process_running(pid)], "a producer outlived its script"
    finally:
        if script.poll() is None:
            script.kill()
            script.wait()
        for pid in producers:  # only if the test failed: never leave one behind
            if process_running(pid):
                os.kill(pid, signal.SIGKILL)
