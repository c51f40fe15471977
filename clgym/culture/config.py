"""Culture configuration: one validated, JSON-serialisable dataclass and named presets.

Concepts
--------
A :class:`CultureConfig` holds every number that shapes a simulated culture: how many neurons, how they are
placed under the 8 x 8 CL1 grid, how they connect, how strongly they are driven, which plasticity is on, and
how the MEA couples to them. Users rarely touch it directly: they pick a preset by name and override the few
fields they care about. Validation happens on construction, so a bad value fails before anything runs, with
an error that names the field and the allowed range.

Example
-------
>>> from clgym.culture import CultureConfig
>>> cfg = CultureConfig.from_preset("small", seed=7, stdp=False)
>>> cfg.n_neurons
1000
>>> CultureConfig.from_dict(cfg.to_dict()) == cfg
True
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, field
from typing import Any

from clgym.cl1 import PITCH_UM


class ConfigError(ValueError):
    """A culture configuration value is out of its allowed range (the message names the field)."""


#: Izhikevich (2003, 2004) parameters (a, b, c, d) of the five cortical types.
IZHIKEVICH_TYPES: dict[str, tuple[float, float, float, float]] = {
    "RS": (0.02, 0.2, -65.0, 8.0),  # regular spiking: adapting excitatory
    "IB": (0.02, 0.2, -55.0, 4.0),  # intrinsically bursting: an initial burst, then tonic
    "CH": (0.02, 0.2, -50.0, 2.0),  # chattering: repetitive fast bursts
    "FS": (0.1, 0.2, -65.0, 2.0),  # fast spiking: non-adapting inhibitory
    "LTS": (0.02, 0.25, -65.0, 2.0),  # low-threshold spiking: adapting inhibitory
}
EXCITATORY_TYPES = ("RS", "IB", "CH")
INHIBITORY_TYPES = ("FS", "LTS")


def _fields_range(name: str, value: float, low: float, high: float, *, low_open=False, high_open=False):
    ok_low = value > low if low_open else value >= low
    ok_high = value < high if high_open else value <= high
    if not (ok_low and ok_high and math.isfinite(value)):
        lb = "(" if low_open else "["
        hb = ")" if high_open else "]"
        raise ConfigError(f"{name}={value!r} is out of range; allowed {lb}{low}, {high}{hb}")


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{name}={value!r} is invalid; allowed: a number")
    return float(value)


@dataclass(frozen=True)
class CultureConfig:
    """Every parameter of a simulated culture. Units are in the field names or comments.

    Time: the engine step is ``dt_ms`` (1 ms = 25 frames at 25 kHz, so ten steps make the 10 ms game tick).
    """

    # --- size, identity -------------------------------------------------------------------------------
    n_neurons: int = 1000
    seed: int = 0
    excitatory_fraction: float = 0.8
    # fractions of each type within its class (excitatory: RS, IB, CH; inhibitory: FS, LTS)
    excitatory_type_mix: tuple[float, float, float] = (0.75, 0.15, 0.10)
    inhibitory_type_mix: tuple[float, float] = (0.75, 0.25)
    heterogeneity: float = 0.08  # relative s.d. of a, b, c, d around each type's value

    # --- dish geometry --------------------------------------------------------------------------------
    grid_pitch_um: float = PITCH_UM  # CL1 electrode pitch (clgym.cl1)
    dish_margin_um: float = 300.0  # substrate beyond the outer electrodes

    # --- connectivity ---------------------------------------------------------------------------------
    mean_out_degree: float = 100.0  # kept constant across sizes so dynamics do not change with n_neurons
    connection_length_um: float = 400.0  # p(connect) ~ exp(-d / length) between somata (no axon model)
    # Axon model (on when axon_length_um > 0): each neuron's axon is a straight segment from its soma in a
    # random direction, lognormal length; a neuron is a target with p ~ exp(-d / dendrite_reach_um), d = its
    # distance to the axon, and delays follow the path along the axon. Electrodes then excite axons passing
    # near them as well as nearby somata, with axon_stim_gain x a soma's coupling at the same distance (axons
    # have the lowest thresholds: Nowak & Bullier 1998; Histed, Bonin & Reid 2009).
    axon_length_um: float = 0.0
    axon_length_cv: float = 0.5
    dendrite_reach_um: float = 60.0
    axon_stim_gain: float = 1.0
    # Stimulation recruits inhibition: an extracellular pulse evokes a brief local excitation and then a
    # widespread inhibition lasting 100-200 ms (Chung & Ferster 1998, Neuron 20:1177; Butovas & Schwarz 2003,
    # J Neurophysiol 90:3024). Interneurons' axons branch densely within a few hundred um of their somata
    # (basket cells: Markram et al. 2004, Nat Rev Neurosci 5:793), so an electrode near an interneuron lies in
    # its axonal arbour, where the threshold is lowest. With ``inhibitory_arbor_um`` > 0 an inhibitory neuron is
    # excited through an arbour of that radius around its soma (``axon_stim_gain`` x the field at the arbour's
    # nearest point) as well as through its soma and long axon; 0 = off.
    inhibitory_arbor_um: float = 0.0
    conduction_speed_um_per_ms: float = 300.0  # unmyelinated axons in culture: ~0.1-0.5 m/s
    synaptic_delay_ms: float = 1.0  # fixed part of the delay
    max_delay_ms: int = 12
    w_exc: float = 0.025  # mean excitatory conductance jump (dimensionless, Izhikevich current scale / mV)
    w_inh: float = 0.030  # mean inhibitory conductance jump
    weight_cv: float = 0.5  # coefficient of variation of initial weights (lognormal)
    w_max: float = 0.05  # STDP upper bound for excitatory weights

    # --- synapses (conductance-based) -----------------------------------------------------------------
    tau_ampa_ms: float = 5.0
    tau_nmda_ms: float = 100.0
    tau_gabaa_ms: float = 6.0
    tau_gabab_ms: float = 150.0
    nmda_share: float = 1.0  # NMDA conductance per unit AMPA conductance of the same synapse
    gabab_share: float = 0.05
    # Cooperative GABA_B (0 = off). The slow IPSP's K+ (GIRK) channel opens only when four G-protein subunits
    # bind, so the GABA_B response grows with the fourth power of receptor activation: one interneuron's spike
    # barely evokes it, the synchronous or repeated release a pulse or a train recruits does (Destexhe &
    # Sejnowski 1995, PNAS 92:9515; Scanziani 2000, Neuron 25:673). Receptor activation is what the linear GABA_B
    # conductance sums (the inhibitory input, decaying with ``tau_gabab_ms``; needs ``gabab_share`` > 0); the
    # extra conductance is ``gabab_cooperative_gain`` x a^4 / (a^4 + K^4), K = ``gabab_cooperative_half`` IPSPs
    # of ``w_inh`` summed within the decay time.
    gabab_cooperative_gain: float = 0.0
    gabab_cooperative_half: float = 40.0
    mg_mM: float = 1.0  # extracellular Mg2+ for the NMDA block (Jahr & Stevens 1990)
    e_exc_mv: float = 0.0
    e_gabaa_mv: float = -70.0
    e_gabab_mv: float = -90.0

    # --- Tsodyks-Markram short-term plasticity ------------------------------------------------------------
    stp: bool = True
    stp_u_exc: float = 0.15
    stp_tau_rec_exc_ms: float = 3000.0
    stp_tau_fac_exc_ms: float = 1.0
    stp_u_inh: float = 0.25
    stp_tau_rec_inh_ms: float = 300.0
    stp_tau_fac_inh_ms: float = 20.0

    # --- pair-based STDP on excitatory->excitatory synapses (soft bounds) ---------------------------------
    stdp: bool = True
    stdp_a_plus: float = 0.01
    stdp_a_minus: float = 0.01  # balanced with a_plus: uncorrelated firing leaves weights near w_max / 2
    stdp_tau_plus_ms: float = 20.0
    stdp_tau_minus_ms: float = 20.0

    # --- synaptic tagging and tetanus capture (eligibility traces; off by default) -------------------------
    # Pair STDP sees ~20 ms, but the contingency between activity and its consequence (DishBrain's hit
    # feedback) spans ~1 s. With ``stdp_tagging`` the STDP changes of E->E synapses go to a per-synapse
    # eligibility tag instead of the weight (Izhikevich 2007, "distal reward"); tags decay with
    # ``tag_tau_ms``. A tetanus through an electrode (``capture_min_pulses`` consecutive pulses on one channel,
    # each within 1000 / ``capture_min_hz`` ms of the previous; 100 Hz tetanus is the classic LTP trigger)
    # opens a capture window of ``capture_window_ms`` after its last pulse, during which a fraction
    # ``capture_rate_per_ms`` of every tag per ms moves into its weight, signed, clipped to [0, w_max]
    # (synaptic tagging and capture, Frey & Morris 1997). Nothing here knows about games or scores: only the
    # pulses the culture receives matter.
    stdp_tagging: bool = False
    tag_tau_ms: float = 1000.0
    capture_min_hz: float = 60.0
    capture_min_pulses: int = 3
    capture_window_ms: float = 100.0
    capture_rate_per_ms: float = 0.02
    # Two variants for the exploration of issue 11 (off by default; see kernel.py step 6). Frey & Morris's
    # order: a tetanus captures only tags set before it (none are written while capture is open). A centred
    # signal: an isolated pulse of at least ``depotentiation_min_uA`` (uA at 200 us; 0 = off) opens a window as
    # long as the capture window during which tags move into their weights with the opposite sign (low-frequency
    # stimulation reverses recent potentiation: Fujii et al. 1991, O'Dell & Kandel 1994).
    capture_tags_before_only: bool = False
    depotentiation_min_uA: float = 0.0

    # --- homeostatic synaptic scaling --------------------------------------------------------------------
    homeostasis: bool = True
    homeostasis_target_hz: float = 1.0
    homeostasis_tau_s: float = 30.0  # time constant of each neuron's rate estimate
    homeostasis_period_ms: int = 1000  # how often incoming excitatory weights are rescaled
    homeostasis_rate: float = 0.01  # fractional weight change per period at 100 % rate error

    # --- spontaneous drive: Poisson miniature EPSPs --------------------------------------------------------
    mini_rate_hz: float = 5.0  # mean per neuron (lognormal across neurons)
    mini_rate_cv: float = 1.0
    mini_weight: float = 0.06

    # --- MEA coupling ------------------------------------------------------------------------------------
    stim_polarization_um: float = 300.0  # length converting field (V/m) to depolarisation; see mea.py
    stim_height_um: float = 20.0  # soma height above the electrode plane (no singularity at r = 0)
    stim_cutoff_um: float = 300.0
    medium_conductivity_s_per_m: float = 0.3
    spike_amplitude_uv: float = 120.0  # trough at the soma, lognormal across neurons (cv 0.3)
    spike_falloff_um: float = 20.0  # amplitude ~ A / (1 + (r / falloff)^2)
    noise_rms_uv: float = 6.0
    detection_threshold_sd: float = 5.0  # a spike is seen when |amplitude + noise| > this x noise_rms_uv
    detection_dead_time_ms: float = 1.0  # a channel detects nothing for this long after a detection
    # the rig's side of stimulation (clgym.culture.blanking): every channel blind for this long after each pulse,
    # and saturation in trains of >= train_saturation_pulses pulses at most train_saturation_gap_ms apart (blind
    # until train_saturation_recovery_ms after the last); 0 = off
    stim_blanking_ms: float = 0.0
    train_saturation_pulses: int = 0
    train_saturation_gap_ms: float = 20.0
    train_saturation_recovery_ms: float = 40.0

    # --- integration ---------------------------------------------------------------------------------------
    dt_ms: float = 1.0

    preset: str | None = field(default=None, compare=False)

    # ---------------------------------------------------------------------------------------------------
    def __post_init__(self):
        if not isinstance(self.n_neurons, int) or isinstance(self.n_neurons, bool) or self.n_neurons < 10:
            raise ConfigError(f"n_neurons={self.n_neurons!r} is invalid; allowed: an integer >= 10")
        if self.n_neurons > 2_000_000:
            raise ConfigError(f"n_neurons={self.n_neurons} is out of range; allowed [10, 2000000]")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError(f"seed={self.seed!r} is invalid; allowed: an integer >= 0")
        _fields_range("excitatory_fraction", self.excitatory_fraction, 0.0, 1.0, low_open=True, high_open=True)
        for name, mix, n in (("excitatory_type_mix", self.excitatory_type_mix, 3),
                             ("inhibitory_type_mix", self.inhibitory_type_mix, 2)):
            if len(mix) != n or any((not math.isfinite(x)) or x < 0 for x in mix) or abs(sum(mix) - 1) > 1e-6:
                raise ConfigError(f"{name}={mix!r} is invalid; allowed: {n} non-negative fractions summing to 1")
        _fields_range("heterogeneity", self.heterogeneity, 0.0, 0.5)
        positive = ("grid_pitch_um", "mean_out_degree", "connection_length_um", "conduction_speed_um_per_ms",
                    "dendrite_reach_um", "w_exc", "w_inh", "w_max", "tau_ampa_ms", "tau_nmda_ms", "tau_gabaa_ms",
                    "tau_gabab_ms", "gabab_cooperative_half",
                    "stp_tau_rec_exc_ms", "stp_tau_fac_exc_ms", "stp_tau_rec_inh_ms", "stp_tau_fac_inh_ms",
                    "stdp_tau_plus_ms", "stdp_tau_minus_ms", "homeostasis_target_hz", "homeostasis_tau_s",
                    "stim_polarization_um", "stim_height_um", "stim_cutoff_um", "medium_conductivity_s_per_m",
                    "spike_amplitude_uv", "spike_falloff_um", "noise_rms_uv", "detection_threshold_sd")
        for name in positive:
            _fields_range(name, float(getattr(self, name)), 0.0, 1e9, low_open=True)
        non_negative = ("axon_length_um", "axon_length_cv", "axon_stim_gain", "dish_margin_um", "synaptic_delay_ms",
                        "weight_cv", "nmda_share", "gabab_share", "mg_mM",
                        "stdp_a_plus", "stdp_a_minus", "homeostasis_rate", "mini_rate_hz", "mini_rate_cv",
                        "mini_weight", "gabab_cooperative_gain", "inhibitory_arbor_um")
        for name in non_negative:
            _fields_range(name, float(getattr(self, name)), 0.0, 1e9)
        _fields_range("stp_u_exc", self.stp_u_exc, 0.0, 1.0, low_open=True)
        _fields_range("detection_dead_time_ms", _number("detection_dead_time_ms", self.detection_dead_time_ms),
                      0.0, 10.0)
        _fields_range("stp_u_inh", self.stp_u_inh, 0.0, 1.0, low_open=True)
        for name, high in (("stim_blanking_ms", 100.0), ("train_saturation_gap_ms", 1000.0),
                           ("train_saturation_recovery_ms", 10_000.0)):
            _fields_range(name, _number(name, getattr(self, name)), 0.0, high)
        k = self.train_saturation_pulses
        if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k <= 1000:
            raise ConfigError(f"train_saturation_pulses={k!r} is out of range; allowed integers [0, 1000] (0 = off)")
        if self.mean_out_degree >= self.n_neurons:
            raise ConfigError(f"mean_out_degree={self.mean_out_degree} is out of range; "
                              f"allowed (0, n_neurons={self.n_neurons})")
        if self.w_max < self.w_exc:
            raise ConfigError(f"w_max={self.w_max} is out of range; allowed [w_exc={self.w_exc}, inf)")
        if self.dt_ms not in (0.2, 0.4, 0.5, 1.0):
            raise ConfigError(f"dt_ms={self.dt_ms!r} is not allowed; allowed: 0.2, 0.4, 0.5 or 1.0 "
                              "(a whole number of 25 kHz frames that divides the 10 ms tick)")
        if not isinstance(self.max_delay_ms, int) or not 1 <= self.max_delay_ms <= 100:
            raise ConfigError(f"max_delay_ms={self.max_delay_ms!r} is out of range; allowed integers [1, 100]")
        if not isinstance(self.homeostasis_period_ms, int) or not 10 <= self.homeostasis_period_ms <= 600_000:
            raise ConfigError(f"homeostasis_period_ms={self.homeostasis_period_ms!r} is out of range; "
                              "allowed integers [10, 600000]")
        for name in ("stp", "stdp", "homeostasis", "stdp_tagging", "capture_tags_before_only"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name}={getattr(self, name)!r} is invalid; allowed: true or false")
        self._check_tagging()
        if self.gabab_cooperative_gain > 0 and self.gabab_share <= 0:
            raise ConfigError(f"gabab_cooperative_gain={self.gabab_cooperative_gain} needs gabab_share > 0 (its "
                              f"receptor activation); allowed: gabab_share > 0, or gabab_cooperative_gain=0")

    def _check_tagging(self):
        for name, low, high in (("tag_tau_ms", 10.0, 600_000.0), ("capture_min_hz", 1.0, 1000.0),
                                ("capture_window_ms", 1.0, 10_000.0)):
            _fields_range(name, _number(name, getattr(self, name)), low, high)
        _fields_range("capture_rate_per_ms", _number("capture_rate_per_ms", self.capture_rate_per_ms), 0.0, 1.0,
                      low_open=True)
        _fields_range("depotentiation_min_uA", _number("depotentiation_min_uA", self.depotentiation_min_uA), 0.0,
                      3.0)
        k = self.capture_min_pulses
        if not isinstance(k, int) or isinstance(k, bool) or not 2 <= k <= 100:
            raise ConfigError(f"capture_min_pulses={k!r} is out of range; allowed integers [2, 100]")
        if (self.capture_tags_before_only or self.depotentiation_min_uA > 0) and not self.stdp_tagging:
            raise ConfigError("capture_tags_before_only and depotentiation_min_uA act on tags; allowed only with "
                              "stdp_tagging=True")
        if self.stdp_tagging and not self.stdp:
            raise ConfigError("stdp_tagging=True needs stdp=True (tags are filled by STDP); allowed: "
                              "stdp_tagging=False, or stdp=True")

    # ---------------------------------------------------------------------------------------------------
    @property
    def frames_per_step(self) -> int:
        return round(self.dt_ms * 25)

    @classmethod
    def from_preset(cls, name: str = "small", **overrides: Any) -> CultureConfig:
        """A named preset (see :data:`PRESETS`) with any fields overridden; ``name`` may also be the path of a
        ``.json`` config file (:mod:`clgym.culture.culture_file`, e.g. one ``clgym fit`` wrote)."""
        from .culture_file import is_culture_file, load_culture_file

        if name not in PRESETS and isinstance(name, str) and is_culture_file(name):
            return cls.from_dict({**load_culture_file(name), **overrides})
        if name not in PRESETS:
            raise ConfigError(f"preset={name!r} is unknown; allowed: {', '.join(sorted(PRESETS))}")
        values = dict(PRESETS[name])
        unknown = sorted(set(overrides) - _FIELD_NAMES)
        if unknown:
            raise ConfigError(f"unknown culture config field(s) {unknown}; allowed: {sorted(_FIELD_NAMES)}")
        values.update(overrides)
        values["preset"] = name
        return cls(**_coerce(values))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CultureConfig:
        """Build from a JSON-style dict: an optional ``"preset"`` name plus field overrides."""
        if not isinstance(data, dict):
            raise ConfigError(f"culture config must be a dict of fields, got {type(data).__name__}")
        data = dict(data)
        preset = data.pop("preset", None)
        if preset is not None:
            return cls.from_preset(preset, **data)
        unknown = sorted(set(data) - _FIELD_NAMES)
        if unknown:
            raise ConfigError(f"unknown culture config field(s) {unknown}; allowed: {sorted(_FIELD_NAMES)}")
        return cls(**_coerce(data))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict that :meth:`from_dict` turns back into an equal config."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        if out["preset"] is None:
            del out["preset"]
        else:  # keep the preset name but make every field explicit so the dict stands on its own
            out = {"preset": out.pop("preset"), **out}
        return out

    def replace(self, **changes: Any) -> CultureConfig:
        return dataclasses.replace(self, **changes)


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``["field=value", ...]`` (values as JSON, else as strings) -> a dict of overrides, for command lines."""
    import json

    overrides: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--override {item!r} is not allowed; allowed: FIELD=VALUE, e.g. stdp_a_plus=0.02")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


