"""Coding between games and cultures: channel layouts, stimulation, encoders, decoders, feedback conditions.

Per game: :mod:`clgym.coding.pong` (the Pong layout) and :mod:`clgym.coding.doom` (layout, encoders, decoder,
feedback). Shared at this level: :class:`ChannelLayout`, pulses and stimulation (:mod:`~clgym.coding.stimulus`),
the place/rate encoders, the adaptive-gain motor decoder and DishBrain's feedback conditions.

Nothing here imports ``cl`` or the culture: stimulation is described by plain :class:`Pulse` /
:class:`StimCommand` dataclasses that the link converts to ``cl.StimDesign`` / ``cl.BurstDesign``.
"""

from clgym.coding.decoders import (
    MotorDecoderParams,
    MotorRegionDecoder,
    channel_counts,
    channel_group_counts,
    make_group_index,
)
from clgym.coding.doom import (
    DOOM_CONDITIONS,
    DOOM_FEEDBACK_PARAMS,
    DOOM_MOTOR_NAMES,
    FEEDBACK_EVENTS,
    NOOP_GROUP,
    BearingRateEncoder,
    DoomDecoderParams,
    DoomFeedback,
    DoomLayout,
    DoomMotorDecoder,
    DoomSensoryEncoder,
    bearing_band_edges,
    doom_layout,
)
from clgym.coding.encoders import (
    DISHBRAIN_RATES_HZ,
    AgentStimEncoder,
    PlaceRateEncoder,
    place_band,
    rate_level,
)
from clgym.coding.feedback import FEEDBACK_CONDITIONS, Feedback, FeedbackCondition, FeedbackParams, FeedbackStep
from clgym.coding.layout import (
    GRID_SIZE,
    PITCH_UM,
    ChannelLayout,
    channel_position_um,
    channel_to_rowcol,
    rowcol_to_channel,
)
from clgym.coding.pong import dishbrain_layout, pong_layout
from clgym.coding.stimulus import (
    N_CHANNELS,
    NON_STIMULABLE_CHANNELS,
    PREDICTABLE_PULSE,
    REFERENCE_CHANNELS,
    SENSORY_PULSE,
    STIMULABLE_CHANNELS,
    UNPREDICTABLE_PULSE,
    UNUSABLE_CHANNELS,
    Pulse,
    StimCommand,
    pulses_per_channel,
    stim_channel_array,
    validate_channels,
    voltage_to_current_uA,
)

__all__ = [
    "AgentStimEncoder",
    "BearingRateEncoder",
    "FEEDBACK_CONDITIONS",
    "ChannelLayout",
    "DISHBRAIN_RATES_HZ",
    "DOOM_CONDITIONS",
    "DOOM_FEEDBACK_PARAMS",
    "DOOM_MOTOR_NAMES",
    "DoomDecoderParams",
    "DoomFeedback",
    "DoomLayout",
    "DoomMotorDecoder",
    "DoomSensoryEncoder",
    "FEEDBACK_EVENTS",
    "Feedback",
    "FeedbackCondition",
    "FeedbackParams",
    "FeedbackStep",
    "GRID_SIZE",
    "MotorDecoderParams",
    "MotorRegionDecoder",
    "N_CHANNELS",
    "NOOP_GROUP",
    "NON_STIMULABLE_CHANNELS",
    "PITCH_UM",
    "PREDICTABLE_PULSE",
    "PlaceRateEncoder",
    "Pulse",
    "REFERENCE_CHANNELS",
    "SENSORY_PULSE",
    "STIMULABLE_CHANNELS",
    "StimCommand",
    "UNPREDICTABLE_PULSE",
    "UNUSABLE_CHANNELS",
    "channel_counts",
    "channel_group_counts",
    "bearing_band_edges",
    "channel_position_um",
    "channel_to_rowcol",
    "doom_layout",
    "make_group_index",
    "place_band",
    "dishbrain_layout",
    "pong_layout",
    "pulses_per_channel",
    "rate_level",
    "rowcol_to_channel",
    "stim_channel_array",
    "validate_channels",
    "voltage_to_current_uA",
]


def __getattr__(name: str):
    if name == "CONDITIONS":  # deprecated: clgym.coding.feedback.__getattr__ warns
        from clgym.coding import feedback

        return feedback.CONDITIONS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
