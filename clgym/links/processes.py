"""The process table, as far as the cl SDK's helper processes are concerned.

Concepts
--------
The cl SDK runs its simulator's producer, each recording and the web visualiser as child processes started
with ``python -m cl._sim._subprocess_main`` in their own session (so Ctrl-C in a terminal does not reach
them). Leaving ``with cl.open()`` does not stop the producer, and a SIGKILLed parent orphans all of them (the
producer then busy-polls forever). The SDK link uses these helpers to find the SDK children *it* started (by
parent pid, taken before and after opening) and to make sure they are gone after ``close()``; the tests use
them to check the process table.

Nothing runs in a SIGKILLed process, so an :class:`OrphanGuard` watches from outside: a tiny stdlib-only
process holding the read end of a pipe whose write end only the link's process holds. When that process
dies, the pipe reaches end-of-file and the guard SIGKILLs the SDK helpers it was told about, whatever the
data source (the culture source also has its own parent watchdog). ``release()`` dismisses it after a
normal close.

Example
-------
>>> before = sdk_child_processes()          # {pid: command line} of this process's SDK children
>>> isinstance(before, dict)
True
>>> guard = OrphanGuard()
>>> guard.watch([])                         # the pids of SDK helpers to kill if we die
>>> guard.release()
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SDK_SUBPROCESS_MODULE = "cl._sim._subprocess_main"


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may contain spaces: split after the last ')'
    return text[text.rindex(")") + 2 :].split()


def process_running(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def parent_of(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return None if fields is None else int(fields[1])


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def sdk_processes(parent_pid: int | None = None) -> dict[int, str]:
    """Running ``cl._sim._subprocess_main`` processes ({pid: command line}), optionally only one parent's."""
    found: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        cmd = command_line(pid)
        if SDK_SUBPROCESS_MODULE not in cmd or not process_running(pid):
            continue
        if parent_pid is not None and parent_of(pid) != parent_pid:
            continue
        found[pid] = cmd
    return found


def sdk_child_processes() -> dict[int, str]:
    """The SDK helper processes whose parent is this process."""
    return sdk_processes(parent_pid=os.getpid())


def wait_until_gone(pids, timeout_seconds: float) -> set[int]:
    """Wait for ``pids`` to exit; return the ones still running at the timeout."""
    remaining = {pid for pid in pids if process_running(pid)}
    deadline = time.monotonic() + timeout_seconds
    while remaining and time.monotonic() < deadline:
        time.sleep(0.02)
        remaining = {pid for pid in remaining if process_running(pid)}
    return remaining


def kill_and_reap(pids) -> None:
    """SIGKILL our own child processes by pid, and reap them so no zombie is left."""
    for pid in pids:
        if parent_of(pid) != os.getpid():
            continue  # never touch a process we did not start
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


# The guard process: stdlib only, started with -S -I for a fast start. Reads pids until "release" (exit
# quietly) or end-of-file (our parent died): then SIGKILLs every watched pid that is still an SDK helper.
_GUARD_CODE = """
import os, signal, sys
fd, module, watched, pending = int(sys.argv[1]), ".".join(sys.argv[2:]).encode(), set(), b""
while True:
    chunk = os.read(fd, 4096)
    if not chunk:
        break
    *lines, pending = (pending + chunk).split(b"\\n")
    for line in lines:
        if line == b"release":
            sys.exit(0)
        watched.add(int(line))
for pid in watched:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if module in cmdline.read():
                os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
"""


class OrphanGuard:
    """A watcher process that SIGKILLs the watched SDK helpers if this process dies without releasing it.

    A ``fork()`` of this process keeps the pipe open too: the guard then acts when the last copy exits.
    """

    def __init__(self):
        read_end, self._write_end = os.pipe()  # non-inheritable: the SDK's own children do not get them
        try:
            self._process = subprocess.Popen(
                # the module name goes in split, so the guard never looks like an SDK helper itself
                [sys.executable, "-S", "-I", "-c", _GUARD_CODE, str(read_end), *SDK_SUBPROCESS_MODULE.split(".")],
                pass_fds=(read_end,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in a terminal must not take the guard down first
            )
        finally:
            os.close(read_end)

    @property
    def pid(self) -> int:
        return self._process.pid

    def watch(self, pids) -> None:
        pids = [int(pid) for pid in pids if int(pid) != self.pid]
        if self._write_end is not None and pids:
            os.write(self._write_end, "".join(f"{pid}\n" for pid in pids).encode())

    def release(self) -> None:
        """Dismiss the guard (after a normal shutdown); safe to call twice."""
        if self._write_end is None:
            return
        try:
            os.write(self._write_end, b"release\n")
        except OSError:
            pass
        os.close(self._write_end)
        self._write_end = None
        try:
            self._process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
