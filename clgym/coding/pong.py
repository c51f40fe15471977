"""Pong's coding: the channel layouts of CLPong-v0 on the CL1's 8 x 8 MEA.

Two layouts. The env's default is :func:`dishbrain_layout`, the paper's geometry (below): the paddle then
moves only through pathways that cross the culture. :func:`pong_layout` (``layout="quadrants"``) puts the
motor regions right beside the sensory block, where current from a sensory electrode reaches motor neurons
directly; it stays for comparison and for agents that need a strong, immediate read-out.

DishBrain's geometry on the CL1 grid: a sensory band across the array, two motor blocks ~1 mm apart.

In the paper's recording configuration (``docs/dishbrain.md``) the sensory area is a band across the chip's
width and the two motor blocks sit ~0.6 mm from it and ~1 mm apart, each split into an "up" and a "down" half,
both blocks split the same way (not mirrored). On the CL1's 8 x 8 grid (200 um pitch) that becomes, ``S``
sensory (place index 0-7), ``U`` up, ``D`` down, ``x`` unusable, ``.`` free::

         c0  c1  c2  c3  c4  c5  c6  c7
    r0    x   .   .   .   x   .   .   x
    r1   S0  S1  S2  S3  S4  S5  S6  S7
    r2    .   .   .   .   .   .   .   .
    r3    .   .   .   .   .   .   .   .
    r4    U   U   U   .   .   U   U   U
    r5    U   U   U   .   .   U   U   U
    r6    D   D   D   .   .   D   D   D
    r7    x   D   D   .   .   D   D   x

* Sensory: row 1, the whole width (1.4 mm); band i on column i.
* Motor blocks: rows 4-7 of columns 0-2 (left) and 5-7 (right): 0.6 mm below the band, centres 1.0 mm apart.
  Up = the blocks' upper halves (12 channels), down = the lower halves (10; two corners are grounded). The up
  halves are 400 um nearer the band than the down halves; DishBrain's decoder divides each region's count by
  its own running mean (the adaptive gain), which removes such a constant bias.
* Feedback on the sensory channels, as in DishBrain.

The quadrants layout (:func:`pong_layout`), ``S`` sensory (place index 0-7), ``U`` up, ``D`` down, ``x``
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

from clgym.cl1 import GRID_SIZE, UNUSABLE_CHANNELS
from clgym.coding.layout import ChannelLayout, rowcol_to_channel

__all__ = ["dishbrain_layout", "motor_blocks", "pong_layout"]


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


SENSORY_ROW = 1
MOTOR_ROWS_UP = (4, 5)
MOTOR_ROWS_DOWN = (6, 7)
LEFT_BLOCK_COLS = (0, 1, 2)
RIGHT_BLOCK_COLS = (5, 6, 7)


def _block(rows, cols) -> tuple[int, ...]:
    return tuple(c for c in (rowcol_to_channel(r, k) for r in rows for k in cols) if c not in UNUSABLE_CHANNELS)


def motor_blocks() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The left and the right motor block (all rows), for block-to-block statistics."""
    rows = MOTOR_ROWS_UP + MOTOR_ROWS_DOWN
    return _block(rows, LEFT_BLOCK_COLS), _block(rows, RIGHT_BLOCK_COLS)


def dishbrain_layout() -> ChannelLayout:
    """DishBrain's geometry on the CL1 (see the module docstring)."""
    sensory = tuple(rowcol_to_channel(SENSORY_ROW, c) for c in range(8))
    up = (_block(MOTOR_ROWS_UP, LEFT_BLOCK_COLS), _block(MOTOR_ROWS_UP, RIGHT_BLOCK_COLS))
    down = (_block(MOTOR_ROWS_DOWN, LEFT_BLOCK_COLS), _block(MOTOR_ROWS_DOWN, RIGHT_BLOCK_COLS))
    return ChannelLayout.from_halves(sensory, (up, down), ("up", "down"))
