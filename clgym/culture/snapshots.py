"""Restore a culture's snapshot at another point in time: the same dish state, a different clock.

``Culture.restore(snap)`` brings a culture back to the moment the snapshot was taken, clock included. A
protocol that forks a culture (grow and settle once, then start every experimental condition from that same
state, or probe a frozen copy and carry on) needs the state without the clock: the link driving the culture
has its own timeline, and the culture must continue from the link's current frame. :func:`restore_at` shifts
every time-stamped part of the state (short-term plasticity's last update, the next miniature EPSP, spikes in
flight in the delay rings, the tetanus and dead-time history, pending pulses) by the same whole number of
engine steps, so the dynamics after the restore are exactly those after the snapshot, just later.

Example
-------
>>> from clgym.culture import Culture, CultureConfig
>>> c = Culture(CultureConfig.from_preset("tiny", seed=1))
>>> _ = c.advance(25_000)
>>> snap = c.snapshot()
>>> fresh = Culture(CultureConfig.from_preset("tiny", seed=1))
>>> restore_at(fresh, snap, frame=0)
>>> fresh.frame
0
"""

from __future__ import annotations

import numpy as np

from . import kernel as K
from .culture import Culture


def restore_at(culture: Culture, snap: dict, frame: int) -> None:
    """Restore ``snap`` into ``culture`` with the clock set so that the snapshot's moment is ``frame``.

    ``frame`` must be on an engine step boundary (a multiple of 25 frames at dt 1 ms). The spikes that follow
    are bit-identical to those that followed the snapshot (shifted) when the shift is a whole number of
    homeostasis periods (1 s by default); otherwise synaptic scaling runs at other moments of the clock. """
    fps = culture.config.frames_per_step
    frame = int(frame)
    if frame < 0 or frame % fps:
        raise ValueError(f"frame={frame} is not allowed; allowed: a non-negative multiple of {fps} (one engine step)")
    if snap["frame"] % fps:
        raise ValueError(f"the snapshot was taken at frame {snap['frame']}, inside an engine step; take snapshots "
                         "between reads of whole steps")
    culture.restore(snap)
    shift_frames = frame - int(snap["frame"])
    if shift_frames == 0:
        return
    shift = shift_frames // fps  # in engine steps
    culture._step += shift
    culture.frame += shift_frames
    culture.stp_last[...] += shift
    culture.next_mini[...] += shift
    depth = culture.ring_e.shape[0]
    # the ring slot of step s is s % depth: content due at snapshot step s0 + d must now sit at s0 + shift + d
    culture._ring[...] = np.roll(culture._ring, shift % depth, axis=1)
    for row in (K.R_TET_LAST, K.R_CH_LAST_SPIKE):
        never = culture._tet[row] == K.NO_PULSE_FRAME
        culture._tet[row] += shift_frames
        culture._tet[row][never] = K.NO_PULSE_FRAME
    capture_until = culture._tet[K.R_TET_MISC, K.T_CAPTURE_UNTIL]
    if capture_until > 0:
        culture._tet[K.R_TET_MISC, K.T_CAPTURE_UNTIL] = capture_until + shift
    culture._pending = [(s + shift, ch, drive, f + shift_frames, ua) for s, ch, drive, f, ua in culture._pending]
    held = culture._held
    culture._held = (held[0] + shift_frames, held[1], held[2], held[3] + shift_frames, held[4])
    culture._stim_log = [(f + shift_frames, ch, ua) for f, ch, ua in culture._stim_log]
