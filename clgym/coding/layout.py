"""Channel layouts on the CL1 8 x 8 MEA: which channels encode, which decode, which receive feedback.

Channel numbering is the CL1's: ``channel = row * 8 + col``, row 0 at the top, 200 um electrode pitch.
Channels 0, 7, 56, 63 are grounded and 4 is the reference; none of them may be in any group (they never spike
and cannot be stimulated). All groups are disjoint, except that the feedback channels may be (and by default
are) the sensory channels, as in DishBrain.

The default Pong layout is :func:`clgym.coding.pong.pong_layout`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from clgym.cl1 import GRID_SIZE, N_CHANNELS, PITCH_UM, UNUSABLE_CHANNELS, validate_channels
from clgym.coding.decoders import channel_counts

__all__ = [
    "GRID_SIZE",
    "PITCH_UM",
    "ChannelLayout",
    "channel_to_rowcol",
    "rowcol_to_channel",
    "channel_position_um",
    "grid_text",
    "label_grid",
]


def channel_to_rowcol(channel: int) -> tuple[int, int]:
    """``(row, col)`` of a channel (``row * 8 + col``)."""
    if not 0 <= int(channel) < N_CHANNELS:
        raise ValueError(f"channel {channel} is out of range; allowed: 0..{N_CHANNELS - 1}")
    return divmod(int(channel), GRID_SIZE)


def rowcol_to_channel(row: int, col: int) -> int:
    """Channel number at ``(row, col)``."""
    if not (0 <= row < GRID_SIZE and 0 <= col < GRID_SIZE):
        raise ValueError(f"(row, col) = ({row}, {col}) is off the grid; allowed: 0..{GRID_SIZE - 1} each")
    return int(row) * GRID_SIZE + int(col)


def channel_position_um(channel: int) -> tuple[float, float]:
    """``(x, y)`` of a channel's electrode in micrometres from the top-left electrode (x along columns)."""
    row, col = channel_to_rowcol(channel)
    return col * PITCH_UM, row * PITCH_UM