_FIELD_NAMES = {f.name for f in dataclasses.fields(CultureConfig)} - {"preset"}
_TUPLE_FIELDS = {"excitatory_type_mix", "inhibitory_type_mix"}


def _coerce(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in _TUPLE_FIELDS & set(out):
        try:
            out[name] = tuple(float(x) for x in out[name])
        except TypeError as err:
            raise ConfigError(f"{name}={out[name]!r} is invalid; allowed: a list of fractions") from err
    return out


def _mea_lengths(n_neurons: int) -> dict[str, float]:
    """MEA coupling lengths for a culture of ``n_neurons`` on the same dish.

    A model neuron stands for a small cluster of real ones, and density grows with size. Lengths scale with
    1/sqrt(density) (the polarisation length with 1/density, since recruitment area ~ lambda for a 1/r^2
    field) so that every electrode sees and recruits about the same number of model neurons at every size:
    the 1,000-neuron values are the reference."""
    s = (1000.0 / n_neurons) ** 0.5
    return dict(spike_falloff_um=20.0 * s, stim_height_um=20.0 * s, stim_polarization_um=300.0 * s * s,
                stim_cutoff_um=300.0)


#: DishBrain's culture: calibrated to the spontaneous statistics of DishBrain's own rest recordings and to the
#: stimulus specificity of real cultures (``clgym calibrate``; reasons in the README, "The simulated culture").
#: Each change from the Wagenaar-like presets is a change of the model argued from biology, not of the game:
#: * long, sparse axons (``axon_length_um``): dissociated cortical axons grow to millimetres within two weeks
#:   and synapse along their length (Bakkum et al. 2013, Nat Commun 4:2181), so connectivity is long-range
#:   and specific rather than a 400 um soma-to-soma blur;
#: * electrodes excite passing axons (``axon_stim_gain``): axons have the lowest thresholds to extracellular
#:   current (Nowak & Bullier 1998; McIntyre & Grill 1999), so a pulse recruits a sparse, distributed but
#:   fixed set of neurons (Histed, Bonin & Reid 2009), the source of each electrode's distinct, reproducible
#:   response (Wagenaar et al. 2006; Bakkum et al. 2008);
#: * weaker recurrent excitation and more independent spontaneous release (``w_exc``, ``mini_rate_hz``): the
#:   dense, mature cultures DishBrain used fire mostly outside network bursts (11-14 % of spikes in bursts,
#:   1-4 bursts per minute), not the 70 % of young sparse cultures.
#: Under stimulation (issue 19; ``clgym calibrate --game``, README "The culture under stimulation"):
#: * stimulation recruits inhibition (``inhibitory_arbor_um``): a pulse excites the interneurons whose local
#:   axonal arbour reaches the electrode, and with them a widespread inhibition (Chung & Ferster 1998; Butovas &
#:   Schwarz 2003);
#: * cooperative GABA_B (``gabab_cooperative_gain``): the synchronous and repeated inhibition a pulse train
#:   recruits opens the slow GABA_B conductance, which needs four G-protein subunits (Destexhe & Sejnowski 1995),
#:   with the slow IPSP's decay (``tau_gabab_ms`` 300) within the measured 200-500 ms (Connors, Malenka & Silva
#:   1988);
#: * ``w_exc`` 0.012 -> 0.011 restores the rest statistics the two changes above moved (bursts per minute).
#: The rig's side (artefact blanking, saturation in trains) is not the culture's: it is a recording profile,
#: :data:`RIG_PROFILES`, that ``clgym calibrate --game`` applies to compare with DishBrain's MaxOne recordings.
DISHBRAIN = dict(n_neurons=1000, **_mea_lengths(1000), axon_length_um=1500.0, axon_length_cv=0.5,
                 dendrite_reach_um=100.0, axon_stim_gain=2.0, w_exc=0.011, w_max=0.03, mini_rate_hz=20.0,
                 inhibitory_arbor_um=400.0, gabab_cooperative_gain=0.3, gabab_cooperative_half=40.0,
                 tau_gabab_ms=300.0)

#: How a rig records around stimulation (:mod:`clgym.culture.blanking`), as culture config overrides:
#: * ``cl1``: nothing blanked. The cl SDK's simulator passes on every spike a source returns and the CL1's
#:   documentation does not describe its artefact handling, so clgym assumes none (the envs' default);
#: * ``maxone``: what DishBrain's MaxOne recordings show (docs/dishbrain.md): every pulse's artefact hides ~2 ms
#:   (the detections of a visible artefact cluster within +-1 ms of it; spikes are recorded 2-5 ms after), and
#:   a fast train (the 100 Hz hit feedback) saturates the amplifiers from its third pulse until ~40 ms after
#:   its last (no spikes 50-130 ms after a hit, recovery from ~140 ms).
RIG_PROFILES: dict[str, dict[str, Any]] = {
    "cl1": dict(stim_blanking_ms=0.0, train_saturation_pulses=0),
    "maxone": dict(stim_blanking_ms=2.0, train_saturation_pulses=3, train_saturation_gap_ms=20.0,
                   train_saturation_recovery_ms=40.0),
}

def size_rule(preset: str, n_neurons: int) -> dict[str, Any]:
    """Overrides that put ``preset``'s culture at ``n_neurons`` on the same dish (issue 24).

    A model neuron stands for a cluster of real ones. The out-degree is fixed, so a bigger culture is denser, not
    more excitable. For the Wagenaar-like presets the MEA's lengths scale with density (:func:`_mea_lengths`), so
    that each electrode sees and recruits about as many model neurons at every size. The DishBrain model (axons)
    is calibrated on stimulus specificity too, and keeps what matters for it (docs/culture.md, "The culture at three
    sizes"):
    * an electrode records as many model neurons at every size: the recording fall-off scales as their spacing
      (1 / sqrt(density)), so channel rates stay;
    * a pulse recruits the same share of the culture (the same tissue): the stimulation lengths stay physical.
      Scaled like the recording (recruiting as many model neurons, so a ten times smaller share), the band ->
      motor map of 10,000 neurons was less reliable (0.73 +- 0.17 against 0.88 +- 0.09) and at 100,000 noise
      (0.07 +- 0.83, two cultures);
    * an axon passes through the dendritic fields of as many model neurons: the dendritic reach scales as their
      spacing. With a fixed reach the 10,000-neuron dish lost its local loops (6 % of synapses reciprocal
      instead of 36 % at 1,000) and burst too rarely (4.6 % of spikes in bursts);
    * axon lengths and the interneurons' arbour stay: they span electrodes.
    ``clgym calibrate --preset dishbrain dishbrain-10k dishbrain-100k`` checks the rest statistics and the
    stimulus specificity."""
    if preset not in PRESETS:
        raise ConfigError(f"preset={preset!r} is unknown; allowed: {', '.join(sorted(PRESETS))}")
    n = int(n_neurons)
    base = PRESETS[preset]
    if base.get("axon_length_um", 0.0) <= 0:
        return dict(n_neurons=n, **_mea_lengths(n))
    spacing = (base["n_neurons"] / n) ** 0.5  # model neurons' spacing relative to the preset's
    return dict(n_neurons=n, spike_falloff_um=base["spike_falloff_um"] * spacing,
                dendrite_reach_um=base["dendrite_reach_um"] * spacing)


#: Named presets. "dishbrain" is DishBrain's culture (above); the others are Wagenaar-like young cultures whose
#: network bursts dominate (Wagenaar, Pine & Potter 2006). Their mean out-degree is fixed, so dynamics (rates,
#: bursts) do not change with size. "dishbrain-10k" and "dishbrain-100k" are DishBrain's culture at 10,000 and
#: 100,000 neurons by :func:`size_rule`.
PRESETS: dict[str, dict[str, Any]] = {
    "dishbrain": DISHBRAIN,
    "tiny": dict(n_neurons=250, **_mea_lengths(250)),
    "small": dict(n_neurons=1000, **_mea_lengths(1000)),
    "default": dict(n_neurons=3000, **_mea_lengths(3000)),
    "large": dict(n_neurons=10_000, **_mea_lengths(10_000)),
    "huge": dict(n_neurons=50_000, **_mea_lengths(50_000)),
}
PRESETS["dishbrain-10k"] = {**DISHBRAIN, **size_rule("dishbrain", 10_000)}
PRESETS["dishbrain-100k"] = {**DISHBRAIN, **size_rule("dishbrain", 100_000)}
