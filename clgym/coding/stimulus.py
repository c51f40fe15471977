"""Plain descriptions of CL1 stimulation, independent of the ``cl`` package.

Encoders and feedback conditions speak in :class:`Pulse` and :class:`StimCommand`; the link layer turns a
command into
``neurons.stim(ChannelSet(*cmd.channels), StimDesign(*cmd.pulse.as_args()), BurstDesign(n, hz))``.
Every limit the CL1 enforces is checked here, at construction, so a bad design fails in the caller's frame
with a message naming the field and the allowed range (instead of a dropped stim or a dead producer later).

CL1 limits (cl-sdk 1.0.0, see ``docs/cl-sdk.md``; defined once in :mod:`clgym.cl1`, which also checks them):

* 64 channels (8 x 8 grid, ``channel = row * 8 + col``); 0, 7, 56, 63 are grounded and cannot be stimulated,
  4 is the reference electrode (the SDK's own app model lists it as non-stimulable too).
* A pulse has 1-3 phases of alternating polarity, each ``>= 20 us`` and a multiple of 20 us, ``|I| <= 3 uA``
  and at most 3 nC (``|I| * t``) per phase.
* A burst repeats the pulse ``burst_count`` times at ``burst_hz <= 200`` Hz; its period, rounded to 20 us as
  the SDK does, must hold the pulse plus the SDK's 80 us minimum lead (the link layer applies the same rule).

Amplitude mapping from the paper (DishBrain drove a MaxOne HD-MEA in *voltage* mode)
---------------------------------------------------------------------------------------
The paper's sensory and "predictable" pulses were 75 mV and the "unpredictable" ones 150 mV, 200 us per phase.
A CL1 stimulates in current mode, so a volts-to-amps mapping is a modelling choice, not a unit conversion. We
use a linear gain ``uA = mV * (1.0 uA / 75 mV)``, i.e. 75 mV -> 1.0 uA and 150 mV -> 2.0 uA, and keep the 200
us phase:

* Order of magnitude: on MaxOne electrodes (5 x 9 um) 70 mV and 100 nA are both about the threshold for
  evoking spikes (Ronchi et al. 2019, Front. Neurosci. 13:208). Equal effect needs roughly equal current
  *density*; scaling 100 nA from 45 um^2 to a conventional ~30 um MEA electrode (~700 um^2, our assumption for
  a CL1 electrode) gives ~1.5 uA. 1.0 uA at 200 us is 0.2 nC per phase, a moderate, reliably evoking pulse.
* The 2:1 ratio of the unpredictable to the predictable stimulus is kept exactly (the part of the protocol
  that matters for the free-energy argument), and both sit well inside the 3 uA / 3 nC limits.
* The gain is a parameter (:func:`voltage_to_current_uA`), so a calibration on a real CL1 changes one number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from clgym.cl1 import (
    MAX_BURST_HZ,
    MAX_CHARGE_PER_PHASE_NC,
    MAX_CURRENT_UA,
    MAX_PHASES,
    MIN_BURST_HZ,
    MIN_LEAD_TIME_US,
    N_CHANNELS,
    NON_STIMULABLE_CHANNELS,
    PHASE_STEP_US,
    REFERENCE_CHANNELS,
    STIMULABLE_CHANNELS,
    UNUSABLE_CHANNELS,
    check_burst,
    check_phases,
    validate_channels,
)
from clgym.cl1 import as_int as _as_int

__all__ = [
    "N_CHANNELS",
    "NON_STIMULABLE_CHANNELS",
    "REFERENCE_CHANNELS",
    "UNUSABLE_CHANNELS",
    "STIMULABLE_CHANNELS",
    "MAX_CURRENT_UA",
    "MAX_CHARGE_PER_PHASE_NC",
    "PHASE_STEP_US",
    "MAX_BURST_HZ",
    "MIN_BURST_HZ",
    "MIN_LEAD_TIME_US",
    "MAX_PHASES",
    "PAPER_REFERENCE_MV",
    "PAPER_REFERENCE_UA",
    "PAPER_PHASE_US",
    "Pulse",
    "StimCommand",
    "SENSORY_PULSE",
    "PREDICTABLE_PULSE",
    "UNPREDICTABLE_PULSE",
    "voltage_to_current_uA",
    "validate_channels",
    "pulses_per_channel",
    "stim_channel_array",
]

PAPER_REFERENCE_MV: float = 75.0
"""DishBrain's sensory / predictable pulse amplitude (voltage mode, MaxOne)."""
PAPER_REFERENCE_UA: float = 1.0
"""The CL1 current we map :data:`PAPER_REFERENCE_MV` to (see the module docstring)."""
PAPER_PHASE_US: int = 200
"""DishBrain's phase duration, kept as is (a multiple of 20 us)."""


