"""The conditions both replication designs run, and the paper's groups (Kagan et al. 2022) each stands for.

==================  ==========================================================================================
``stimulus``        the culture plays with DishBrain's feedback (predictable hit, unpredictable miss) [MCC/HCC]
``silent``          no hit stimulus; the miss stimulus replaced by an equally long silent pause [Silent]
``no_feedback``     sensory input only; no pause, the ball is not reset on a miss [No-feedback]
``rest``            no stimulation at all; spontaneous activity moves the paddle [RST]
``swapped``         the two feedback stimuli exchanged (:mod:`clgym.coding.feedback`) [protocol only]
``plasticity_off``  ``stimulus`` with STDP (and tagging) and homeostatic scaling off (no wet lab can run this)
``yoked``           the culture receives exactly the stimulation of its own ``stimulus`` session, tick by tick,
                    but its spikes move nothing (open loop) [protocol only: it needs the same culture twice]
``in_silico``       the cl SDK's own random spike source in place of the culture, stimulus feedback [IS]
``media_only``      a culture-free MEA: electrode-noise threshold crossings only, stimulus feedback [CTL]
==================  ==========================================================================================

:data:`CONDITIONS` says what each condition is; each design lists the ones it runs, in its order
(:data:`PROTOCOL_CONDITIONS`, :data:`SESSIONS_CONDITIONS`). Plasticity is switched off one way for both
designs: :meth:`Condition.apply_plasticity` on the culture before the session's first tick.

Example
-------
>>> from clgym.replication.conditions import CONDITIONS
>>> CONDITIONS["plasticity_off"].feedback, CONDITIONS["plasticity_off"].plasticity
('stimulus', False)
>>> [name for name, c in CONDITIONS.items() if c.source != "culture"]
['in_silico', 'media_only']
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCES = ("culture", "in_silico", "media_only")


@dataclass(frozen=True)
class Condition:
    """One condition: the env's feedback, what plays (``source``) and whether its synapses may change.

    ``replays``: an open-loop condition (``yoked``) issues no feedback of its own; it replays the stimulation
    the same culture received in the condition named here, which must run before it."""

    name: str
    paper_group: str
    feedback: str  # a feedback condition of clgym.coding.feedback
    source: str = "culture"  # "culture", "in_silico" or "media_only"
    plasticity: bool = True
    replays: str | None = None

    def __post_init__(self):
        if self.source not in SOURCES:
            raise ValueError(f"source={self.source!r} is not allowed; allowed: {', '.join(SOURCES)}")

    def apply_plasticity(self, culture) -> None:
        """Before the session's first tick: switch long-term plasticity off if this condition says so."""
        if not self.plasticity:
            culture.set_plasticity(stdp=False, homeostasis=False)


CONDITIONS = {c.name: c for c in (
    Condition("stimulus", "MCC/HCC, Stimulus", "stimulus"),
    Condition("silent", "Silent", "silent"),
    Condition("no_feedback", "No-feedback", "no_feedback"),
    Condition("rest", "RST", "rest"),
    Condition("swapped", "-", "swapped"),
    Condition("plasticity_off", "-", "stimulus", plasticity=False),
    Condition("yoked", "-", "stimulus", replays="stimulus"),
    Condition("in_silico", "IS", "stimulus", source="in_silico"),
    Condition("media_only", "CTL", "stimulus", source="media_only"),
)}

PROTOCOL_CONDITIONS = ("stimulus", "silent", "no_feedback", "rest", "swapped", "plasticity_off", "yoked",
                       "in_silico", "media_only")
"""The frozen-probe protocol's conditions, in the order a culture's job runs them."""
SESSIONS_CONDITIONS = ("stimulus", "silent", "no_feedback", "rest", "in_silico", "media_only", "plasticity_off")
"""The session design's conditions, in the order its report lists them."""


@dataclass(frozen=True)
class PaperGroup:
    """One row of the paper's results table (session mean +- SEM) and our condition that stands for it."""

    label: str
    sessions: int
    early: tuple[float, float]
    late: tuple[float, float]
    aces: tuple[float, float]
    long_rallies: tuple[float, float]
    learning_test: str
    ours: str


PAPER_GROUPS = (
    PaperGroup("CTL media only", 80, (0.900, 0.041), (0.872, 0.031), (50.8, 53.0), (9.5, 9.3), "p = 0.59",
               "media_only"),
    PaperGroup("IS in silico", 38, (0.832, 0.032), (0.801, 0.019), (53.5, 55.6), (9.3, 8.3), "p = 0.38",
               "in_silico"),
    PaperGroup("RST rest", 42, (0.765, 0.037), (0.815, 0.038), (58.5, 57.0), (9.2, 8.7), "p = 0.29", "rest"),
    PaperGroup("MCC mouse cells", 101, (0.780, 0.030), (1.020, 0.025), (53.4, 49.9), (7.3, 12.2),
               "t(100) = -6.15, p = 1.6e-8", "stimulus"),
    PaperGroup("HCC human cells", 138, (0.674, 0.029), (1.129, 0.030), (54.5, 48.2), (4.4, 10.6),
               "t(137) = -10.44, p = 3.9e-19", "stimulus"),
)
PAPER_FEEDBACK_NOTE = ("Paper, feedback experiment, % change in rally length vs same-day rest (6-20 min): Stimulus "
                       "+43.4 %, Silent +21.4 %, No-feedback +8.2 % (Stimulus vs Silent p = 0.001; Silent vs "
                       "No-feedback p = 0.027).")
PAPER_PERCENT_VS_REST = {"stimulus": 43.4, "silent": 21.4, "no_feedback": 8.2}

