"""Pong's coding: the channel layout of CLPong-v0 on the CL1's 8 x 8 MEA.

The default Pong layout (:func:`pong_layout`), ``S`` sensory (place index 0-7), ``U`` up, ``D`` down, ``x``
unusable::

         c0  c1  c2  c3  c4  c5  c6  c7
    r0    x   U   U   U   x   D   D   x
    r1    U   U   U   U   D   D   D   D
    r2    U   U   U   U   D   D   D   D
    r3    U   U  S7  S6  S5  S4   D   D
    r4    D   D  S0  S1  S2  S3   U   U
    r5    D   D   D   D   U   U   U   U
    r6    D   D   D   D   U   U   U   U
    r7    x   D   D   D   U   U   U   x

* Sensory: a 2 x 4 block in the centre, like the paper's central sensory area. The place index runs in a snake
  (S0 .. S7) so that neighbouring ball bands are neighbouring electrodes (200 um apart); band 0 (bottom of the
  field, small y) is on the lower row, so the field's "up" is the array's "up".
* Motor: DishBrain split each motor region into two mirrored halves to cancel any side bias of the culture.
  Here "up" is the top-left plus the bottom-right quadrant and "down" the top-right plus the bottom-left
  quadrant (a 180-degree rotation maps each region onto itself); 26 and 25 channels (channel 4 costs "down"
  one). The decoder's adaptive baseline normalises the small size difference away.
* Feedback: on the sensory channels.

The encoder (:class:`~clgym.coding.encoders.PlaceRateEncoder`), the adaptive-gain motor decoder
(:class:`~clgym.coding.decoders.MotorRegionDecoder`) and DishBrain's feedback conditions
(:mod:`clgym.coding.feedback`) are shared with Doom-lite and stay at the top of :mod:`clgym.coding`.
"""

from __future__ import annotations

from clgym.coding.layout import GRID_SIZE, ChannelLayout, rowcol_to_channel
from clgym.coding.stimulus import UNUSABLE_CHANNELS

__all__ = ["pong_layout"]


def _quadrant(rows: range, cols: range, exclude: set[int]) -> tuple[int, ...]:
    return tuple(
        r * GRID_SIZE + c
        for r in rows
        for c in cols
        if r * GRID_SIZE + c not in exclude and r * GRID_SIZE + c not in UNUSABLE_CHANNELS
    )


def pong_layout() -> ChannelLayout:
    """The default CLPong layout (see the module docstring for the map and the reasons).

    Returns:
        A :class:`ChannelLayout` with 8 sensory channels ``(34, 35, 36, 37, 29, 28, 27, 26)``, motor regions
        ``up`` (top-left + bottom-right quadrants) and ``down`` (top-right + bottom-left), feedback on
        sensory.
    """
    lower = [rowcol_to_channel(4, c) for c in range(2, 6)]  # bands 0-3, left to right
    upper = [rowcol_to_channel(3, c) for c in range(5, 1, -1)]  # bands 4-7, right to left (snake)
    sensory = tuple(lower + upper)
    taken = set(sensory)
    top, bottom, left, right = range(0, 4), range(4, 8), range(0, 4), range(4, 8)
    up = (_quadrant(top, left, taken), _quadrant(bottom, right, taken))
    down = (_quadrant(top, right, taken), _quadrant(bottom, left, taken))
    return ChannelLayout.from_halves(sensory, (up, down), ("up", "down"))
