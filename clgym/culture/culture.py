"""The ``Culture``: a simulated dissociated cortical culture on a 64-channel MEA.

Concepts
--------
A culture has a clock in 25 kHz frames (``culture.frame``), the SDK's clock of record. ``stimulate`` queues one
biphasic pulse on a channel at a frame; ``advance(n)`` simulates the frames [frame, frame + n) and returns the
spikes the MEA detected in them (frame timestamp, channel, amplitude), optionally with raw int16 frames.
Internally the network moves in whole engine steps (``dt_ms``, 1 ms = 25 frames); a pulse acts at the first
step starting at or after its frame, so an evoked spike is never timestamped before its pulse. Spikes of a
step that runs past the requested window are held and returned by the next ``advance``.

Everything is deterministic from the config's seed: same seed and same ``stimulate`` calls give bit-identical
spikes. ``snapshot()``/``restore()`` copy the whole dynamic state (membranes, conductances, in-flight spikes,
weights, plasticity traces and tags, tetanus/capture state, random state).

With ``stdp_tagging`` (see :mod:`clgym.culture.kernel`, step 6), STDP fills ``culture.syn_tag`` instead of
``syn_w``, and a tetanus on an electrode captures the tags into the weights; ``capture_steps`` counts the
engine steps during which capture was open.

Example
-------
>>> from clgym.culture import Culture, CultureConfig
>>> culture = Culture(CultureConfig.from_preset("tiny", seed=3))
>>> culture.stimulate(27, at_frame=100, phase_durations_us=(200, 200), phase_currents_uA=(-2.0, 2.0))
>>> batch = culture.advance(2500)          # 100 ms
>>> culture.frame
2500
>>> bool((batch.timestamps < 2500).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernel as K
from .blanking import StimBlanking
from .config import CultureConfig
from .dish import TYPE_NAMES, Dish, build_dish
from .mea import (
    MAX_CURRENT_UA,
    N_CHANNELS,
    detection_coupling,
    electrode_positions_um,
    noise_table,
    pulse_drive_ua,
    stimulation_coupling,
    synthesize_frames,
)


@dataclass
class SpikeBatch:
    """Spikes detected on the MEA in one ``advance`` window, sorted by timestamp."""

    timestamps: np.ndarray  # int64 frame timestamps
    channels: np.ndarray  # int32
    amplitudes_uv: np.ndarray  # float32, negative trough amplitudes
    neuron_frames: np.ndarray  # int64: every neuron spike in the window (ground truth, detected or not)
    neuron_ids: np.ndarray  # int32
    frames: np.ndarray | None = None  # int16 (n_frames, 64) when requested

    def __len__(self) -> int:
        return int(self.timestamps.size)


_STATE_FIELDS = ("v", "u", "g_ampa", "g_nmda", "g_gabaa", "g_gabab", "ring_e", "ring_i", "stp_x", "stp_u",
                 "stp_last", "pre_tr", "post_tr", "rate_tr", "next_mini", "rng", "frame_rng", "syn_w")
_TAG_FIELDS = ("syn_tag", "_tet")  # absent from snapshots made before tagging existed: restored as "no tags"


class Culture:
    """A simulated culture. See the module docstring."""

    n_channels = N_CHANNELS

    def __init__(self, config: CultureConfig | None = None):
        self.config = cfg = config if config is not None else CultureConfig.from_preset("small")
        self.dish: Dish = build_dish(cfg)
        rng = np.random.default_rng([cfg.seed, 1])
        n = self.dish.n_neurons
        self.electrodes_um = electrode_positions_um(cfg)
        self._ch_ptr, self._ch_neuron, self._ch_mv = stimulation_coupling(self.dish.positions_um, cfg, rng,
                                                                            self.dish.axon_end_um, self.dish.is_exc)
        self._det_ptr, self._det_ch, self._det_amp = detection_coupling(self.dish.positions_um, cfg, rng)

        d = self.dish
        # The kernel takes per-neuron state as a few 2-D arrays (one row per quantity, see kernel.R_*): every
        # array argument costs time to unbox on each call. The named attributes below are views of those rows.
        # Membrane state in float32: the vectorised update does 8 neurons per AVX2 instruction instead of 4.
        f32 = np.float32
        self._N32 = np.zeros((K.N32_ROWS, n), f32)
        (self.v, self.u, self.g_ampa, self.g_nmda, self.g_gabaa, self.g_gabab, self.pre_tr, self.post_tr,
         self.rate_tr) = (self._N32[r] for r in range(K.R_RATE_TR + 1))
        for row, x in ((K.R_A, d.a), (K.R_B, d.b), (K.R_C, d.c), (K.R_D, d.d)):
            self._N32[row] = x
        self.v[:] = np.full(n, -65.0) + rng.uniform(0.0, 5.0, n)
        self.u[:] = d.b * self.v
        depth = int(d.syn_delay.max()) + 1 if d.n_synapses else 2
        self._ring = np.zeros((2, depth, n), f32)
        self.ring_e, self.ring_i = self._ring[0], self._ring[1]
        # live weights (plasticity writes here) and eligibility tags, one float32 array (kernel.R_SW_*); the
        # dish's syn_w becomes a view of its row
        self._sw = np.stack([d.syn_w, np.zeros_like(d.syn_w)])
        d.syn_w = self.syn_w = self._sw[K.R_SW_W]
        self.syn_tag = self._sw[K.R_SW_TAG]
        self._tet = _fresh_tetanus_state()
        # synapse targets and delays in one int32 array (the dish's syn_post becomes a view of its row)
        self._syn = np.stack([d.syn_post, d.syn_delay.astype(np.int32),
                              d.syn_delay.astype(np.int32) * np.int32(n) + d.syn_post])
        d.syn_post = self._syn[K.R_SYN_POST]
        # incoming E->E synapses (the only plastic ones) grouped by target, in the order of dish.in_syn
        pre_exc = d.is_exc[d.in_pre]
        ee = pre_exc & d.is_exc[d.syn_post[d.in_syn]]
        # and the same synapses grouped by presynaptic neuron (ascending synapse index), for depression
        ee_out = np.flatnonzero(d.is_exc[d.syn_pre] & d.is_exc[d.syn_post])
        self._ee = np.stack([d.in_pre[ee], d.in_syn[ee].astype(np.int32), ee_out.astype(np.int32),
                             d.syn_post[ee_out]])
        ee_ptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(d.syn_post[d.in_syn[ee]], minlength=n), out=ee_ptr[1:])
        ee_out_ptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(d.syn_pre[ee_out], minlength=n), out=ee_out_ptr[1:])
        self._ptr = np.stack([d.syn_ptr, ee_ptr, self._det_ptr, ee_out_ptr]).astype(np.int64)
        exc = d.is_exc
        self._N64 = np.zeros((K.N64_ROWS, n))
        (self.stp_x, self.stp_u, self._stp_U, self._stp_tau_rec, self._stp_tau_fac, self._mini_p) = \
            (self._N64[r] for r in range(K.N64_ROWS))
        self._stp_U[:] = np.where(exc, cfg.stp_u_exc, cfg.stp_u_inh)
        self._stp_tau_rec[:] = np.where(exc, cfg.stp_tau_rec_exc_ms, cfg.stp_tau_rec_inh_ms)
        self._stp_tau_fac[:] = np.where(exc, cfg.stp_tau_fac_exc_ms, cfg.stp_tau_fac_inh_ms)
        self.stp_x[:] = 1.0
        self._I64 = np.zeros((K.I64_ROWS, n), np.int64)
        self.stp_last, self.next_mini = self._I64[K.R_STP_LAST], self._I64[K.R_NEXT_MINI]
        self.stp_last[:] = -10**9
        self.rate_tr[:] = cfg.homeostasis_target_hz * cfg.homeostasis_tau_s  # start at target
        self._mini_p[:] = np.maximum(d.mini_rate_hz * cfg.dt_ms / 1000.0, 1e-12)  # events per step
        self.rng = np.array([_seed_u64(cfg.seed, 2)], np.uint64)
        self.frame_rng = np.array([_seed_u64(cfg.seed, 3)], np.uint64)
        self._noise_table = noise_table(cfg.seed)
        self.next_mini[:] = np.floor(-np.log(rng.uniform(1e-12, 1.0, n)) / self._mini_p)

        self._P = K.pack_params(cfg)

        self._fps = cfg.frames_per_step
        self._step = 0  # next engine step to simulate
        self.frame = 0  # read head: frames before this have been returned
        self._pending: list[tuple[int, int, float, int, float]] = []  # (step, channel, drive, frame, uA)
        self._held = _empty_held()  # spikes simulated beyond the read head
        cap = max(65536, 4 * n, 2 * int(self._det_ptr[-1]))  # kernel needs room for a worst-case step
        self._out = np.empty((4, cap), np.int64)  # rows kernel.R_OUT_FRAME ... R_NRN_ID
        self._out_amp = np.empty(cap, np.float64)
        self._C = np.zeros(3, np.int64)
        self._stim_log: list[tuple[int, int, float]] = []  # (frame, channel, uA) for frame synthesis
        fpm = 25.0  # frames per ms
        self._blanking = StimBlanking(round(cfg.stim_blanking_ms * fpm), cfg.train_saturation_pulses,
                                      round(cfg.train_saturation_gap_ms * fpm),
                                      round(cfg.train_saturation_recovery_ms * fpm))
        # compile (or load from cache) every kernel now, long before any SDK producer's start timeout or the
        # SDK's 100 ms limit on a read
        self._run(0)
        empty = np.zeros(0)
        synthesize_frames(1, 0, cfg, self.frame_rng.copy(), self._noise_table, empty, empty, empty, empty, empty,
                          empty)

    # ------------------------------------------------------------------------------------------------
    @property
    def n_neurons(self) -> int:
        return self.dish.n_neurons

    @property
    def type_names(self) -> np.ndarray:
        return np.array(TYPE_NAMES)[self.dish.type_code]

    def stimulate(self, channel: int, at_frame: int, phase_durations_us, phase_currents_uA) -> None:
        """Queue one pulse on ``channel`` at frame ``at_frame`` (>= ``self.frame``)."""
        channel, at_frame = int(channel), int(at_frame)
        if not 0 <= channel < N_CHANNELS:
            raise ValueError(f"channel={channel} is out of range; allowed [0, {N_CHANNELS - 1}]")
        if at_frame < self.frame:
            raise ValueError(f"at_frame={at_frame} is in the past; allowed >= the culture's frame {self.frame}")
        if len(phase_durations_us) != len(phase_currents_uA) or not 1 <= len(phase_durations_us) <= 3:
            raise ValueError("phase_durations_us and phase_currents_uA must have the same length, 1 to 3 phases")
        for w, i in zip(phase_durations_us, phase_currents_uA, strict=True):
            if not 0 < float(w) <= 10_000:
                raise ValueError(f"phase duration {w} us is out of range; allowed (0, 10000] us")
            if abs(float(i)) > MAX_CURRENT_UA:
                raise ValueError(f"phase current {i} uA is out of range; allowed |I| <= {MAX_CURRENT_UA} uA")
        step = -(-at_frame // self._fps)  # first step starting at or after the pulse
        drive = pulse_drive_ua(phase_durations_us, phase_currents_uA)
        peak = max(abs(float(i)) for i in phase_currents_uA)
        self._pending.append((step, channel, drive, at_frame, peak))

    def advance(self, n_frames: int, frames: bool = False) -> SpikeBatch:
        """Simulate [frame, frame + n_frames) and return the spikes detected in it."""
        n_frames = int(n_frames)
        if n_frames <= 0:
            raise ValueError(f"n_frames={n_frames} is out of range; allowed >= 1")
        start, end = self.frame, self.frame + n_frames
        steps_needed = -(-end // self._fps) - self._step
        if steps_needed > 0:
            self._simulate(steps_needed)
        h = self._held  # time-sorted: split at the window's end
        k = int(h[0].searchsorted(end))
        kn = int(h[3].searchsorted(end))
        if k == h[0].size and kn == h[3].size:  # the usual case: all of it (no step ran past the window)
            batch = SpikeBatch(h[0], h[1], h[2], h[3], h[4])
            self._held = _EMPTY_HELD
        else:
            batch = SpikeBatch(timestamps=h[0][:k], channels=h[1][:k], amplitudes_uv=h[2][:k],
                               neuron_frames=h[3][:kn], neuron_ids=h[4][:kn])
            self._held = (h[0][k:], h[1][k:], h[2][k:], h[3][kn:], h[4][kn:])
        if frames:
            stims = [s for s in self._stim_log if start <= s[0] < end]
            self._stim_log = [s for s in self._stim_log if s[0] >= end]
            batch.frames = synthesize_frames(
                n_frames, start, self.config, self.frame_rng, self._noise_table, batch.timestamps, batch.channels,
                batch.amplitudes_uv, [s[0] for s in stims], [s[1] for s in stims], [s[2] for s in stims])
        elif self._stim_log:
            self._stim_log = [s for s in self._stim_log if s[0] >= end]
        self.frame = end
        return batch

    # ------------------------------------------------------------------------------------------------
    def _simulate(self, n_steps: int) -> None:
        first, last = self._step, self._step + n_steps
        if self._pending:
            due = sorted((p for p in self._pending if p[0] < last), key=lambda p: (p[0], p[1]))
            self._pending = [p for p in self._pending if p[0] >= last]
            self._stim_log.extend((p[3], p[1], p[4]) for p in due)
            # rows kernel.R_STIM_STEP, R_STIM_CHANNEL, R_STIM_DRIVE, R_STIM_FRAME (steps, channels and frames
            # are exact in float64)
            stim = np.array([[p[0] for p in due], [p[1] for p in due], [p[2] for p in due], [p[3] for p in due]],
                            np.float64)
            stim = stim.reshape(K.STIM_ROWS, len(due))
        else:
            due = ()
            stim = _NO_STIM
        parts = []
        step = first
        while step < last:
            done, det, nrn = self._run(last - step, step, stim)
            if done == 0:  # buffers too small for even one step: grow and retry
                self._grow()
                continue
            if self._blanking.active:  # the rig's side: detections while the MEA is blind are not recorded
                keep = self._blanking.keep(det[0], [p[3] for p in due if step * self._fps <= p[3] <
                                                    (step + done) * self._fps], step * self._fps)
                det = (det[0][keep], det[1][keep], det[2][keep])
            parts.append((det, nrn))
            step += done
        self._step = last
        # the kernel emits in time order (step by step, spikes within a step by their frame), and held spikes
        # precede new ones: concatenation keeps everything sorted
        if len(parts) == 1 and self._held[0].size == 0 and self._held[3].size == 0:  # the usual case
            (t, ch, amp), (nf, ni) = parts[0]
            self._held = (t, ch, amp, nf, ni)
        else:
            h = self._held
            self._held = (np.concatenate([h[0]] + [p[0][0] for p in parts]),
                          np.concatenate([h[1]] + [p[0][1] for p in parts]),
                          np.concatenate([h[2]] + [p[0][2] for p in parts]),
                          np.concatenate([h[3]] + [p[1][0] for p in parts]),
                          np.concatenate([h[4]] + [p[1][1] for p in parts]))

    def _run(self, n_steps, step0=0, stim=None):
        if stim is None:
            stim = _NO_STIM
        C, out, amp = self._C, self._out, self._out_amp
        K.run_steps(n_steps, step0, self._P, self.rng, self._N32, self._N64, self._I64, self._ptr, self.dish.is_exc,
                    self._syn, self._sw, self._ee, self._ring, stim, self._ch_ptr, self._ch_neuron, self._ch_mv,
                    self._det_ch, self._det_amp, out, amp, C, self._tet)
        done, n_det, n_nrn = C.tolist()
        return done, (out[K.R_OUT_FRAME, :n_det].copy(), out[K.R_OUT_CH, :n_det].astype(np.int32),
                      amp[:n_det].astype(np.float32)), (out[K.R_NRN_FRAME, :n_nrn].copy(),
                                                        out[K.R_NRN_ID, :n_nrn].astype(np.int32))

    def _grow(self) -> None:
        cap = self._out.shape[1] * 2
        self._out = np.empty((4, cap), np.int64)
        self._out_amp = np.empty(cap, np.float64)

    # ------------------------------------------------------------------------------------------------
    def snapshot(self) -> dict:
        """A deep copy of the dynamic state; ``restore`` brings the culture back to it exactly."""
        snap = {name: getattr(self, name).copy() for name in _STATE_FIELDS + _TAG_FIELDS}
        snap.update(step=self._step, frame=self.frame, pending=list(self._pending),
                    blanking=self._blanking.state.copy(), held=tuple(x.copy() for x in self._held),
                    stim_log=list(self._stim_log), seed=self.config.seed, n_neurons=self.n_neurons)
        return snap

    def restore(self, snap: dict) -> None:
        if snap.get("seed") != self.config.seed or snap.get("n_neurons") != self.n_neurons:
            raise ValueError("snapshot is from a different culture (seed or n_neurons differ)")
        for name in _STATE_FIELDS:
            getattr(self, name)[...] = snap[name]
        self.syn_tag[...] = snap.get("syn_tag", 0.0)
        tet = snap.get("_tet", _fresh_tetanus_state())
        self._tet[...] = _fresh_tetanus_state()
        self._tet[: tet.shape[0]] = tet  # snapshots from before the dead time have 3 rows
        self._step, self.frame = snap["step"], snap["frame"]
        self._pending = list(snap["pending"])
        self._held = tuple(x.copy() for x in snap["held"])
        self._stim_log = list(snap["stim_log"])
        if "blanking" in snap:  # snapshots made before the rig's blanking existed: nothing blind
            self._blanking.state[:] = snap["blanking"]

    def set_plasticity(self, *, stdp: bool | None = None, homeostasis: bool | None = None) -> None:
        """Switch long-term plasticity on or off from now on (``None`` leaves a switch as it is).

        ``stdp=False`` also stops tagging (tags are filled by STDP) and capture. Short-term depression stays:
        it is how a synapse transmits, not learning. Used to freeze a culture for probes and calibration."""
        if stdp is not None:
            self._P[K.P_STDP_ON] = float(bool(stdp))
            self._P[K.P_TAG_ON] = float(bool(stdp) and self.config.stdp_tagging)
        if homeostasis is not None:
            self._P[K.P_HOMEO_ON] = float(bool(homeostasis))

    @property
    def capture_steps(self) -> int:
        """Engine steps so far during which tetanus capture was open (always 0 unless ``stdp_tagging``)."""
        return int(self._tet[K.R_TET_MISC, K.T_CAPTURE_STEPS])

    @property
    def plastic_synapses(self) -> np.ndarray:
        """Indices (ascending) of the E->E synapses: the only ones STDP, tags and capture change."""
        return self._ee[K.R_EE_OUT]

    @property
    def depotentiation_steps(self) -> int:
        """Engine steps so far during which depotentiation was open (0 unless ``depotentiation_min_uA`` > 0)."""
        return int(self._tet[K.R_TET_MISC, K.T_DEPOT_STEPS])

    def weights_between(self, pre_neurons: np.ndarray, post_neurons: np.ndarray) -> np.ndarray:
        """Current weights of all synapses from ``pre_neurons`` onto ``post_neurons`` (for analysis)."""
        return self.syn_w[self._synapses_between(pre_neurons, post_neurons)]

    def tags_between(self, pre_neurons: np.ndarray, post_neurons: np.ndarray) -> np.ndarray:
        """Current eligibility tags of the synapses ``weights_between`` returns, in the same order."""
        return self.syn_tag[self._synapses_between(pre_neurons, post_neurons)]

    def _synapses_between(self, pre_neurons, post_neurons) -> np.ndarray:
        d = self.dish
        pre_mask = np.zeros(self.n_neurons, bool)
        post_mask = np.zeros(self.n_neurons, bool)
        pre_mask[np.asarray(pre_neurons, int)] = True
        post_mask[np.asarray(post_neurons, int)] = True
        return pre_mask[d.syn_pre] & post_mask[d.syn_post]

    def neurons_near(self, channels, radius_um: float = 100.0) -> np.ndarray:
        """Indices of neurons within ``radius_um`` of any of ``channels``."""
        el = self.electrodes_um[np.asarray(channels, int)]
        dist = np.sqrt(((self.dish.positions_um[:, None, :] - el[None]) ** 2).sum(-1)).min(axis=1)
        return np.nonzero(dist <= radius_um)[0]


_NO_STIM = np.zeros((K.STIM_ROWS, 0), np.float64)


def _fresh_tetanus_state() -> np.ndarray:
    """kernel's TET: no pulse yet on any channel, capture closed, nothing counted, no spike detected yet."""
    tet = np.zeros((4, N_CHANNELS), np.int64)
    tet[K.R_TET_LAST] = K.NO_PULSE_FRAME
    tet[K.R_CH_LAST_SPIKE] = K.NO_PULSE_FRAME
    return tet


def _empty_held():
    return (np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.int64),
            np.zeros(0, np.int32))


_EMPTY_HELD = _empty_held()  # shared: empty arrays cannot be written to


def _seed_u64(seed: int, stream: int) -> np.uint64:
    """A non-zero 64-bit xorshift seed per (seed, stream) via SplitMix64."""
    z = (seed * 0x9E3779B97F4A7C15 + stream * 0xD1B54A32D192ED03 + 0x94D049BB133111EB) & (2**64 - 1)
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
    z ^= z >> 31
    return np.uint64(z or 1)
