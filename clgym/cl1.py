"""The CL1's hardware facts, defined once, and the one check of a stimulation against them.

Every module that needs a channel count, the grid, the sample rate or a stimulation limit imports it from here
(see ``docs/cl-sdk.md``: cl-sdk 1.0.0, measured and read from the SDK's own source).

* 64 channels on an 8 x 8 grid, ``channel = row * 8 + col``, 200 um electrode pitch; 25 kHz frames.
* Channels 0, 7, 56, 63 are grounded: the SDK drops stims there silently and they never spike; channel 4 is the
  reference electrode (no spikes; the SDK's own app model lists it as non-stimulable too). clgym refuses a stim
  on any of the five.
* A pulse has 1-3 phases of alternating polarity, each ``>= 20 us`` and a multiple of 20 us, ``|I| <= 3 uA``,
  at most 3 nC (``|I| * t``) per phase. A burst runs at ``<= 200 Hz``; its period, rounded to 20 us as the SDK
  does, must hold the pulse plus the SDK's 80 us minimum lead, so one channel takes at most 200 pulses/s.
* A detected spike carries a 75-sample waveform (3 ms at 25 kHz); raw frames are int16 at 0.195 uV per unit.

:func:`validate_channels`, :func:`check_phases` and :func:`check_burst` are the one validator: the coding layer's
``Pulse`` / ``StimCommand`` and the links' ``validate_stim`` both call them, so a limit is stated in one place
and a refusal names the field and the allowed range alike everywhere.

>>> validate_channels([10, 4])
Traceback (most recent call last):
...
ValueError: channels: channel 4 is the reference electrode; allowed: 0..63 except [0, 4, 7, 56, 63]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

N_CHANNELS: int = 64
"""Channels on a CL1 MEA (8 x 8)."""
GRID_SIZE: int = 8
"""Electrodes per row and per column: ``channel = row * GRID_SIZE + col``."""
PITCH_UM: float = 200.0
"""Centre-to-centre electrode distance."""
FRAMES_PER_SECOND: int = 25_000
"""Sample (frame) rate of the MEA."""
UV_PER_SAMPLE_UNIT: float = 0.195
"""Raw int16 frames: microvolts per unit."""
SPIKE_WAVEFORM_SAMPLES: int = 75
"""Samples in a detected spike's waveform (the SDK's producer refuses any other shape)."""

GROUNDED_CHANNELS: tuple[int, ...] = (0, 7, 56, 63)
"""Grounded corner channels: the CL1 drops stims there silently, and they never spike."""
REFERENCE_CHANNEL: int = 4
"""The reference electrode: not stimulated, no spikes."""
NON_STIMULABLE_CHANNELS: frozenset[int] = frozenset(GROUNDED_CHANNELS)
REFERENCE_CHANNELS: frozenset[int] = frozenset({REFERENCE_CHANNEL})
UNUSABLE_CHANNELS: frozenset[int] = NON_STIMULABLE_CHANNELS | REFERENCE_CHANNELS
"""Channels that belong in no stimulation or recording group (0, 4, 7, 56, 63)."""
NON_RECORDING_CHANNELS: tuple[int, ...] = GROUNDED_CHANNELS + (REFERENCE_CHANNEL,)
"""Channels that never report a spike (as the cl SDK's simulator)."""
STIMULABLE_CHANNELS: tuple[int, ...] = tuple(c for c in range(N_CHANNELS) if c not in UNUSABLE_CHANNELS)
"""The 59 channels a stim may target."""
RECORDING_CHANNELS: tuple[int, ...] = STIMULABLE_CHANNELS
"""The 59 channels that report spikes."""

MAX_CURRENT_UA: float = 3.0
"""Largest phase current magnitude."""
PHASE_STEP_US: int = 20
"""Phase durations are multiples of this (and at least this)."""
MAX_CHARGE_PER_PHASE_NC: float = 3.0
"""Largest charge ``|I| * t`` of one phase."""
MAX_PHASES: int = 3
MAX_BURST_HZ: float = 200.0
"""Fastest burst, and the most pulses one channel takes per second."""
MIN_BURST_HZ: float = 0.01
"""Slowest burst accepted (100 s between pulses); slower is not a burst (and overflows the SDK's interval)."""
MIN_LEAD_TIME_US: int = 80
"""The SDK's minimum lead before a pulse; a burst period must hold the pulse plus this lead."""
LEAD_TIME_STEP_US: int = 40
"""Lead times are multiples of this."""


def as_int(value: object, what: str) -> int:
    """Return ``value`` as a Python int if it is integral (bools excluded), else raise ``TypeError`` naming ``what``."""
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{what} must be an integer, got the bool {value!r}")
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    raise TypeError(f"{what} must be an integer, got {value!r} ({type(value).__name__})")


def describe_allowed_channels(forbidden: frozenset[int] = UNUSABLE_CHANNELS) -> str:
    if not forbidden:
        return f"0..{N_CHANNELS - 1}"
    return f"0..{N_CHANNELS - 1} except {sorted(forbidden)}"


def validate_channels(
    channels: int | Iterable[int],
    what: str = "channels",
    *,
    forbidden: frozenset[int] = UNUSABLE_CHANNELS,
    allow_empty: bool = False,
) -> tuple[int, ...]:
    """Check a group of CL1 channels and return it as a tuple of ints (order kept).

    Args:
        channels: One channel or an iterable of channels.
        what: Name used in error messages (e.g. ``"StimCommand.channels"`` or ``"layout group 'up'"``).
        forbidden: Channels that may not appear (default: 0, 4, 7, 56, 63).
        allow_empty: Whether an empty group is acceptable.

    Raises:
        TypeError: If a channel is not an integer.
        ValueError: If a channel is outside 0..63, forbidden, repeated, or the group is empty.
    """
    if isinstance(channels, int | np.integer) and not isinstance(channels, bool):
        items: list[object] = [channels]
    elif isinstance(channels, str | bytes):
        raise TypeError(f"{what} must be channel numbers, got the string {channels!r}")
    else:
        try:
            items = list(channels)  # type: ignore[arg-type]
        except TypeError:
            raise TypeError(f"{what} must be an int or an iterable of ints, got {channels!r}") from None
    out = tuple(as_int(c, f"{what} entry") for c in items)
    if not out and not allow_empty:
        raise ValueError(f"{what} is empty; give at least one channel from {describe_allowed_channels(forbidden)}")
    seen: set[int] = set()
    for c in out:
        if not 0 <= c < N_CHANNELS:
            raise ValueError(f"{what}: channel {c} is out of range; allowed: {describe_allowed_channels(forbidden)}")
        if c in forbidden:
            reason = "the reference electrode" if c in REFERENCE_CHANNELS else "grounded (cannot be stimulated)"
            raise ValueError(f"{what}: channel {c} is {reason}; allowed: {describe_allowed_channels(forbidden)}")
        if c in seen:
            raise ValueError(f"{what}: channel {c} appears more than once")
        seen.add(c)
    return out


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def check_phases(
    durations_us: Sequence[float], currents_uA: Sequence[float], prefix: str = ""
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Check each phase of a pulse against the CL1's limits; return ``(durations as ints, currents as floats)``.

    The number of phases (1 to :data:`MAX_PHASES`, one current per duration) is the caller's check: it depends
    on how the pulse was written. A refusal is a ``ValueError`` ``"{prefix}{field}[i]: ...; allowed ..."``.
    """
    durations: list[int] = []
    currents: list[float] = []
    for i, (raw_duration, raw_current) in enumerate(zip(durations_us, currents_uA, strict=True)):
        duration, current = float(raw_duration), float(raw_current)
        if not duration.is_integer() or duration < PHASE_STEP_US or int(duration) % PHASE_STEP_US:
            raise ValueError(
                f"{prefix}phase_durations_us[{i}]: {raw_duration} us is not allowed; allowed multiples of "
                f"{PHASE_STEP_US} us, at least {PHASE_STEP_US} us"
            )
        if not math.isfinite(current) or abs(current) > MAX_CURRENT_UA:
            raise ValueError(
                f"{prefix}phase_currents_uA[{i}]: {current} uA is out of range; "
                f"allowed -{MAX_CURRENT_UA}..{MAX_CURRENT_UA} uA"
            )
        if abs(current) * int(duration) > MAX_CHARGE_PER_PHASE_NC * 1000.0:  # in pC, exactly as the SDK compares
            raise ValueError(
                f"{prefix}phase_charge_nC[{i}]: {int(duration)} us x {current} uA = "
                f"{int(duration) * current / 1000.0:.3f} nC; "
                f"allowed |charge| <= {MAX_CHARGE_PER_PHASE_NC} nC per phase"
            )
        if i and _sign(currents[-1]) == _sign(current):
            raise ValueError(
                f"{prefix}phase_currents_uA[{i}]: {current} uA has the polarity of the phase before; "
                "allowed: consecutive phases of opposite polarity"
            )
        durations.append(int(duration))
        currents.append(current)
    return tuple(durations), tuple(currents)


def burst_interval_us(hz: float) -> int:
    """Time between pulse starts of a burst at ``hz``, rounded to the 20 us grid as the SDK rounds it."""
    return int(1_000_000 / hz / PHASE_STEP_US + 0.5) * PHASE_STEP_US


def check_burst(count: object, hz: float, pulse_us: int, prefix: str = "") -> tuple[int, float]:
    """Check a burst of ``count`` pulses of ``pulse_us`` at ``hz``; return ``(count, hz)``.

    A refusal is a ``ValueError`` ``"{prefix}burst_count: ..."`` or ``"{prefix}burst_hz: ...; allowed ..."``.
    """
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
        raise ValueError(f"{prefix}burst_count: {count!r} is not allowed; allowed integers >= 1")
    hz = float(hz)
    if not math.isfinite(hz) or not MIN_BURST_HZ <= hz <= MAX_BURST_HZ:
        raise ValueError(
            f"{prefix}burst_hz: {hz} Hz is out of range; allowed {MIN_BURST_HZ:g}..{MAX_BURST_HZ:g} Hz"
        )
    interval_us = burst_interval_us(hz)
    shortest_us = pulse_us + MIN_LEAD_TIME_US
    if interval_us < shortest_us:
        raise ValueError(
            f"{prefix}burst_hz: {hz} Hz leaves {interval_us} us between pulses of {pulse_us} us; "
            f"allowed burst_hz <= {1_000_000 / shortest_us:.1f} Hz (pulse + {MIN_LEAD_TIME_US} us lead)"
        )
    return int(count), hz
