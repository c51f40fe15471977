"""A plain ``cl`` script on clgym's culture (tests/_helpers_cl_user_script.py, no clgym import) hears about stims a CL1
cannot deliver, and ends clean however it ends: SIGTERM and Ctrl-C leave no SDK process, the SDK's web
visualiser included, and print no traceback through the SDK; a timeout under load says what to do."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from clgym.links.processes import kill_and_reap, sdk_processes, wait_until_gone
from clgym.sources import CULTURE_SOURCE_FACTORY, script_hygiene

SCRIPT = Path(__file__).with_name("_helpers_cl_user_script.py")


def user_environment(accelerated: bool, visualiser: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CL_SDK_")}
    env.update(CL_SDK_DATA_SOURCE=CULTURE_SOURCE_FACTORY,
               CL_SDK_DATA_SOURCE_CONFIG=json.dumps({"preset": "tiny", "seed": 1}),
               CL_SDK_ACCELERATED_TIME="1" if accelerated else "0",
               CL_SDK_VISUALISATION="1" if visualiser else "0")
    return env


def test_stims_on_channels_a_cl1_cannot_stimulate_are_warned_once_per_channel(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "unstimulable", "1"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=180, env=user_environment(accelerated=True, visualiser=False))
    assert done.returncode == 0, done.stderr[-3000:]
    warnings = [line for line in done.stderr.splitlines() if "UnstimulableChannelWarning" in line]
    assert len(warnings) == 2, done.stderr  # 20 ticks x 3 stims: channel 0 once, channel 4 once, 27 never
    grounded, reference = sorted(warnings, key=lambda w: "channel 4" in w)
    assert "stim on channel 0: grounded on a CL1: the cl SDK drops this stim without an error" in grounded
    assert "stim on channel 4: the reference electrode" in reference
    assert all(w.startswith(f"{SCRIPT}:") for w in warnings)  # at the script's own line


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signalled_real_time_script_leaves_no_process_the_visualiser_included(tmp_path, signum):
    script = subprocess.Popen([sys.executable, str(SCRIPT), "forever"], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=user_environment(accelerated=False,
                                                                                       visualiser=True))
    children = {}
    try:
        line = ""
        while "READY" not in line:
            line = script.stdout.readline()
            assert line, script.stderr.read()[-3000:]
        children = sdk_processes(parent_pid=script.pid)
        assert any("cl-websocket-subprocess" in cmd for cmd in children.values()), children  # the visualiser
        script.send_signal(signum)
        script.wait(timeout=90)  # a real-time script on a machine at load ~9 took > 30 s to exit
        err = script.stderr.read()
        assert not wait_until_gone(children, timeout_seconds=5.0), f"left behind: {children}"
        assert "Traceback" not in err, err
        if signum == signal.SIGTERM:
            assert script.returncode == script_hygiene.SIGTERM_EXIT_CODE
        else:
            assert err.strip().splitlines()[-1].startswith(f"interrupted (Ctrl-C) at {SCRIPT}:")
    finally:
        if script.poll() is None:
            script.kill()
            script.wait()
        kill_and_reap([pid for pid in children if pid in sdk_processes()])


def test_a_timeout_waiting_for_the_producer_says_what_to_do(monkeypatch, capsys):
    monkeypatch.setenv("CL_SDK_ACCELERATED_TIME", "1")
    shown = []
    hook = script_hygiene._excepthook(lambda kind, value, tb: shown.append(kind))
    try:
        raise TimeoutError("Timeout waiting for timestamp 5000")
    except TimeoutError as error:
        hook(TimeoutError, error, error.__traceback__)
    err = capsys.readouterr().err
    assert shown == [TimeoutError]  # the usual traceback first, then what it means
    assert "accelerated time (CL_SDK_ACCELERATED_TIME=1)" in err and "fell behind (load average" in err
    assert "smaller preset" in err and "CL_SDK_ACCELERATED_TIME=0" in err


def test_the_hooks_defer_to_other_exceptions(capsys):
    shown = []
    hook = script_hygiene._excepthook(lambda kind, value, tb: shown.append(kind))
    try:
        raise ValueError("the script's own error")
    except ValueError as error:
        hook(ValueError, error, error.__traceback__)
    assert shown == [ValueError] and capsys.readouterr().err == ""
