"""The multi-electrode array: geometry, stimulation coupling, spike detection and raw frames.

Concepts
--------
* Geometry: 64 channels on an 8 x 8 grid, ``channel = row * 8 + col``, 200 um pitch, as on a CL1.
* Stimulation: a biphasic current pulse on an electrode is treated as a point current source in a volume
  conductor (conductivity sigma). The extracellular field at distance r is E = I / (4 pi sigma r^2); a
  neuron's soma polarises by lambda * E, where lambda (``stim_polarization_um``) is an effective polarisation
  length that lumps dendrites and passing axons (somatic polarisation is proportional to the field:
  Tranchina & Nicholson 1986; Rattay 1999). The phase's duration enters through the membrane's
  strength-duration curve, 1 - exp(-w / 200 us), normalised to a 200 us phase. The depolarisation (mV) is
  added to the membrane potential at the first engine step at or after the pulse.
* Recording: a neuron's spike appears on a channel with a trough amplitude A / (1 + (r / falloff)^2); it is
  detected when the amplitude plus Gaussian noise crosses ``detection_threshold_sd`` x the noise rms, so far
  spikes are sometimes missed, as on a real MEA.
* Raw frames (optional): int16 at 25 kHz, 0.195 uV per unit: Gaussian noise, the waveform of every detected
  spike, and a stimulation artefact on the stimulated channel.

Example
-------
>>> import numpy as np
>>> w = spike_waveform(-80.0)
>>> w.shape, int(np.argmin(w))
((75,), 25)
"""

from __future__ import annotations

import math

import numba
import numpy as np

from clgym.cl1 import (
    FRAMES_PER_SECOND,
    GRID_SIZE,
    GROUNDED_CHANNELS,
    MAX_CURRENT_UA,  # noqa: F401 - the engine's import (culture.py)
    N_CHANNELS,
    NON_RECORDING_CHANNELS,
    REFERENCE_CHANNEL,  # noqa: F401 - re-exported by clgym.culture
    SPIKE_WAVEFORM_SAMPLES,
    UV_PER_SAMPLE_UNIT,
)

from .config import CultureConfig

# the CL1's facts (clgym.cl1), under the names the engine uses
GRID = GRID_SIZE
UV_PER_UNIT = UV_PER_SAMPLE_UNIT
WAVEFORM_SAMPLES = SPIKE_WAVEFORM_SAMPLES
WAVEFORM_TROUGH = 25
NON_STIMULABLE = GROUNDED_CHANNELS
# a CL1 reports no spikes on its grounded corner electrodes or on the reference (as the cl SDK's simulator)
NON_RECORDING = NON_RECORDING_CHANNELS
STRENGTH_DURATION_US = 200.0
_SD_NORM = 1.0 - math.exp(-1.0)  # strength-duration factor of a 200 us phase


def electrode_positions_um(cfg: CultureConfig) -> np.ndarray:
    """(64, 2) electrode centres in the dish's coordinates (x = column, y = row)."""
    ch = np.arange(N_CHANNELS)
    col, row = ch % GRID, ch // GRID
    return np.stack([cfg.dish_margin_um + col * cfg.grid_pitch_um,
                     cfg.dish_margin_um + row * cfg.grid_pitch_um], axis=1).astype(np.float64)


def _distances(positions_um: np.ndarray, cfg: CultureConfig) -> np.ndarray:
    el = electrode_positions_um(cfg)
    return np.sqrt(((el[:, None, :] - positions_um[None, :, :]) ** 2).sum(-1))  # (64, N)


def _axon_distances(positions_um: np.ndarray, axon_end_um: np.ndarray, cfg: CultureConfig) -> np.ndarray:
    """(64, N) distance from each electrode to each neuron's axon (the segment soma -> axon_end_um)."""
    el = electrode_positions_um(cfg)[:, None, :]
    a = positions_um[None, :, :]
    seg = (axon_end_um - positions_um)[None, :, :]
    length2 = np.maximum((seg**2).sum(-1), 1e-12)
    t = np.clip(((el - a) * seg).sum(-1) / length2, 0.0, 1.0)
    return np.sqrt(((el - (a + t[..., None] * seg)) ** 2).sum(-1))


