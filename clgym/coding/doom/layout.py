"""The CL1 channel layout for Doom-lite: a bearing place code, wall-proximity channels, four motor groups.

Channel numbering is the CL1's (``channel = row * 8 + col``, see :mod:`clgym.coding.layout`). The default
layout (:func:`doom_layout`), ``B`` bearing (place index 0-7, left to right across the field of view), ``W``
wall proximity (sector 0-3, left to right), motor groups ``L`` turn_left, ``R`` turn_right, ``F`` forward,
``A`` attack, ``x`` unusable, ``.`` free::

         c0  c1  c2  c3  c4  c5  c6  c7
    r0    x   L   F   F   x   A   R   x
    r1    L   L   F   F   A   A   R   R
    r2    L   L   F   F   A   A   R   R
    r3   B0  B1  B2  B3  B4  B5  B6  B7
    r4    .   .  W0  W1  W2  W3   .   .
    r5    R   R   A   A   F   F   L   L
    r6    R   R   A   A   F   F   L   L
    r7    x   R   A   .   F   F   L   x

* Bearing: a row across the array, so a thing on the player's left stimulates the array's left (neighbouring
  bands are neighbouring electrodes, 200 um apart), as CLPong's place code keeps neighbouring ball bands together.
* Wall proximity: four channels under the bearing row, one per sector of the field of view.
* Motor: as DishBrain split each motor region into mirrored halves to cancel a side bias of the culture, each
  group here is a 2-column block of the top three rows plus its 180-degree rotation in the bottom three rows
  (channel ``c`` -> ``63 - c``), so every group is symmetric about the array's centre. A grounded corner or the
  reference electrode costs its group the channel and its partner (channel 59, partner of the reference
  electrode 4, stays free): 10, 10, 12 and 10 channels. The decoder's adaptive baselines normalise the
  difference away.
* Feedback: on the sensory channels (bearing and wall), as in DishBrain.

Example:
    >>> layout = doom_layout()
    >>> layout.bearing, layout.wall
    ((24, 25, 26, 27, 28, 29, 30, 31), (34, 35, 36, 37))
    >>> layout.readout_names[-4:]
    ('turn_left', 'turn_right', 'forward', 'attack')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from clgym.cl1 import GRID_SIZE, N_CHANNELS, UNUSABLE_CHANNELS, validate_channels
from clgym.coding.decoders import channel_counts
from clgym.coding.layout import ChannelLayout, grid_text, label_grid, rowcol_to_channel

__all__ = ["DOOM_MOTOR_NAMES", "DoomLayout", "doom_layout"]

DOOM_MOTOR_NAMES: tuple[str, ...] = ("turn_left", "turn_right", "forward", "attack")
"""The motor groups, in decoder order; each is also the name of the Doom-lite action it triggers."""
_GRID_LABELS = {"turn_left": "L", "turn_right": "R", "forward": "F", "attack": "A"}


@dataclass(frozen=True)
class DoomLayout:
    """Named channel groups on the CL1 MEA for Doom-lite.

    Args:
        bearing: Channels of the bearing place code, left to right (band ``i`` -> ``bearing[i]``); at least 2.
        wall: Channels of the wall-proximity rate code, one per field-of-view sector, left to right.
        turn_left, turn_right, forward, attack: The four motor groups.
        feedback: Channels for kill / damage feedback; ``None``: the sensory channels (bearing + wall).

    Attributes:
        channels: The same groups as a :class:`~clgym.coding.layout.ChannelLayout` (``sensory`` = bearing + wall,
            motor regions in :data:`DOOM_MOTOR_NAMES` order), for renderers and generic code.
        readout_names: What the decoder-mode observation holds per tick: every sensory channel on its own (a
            place code is in *which* channel fires), then each motor group's total.

    Raises:
        ValueError: If a group is empty, holds a channel outside 0..63, one of 0/4/7/56/63 or a repeat, if two
            groups share a channel (feedback may use sensory or free channels only), or ``bearing`` has fewer
            than 2 channels. The message names the group, the channel and what is allowed.
    """

    bearing: tuple[int, ...]
    wall: tuple[int, ...]
    turn_left: tuple[int, ...]
    turn_right: tuple[int, ...]
    forward: tuple[int, ...]
    attack: tuple[int, ...]
    feedback: tuple[int, ...] | None = None
    channels: ChannelLayout = field(init=False, repr=False, compare=False)
    _readout_index: np.ndarray = field(init=False, repr=False, compare=False)
    _readout_list: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bearing = validate_channels(self.bearing, "layout group 'bearing'")
        wall = validate_channels(self.wall, "layout group 'wall'")
        if len(bearing) < 2:
            raise ValueError(f"layout group 'bearing' has {len(bearing)} channel; allowed: at least 2 (a place code)")
        shared = sorted(set(bearing) & set(wall))
        if shared:
            raise ValueError(
                f"layout group 'wall': channel {shared[0]} is already in group 'bearing'; groups must be disjoint"
            )
        motor = tuple(validate_channels(getattr(self, name), f"layout group {name!r}") for name in DOOM_MOTOR_NAMES)
        feedback = None if self.feedback is None else validate_channels(self.feedback, "layout group 'feedback'")
        channels = ChannelLayout(bearing + wall, motor, DOOM_MOTOR_NAMES, feedback)  # checks disjointness
        for name, group in (("bearing", bearing), ("wall", wall), *zip(DOOM_MOTOR_NAMES, motor, strict=True)):
            object.__setattr__(self, name, group)
        object.__setattr__(self, "feedback", channels.feedback)
        object.__setattr__(self, "channels", channels)
        index = np.full(N_CHANNELS, self.n_readout, dtype=np.int64)  # each channel's readout entry (n: none)
        for entry, channel in enumerate(channels.sensory):
            index[channel] = entry
        for k, group in enumerate(motor):
            index[list(group)] = len(channels.sensory) + k
        index.flags.writeable = False
        object.__setattr__(self, "_readout_index", index)
        object.__setattr__(self, "_readout_list", index.tolist())

    @classmethod
    def from_fields(cls, values: DoomLayout | Mapping[str, Any] | None) -> DoomLayout:
        """A layout from a :class:`DoomLayout`, a dict of its fields, or ``None`` (the default layout).

        Raises:
            ValueError: For an unknown field, a missing one, or any problem :class:`DoomLayout` finds.
        """
        if values is None:
            return doom_layout()
        if isinstance(values, DoomLayout):
            return values
        if not isinstance(values, Mapping):
            raise ValueError(f"layout={values!r} is not allowed; allowed: a DoomLayout, a dict of its fields "
                             f"({', '.join(_FIELD_NAMES)}) or None")
        unknown = sorted(set(values) - set(_FIELD_NAMES))
        missing = [name for name in _FIELD_NAMES if name != "feedback" and name not in values]
        if unknown or missing:
            problem = f"unknown field(s) {unknown}" if unknown else f"missing field(s) {missing}"
            raise ValueError(f"layout has {problem}; allowed: {', '.join(_FIELD_NAMES)}")
        try:
            return cls(**{name: (None if v is None else tuple(v)) for name, v in values.items()})
        except TypeError as error:
            raise ValueError(f"layout is not allowed: {error}") from error

    # ---- derived views -------------------------------------------------------------------------------------
    @property
    def sensory(self) -> tuple[int, ...]:
        """Bearing then wall channels (the channels the sensory encoder and an encoder-mode agent stimulate)."""
        return self.channels.sensory

    @property
    def motor(self) -> tuple[tuple[int, ...], ...]:
        """The motor groups in :data:`DOOM_MOTOR_NAMES` order."""
        return self.channels.motor

    @property
    def n_readout(self) -> int:
        """Values per tick of :meth:`readout_counts`: one per sensory channel plus one per motor group."""
        return len(self.bearing) + len(self.wall) + len(DOOM_MOTOR_NAMES)

    @property
    def readout_names(self) -> tuple[str, ...]:
        """A name per :meth:`readout_counts` entry: ``bearing 0..``, ``wall 0..``, then the motor groups."""
        return (
            *(f"bearing {i}" for i in range(len(self.bearing))),
            *(f"wall {i}" for i in range(len(self.wall))),
            *DOOM_MOTOR_NAMES,
        )

    @property
    def readout_sizes(self) -> np.ndarray:
        """Channels behind each :meth:`readout_counts` entry (1 for a sensory channel)."""
        return np.bincount(self._readout_index, minlength=self.n_readout + 1)[: self.n_readout]

    def readout_counts(self, spike_channels: np.ndarray) -> np.ndarray:
        """Spikes per readout entry (int64 ``(n_readout,)``): per sensory channel, then per motor group; the
        last four entries are the motor groups' counts (what the motor decoder reads).

        Raises:
            ValueError: If a spike channel is not an integer in 0..63.
        """
        channels = spike_channels if isinstance(spike_channels, np.ndarray) else np.asarray(spike_channels)
        try:
            if channels.size and channels.min() < 0:
                raise IndexError  # a negative index would wrap around
            entries = self._readout_index[channels]
        except (IndexError, TypeError):
            channel_counts(channels, N_CHANNELS)  # raises, naming the bad channel
            raise ValueError(f"spike channels must be integers 0..{N_CHANNELS - 1}") from None
        return np.bincount(entries, minlength=self.n_readout + 1)[: self.n_readout]

    def readout_count_list(self, spike_channels: np.ndarray) -> list[int]:
        """:meth:`readout_counts` as a list of ints, counted in plain Python when the tick has few spikes: right
        after a culture tick the CPU caches are cold, and a short Python loop then costs a fraction of the
        numpy calls (the env's per-tick path).

        Raises:
            ValueError: If a spike channel is not an integer in 0..63.
        """
        channels = spike_channels if isinstance(spike_channels, np.ndarray) else np.asarray(spike_channels)
        if channels.size > _PYTHON_COUNT_LIMIT or channels.dtype.kind not in "iu":
            return self.readout_counts(channels).tolist()
        n, index = self.n_readout, self._readout_list
        counts = [0] * (n + 1)
        for channel in channels.tolist():
            if not 0 <= channel < N_CHANNELS:
                raise ValueError(f"spike channel {channel} is out of range; allowed: integers 0..{N_CHANNELS - 1}")
            counts[index[channel]] += 1
        del counts[n]  # spikes on channels in no group
        return counts

    def grid(self) -> np.ndarray:
        """``(8, 8)`` labels: ``"B0".."B7"`` bearing, ``"W0"..`` wall, ``L R F A`` motor, ``x`` unusable, ``.``."""
        labels = {c: _GRID_LABELS[name] for name in DOOM_MOTOR_NAMES for c in getattr(self, name)}
        for prefix, group in (("B", self.bearing), ("W", self.wall)):
            labels.update({c: f"{prefix}{i}" for i, c in enumerate(group)})
        return label_grid(labels)

    def __str__(self) -> str:
        return grid_text(self.grid())


_FIELD_NAMES = tuple(f.name for f in fields(DoomLayout) if f.init)
_PYTHON_COUNT_LIMIT = 64
"""Up to this many spikes in a tick, :meth:`DoomLayout.readout_count_list` counts in Python (a busy tick: numpy)."""


def _block(rows: Sequence[int], cols: Sequence[int]) -> tuple[int, ...]:
    """Usable channels of a block of the grid, row by row."""
    cells = (rowcol_to_channel(r, c) for r in rows for c in cols)
    return tuple(c for c in cells if c not in UNUSABLE_CHANNELS)


def doom_layout() -> DoomLayout:
    """The default Doom-lite layout (see the module docstring for the map and the reasons)."""
    top = range(0, 3)

    def mirrored(cols: range) -> tuple[int, ...]:  # a top block and its 180-degree rotation (63 - channel)
        upper = _block(top, cols)
        return upper + tuple(sorted(N_CHANNELS - 1 - c for c in upper))

    return DoomLayout(
        bearing=tuple(rowcol_to_channel(3, c) for c in range(GRID_SIZE)),
        wall=tuple(rowcol_to_channel(4, c) for c in range(2, 6)),
        turn_left=mirrored(range(0, 2)),
        turn_right=mirrored(range(6, 8)),
        forward=mirrored(range(2, 4)),
        attack=mirrored(range(4, 6)),
    )
