"""Doom-lite's coding: the channel layout, the bearing/distance encoders, the motor decoder and the feedback."""

from clgym.coding.doom.decoders import NOOP_GROUP, DoomDecoderParams, DoomMotorDecoder
from clgym.coding.doom.encoders import BearingRateEncoder, DoomSensoryEncoder, bearing_band_edges
from clgym.coding.doom.feedback import DOOM_CONDITIONS, DOOM_FEEDBACK_PARAMS, FEEDBACK_EVENTS, DoomFeedback
from clgym.coding.doom.layout import DOOM_MOTOR_NAMES, DoomLayout, doom_layout

__all__ = [
    "DOOM_CONDITIONS",
    "DOOM_FEEDBACK_PARAMS",
    "DOOM_MOTOR_NAMES",
    "FEEDBACK_EVENTS",
    "NOOP_GROUP",
    "BearingRateEncoder",
    "DoomDecoderParams",
    "DoomFeedback",
    "DoomLayout",
    "DoomMotorDecoder",
    "DoomSensoryEncoder",
    "bearing_band_edges",
    "doom_layout",
]
