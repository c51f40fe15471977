"""A CL1 user's own ``cl`` script (tests/_helpers_cl_user_script.py, no clgym import) on our culture, selected only
by environment variables: it opens within the SDK's 15 s producer limit even on a cold Numba cache, reads
realistic frames, and never leaves its producer behind when it is SIGTERMed or SIGKILLed."""

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
WATCHDOG_EXIT_S = 3.0  # the watchdog polls every 0.25 s; allow a loaded 2-core machine


def user_environment(config, accelerated=True, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CL_SDK_")}
    env.update(
        CL_SDK_DATA_SOURCE=CULTURE_SOURCE_FACTORY,
        CL_SDK_DATA_SOURCE_CONFIG=json.dumps(config),
        CL_SDK_ACCELERATED_TIME="1" if accelerated else "0",
        CL_SDK_VISUALISATION="0",
        **extra,
    )
    return env


def run_script(tmp_path, config, *args, timeout=180, **env_extra):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "run", *args],
        env=user_environment(config, **env_extra),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_plain_cl_script_reads_evoked_spikes_and_realistic_frames_by_default(tmp_path):
    result = run_script(tmp_path, {"preset": "tiny", "seed": 3}, "50")
    assert result["open_s"] < 15.0
    assert result["stims"] == 5 and len(result["spikes"]) > 0
    assert result["frames_shape"] == [2500, 64]
    assert result["frames_std"] > 1.0  # MEA noise and spikes, not the flat zeros of frames="zeros"
    zeros = run_script(tmp_path, {"preset": "tiny", "seed": 3, "frames": "zeros"}, "50")
    assert zeros["frames_std"] == 0.0
    assert zeros["spikes"] == result["spikes"]  # frames never change the spikes


def test_a_plain_cl_script_opens_on_a_cold_numba_cache(tmp_path):
    cache = tmp_path / "cold-numba-cache"
    result = run_script(tmp_path, {"preset": "tiny", "seed": 1}, "20", NUMBA_CACHE_DIR=str(cache))
    assert result["open_s"] < 60.0 and len(result["spikes"]) > 0
    assert any(cache.rglob("*.nbi")), "the kernels were cached where the next plain python finds them"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killing_a_plain_cl_script_leaves_no_producer(tmp_path, signum):
    script = subprocess.Popen(
        [sys.executable, str(SCRIPT), "forever"],
        env=user_environment({"preset": "tiny", "seed": 1}, accelerated=False),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    producers = {}
    try:
        assert script.stdout.readline().strip() == "READY"
        producers = sdk_processes(parent_pid=script.pid)
        assert len(producers) == 1, producers
        os.kill(script.pid, signum)
        script.wait(timeout=10)
        deadline = time.monotonic() + WATCHDOG_EXIT_S
        while time.monotonic() < deadline and any(process_running(pid) for pid in producers):
            time.sleep(0.05)
        survivors = [pid for pid in producers if process_running(pid)]
        assert not survivors, f"producer {survivors} outlived its {signal.Signals(signum).name}ed parent"
    finally:
        if script.poll() is None:
            script.kill()
            script.wait()
        for pid in producers:  # only if the test failed: never leave it behind
            if process_running(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_source_outside_the_sdk_producer_never_watches_its_parent():
    source = culture_source_module.culture_source(preset="tiny", seed=1)
    assert not source.in_sdk_producer and source.parent_pid is None
    source.open()
    assert source._watchdog is None
    source.close()


def test_a_slow_producer_open_explains_itself_before_the_sdks_timeout(monkeypatch, capsys):
    monkeypatch.setattr(culture_source_module, "SLOW_OPEN_WARNING_S", 0.0)
    config = culture_source_module.CultureConfig.from_preset("large")
    culture_source_module._slow_open_warning(config).join(5.0)
    err = capsys.readouterr().err
    assert "15 s" in err and "Producer did not start within timeout" in err and "NUMBA_CACHE_DIR" in err
    assert "'large'" in err


PRINT_CACHE = "import clgym, numba; print(numba.config.CACHE_DIR)"


@pytest.mark.parametrize("setup, expected", [
    ("", "{xdg}/clgym/numba"),  # the per-user default
    ("import numba; ", "{xdg}/clgym/numba"),  # numba imported first: re-read before any kernel is defined
    ("import os; os.environ['NUMBA_CACHE_DIR'] = '{mine}'; ", "{mine}"),  # the user's choice wins
])
def test_the_numba_cache_is_per_user_unless_the_user_chose_one(tmp_path, setup, expected):
    xdg, mine = tmp_path / "xdg", tmp_path / "mine"
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(xdg)
    code = setup.format(mine=mine) + PRINT_CACHE
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == expected.format(xdg=xdg, mine=mine)
