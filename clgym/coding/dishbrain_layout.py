"""DishBrain's geometry on the CL1 grid: a sensory band across the array, two motor blocks ~1 mm apart.

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
"""

from __future__ import annotations

from clgym.coding.layout import ChannelLayout, rowcol_to_channel

SENSORY_ROW = 1
MOTOR_ROWS_UP = (4, 5)
MOTOR_ROWS_DOWN = (6, 7)
LEFT_BLOCK_COLS = (0, 1, 2)
RIGHT_BLOCK_COLS = (5, 6, 7)
_UNUSABLE = {0, 4, 7, 56, 63}


def _block(rows, cols) -> tuple[int, ...]:
    return tuple(c for c in (rowcol_to_channel(r, k) for r in rows for k in cols) if c not in _UNUSABLE)


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