def voltage_to_current_uA(
    millivolts: float, reference_mv: float = PAPER_REFERENCE_MV, reference_uA: float = PAPER_REFERENCE_UA
) -> float:
    """Map a DishBrain voltage-mode amplitude to a CL1 current, linearly through ``(reference_mv,
    reference_uA)``.

    Args:
        millivolts: Amplitude used on the MaxOne in the paper (75 mV sensory/hit, 150 mV miss).
        reference_mv: The voltage of the calibration point.
        reference_uA: The current of the calibration point.

    Returns:
        The current in uA (``75 -> 1.0``, ``150 -> 2.0`` with the defaults).

    Raises:
        ValueError: If an argument is not finite or the reference voltage is not positive.
    """
    for name, value in (
        ("millivolts", millivolts),
        ("reference_mv", reference_mv),
        ("reference_uA", reference_uA),
    ):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if reference_mv <= 0:
        raise ValueError(f"reference_mv must be > 0 mV, got {reference_mv!r}")
    return float(millivolts) * float(reference_uA) / float(reference_mv)


@dataclass(frozen=True, slots=True)
class Pulse:
    """One charge-balanced (or not) stimulation pulse of 1-3 phases, as a CL1 delivers it in current mode.

    Args:
        phase_durations_us: Duration of each phase, each ``>= 20`` us and a multiple of 20 us.
        phase_currents_uA: Current of each phase, ``0 < |I| <= 3`` uA, alternating polarity
            (negative first is the usual cathodic-first biphasic pulse).

    Raises:
        ValueError: On any violated CL1 limit; the message names the field, the phase and the allowed range.

    Example:
        >>> Pulse.biphasic(1.0)          # DishBrain's 75 mV sensory pulse on a CL1
        Pulse(phase_durations_us=(200, 200), phase_currents_uA=(-1.0, 1.0))
    """

    phase_durations_us: tuple[int, ...]
    phase_currents_uA: tuple[float, ...]

    def __post_init__(self) -> None:
        durs = tuple(self.phase_durations_us) if isinstance(self.phase_durations_us, Iterable) else None
        curs = tuple(self.phase_currents_uA) if isinstance(self.phase_currents_uA, Iterable) else None
        if durs is None or curs is None:
            raise TypeError("Pulse.phase_durations_us and Pulse.phase_currents_uA must be sequences")
        if not 1 <= len(durs) <= MAX_PHASES:
            raise ValueError(f"Pulse.phase_durations_us must have 1-{MAX_PHASES} phases, got {len(durs)}")
        if len(curs) != len(durs):
            raise ValueError(
                f"Pulse.phase_currents_uA has {len(curs)} entries but phase_durations_us has {len(durs)}; "
                "give one current per phase"
            )
        durs = tuple(_as_int(d, f"Pulse.phase_durations_us[{i}]") for i, d in enumerate(durs))
        fcurs: list[float] = []
        for i, c in enumerate(curs):
            try:
                c = float(c)
            except (TypeError, ValueError):
                raise TypeError(f"Pulse.phase_currents_uA[{i}] must be a number, got {c!r}") from None
            if c == 0.0:
                raise ValueError(
                    f"Pulse.phase_currents_uA[{i}]: 0.0 uA is not allowed; allowed 0 < |I| <= {MAX_CURRENT_UA} uA"
                )
            fcurs.append(c)
        durs, fcurs = check_phases(durs, fcurs, "Pulse.")
        object.__setattr__(self, "phase_durations_us", durs)
        object.__setattr__(self, "phase_currents_uA", tuple(fcurs))

    @classmethod
    def biphasic(
        cls, current_uA: float, phase_us: int = PAPER_PHASE_US, *, cathodic_first: bool = True
    ) -> Pulse:
        """A symmetric biphasic pulse ``(-I, +I)`` (or ``(+I, -I)``) with equal phases.

        Args:
            current_uA: Amplitude ``0 < I <= 3`` uA.
            phase_us: Duration of each phase (multiple of 20 us, default 200 us as in the paper).
            cathodic_first: Negative phase first (the usual choice).
        """
        i = float(current_uA)
        if not math.isfinite(i) or i <= 0:
            raise ValueError(
                f"Pulse.biphasic current_uA = {current_uA!r}; allowed: 0 < I <= {MAX_CURRENT_UA} uA"
            )
        first = -i if cathodic_first else i
        return cls((phase_us, phase_us), (first, -first))

    @classmethod
    def from_voltage_mv(cls, millivolts: float, phase_us: int = PAPER_PHASE_US) -> Pulse:
        """The CL1 pulse we use for a DishBrain voltage-mode pulse of ``millivolts`` (see the module doc)."""
        return cls.biphasic(voltage_to_current_uA(millivolts), phase_us)

    @property
    def duration_us(self) -> int:
        """Total duration of the pulse (sum of phases)."""
        return sum(self.phase_durations_us)

    @property
    def charges_nC(self) -> tuple[float, ...]:
        """Signed charge of each phase in nC."""
        return tuple(
            c * d / 1000.0 for d, c in zip(self.phase_durations_us, self.phase_currents_uA, strict=True)
        )

    @property
    def net_charge_nC(self) -> float:
        """Net charge of the pulse (0 for a balanced pulse)."""
        return float(sum(self.charges_nC))

    def as_args(self) -> tuple[int | float, ...]:
        """The flat ``(d1, I1, d2, I2, ...)`` tuple ``cl.StimDesign(*args)`` takes."""
        out: list[int | float] = []
        for d, c in zip(self.phase_durations_us, self.phase_currents_uA, strict=True):
            out.extend((d, c))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class StimCommand:
    """Stimulate ``channels`` with ``pulse``, once or as a burst, starting at the tick the command is issued.

    Args:
        channels: CL1 channels, 0..63 except 0, 4, 7, 56, 63; no repeats. A single int is accepted.
        pulse: The pulse shape.
        burst_count: Number of pulses per channel (``>= 1``; 1 means a single pulse, no BurstDesign).
        burst_hz: Pulse rate of the burst, ``0.01 <= burst_hz <= 200``; required when ``burst_count > 1``.

    Raises:
        ValueError: On an invalid channel, count or rate; the message names the field and what is allowed.
    """

    channels: tuple[int, ...]
    pulse: Pulse
    burst_count: int = 1
    burst_hz: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", validate_channels(self.channels, "StimCommand.channels"))
        if not isinstance(self.pulse, Pulse):
            raise TypeError(f"StimCommand.pulse must be a Pulse, got {type(self.pulse).__name__}")
        count = _as_int(self.burst_count, "StimCommand.burst_count")
        hz = self.burst_hz
        if hz is None:
            check_burst(count, MAX_BURST_HZ, 0, "StimCommand.")  # the count alone
            object.__setattr__(self, "burst_count", count)
            if count > 1:
                raise ValueError(
                    f"StimCommand.burst_hz is required when burst_count = {count} > 1; "
                    f"allowed: 0 < burst_hz <= {MAX_BURST_HZ:g} Hz"
                )
            return
        try:
            hz = float(hz)
        except (TypeError, ValueError):
            raise TypeError(f"StimCommand.burst_hz must be a number, got {self.burst_hz!r}") from None
        count, hz = check_burst(count, hz, self.pulse.duration_us, "StimCommand.")
        object.__setattr__(self, "burst_count", count)
        object.__setattr__(self, "burst_hz", hz)

    @property
    def n_pulses(self) -> int:
        """Pulses delivered in total (channels x burst_count)."""
        return len(self.channels) * self.burst_count

    @property
    def duration_s(self) -> float:
        """Time from the first pulse onset to the end of the last pulse, in seconds."""
        period = 0.0 if self.burst_count == 1 else (self.burst_count - 1) / float(self.burst_hz or 1.0)
        return period + self.pulse.duration_us * 1e-6

    def pulse_offsets_s(self) -> np.ndarray:
        """Onset of each pulse of the burst relative to the first one, in seconds, ``(burst_count,)``."""
        if self.burst_count == 1:
            return np.zeros(1)
        return np.arange(self.burst_count) / float(self.burst_hz)  # type: ignore[arg-type]