def _mv_per_ua(r: np.ndarray, cfg: CultureConfig) -> np.ndarray:
    r2 = (r**2 + cfg.stim_height_um**2) * 1e-12  # m^2
    field_per_ua = 1e-6 / (4.0 * np.pi * cfg.medium_conductivity_s_per_m * r2)  # V/m per uA
    out = cfg.stim_polarization_um * 1e-6 * field_per_ua * 1e3
    out[r > cfg.stim_cutoff_um] = 0.0
    return out


def stimulation_coupling(positions_um: np.ndarray, cfg: CultureConfig, rng: np.random.Generator,
                         axon_end_um: np.ndarray | None = None, is_exc: np.ndarray | None = None):
    """CSR by channel: (ptr[65], neuron, mV of depolarisation per uA of a 200 us phase).

    With axons (``axon_end_um``), a neuron is driven by whichever is stronger: the field at its soma, or
    ``axon_stim_gain`` x the field at the nearest point of its axon (the spike starts in the axon and reaches
    the soma antidromically within the step). An inhibitory neuron (``is_exc`` False) is also driven through its
    local axonal arbour, a disc of ``inhibitory_arbor_um`` around its soma (see the config)."""
    excitability = rng.lognormal(-0.5 * 0.3**2, 0.3, size=positions_um.shape[0])  # per neuron
    coupling = _mv_per_ua(_distances(positions_um, cfg), cfg)
    if axon_end_um is not None:
        axonal = cfg.axon_stim_gain * _mv_per_ua(_axon_distances(positions_um, axon_end_um, cfg), cfg)
        coupling = np.maximum(coupling, axonal)
    if is_exc is not None and cfg.inhibitory_arbor_um > 0:
        # an interneuron's axon is a dense arbour around its soma: the electrode excites it at the arbour's
        # nearest point, like any axon (axon_stim_gain)
        inh = ~np.asarray(is_exc, bool)
        d_arbor = np.maximum(_distances(positions_um[inh], cfg) - cfg.inhibitory_arbor_um, 0.0)
        coupling[:, inh] = np.maximum(coupling[:, inh], cfg.axon_stim_gain * _mv_per_ua(d_arbor, cfg))
    return _to_csr(coupling * excitability[None, :], threshold=0.05)


def detection_coupling(positions_um: np.ndarray, cfg: CultureConfig, rng: np.random.Generator):
    """CSR by neuron: (ptr[N+1], channel, trough amplitude in uV (negative)) for every channel that could see it."""
    r = _distances(positions_um, cfg).T  # (N, 64)
    size = rng.lognormal(-0.5 * 0.3**2, 0.3, size=positions_um.shape[0])
    amp = cfg.spike_amplitude_uv * size[:, None] / (1.0 + (r / cfg.spike_falloff_um) ** 2)
    # a spike is worth tracking when noise can carry it over threshold at least one time in ~10^4
    visible = amp > (cfg.detection_threshold_sd - 4.0) * cfg.noise_rms_uv
    visible[:, list(NON_RECORDING)] = False
    ptr, ch, a = _to_csr(np.where(visible, amp, 0.0), threshold=0.0)
    return ptr, ch, -a


def _to_csr(dense: np.ndarray, threshold: float):
    rows, cols = np.nonzero(dense > threshold)
    ptr = np.zeros(dense.shape[0] + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=dense.shape[0]), out=ptr[1:])
    return ptr, cols.astype(np.int32), dense[rows, cols].astype(np.float64)


def pulse_drive_ua(phase_durations_us, phase_currents_ua) -> float:
    """Effective drive of one pulse, in uA of a 200 us phase: the strongest phase on the strength-duration curve.

    A symmetric biphasic pulse carries no net charge, but its leading phase depolarises the membrane before the
    second phase can undo it; we take the most effective single phase.
    """
    best = 0.0
    for w, i in zip(phase_durations_us, phase_currents_ua, strict=True):
        best = max(best, abs(float(i)) * (1.0 - math.exp(-float(w) / STRENGTH_DURATION_US)) / _SD_NORM)
    return best


