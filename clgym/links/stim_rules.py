"""Stimulation rules of a CL1: what may be sent, and when each pulse lands.

Concepts
--------
A **stim request** is what an env asks for in one call: a set of channels, one pulse shape (1-3 phases of
alternating polarity, each a duration in us and a current in uA), and optionally a burst (n pulses at f Hz).
:func:`validate_stim` checks every hardware limit *before* anything is sent and returns a normalised
:class:`StimRequest`; a violation raises ``ValueError`` naming the field and the allowed range. (The SDK
itself silently drops stims on the grounded channels 0, 7, 56, 63 and would stimulate the reference electrode
4; we refuse all five, with the message of :func:`clgym.cl1.validate_channels`, the one channel
validator that channel layouts use too.) Every limit is defined and checked in :mod:`clgym.cl1`, the one stim
validator the coding layer's ``Pulse`` / ``StimCommand`` call too; this module parses the SDK's forms of a stim.

A **delivered pulse** (:class:`DeliveredPulse`) is one pulse on one channel at one 25 kHz frame.
:class:`PulseScheduler` turns requests into pulses with the timing rules the cl SDK's simulator applies
(measured and read from cl-sdk 1.0.0, re-derived here, not copied):

- time is kept on a 50 kHz grid (20 us steps); a request issued at frame ``t`` starts at
  ``2 t + lead_time_us / 20`` steps, and a pulse lands at external frame ``steps // 2``;
- a channel is busy from a pulse until the next burst slot minus the 80 us minimum lead; a single pulse uses
  the slot ``1 / min(200 Hz, 1e6 / (pulse_us + 80))``, so one channel takes at most 200 pulses/s and extra
  requests queue behind the busy time (never dropped);
- a request on several channels first aligns them to the latest busy time among them (the SDK's ``sync``),
  so the pulses of one request start together.

The in-process link uses the scheduler directly; the SDK link lets the SDK do the same thing, and a test
checks the two agree pulse for pulse.

Example
-------
>>> request = validate_stim([8, 9], 1.0)        # a float x means StimDesign(160, -x, 160, x)
>>> scheduler = PulseScheduler(start_timestamp=0)
>>> scheduler.queue(request, command_timestamp=0)
>>> [(pulse.timestamp, pulse.channel) for pulse in scheduler.pop_due(until_timestamp=250)]
[(2, 8), (2, 9)]
>>> validate_stim([4], 1.0)
Traceback (most recent call last):
...
ValueError: channels: channel 4 is the reference electrode; allowed: 0..63 except [0, 4, 7, 56, 63]
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from clgym.cl1 import (
    GROUNDED_CHANNELS,
    LEAD_TIME_STEP_US,
    MAX_BURST_HZ,
    MAX_CURRENT_UA,
    MAX_PHASES,
    MIN_LEAD_TIME_US,
    PHASE_STEP_US,
    burst_interval_us,
    check_burst,
    check_phases,
    validate_channels,
)
from clgym.cl1 import MAX_CHARGE_PER_PHASE_NC as MAX_PHASE_CHARGE_NC
from clgym.cl1 import N_CHANNELS as CHANNEL_COUNT

__all__ = [
    "CHANNEL_COUNT", "DEFAULT_PULSE_US", "GROUNDED_CHANNELS", "LEAD_TIME_STEP_US", "MAX_BURST_HZ", "MAX_CURRENT_UA",
    "MAX_PHASES", "MAX_PHASE_CHARGE_NC", "MIN_LEAD_TIME_US", "PHASE_STEP_US", "DeliveredPulse", "PulseScheduler",
    "StimRequest", "validate_stim",
]

DEFAULT_PULSE_US = 160  # phase width of the SDK's float shorthand

_STEPS_PER_FRAME = 2  # the SDK schedules on a 50 kHz grid; frames are 25 kHz
_MIN_LEAD_STEPS = MIN_LEAD_TIME_US // PHASE_STEP_US


@dataclass(frozen=True)
class StimRequest:
    """A validated stim: channels x one pulse shape x burst, with its lead time."""

    channels: tuple[int, ...]
    phase_durations_us: tuple[int, ...]
    phase_currents_uA: tuple[float, ...]
    burst_count: int = 1
    burst_hz: float | None = None  # None: a single pulse, not a burst
    lead_time_us: int = MIN_LEAD_TIME_US

    @property
    def pulse_duration_us(self) -> int:
        return sum(self.phase_durations_us)

    def burst_interval_us(self) -> int:
        """Time between pulse starts, rounded to the 20 us grid as the SDK rounds it."""
        if self.burst_hz is not None:
            hz = self.burst_hz
        else:  # the SDK's implicit one-pulse burst: as fast as the pulse allows, capped at 200 Hz
            hz = min(1_000_000 / (self.pulse_duration_us + MIN_LEAD_TIME_US), MAX_BURST_HZ)
        return burst_interval_us(hz)

    def as_stim_arguments(self) -> tuple[tuple[int, ...], tuple[float, ...], tuple[int, float] | None]:
        """``(channels, (d1_us, i1_uA, ...), (count, hz) | None)``: the arguments of ``Link.stim`` (with
        ``lead_time_us=self.lead_time_us``) that validate to this same request, e.g. to replay a logged stim."""
        phases: list[float] = []
        for duration_us, current_uA in zip(self.phase_durations_us, self.phase_currents_uA, strict=True):
            phases += [duration_us, current_uA]
        burst = None if self.burst_hz is None else (self.burst_count, self.burst_hz)
        return self.channels, tuple(phases), burst

    def to_sdk(self):
        """The equivalent ``(ChannelSet, StimDesign, BurstDesign | None)`` for ``cl`` (validated already)."""
        import cl

        channels, phases, burst = self.as_stim_arguments()
        return cl.ChannelSet(*channels), cl.StimDesign(*phases), None if burst is None else cl.BurstDesign(*burst)


class DeliveredPulse(NamedTuple):
    """One pulse on one channel, as the culture receives it (cf. ``cl.sim.DataSourceStim``)."""

    timestamp: int
    channel: int
    phase_durations_us: tuple[int, ...]
    phase_currents_uA: tuple[float, ...]


def _refuse(field: str, message: str) -> ValueError:
    return ValueError(f"{field}: {message}")


def _as_channels(channels) -> tuple[int, ...]:
    """The request's channels, sorted, a repeated channel merged (one pulse per channel, as cl.ChannelSet)."""
    if isinstance(channels, (int, np.integer)):
        channels = (channels,)
    try:
        unique = list(dict.fromkeys(channels))
        return tuple(sorted(validate_channels(unique, "channels")))
    except TypeError as error:  # not ints / not iterable: still a ValueError naming the field
        raise _refuse("channels", f"expected channel numbers, got {channels!r} ({error})") from error


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _design_phases(design) -> list[float]:
    """Flat (duration_us, current_uA, ...) from a float, a flat sequence, or a ``cl.StimDesign``."""
    if _is_number(design):
        x = float(design)
        return [DEFAULT_PULSE_US, -x, DEFAULT_PULSE_US, x]
    flat = getattr(design, "_args", design)  # cl.StimDesign keeps its constructor arguments here
    if isinstance(flat, Sequence) and not isinstance(flat, str) and all(_is_number(x) for x in flat):
        return list(flat)
    raise _refuse("design", f"expected a float (uA), (d1_us, i1_uA, ...) or a cl.StimDesign, got {design!r}")


