"""What the rig does not record around stimulation: per-pulse artefact blanking and amplifier saturation in trains.

Concepts
--------
This is the recording's side of stimulation, not the neurons': the neurons fire as they would, but the MEA
reports no spike on any channel while it is blind. Two rules, each off unless configured
(:class:`~clgym.culture.config.CultureConfig`):

* **Artefact blanking** (``stim_blanking_ms``): every pulse blinds every channel for this long after it. A
  pulse's artefact swamps the electrodes for ~1-2 ms even after artefact suppression, and spikes evoked
  directly (antidromically) by the pulse fall inside it (Wagenaar & Potter 2002, J Neurosci Methods 120:113;
  Wagenaar, Pine & Potter 2004, J Neurosci Methods 138:27).
* **Saturation in trains** (``train_saturation_pulses`` > 0): once that many pulses (a pulse on several channels
  at one frame counts once) follow each other at most ``train_saturation_gap_ms`` apart, the amplifiers saturate:
  every channel is blind from that pulse until ``train_saturation_recovery_ms`` after the run's last pulse.
  DishBrain's own recordings show it: during the 100 Hz hit train the MaxOne records nothing from ~50 ms after
  the logged hit until ~130 ms, though spikes are recorded 2-20 ms after single pulses (``docs/dishbrain.md``).

The cl SDK models neither (its simulator passes on whatever spikes a source returns) and the CL1's
documentation does not describe its artefact handling, so both are off by default. The ``maxone`` recording
profile (:data:`clgym.culture.config.RIG_PROFILES`) turns them on with the values DishBrain's recordings show;
``clgym calibrate --game`` records the simulated culture that way to compare it with DishBrain's.

Example
-------
>>> import numpy as np
>>> b = StimBlanking(blanking_frames=50, saturation_pulses=0, gap_frames=0, recovery_frames=0)
>>> b.keep(np.array([0, 100, 120, 200]), pulse_frames=np.array([100]), first_frame=0)
array([ True, False, False,  True])
"""

from __future__ import annotations

import numpy as np

NO_PULSE = -(10**15)


class StimBlanking:
    """The two rules of the module docstring, with the state that carries from one simulated window to the next
    (a saturating run, a blind interval that outlasts the window)."""

    def __init__(self, blanking_frames: int, saturation_pulses: int, gap_frames: int, recovery_frames: int):
        self.blanking_frames = int(blanking_frames)
        self.saturation_pulses = int(saturation_pulses)
        self.gap_frames = int(gap_frames)
        self.recovery_frames = int(recovery_frames)
        self.state = np.array([NO_PULSE, 0, NO_PULSE], np.int64)  # last pulse frame, run length, blind until

    @property
    def active(self) -> bool:
        return self.blanking_frames > 0 or self.saturation_pulses > 0

    def keep(self, timestamps: np.ndarray, pulse_frames: np.ndarray, first_frame: int) -> np.ndarray:
        """Mask of the detections in ``timestamps`` (frames >= ``first_frame``) that the rig records, given the
        pulses delivered from ``first_frame`` on (``pulse_frames``, sorted, in the same window)."""
        last, run, blind_until = (int(x) for x in self.state)
        starts, ends = [], []
        if blind_until > first_frame:
            starts.append(first_frame)
            ends.append(blind_until)
        for f in np.unique(np.asarray(pulse_frames, np.int64)).tolist():
            run = run + 1 if f - last <= self.gap_frames else 1
            last = f
            if self.blanking_frames > 0:
                starts.append(f)
                ends.append(f + self.blanking_frames)
            if 0 < self.saturation_pulses <= run:
                starts.append(f)
                ends.append(f + self.recovery_frames)
        if ends:
            blind_until = max(blind_until, max(ends))
        self.state[:] = (last, run, blind_until)
        ts = np.asarray(timestamps, np.int64)
        if not starts or ts.size == 0:
            return np.ones(ts.size, bool)
        s, e = np.asarray(starts, np.int64), np.asarray(ends, np.int64)
        order = np.argsort(s, kind="stable")
        s, e = s[order], np.maximum.accumulate(e[order])  # with sorted starts, a running max merges overlaps
        idx = np.searchsorted(s, ts, side="right") - 1
        return ~((idx >= 0) & (ts < e[np.maximum(idx, 0)]))