def spike_waveform(amplitude_uv: float) -> np.ndarray:
    """A 75-sample extracellular spike in uV with its trough (= ``amplitude_uv``) at sample 25."""
    return (_TEMPLATE * abs(float(amplitude_uv))).astype(np.float32)


def _make_template() -> np.ndarray:
    t = (np.arange(WAVEFORM_SAMPLES) - WAVEFORM_TROUGH) / FRAMES_PER_SECOND * 1e3  # ms
    trough = -np.exp(-0.5 * (t / 0.12) ** 2)
    repol = 0.35 * np.exp(-0.5 * ((t - 0.45) / 0.3) ** 2)
    w = trough + repol
    return w / -w[WAVEFORM_TROUGH]


_TEMPLATE = _make_template()


NOISE_TABLE_SIZE = 1 << 18  # ~10 s of one channel; each channel of each read starts at a random offset


def noise_table(seed: int) -> np.ndarray:
    """Standard-normal samples that frame synthesis reads from at random offsets (deterministic per seed)."""
    return np.random.default_rng([seed, 7]).standard_normal(NOISE_TABLE_SIZE).astype(np.float32)


@numba.njit(cache=True)
def _synthesize(n_frames, frame0, noise_units, rng_state, table, spk_frame, spk_ch, spk_amp, template,
                stim_frame, stim_ch, stim_ua, out, result):
    # Gaussian noise from a table at a random offset per channel and read: as white as drawing fresh samples
    # for any analysis window shorter than the table, at the cost of a copy instead of a log and a cos.
    mask = table.size - 1
    n_ch = out.shape[1]
    offsets = np.empty(n_ch, np.int64)
    x = rng_state[0]
    for ch in range(n_ch):
        x ^= x >> np.uint64(12)
        x ^= x << np.uint64(25)
        x ^= x >> np.uint64(27)
        offsets[ch] = int((x * np.uint64(2685821657736338717)) >> np.uint64(46))
    rng_state[0] = x
    for f in range(n_frames):  # row by row: frames are (n_frames, 64) C-ordered
        for ch in range(n_ch):
            out[f, ch] = noise_units * table[(offsets[ch] + f) & mask]
    for k in range(spk_frame.size):
        start = spk_frame[k] - frame0 - 25
        scale = abs(spk_amp[k]) / UV_PER_UNIT
        for s in range(template.size):
            f = start + s
            if 0 <= f < n_frames:
                out[f, spk_ch[k]] += template[s] * scale
    for k in range(stim_frame.size):
        # a saturating artefact decaying over ~1 ms, proportional to the current
        f0 = stim_frame[k] - frame0
        for s in range(40):
            f = f0 + s
            if 0 <= f < n_frames:
                out[f, stim_ch[k]] += 3000.0 * stim_ua[k] * np.exp(-s / 6.0)
    for f in range(n_frames):
        for ch in range(n_ch):
            y = np.rint(out[f, ch])
            result[f, ch] = 32767 if y > 32767 else (-32768 if y < -32768 else int(y))


def synthesize_frames(n_frames: int, frame0: int, cfg: CultureConfig, rng_state: np.ndarray, table: np.ndarray,
                      spk_frame, spk_ch, spk_amp, stim_frame, stim_ch, stim_ua) -> np.ndarray:
    """int16 frames (n_frames, 64) for [frame0, frame0 + n_frames) with noise, spikes and stim artefacts."""
    out = np.empty((n_frames, N_CHANNELS), np.float32)
    result = np.empty((n_frames, N_CHANNELS), np.int16)
    _synthesize(n_frames, frame0, cfg.noise_rms_uv / UV_PER_UNIT, rng_state, table,
                np.asarray(spk_frame, np.int64), np.asarray(spk_ch, np.int64), np.asarray(spk_amp, np.float64),
                _TEMPLATE, np.asarray(stim_frame, np.int64), np.asarray(stim_ch, np.int64),
                np.asarray(stim_ua, np.float64), out, result)
    return result
