"""What a plain ``cl`` script on clgym's culture hears, and how it ends: hooks the culture source installs in
the script's own process.

Concepts
--------
A CL1 user rehearses a plain ``cl`` script on clgym's culture (``CL_SDK_DATA_SOURCE=clgym.sources.culture_source:
culture_source``). The SDK calls that factory once in the script's process (to read the source's metadata,
unless ``CL_SDK_DATA_SOURCE_METADATA`` is set), and the factory then calls :func:`install_script_hooks`. The
hooks change nothing the script does; they only make three silent things audible and one exit clean:

- **Stims the CL1 cannot deliver**: the SDK drops stims to the grounded channels 0, 7, 56 and 63 without a word
  (and passes channel 4, the reference, on). A warning names each such channel once per process
  (:func:`warn_unstimulable_channels`: here for 0/7/56/63, in the producer for 4).
- **SIGTERM**: Python's default ends the process without running ``atexit``, so the SDK never stops its web
  visualiser (``cl-websocket-subprocess``, ports 8000 and 1025+), which stays behind listening. If the script
  has no SIGTERM handler of its own, SIGTERM becomes ``SystemExit(143)``: ``with cl.open()`` unwinds and the
  SDK's ``atexit`` stops the visualiser (clgym's watchdog already ends the producer in any case).
- **Ctrl-C**: one line (where the script was interrupted) instead of a traceback through the SDK's internals.
- **An accelerated ``TimeoutError``**: the SDK waits ~0.1 s per tick for the producer in accelerated time; under
  CPU load it gives up with a bare "Timeout waiting for timestamp". The traceback is followed by what it means
  and what to do.

Every hook is installed once per process and defers to the script: a SIGTERM handler or an ``excepthook`` the
script set itself stays in charge (the hooks chain to it).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import traceback
import warnings

from clgym.cl1 import GROUNDED_CHANNELS, REFERENCE_CHANNEL, UNUSABLE_CHANNELS

SIGTERM_EXIT_CODE = 128 + signal.SIGTERM
PARENT_WARNS_ENV = "CLGYM_STIM_WARNINGS_IN_PARENT"
"""Set by :func:`install_script_hooks` (inherited by the SDK's producer): the script's process already warns
about every unstimulable channel at the line that stims it, so the producer stays quiet."""
_installed = False
_warned_channels: set[int] = set()


class UnstimulableChannelWarning(UserWarning):
    """A stim addressed to a channel a CL1 cannot stimulate (the SDK drops it, or stimulates the reference)."""


def warn_unstimulable_channels(channels, in_producer: bool = False) -> None:
    """Warn once per process for each of ``channels`` that a CL1 cannot stimulate (0, 4, 7, 56, 63).

    ``in_producer``: called by the source in the SDK's producer, which stays quiet when the script's process
    warns already (:data:`PARENT_WARNS_ENV`).
    """
    if in_producer and os.environ.get(PARENT_WARNS_ENV) == "1":
        return
    for channel in sorted({int(c) for c in channels} & UNUSABLE_CHANNELS - _warned_channels):
        _warned_channels.add(channel)
        if channel == REFERENCE_CHANNEL:
            what = "the reference electrode: a CL1 does not stimulate it (the simulator delivers it)"
        else:
            what = "grounded on a CL1: the cl SDK drops this stim without an error"
        warnings.warn(f"stim on channel {channel}: {what}. Stimulable channels: 1-62 except "
                      f"{', '.join(map(str, (REFERENCE_CHANNEL, *GROUNDED_CHANNELS[1:3])))} "
                      "(clgym.cl1.STIMULABLE_CHANNELS). Warned once per channel.",
                      UnstimulableChannelWarning, stacklevel=3)


def _channels_of(channel_set) -> list[int]:
    if isinstance(channel_set, int):
        return [channel_set]
    try:
        return [int(c) for c in channel_set]
    except TypeError:
        return []


def _wrap_stim() -> None:
    from cl.neurons import Neurons

    original = Neurons.stim
    if getattr(original, "__clgym_hygiene__", False):
        return

    def stim(self, channel_set, *args, **kwargs):
        warn_unstimulable_channels(_channels_of(channel_set))
        return original(self, channel_set, *args, **kwargs)

    stim.__doc__, stim.__name__, stim.__wrapped__ = original.__doc__, original.__name__, original
    stim.__clgym_hygiene__ = True
    Neurons.stim = stim


def _end_on_sigterm(signum, _frame) -> None:
    raise SystemExit(SIGTERM_EXIT_CODE)


def timeout_advice(accelerated: bool) -> str:
    """What an SDK ``TimeoutError`` waiting for a timestamp means and what to do, for the mode in use."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    if accelerated:
        return ("clgym: in accelerated time (CL_SDK_ACCELERATED_TIME=1) the cl SDK waits ~0.1 s per tick for the "
                f"culture's producer process; it fell behind (load average {load} on {os.cpu_count()} cores). "
                "What to do: run fewer programs beside it, use a smaller preset (CL_SDK_DATA_SOURCE_CONFIG "
                '\'{"preset": "tiny"}\' or "small"), frames "zeros" if the script never reads frames, '
                "or real time (CL_SDK_ACCELERATED_TIME=0), where the SDK waits up to 30 s.")
    return ("clgym: in real time the cl SDK waits up to 30 s for the culture's producer; it fell more than that "
            f"behind (load average {load} on {os.cpu_count()} cores): run fewer programs beside it or use a "
            "smaller preset.")


def _excepthook(previous):
    def hook(kind, value, tb):
        if issubclass(kind, KeyboardInterrupt):
            frames = [f for f in traceback.extract_tb(tb) if "site-packages" not in f.filename]
            where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
            print(f"interrupted (Ctrl-C){where}", file=sys.stderr, flush=True)
            return
        previous(kind, value, tb)
        if issubclass(kind, TimeoutError) and "Timeout waiting for timestamp" in str(value):
            accelerated = os.environ.get("CL_SDK_ACCELERATED_TIME", "0") == "1"
            print(timeout_advice(accelerated), file=sys.stderr, flush=True)

    hook.__clgym_hygiene__ = True
    return hook


def install_script_hooks() -> None:
    """Install the hooks above in this (the ``cl`` script's) process, once; see the module docstring."""
    global _installed
    if _installed:
        return
    _installed = True
    _wrap_stim()
    os.environ[PARENT_WARNS_ENV] = "1"
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _end_on_sigterm)
    if not getattr(sys.excepthook, "__clgym_hygiene__", False):
        sys.excepthook = _excepthook(sys.excepthook)