@dataclass(frozen=True)
class ChannelLayout:
    """Named channel groups on the CL1 MEA for one game.

    Args:
        sensory: Channels of the place code, in place order (index ``i`` codes ball band ``i``).
        motor: Motor regions, one tuple of channels per decoded direction (e.g. ``(up, down)``).
        motor_names: A name per motor region (used in observations, rendering and messages).
        feedback: Channels for hit/miss feedback; ``None`` means the sensory channels.

    Raises:
        ValueError: If a group is empty, holds a channel outside 0..63, one of 0/4/7/56/63 or a repeat, if two
            groups share a channel (feedback may equal or overlap sensory, never motor), or names mismatch.
            The message names the group, the channel and the allowed set.
    """

    sensory: tuple[int, ...]
    motor: tuple[tuple[int, ...], ...]
    motor_names: tuple[str, ...] = ("up", "down")
    feedback: tuple[int, ...] | None = None
    _group_index: np.ndarray = field(init=False, repr=False, compare=False)
    _group_matrix: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sensory = validate_channels(self.sensory, "layout group 'sensory'")
        if isinstance(self.motor, str | bytes) or not isinstance(self.motor, Iterable):
            raise TypeError(
                "ChannelLayout.motor must be a sequence of channel groups, e.g. ((9, 10), (13, 14))"
            )
        motor_raw = list(self.motor)
        names = tuple(str(n) for n in self.motor_names)
        if len(motor_raw) < 1:
            raise ValueError("ChannelLayout.motor needs at least one motor region")
        if len(names) != len(motor_raw):
            raise ValueError(
                f"ChannelLayout.motor_names has {len(names)} names for {len(motor_raw)} motor regions; "
                "give one name per region"
            )
        if len(set(names)) != len(names) or "sensory" in names or "feedback" in names:
            raise ValueError(
                f"ChannelLayout.motor_names must be distinct and not 'sensory'/'feedback', got {names}"
            )
        motor = tuple(
            validate_channels(g, f"layout group {n!r}") for g, n in zip(motor_raw, names, strict=True)
        )
        feedback = (
            sensory if self.feedback is None else validate_channels(self.feedback, "layout group 'feedback'")
        )
        owner: dict[int, str] = {c: "sensory" for c in sensory}
        for name, group in zip(names, motor, strict=True):
            for c in group:
                if c in owner:
                    raise ValueError(
                        f"layout group {name!r}: channel {c} is already in group {owner[c]!r}; "
                        f"groups must be disjoint (free channels: {self._free(owner)})"
                    )
                owner[c] = name
        for c in feedback:
            if owner.get(c, "sensory") != "sensory":
                raise ValueError(
                    f"layout group 'feedback': channel {c} is in motor group {owner[c]!r}; feedback may use "
                    f"sensory or free channels only (sensory: {list(sensory)}, free: {self._free(owner)})"
                )
        object.__setattr__(self, "sensory", sensory)
        object.__setattr__(self, "motor", motor)
        object.__setattr__(self, "motor_names", names)
        object.__setattr__(self, "feedback", feedback)
        index = np.full(N_CHANNELS, -1, dtype=np.int64)
        for gi, group in enumerate(self.groups.values()):
            index[list(group)] = gi
        index.flags.writeable = False
        object.__setattr__(self, "_group_index", index)
        matrix = np.zeros((len(self.groups), N_CHANNELS), dtype=np.int64)  # group x channel membership
        matrix[index[index >= 0], np.flatnonzero(index >= 0)] = 1
        object.__setattr__(self, "_group_matrix", matrix)

    @staticmethod
    def _free(owner: Mapping[int, str]) -> list[int]:
        return [c for c in range(N_CHANNELS) if c not in owner and c not in UNUSABLE_CHANNELS]

    @classmethod
    def from_halves(
        cls,
        sensory: Sequence[int],
        motor_halves: Sequence[Sequence[Sequence[int]]],
        motor_names: Sequence[str] = ("up", "down"),
        feedback: Sequence[int] | None = None,
    ) -> ChannelLayout:
        """Build a layout whose motor regions are each the union of (mirrored) halves, as in DishBrain.

        Args:
            sensory: Sensory channels in place order.
            motor_halves: For each motor region, its halves, e.g.
                ``((top_left, bottom_right), (top_right, bottom_left))``.
            motor_names: A name per motor region.
            feedback: Feedback channels (default: sensory).
        """
        motor = tuple(tuple(c for half in halves for c in half) for halves in motor_halves)
        return cls(tuple(sensory), motor, tuple(motor_names), None if feedback is None else tuple(feedback))

    # ---- derived views -------------------------------------------------------------------------------------
    @property
    def n_sensory(self) -> int:
        """Number of sensory channels (place-code bands)."""
        return len(self.sensory)

    @property
    def n_motor(self) -> int:
        """Number of motor regions."""
        return len(self.motor)

    @property
    def groups(self) -> dict[str, tuple[int, ...]]:
        """Disjoint recording groups in a fixed order: ``sensory`` then each motor region by name."""
        out = {"sensory": self.sensory}
        out.update(zip(self.motor_names, self.motor, strict=True))
        return out

    @property
    def group_names(self) -> tuple[str, ...]:
        """Names of :attr:`groups`, in order (the order of :meth:`group_counts`)."""
        return ("sensory", *self.motor_names)

    @property
    def group_index(self) -> np.ndarray:
        """Read-only int64 ``(64,)``: each channel's group index in :attr:`group_names`, -1 if none."""
        return self._group_index

    @property
    def motor_index(self) -> np.ndarray:
        """Int64 ``(64,)``: each channel's motor region, -1 if none (for :func:`channel_group_counts`)."""
        idx = self._group_index - 1
        idx[idx < 0] = -1
        return idx

    def group_masks(self) -> dict[str, np.ndarray]:
        """Boolean masks ``(64,)`` per group name (including ``feedback``)."""
        out: dict[str, np.ndarray] = {}
        for name, group in (*self.groups.items(), ("feedback", self.feedback)):
            m = np.zeros(N_CHANNELS, dtype=bool)
            m[list(group)] = True
            out[name] = m
        return out

    def motor_masks(self) -> np.ndarray:
        """Boolean array ``(n_motor, 64)``: row ``k`` marks motor region ``k``."""
        m = np.zeros((self.n_motor, N_CHANNELS), dtype=bool)
        for k, group in enumerate(self.motor):
            m[k, list(group)] = True
        return m

    def group_counts(self, spike_channels: np.ndarray) -> np.ndarray:
        """Spike counts per group of :attr:`group_names` (``(1 + n_motor,)`` int64) from spike channels."""
        return self._group_matrix @ channel_counts(spike_channels, N_CHANNELS)

    def motor_counts(self, spike_channels: np.ndarray) -> np.ndarray:
        """Spike counts per motor region (``(n_motor,)`` int64) from the channels of a tick's spikes."""
        return self.group_counts(spike_channels)[1:]

    def grid(self) -> np.ndarray:
        """``(8, 8)`` labels: ``"S0".."S7"`` sensory, motor names' first letter, ``"x"`` unusable, ``"."``."""
        labels = {c: name[:1].upper() for name, group in zip(self.motor_names, self.motor, strict=True) for c in group}
        labels.update({c: f"S{i}" for i, c in enumerate(self.sensory)})
        return label_grid(labels)

    def __str__(self) -> str:
        return grid_text(self.grid())


def label_grid(labels: dict[int, str]) -> np.ndarray:
    """``(8, 8)`` object array: ``labels[channel]`` where given, ``"x"`` on unusable channels, ``"."`` elsewhere."""
    g = np.full((GRID_SIZE, GRID_SIZE), ".", dtype=object)
    for c in UNUSABLE_CHANNELS:
        g[divmod(c, GRID_SIZE)] = "x"
    for c, label in labels.items():
        g[divmod(c, GRID_SIZE)] = label
    return g


def grid_text(grid: np.ndarray) -> str:
    """A layout grid as text, one row per line under column headers."""
    rows = ["     " + "".join(f"c{c:<3d}" for c in range(GRID_SIZE))]
    for r, line in enumerate(grid):
        rows.append(f"r{r}   " + "".join(f"{s:<4s}" for s in line))
    return "\n".join(rows)