def _validate_phases(flat: list[float]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    if len(flat) not in (2, 4, 6):
        raise _refuse(
            "design",
            f"{len(flat)} numbers given; allowed 1 to {MAX_PHASES} phases as (duration_us, current_uA) pairs",
        )
    return check_phases(flat[0::2], flat[1::2])


def _burst_parts(burst) -> tuple[object, float | None]:
    if burst is None:
        return 1, None
    parts = getattr(burst, "_args", burst)  # cl.BurstDesign keeps (count, hz) here
    try:
        count, hz = parts
        hz = float(hz)
    except (TypeError, ValueError) as error:
        raise _refuse("burst", f"{burst!r} is not allowed; allowed None, (count, hz) or a cl.BurstDesign") from error
    return count, hz


def validate_stim(channels, design, burst=None, lead_time_us: int = MIN_LEAD_TIME_US) -> StimRequest:
    """Check a stim against every CL1 limit; return it normalised, or raise ``ValueError`` naming the field.

    ``channels``: an int, an iterable of ints or a ``cl.ChannelSet``; ``design``: a float x (the SDK's
    shorthand for ``StimDesign(160, -x, 160, x)``), a flat ``(d1_us, i1_uA, d2_us, i2_uA, ...)`` or a
    ``cl.StimDesign``; ``burst``: ``None``, ``(count, hz)`` or a ``cl.BurstDesign``. Envs send the same few
    stims over and over, so valid results are cached by value (refusals are always re-checked).
    """
    try:
        key = (
            (channels,) if isinstance(channels, (int, np.integer)) else tuple(channels),
            design if isinstance(design, (int, float, str)) else tuple(getattr(design, "_args", design)),
            None if burst is None else tuple(getattr(burst, "_args", burst)),
            lead_time_us,
        )
        return _validate_cached(*key)
    except TypeError:  # something unhashable or not iterable: validate (and explain) without the cache
        return _validate(channels, design, burst, lead_time_us)


@functools.lru_cache(maxsize=4096)
def _validate_cached(channels, design, burst, lead_time_us) -> StimRequest:
    return _validate(channels, design, burst, lead_time_us)


def _validate(channels, design, burst, lead_time_us) -> StimRequest:
    channel_tuple = _as_channels(channels)
    durations, currents = _validate_phases(_design_phases(design))
    count, hz = _burst_parts(burst)
    if hz is not None:
        count, hz = check_burst(count, hz, sum(durations))
    if (
        isinstance(lead_time_us, bool)
        or not isinstance(lead_time_us, (int, np.integer))
        or lead_time_us < MIN_LEAD_TIME_US
        or lead_time_us % LEAD_TIME_STEP_US
    ):
        raise _refuse(
            "lead_time_us",
            f"{lead_time_us!r} is not allowed; allowed multiples of "
            f"{LEAD_TIME_STEP_US} us, at least {MIN_LEAD_TIME_US} us",
        )
    return StimRequest(channel_tuple, durations, currents, count, hz, int(lead_time_us))


class PulseScheduler:
    """Queues stim requests and releases their pulses window by window, with the SDK's timing.

    ``queue(request, command_timestamp)`` plans every pulse of the request (bursts expanded, busy channels
    waited for); ``pop_due(until_timestamp)`` returns the pulses landing before ``until_timestamp``, sorted
    by (timestamp, channel).
    """

    def __init__(self, start_timestamp: int = 0):
        self._busy_until_steps = [start_timestamp * _STEPS_PER_FRAME] * CHANNEL_COUNT  # per channel
        self._pending: list[tuple[int, int, int, DeliveredPulse]] = []  # (timestamp, channel, order, pulse)
        self._order = 0

    def __len__(self) -> int:
        return len(self._pending)

    def queue(self, request: StimRequest, command_timestamp: int) -> None:
        from_steps = command_timestamp * _STEPS_PER_FRAME
        lead_steps = request.lead_time_us // PHASE_STEP_US
        interval_us = request.burst_interval_us()
        busy = self._busy_until_steps
        channels = list(request.channels)
        if len(channels) > 1:  # align the channels of one request (the SDK's sync)
            aligned = max(from_steps, *(busy[channel] for channel in channels))
            for channel in channels:
                busy[channel] = aligned
        for channel in channels:
            free_steps = busy[channel]
            start_steps = (from_steps if from_steps > free_steps else free_steps) + lead_steps
            for i in range(request.burst_count):
                pulse_steps = start_steps + (i * interval_us) // PHASE_STEP_US
                pulse = DeliveredPulse(
                    pulse_steps // _STEPS_PER_FRAME,
                    channel,
                    request.phase_durations_us,
                    request.phase_currents_uA,
                )
                heapq.heappush(self._pending, (pulse.timestamp, channel, self._order, pulse))
                self._order += 1
            busy[channel] = start_steps + (request.burst_count * interval_us) // PHASE_STEP_US - _MIN_LEAD_STEPS

    def pop_due(self, until_timestamp: int) -> list[DeliveredPulse]:
        due: list[DeliveredPulse] = []
        pending = self._pending
        while pending and pending[0][0] < until_timestamp:
            due.append(heapq.heappop(pending)[3])
        return due