SENSORY_PULSE: Pulse = Pulse.from_voltage_mv(75.0)
"""The sensory (place + rate) pulse: DishBrain's 75 mV -> -1.0/+1.0 uA, 200 us per phase (0.2 nC)."""
PREDICTABLE_PULSE: Pulse = Pulse.from_voltage_mv(75.0)
"""The hit ("predictable") feedback pulse: 75 mV in the paper -> 1.0 uA, 200 us/phase."""
UNPREDICTABLE_PULSE: Pulse = Pulse.from_voltage_mv(150.0)
"""The miss ("unpredictable") feedback pulse: 150 mV in the paper -> 2.0 uA, 200 us/phase (0.4 nC)."""


def pulses_per_channel(commands: Sequence[StimCommand], n_channels: int = N_CHANNELS) -> np.ndarray:
    """Count the pulses each channel receives from ``commands`` (bursts count every pulse).

    Returns:
        An int64 array of shape ``(n_channels,)``.
    """
    out = np.zeros(n_channels, dtype=np.int64)
    for cmd in commands:
        out[list(cmd.channels)] += cmd.burst_count
    return out


def stim_channel_array(commands: Sequence[StimCommand]) -> np.ndarray:
    """The channels of ``commands`` as one int64 array with one entry per (command, channel), for display.

    A burst contributes each of its channels once (its onset), which is what a per-tick raster marks.
    """
    if not commands:
        return np.zeros(0, dtype=np.int64)
    return np.fromiter((c for cmd in commands for c in cmd.channels), dtype=np.int64)
