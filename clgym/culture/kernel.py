"""The Numba hot loop: advance the network a whole number of engine steps.

Concepts
--------
One call runs many steps without returning to Python. Per step:

1. Spikes that were scheduled (axonal + synaptic delay, ring buffers of D steps) arrive as conductance jumps:
   excitatory weight -> AMPA and NMDA (``nmda_share``), inhibitory -> GABA_A and GABA_B (``gabab_share``).
2. Electrical pulses due in this step depolarise the neurons coupled to their electrode.
3. Every neuron integrates Izhikevich's model. Integration step: v is advanced in two explicit-Euler half
   steps of 0.5 ms per 1 ms step and u in one full step, which is Izhikevich's own scheme (2003): it keeps
   the spike upstroke stable for all five types while halving the work of a 0.5 ms step. At 1 ms, spike
   times are refined inside the step by linear interpolation of the threshold crossing, so timestamps have
   frame (40 us) resolution. ``dt_ms`` 0.5/0.4/0.2 are available for accuracy checks. Synaptic current is
   conductance-based, with the NMDA Mg2+ block B(v) = 1 / (1 + [Mg]/3.57 exp(-0.062 v)) (Jahr & Stevens).
   Poisson miniature EPSPs are drawn per neuron as exponential inter-event intervals (event-driven).
   Optional cooperative GABA_B (``gabab_cooperative_gain``): the GABA_B receptors' activation (what the linear
   GABA_B conductance sums: the inhibitory input decaying with ``tau_gabab_ms``) opens an extra conductance
   through a Hill function of order 4, so only synchronous or repeated inhibition (a pulse train) evokes it.
4. Each spike is detected on nearby channels (amplitude + noise vs threshold; a channel is blind for
   ``detection_dead_time_ms`` after each detection, like a real threshold detector), passes through the presynaptic
   Tsodyks-Markram short-term plasticity state, is scheduled to its targets, and drives pair-based STDP on
   E->E synapses (soft bounds: depression ~ w, potentiation ~ w_max - w).
5. Every ``homeostasis_period`` steps each neuron's incoming excitatory weights are scaled toward its target
   rate (multiplicative synaptic scaling, Turrigiano 1998).
6. Optional synaptic tagging and tetanus capture (``stdp_tagging``, off by default). Pair STDP sees ~20 ms,
   but in DishBrain's Pong the contingency between motor activity and the hit feedback spans ~1 s. With
   tagging on, STDP's changes of E->E synapses (step 4, same soft bounds) are written to a per-synapse
   eligibility tag instead of the weight (Izhikevich 2007, "distal reward"). Step 2 watches the pulses: a
   run of ``capture_min_pulses`` pulses on one channel, each within 1000 / ``capture_min_hz`` ms of the
   previous (a tetanus; 100 Hz is the classic LTP trigger), keeps capture open for ``capture_window_ms``
   after its last pulse. Every ``TAG_PERIOD_MS`` one sequential pass decays the tags (``tag_tau_ms``) and, if
   capture was open for m steps of the period, moves 1 - (1 - rate)^(m dt) of each tag into its weight,
   signed, clipped to [0, w_max] (synaptic tagging and capture, Frey & Morris 1997). Two variants, both off
   by default: ``capture_tags_before_only`` writes no tags while capture is open, so a tetanus captures only
   the tags set before it, not those its own pulses set; ``depotentiation_min_uA`` > 0 lets an isolated
   strong pulse (at least that drive, not part of a tetanus) open a depotentiation window of the same length,
   during which tags move into their weights with the opposite sign (low-frequency stimulation reverses
   recent potentiation; Fujii et al. 1991, O'Dell & Kandel 1994). The mechanism sees only stimulation
   pulses, never a game or a score. Off, none of this runs and spikes are unchanged bit for bit.

The loop stops early when an output buffer could overflow; the caller then grows it and calls again.
Randomness comes from a per-culture xorshift64* state, so many cultures in one process stay independent and
bit-exactly reproducible.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# indices into the float64 parameter vector P
P_DT, P_NMDA_SHARE, P_GABAB_SHARE, P_MG, P_E_EXC, P_E_GABAA, P_E_GABAB = range(7)
P_DECAY_AMPA, P_DECAY_NMDA, P_DECAY_GABAA, P_DECAY_GABAB = range(7, 11)
P_STP_ON, P_STDP_ON, P_A_PLUS, P_A_MINUS, P_DECAY_PLUS, P_DECAY_MINUS, P_W_MAX = range(11, 18)
P_HOMEO_ON, P_HOMEO_TARGET, P_HOMEO_TAU_STEPS, P_HOMEO_PERIOD, P_HOMEO_RATE, P_DECAY_RATE = range(18, 24)
P_MINI_W, P_NOISE_RMS, P_DETECT_THRESHOLD, P_FRAMES_PER_STEP = range(24, 28)
# tagging: on, tag decay per pass, steps per pass, capture rate per ms, max gap between tetanic pulses (frames),
# pulses that make a tetanus, capture window (steps)
P_TAG_ON, P_TAG_DECAY, P_TAG_PERIOD, P_CAPTURE_RATE, P_CAPTURE_MAX_GAP, P_CAPTURE_MIN_PULSES, \
    P_CAPTURE_WINDOW = range(28, 35)
# spike detection: frames after a detection during which the same channel detects nothing more (dead time)
P_DEAD_FRAMES = 35
# tagging variants (exploration, off by default): no tags written while capture is open (Frey & Morris's
# order); the drive (uA at 200 us) from which an isolated pulse opens depotentiation (0: never)
P_CAPTURE_BEFORE_ONLY, P_DEPOT_MIN_DRIVE = 36, 37
# cooperative GABA_B: maximal conductance (0 = off), and the linear GABA_B conductance at half activation
P_GABAB_COOP_GAIN, P_GABAB_COOP_HALF = 38, 39
N_PARAMS = 40

# tag decay and capture run every this many ms (10 steps at dt 1 ms): far below tag_tau_ms, and cheap
TAG_PERIOD_MS = 10.0


def pack_params(cfg) -> np.ndarray:
    """The float64 parameter vector P the kernel reads, indexed by the ``P_*`` constants above, from a
    :class:`~clgym.culture.config.CultureConfig` (rates and time constants turned into per-step factors)."""
    dt = cfg.dt_ms
    tau_rate_steps = cfg.homeostasis_tau_s * 1000.0 / dt
    P = np.zeros(N_PARAMS)
    P[P_DT] = dt
    P[P_NMDA_SHARE], P[P_GABAB_SHARE], P[P_MG] = cfg.nmda_share, cfg.gabab_share, cfg.mg_mM
    P[P_E_EXC], P[P_E_GABAA], P[P_E_GABAB] = cfg.e_exc_mv, cfg.e_gabaa_mv, cfg.e_gabab_mv
    P[P_DECAY_AMPA] = math.exp(-dt / cfg.tau_ampa_ms)
    P[P_DECAY_NMDA] = math.exp(-dt / cfg.tau_nmda_ms)
    P[P_DECAY_GABAA] = math.exp(-dt / cfg.tau_gabaa_ms)
    P[P_DECAY_GABAB] = math.exp(-dt / cfg.tau_gabab_ms)
    P[P_STP_ON], P[P_STDP_ON], P[P_HOMEO_ON] = float(cfg.stp), float(cfg.stdp), float(cfg.homeostasis)
    P[P_A_PLUS], P[P_A_MINUS], P[P_W_MAX] = cfg.stdp_a_plus, cfg.stdp_a_minus, cfg.w_max
    P[P_DECAY_PLUS] = math.exp(-dt / cfg.stdp_tau_plus_ms)
    P[P_DECAY_MINUS] = math.exp(-dt / cfg.stdp_tau_minus_ms)
    P[P_HOMEO_TARGET], P[P_HOMEO_RATE] = cfg.homeostasis_target_hz, cfg.homeostasis_rate
    P[P_HOMEO_TAU_STEPS] = tau_rate_steps
    P[P_HOMEO_PERIOD] = max(1, round(cfg.homeostasis_period_ms / dt))
    P[P_DECAY_RATE] = math.exp(-1.0 / tau_rate_steps)
    P[P_MINI_W] = cfg.mini_weight
    P[P_NOISE_RMS], P[P_DETECT_THRESHOLD] = cfg.noise_rms_uv, cfg.detection_threshold_sd * cfg.noise_rms_uv
    P[P_FRAMES_PER_STEP] = cfg.frames_per_step
    P[P_DEAD_FRAMES] = round(cfg.detection_dead_time_ms * 25)
    tag_period = max(1, round(TAG_PERIOD_MS / dt))
    P[P_TAG_ON], P[P_TAG_PERIOD] = float(cfg.stdp_tagging), tag_period
    P[P_TAG_DECAY] = math.exp(-tag_period * dt / cfg.tag_tau_ms)
    P[P_CAPTURE_RATE] = cfg.capture_rate_per_ms
    P[P_CAPTURE_MAX_GAP] = 25.0 * 1000.0 / cfg.capture_min_hz + 1e-9  # in 25 kHz frames
    P[P_CAPTURE_MIN_PULSES] = cfg.capture_min_pulses
    P[P_CAPTURE_WINDOW] = max(1, round(cfg.capture_window_ms / dt))
    P[P_CAPTURE_BEFORE_ONLY] = float(cfg.capture_tags_before_only)
    P[P_DEPOT_MIN_DRIVE] = cfg.depotentiation_min_uA
    P[P_GABAB_COOP_GAIN] = cfg.gabab_cooperative_gain
    # K summed IPSPs (of w_inh) give a linear GABA_B conductance of K w_inh gabab_share
    P[P_GABAB_COOP_HALF] = cfg.gabab_cooperative_half * cfg.w_inh * cfg.gabab_share
    return P


# fast-math flags that allow vectorisation and FMA but keep NaN/inf semantics (no "nnan"/"ninf")
_FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}


# STDP traces below this are treated as zero (a change of < 1e-6 of a weight): skips their scattered writes
TRACE_FLOOR = 1e-4

# indices into the int64 counter vector C (returned state of one call)
C_STEPS_DONE, C_N_DETECTED, C_N_NEURON_SPIKES = range(3)

# Per-neuron state travels in a few 2-D arrays, one row per quantity (the ``Culture`` keeps the rows as named
# views): each array argument costs ~0.4 us to unbox per call, and the env calls once per 10 ms tick.
# rows of the float32 array N32 (state, then the Izhikevich parameters)
R_V, R_U, R_G_AMPA, R_G_NMDA, R_G_GABAA, R_G_GABAB, R_PRE_TR, R_POST_TR, R_RATE_TR, R_A, R_B, R_C, R_D = range(13)
N32_ROWS = 13
# rows of the float64 array N64: short-term plasticity state and parameters, miniature rate (events per step)
R_STP_X, R_STP_U, R_STP_U0, R_STP_TAU_REC, R_STP_TAU_FAC, R_MINI_P = range(6)
N64_ROWS = 6
# rows of the int64 array I64: last STP update step, next miniature's step
R_STP_LAST, R_NEXT_MINI = range(2)
I64_ROWS = 2
# rows of the int64 array PTR (n + 1 columns): CSR pointers of outgoing synapses, incoming E->E synapses, the
# channels that see each neuron, and outgoing E->E synapses
R_SYN_PTR, R_EE_PTR, R_DET_PTR, R_EE_OUT_PTR = range(4)
# rows of the int32 array SYN (one column per synapse, CSR by presynaptic neuron): target, delay in steps, and
# delay * n + target (the synapse's cell in a ring flattened to depth * n, relative to the current slot)
R_SYN_POST, R_SYN_DELAY, R_SYN_RING = range(3)
# rows of the int32 array EE (one column per E->E synapse): grouped by postsynaptic neuron, the presynaptic
# neuron and the synapse index; and grouped by presynaptic neuron (ascending, CSR R_EE_OUT_PTR), the synapse index
# and its target
R_EE_PRE, R_EE_SYN, R_EE_OUT, R_EE_OUT_POST = range(4)
# rows of the float32 array SW (one column per synapse): weight, eligibility tag (zero unless tagging is on)
R_SW_W, R_SW_TAG = range(2)
# rows of the float64 stimulus array STIM (one column per pulse, by step): step, channel, drive (uA), frame
R_STIM_STEP, R_STIM_CHANNEL, R_STIM_DRIVE, R_STIM_FRAME = range(4)
STIM_ROWS = 4
# rows of the int64 tetanus state TET (one column per channel): frame of the last pulse, length of the run of
# tetanic pulses it ends, and a row of scalars (indices T_*): capture open while step < T_CAPTURE_UNTIL, steps
# with capture open so far, and in the current tag period
# A fourth row holds each channel's last detected spike frame (the detector's dead time, step 4).
R_TET_LAST, R_TET_RUN, R_TET_MISC, R_CH_LAST_SPIKE = range(4)
T_CAPTURE_UNTIL, T_CAPTURE_STEPS, T_OPEN_IN_PERIOD, T_DEPOT_UNTIL, T_DEPOT_STEPS, T_DEPOT_IN_PERIOD = range(6)
NO_PULSE_FRAME = -(10**15)
# rows of the int64 output array OUT: detected spikes' frame and channel, neuron spikes' frame and id
R_OUT_FRAME, R_OUT_CH, R_NRN_FRAME, R_NRN_ID = range(4)


@numba.njit(inline="always")
def _next(state):
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return x * np.uint64(2685821657736338717)


@numba.njit(inline="always")
def _uniform_open(state):
    """Uniform in (0, 1]."""
    return (float(_next(state) >> np.uint64(11)) + 1.0) * (1.0 / 9007199254740992.0)


@numba.njit(inline="always")
def _gauss(state):
    u1 = _uniform_open(state)
    u2 = _uniform_open(state)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


@numba.njit(cache=True)
def _membrane_constants(P):
    f = np.float32  # explicit casts: a float64 constant would promote the whole update to double precision
    return (f(0.5 * P[P_DT]), f(P[P_DT]), f(P[P_NMDA_SHARE]), f(P[P_GABAB_SHARE]),
            f(0.5 * np.log(P[P_MG] / 3.57)), f(P[P_E_EXC]), f(P[P_E_GABAA]), f(P[P_E_GABAB]),
            f(P[P_DECAY_AMPA]), f(P[P_DECAY_NMDA]), f(P[P_DECAY_GABAA]), f(P[P_DECAY_GABAB]),
            f(P[P_DECAY_PLUS]), f(P[P_DECAY_MINUS]), f(P[P_DECAY_RATE]), f(P[P_GABAB_COOP_GAIN]),
            f(1.0 / P[P_GABAB_COOP_HALF]) if P[P_GABAB_COOP_HALF] > 0 else f(0.0))


# float32 literals: a float64 literal would promote the whole membrane update to double precision
_F = np.float32
_0, _HALF, _ONE, _30, _M120 = _F(0.0), _F(0.5), _F(1.0), _F(30.0), _F(-120.0)
_TINY = _F(1e-30)
_X_FLOOR = _F(1e-6)
_W_FLOOR, _BIG = _F(1e-12), _F(1e30)
_IZH_A, _IZH_B, _IZH_C = _F(0.04), _F(5.0), _F(140.0)
_MG_SLOPE, _TANH_CLIP = _F(0.031), _F(4.97)
_P0, _P1, _P2, _Q1, _Q2, _Q3 = _F(135135.0), _F(17325.0), _F(378.0), _F(62370.0), _F(3150.0), _F(28.0)


@numba.njit(error_model="numpy", fastmath=_FAST, inline="always")
def nmda_block(v, half_log_mg):
    """Mg2+ block B(v) = 1 / (1 + [Mg]/3.57 exp(-0.062 v)) (Jahr & Stevens 1990), written as the logistic
    0.5 + 0.5 tanh((0.062 v - ln([Mg]/3.57)) / 2) with a [7/6] Pade tanh (error < 2e-6 over -130..50 mV).
    A call to exp() cannot be vectorised by LLVM without a vector maths library; this can."""
    x = _MG_SLOPE * v - half_log_mg
    x = min(max(x, -_TANH_CLIP), _TANH_CLIP)
    x2 = x * x
    num = x * (_P0 + x2 * (_P1 + x2 * (_P2 + x2)))
    den = _P0 + x2 * (_Q1 + x2 * (_Q2 + _Q3 * x2))
    return _HALF + _HALF * num / den


def _make_membrane_update(cooperative: bool):
    """The membrane update, compiled with or without cooperative GABA_B (``cooperative`` is frozen into the code):
    with the fast-math flags LLVM may fuse and reorder the float operations of the version with the extra term
    differently, so presets without it keep the exact spikes of the plain version."""

    @numba.njit(error_model="numpy", fastmath=_FAST)
    def _membrane_update_source(n, arrive_e, arrive_i, g_ampa, g_nmda, g_gabaa, g_gabab, v, u, a, b, c, d,
                                fire_frac, pre_tr, post_tr, rate_tr, K):
        """One step of every neuron (float32). Writes fire_frac[i] = where in the step neuron i crossed threshold
        (0..1), or -1. Izhikevich's scheme: v in two half steps, u in one full step."""
        (h, dt, nmda_share, gabab_share, half_log_mg, e_exc, e_a, e_b, dec_ampa, dec_nmda, dec_gabaa, dec_gabab,
         dec_plus, dec_minus, dec_rate, coop_gain, coop_inv_half) = K
        for i in range(n):
            ae = arrive_e[i]
            ai = arrive_i[i]
            arrive_e[i] = _0
            arrive_i[i] = _0
            ga = g_ampa[i] + ae
            gn = g_nmda[i] + ae * nmda_share
            gA = g_gabaa[i] + ai
            gB = g_gabab[i] + ai * gabab_share
            gBt = gB
            if cooperative:  # a compile-time constant: the plain version has none of this code
                # cooperative GABA_B: the GIRK channel opens when four G-protein subunits bind (Hill n = 4), so
                # the slow IPSP needs GABA_B receptors activated by many or repeated releases, not by one
                # (Destexhe & Sejnowski 1995; Kim et al. 1997). Branch-free, so the loop still vectorises.
                # the receptors' activation is what the linear GABA_B conductance already sums (the inhibitory
                # input, decaying with tau_gabab): over its half-activation, floored so that its fourth power is
                # never a float32 subnormal (~100 cycles per operation on one; the floor's share is 1e-24). No
                # state of its own: one more array written here would stop LLVM vectorising the loop.
                x = max(gB * coop_inv_half, _X_FLOOR)
                x2 = x * x
                x4 = x2 * x2
                gBt = gB + coop_gain * x4 / (x4 + _ONE)
            vi = v[i]
            ui = u[i]
            # the Mg2+ block is taken once per step: it changes little within 1 ms below threshold, and above
            # threshold the spike is already decided
            gexc = ga + gn * nmda_block(vi, half_log_mg)
            erev = gA * e_a + gBt * e_b + gexc * e_exc  # I = sum g (E - v) = erev - gtot * v
            gtot = gexc + gA + gBt
            v1 = vi + h * (_IZH_A * vi * vi + _IZH_B * vi + _IZH_C - ui + erev - gtot * vi)
            v1c = min(v1, _30)
            v2 = v1c + h * (_IZH_A * v1c * v1c + _IZH_B * v1c + _IZH_C - ui + erev - gtot * v1c)
            f0 = vi >= _30  # pushed over threshold by a pulse at the start of the step
            f1 = v1 >= _30
            fired = f0 | f1 | (v2 >= _30)
            # threshold crossing by linear interpolation within the half step: frame-resolution timestamps
            num = _30 - vi if f1 else _30 - v1
            den = v1 - vi if f1 else v2 - v1
            frac = _0 if f0 else (_0 if f1 else _HALF) + _HALF * num / den
            vend = max(v2, _M120)
            v[i] = c[i] if fired else vend
            u[i] = ui + d[i] if fired else ui + dt * a[i] * (b[i] * vend - ui)
            fire_frac[i] = frac if fired else -_ONE
            # decays flush to zero below _TINY: exponential decay otherwise ends in float32 subnormals, and every
            # arithmetic operation on a subnormal costs ~100 cycles (this alone halved the engine's speed)
            ga *= dec_ampa
            gn *= dec_nmda
            gA *= dec_gabaa
            gB *= dec_gabab
            x_pre = pre_tr[i] * dec_plus
            x_post = post_tr[i] * dec_minus
            g_ampa[i] = ga if ga > _TINY else _0
            g_nmda[i] = gn if gn > _TINY else _0
            g_gabaa[i] = gA if gA > _TINY else _0
            g_gabab[i] = gB if gB > _TINY else _0
            pre_tr[i] = x_pre if x_pre > _TINY else _0
            post_tr[i] = x_post if x_post > _TINY else _0
            rate = rate_tr[i] * dec_rate
            rate_tr[i] = rate if rate > _TINY else _0

    return _membrane_update_source


_membrane_update = _make_membrane_update(False)
_membrane_update_cooperative = _make_membrane_update(True)


@numba.njit(error_model="numpy")
def _tag_pass(syn_w, syn_tag, decay, frac, sign, wmax):
    """Step 6: move ``frac`` of every tag into its weight (times ``sign``: +1 capture, -1 depotentiation,
    0 both in one period; clipped to [0, wmax]), then decay the tags by ``decay``. Only E->E tags are ever
    non-zero, so one sequential pass over all synapses touches no other weight."""
    if frac > _0:
        # branch-free, so that it vectorises: every weight is stored, an untagged one unchanged (w + 0, bounds
        # it cannot reach: inhibitory weights may exceed wmax). A select between the old and the new weight
        # would compile to a masked store, 3x slower.
        for q in range(syn_tag.size):
            t = syn_tag[q]
            tagged = t != _0
            hi = wmax if tagged else _BIG
            lo = _W_FLOOR if tagged else -_ONE  # no subnormal weights (as in STDP depression)
            moved = frac * t
            w = syn_w[q] + sign * moved
            w = w if w < hi else hi
            syn_w[q] = w if w > lo else _0
            t = (t - moved) * decay
            syn_tag[q] = t if abs(t) > _TINY else _0
    else:  # decay only
        for q in range(syn_tag.size):
            t = syn_tag[q] * decay
            syn_tag[q] = t if abs(t) > _TINY else _0


# Step 4's per-spike loops, one small function each: compiled apart from the big step loop, a loop keeps its
# values in registers (inlined into run_steps it reloaded them from the stack on every synapse). Indices are
# cast to unsigned, which skips Numba's negative-index wraparound code. Each loop does exactly the float
# operations, in the same order, as the single loop it replaced (bit-identical results).
_U = np.uint64


@numba.njit(cache=True, error_model="numpy")
def _deliver(ring, syn_ring, syn_w, q0, q1, base, size, eff):
    """Schedule one spike's synapses q0..q1: weight x short-term efficacy into the ring slot of their delay
    (``ring`` flattened, ``base`` = current slot x n, ``syn_ring`` = delay x n + target)."""
    for q in range(q0, q1):
        uq = _U(q)
        # ring cell without an integer modulo per synapse (a division costs ~30 cycles)
        r = base + syn_ring[uq]
        if r >= size:
            r -= size
        ring[_U(r)] += syn_w[uq] * eff


@numba.njit(cache=True, error_model="numpy")
def _depress(syn_w, ee_out_post, post_tr, ee_out, p0, p1, a_minus):
    """STDP depression of a presynaptic spike's E->E synapses ee_out[p0:p1] (soft bound: ~ w)."""
    for k in range(p0, p1):
        q = _U(ee_out[_U(k)])
        y = post_tr[_U(ee_out_post[_U(k)])]
        if y > TRACE_FLOOR:
            w = syn_w[q] - a_minus * syn_w[q] * y
            syn_w[q] = w if w > 1e-12 else 0.0  # no subnormal weights after long depression


@numba.njit(cache=True, error_model="numpy")
def _depress_tag(syn_tag, syn_w, ee_out_post, post_tr, ee_out, p0, p1, a_minus):
    """As ``_depress``, into the eligibility tags."""
    for k in range(p0, p1):
        q = _U(ee_out[_U(k)])
        y = post_tr[_U(ee_out_post[_U(k)])]
        if y > TRACE_FLOOR:
            syn_tag[q] -= a_minus * syn_w[q] * y


@numba.njit(cache=True, error_model="numpy")
def _potentiate(dst, syn_w, ee_pre, ee_syn, pre_tr, p0, p1, a_plus, wmax):
    """STDP potentiation of a postsynaptic spike's incoming E->E synapses (soft bound: ~ wmax - w), into
    ``dst`` (the weights, or the tags). Only the weight access is scattered."""
    for q2 in range(p0, p1):
        x = pre_tr[_U(ee_pre[_U(q2)])]
        if x > TRACE_FLOOR:  # most presynaptic traces are ~0: skip their weights
            q = _U(ee_syn[_U(q2)])
            dst[q] += a_plus * (wmax - syn_w[q]) * x


# error_model="numpy": no Python ZeroDivisionError checks, which also lets the membrane loop vectorise
@numba.njit(cache=True, error_model="numpy")
def run_steps(n_steps, step0, P, rng, N32, N64, I64, PTR, is_exc, SYN, SW, EE, RING, STIM,
              ch_ptr, ch_neuron, ch_mv, det_ch, det_amp, OUT, out_amp, C, TET):
    """Advance ``n_steps`` steps from step ``step0``; see the module docstring and the row constants above.

    Writes detected spikes and neuron spikes to OUT/out_amp from index 0 and their counts and the number of
    steps done to C. TET (tetanus and capture state) persists across calls like the neuron state."""
    v, u, g_ampa, g_nmda = N32[R_V], N32[R_U], N32[R_G_AMPA], N32[R_G_NMDA]
    g_gabaa, g_gabab, pre_tr, post_tr, rate_tr = N32[R_G_GABAA], N32[R_G_GABAB], N32[R_PRE_TR], N32[R_POST_TR], \
        N32[R_RATE_TR]
    a, b, c, d = N32[R_A], N32[R_B], N32[R_C], N32[R_D]
    cooperative_gabab = P[P_GABAB_COOP_GAIN] > 0.0
    stp_x, stp_u, stp_U, stp_tau_rec, stp_tau_fac, mini_p = N64[R_STP_X], N64[R_STP_U], N64[R_STP_U0], \
        N64[R_STP_TAU_REC], N64[R_STP_TAU_FAC], N64[R_MINI_P]
    stp_last, next_mini = I64[R_STP_LAST], I64[R_NEXT_MINI]
    syn_ptr, ee_ptr, det_ptr, ee_out_ptr = PTR[R_SYN_PTR], PTR[R_EE_PTR], PTR[R_DET_PTR], PTR[R_EE_OUT_PTR]
    syn_post, syn_ring = SYN[R_SYN_POST], SYN[R_SYN_RING]
    ee_pre, ee_syn, ee_out, ee_out_post = EE[R_EE_PRE], EE[R_EE_SYN], EE[R_EE_OUT], EE[R_EE_OUT_POST]
    syn_w, syn_tag = SW[R_SW_W], SW[R_SW_TAG]
    tet_last, tet_run, tet_misc, ch_last = TET[R_TET_LAST], TET[R_TET_RUN], TET[R_TET_MISC], TET[R_CH_LAST_SPIKE]
    dead = int(P[P_DEAD_FRAMES])
    ring_e, ring_i = RING[0], RING[1]
    ring_size = ring_e.size
    flat_e, flat_i = ring_e.reshape(ring_size), ring_i.reshape(ring_size)
    out_frame, out_ch, nrn_frame, nrn_id = OUT[R_OUT_FRAME], OUT[R_OUT_CH], OUT[R_NRN_FRAME], OUT[R_NRN_ID]
    n_stim = STIM.shape[1]
    n = v.size
    depth = ring_e.shape[0]
    dt = P[P_DT]
    fps = int(P[P_FRAMES_PER_STEP])
    stp_on = P[P_STP_ON] > 0.5
    stdp_on = P[P_STDP_ON] > 0.5
    homeo_on = P[P_HOMEO_ON] > 0.5
    homeo_period = int(P[P_HOMEO_PERIOD])
    noise_rms = P[P_NOISE_RMS]
    mini_w = P[P_MINI_W]
    a_plus = P[P_A_PLUS]
    a_minus = P[P_A_MINUS]
    wmax = P[P_W_MAX]
    thr = -P[P_DETECT_THRESHOLD]
    tag_on = P[P_TAG_ON] > 0.5
    tag_period = int(P[P_TAG_PERIOD])
    tag_decay = np.float32(P[P_TAG_DECAY])
    capture_keep = 1.0 - P[P_CAPTURE_RATE]  # share of a tag left after 1 ms of open capture
    max_gap = P[P_CAPTURE_MAX_GAP]
    min_pulses = int(P[P_CAPTURE_MIN_PULSES])
    window = int(P[P_CAPTURE_WINDOW])
    before_only = P[P_CAPTURE_BEFORE_ONLY] > 0.5
    depot_drive = P[P_DEPOT_MIN_DRIVE]
    spk = np.empty(n, np.int64)
    spk_off = np.empty(n, np.int64)
    sorted_j = np.empty(n, np.int64)
    sorted_off = np.empty(n, np.int64)
    bucket = np.empty(fps + 1, np.int64)
    fire_frac = np.empty(n, np.float32)
    scale = np.empty(n, np.float64)
    K = _membrane_constants(P)
    n_det = 0
    n_nrn = 0
    max_det_per_step = det_ptr[n]  # worst case: every neuron fires and is seen on all its channels
    sp = 0
    while sp < n_stim and int(STIM[R_STIM_STEP, sp]) < step0:
        sp += 1
    done = 0
    for k in range(n_steps):
        if n_det + max_det_per_step > out_frame.size or n_nrn + n > nrn_id.size:
            break
        step = step0 + k
        frame_base = step * fps
        slot = step % depth
        # 1. spontaneous miniature EPSPs (event-driven: a compare per neuron, a draw per event)
        for i in range(n):
            while next_mini[i] <= step:
                g_ampa[i] += mini_w
                # exponential interval in steps, at least one step ahead
                next_mini[i] += 1 + int(-np.log(_uniform_open(rng)) / mini_p[i])
        # 2. stimulation pulses due now
        while sp < n_stim and int(STIM[R_STIM_STEP, sp]) == step:
            ch = int(STIM[R_STIM_CHANNEL, sp])
            drive = STIM[R_STIM_DRIVE, sp]
            for q in range(ch_ptr[ch], ch_ptr[ch + 1]):
                v[ch_neuron[q]] += drive * ch_mv[q]
            if tag_on:  # tetanus detection: runs of closely spaced pulses on one channel
                f = int(STIM[R_STIM_FRAME, sp])
                tet_run[ch] = tet_run[ch] + 1 if f - tet_last[ch] <= max_gap else 1
                tet_last[ch] = f
                if tet_run[ch] >= min_pulses:
                    if step + window > tet_misc[T_CAPTURE_UNTIL]:
                        tet_misc[T_CAPTURE_UNTIL] = step + window
                    # the strong pulses that began this run were a tetanus, not isolated: no depotentiation
                    tet_misc[T_DEPOT_UNTIL] = min(tet_misc[T_DEPOT_UNTIL], step)
                elif depot_drive > 0.0 and tet_run[ch] == 1 and drive >= depot_drive:
                    # an isolated strong pulse opens depotentiation
                    tet_misc[T_DEPOT_UNTIL] = max(tet_misc[T_DEPOT_UNTIL], step + window)
            sp += 1
        capture_open = tag_on and step < tet_misc[T_CAPTURE_UNTIL]
        if capture_open:
            tet_misc[T_CAPTURE_STEPS] += 1
            tet_misc[T_OPEN_IN_PERIOD] += 1
        if tag_on and step < tet_misc[T_DEPOT_UNTIL]:
            tet_misc[T_DEPOT_STEPS] += 1
            tet_misc[T_DEPOT_IN_PERIOD] += 1
        write_tags = not (before_only and capture_open)
        # 3. delayed spike arrival and the membrane update, branch-free so that LLVM vectorises it (AVX2)
        if cooperative_gabab:
            _membrane_update_cooperative(n, ring_e[slot], ring_i[slot], g_ampa, g_nmda, g_gabaa, g_gabab, v, u, a,
                                         b, c, d, fire_frac, pre_tr, post_tr, rate_tr, K)
        else:
            _membrane_update(n, ring_e[slot], ring_i[slot], g_ampa, g_nmda, g_gabaa, g_gabab, v, u, a, b, c, d,
                             fire_frac, pre_tr, post_tr, rate_tr, K)
        n_spk = 0
        for i in range(n):
            if fire_frac[i] >= 0.0:
                spk[n_spk] = i
                off = int(fire_frac[i] * fps)
                spk_off[n_spk] = off if off < fps else fps - 1
                n_spk += 1
        if n_spk > 0:
            # order by time within the step, ties by neuron index: a stable counting sort over the fps frames
            bucket[:] = 0
            for s in range(n_spk):
                bucket[spk_off[s] + 1] += 1
            for o in range(fps):
                bucket[o + 1] += bucket[o]
            for s in range(n_spk):
                pos = bucket[spk_off[s]]
                bucket[spk_off[s]] = pos + 1
                sorted_j[pos] = spk[s]
                sorted_off[pos] = spk_off[s]
        # 4. spike consequences, in order of time within the step
        for oi in range(n_spk):
            j = sorted_j[oi]
            frame = frame_base + sorted_off[oi]
            nrn_frame[n_nrn] = frame
            nrn_id[n_nrn] = j
            n_nrn += 1
            for q in range(det_ptr[j], det_ptr[j + 1]):
                seen = det_amp[q] + noise_rms * _gauss(rng)
                chq = det_ch[q]
                # a detector is blind for `dead` frames after a detection (no duplicate (frame, channel))
                if seen < thr and frame - ch_last[chq] >= dead:
                    ch_last[chq] = frame
                    out_frame[n_det] = frame
                    out_ch[n_det] = chq
                    out_amp[n_det] = seen
                    n_det += 1
            eff = 1.0
            if stp_on:
                gap = (step - stp_last[j]) * dt
                x = 1.0 - (1.0 - stp_x[j]) * np.exp(-gap / stp_tau_rec[j])
                uu = stp_u[j] * np.exp(-gap / stp_tau_fac[j])
                uu = uu + stp_U[j] * (1.0 - uu)
                eff = uu * x / stp_U[j]
                stp_x[j] = x - uu * x
                stp_u[j] = uu
                stp_last[j] = step
            exc = is_exc[j]
            _deliver(flat_e if exc else flat_i, syn_ring, syn_w, syn_ptr[j], syn_ptr[j + 1], slot * n, ring_size, eff)
            if stdp_on and exc:
                # E->E plasticity after delivery: a synapse's own delivery above used its weight before the
                # depression of this spike, as when both ran per synapse; no other synapse reads it
                p0, p1 = ee_out_ptr[j], ee_out_ptr[j + 1]
                if tag_on:  # the changes go to the synapses' eligibility tags (step 6)
                    if write_tags:
                        _depress_tag(syn_tag, syn_w, ee_out_post, post_tr, ee_out, p0, p1, a_minus)
                        _potentiate(syn_tag, syn_w, ee_pre, ee_syn, pre_tr, ee_ptr[j], ee_ptr[j + 1], a_plus,
                                    wmax)
                else:
                    _depress(syn_w, ee_out_post, post_tr, ee_out, p0, p1, a_minus)
                    _potentiate(syn_w, syn_w, ee_pre, ee_syn, pre_tr, ee_ptr[j], ee_ptr[j + 1], a_plus, wmax)
                pre_tr[j] += 1.0
                post_tr[j] += 1.0
            rate_tr[j] += 1.0
        # 5. synaptic scaling: one sequential pass over the synapses (CSR order is cache-friendly)
        if homeo_on and (step + 1) % homeo_period == 0:
            target = P[P_HOMEO_TARGET]
            tau_s = P[P_HOMEO_TAU_STEPS] * dt / 1000.0
            for i in range(n):
                err = (target - rate_tr[i] / tau_s) / target
                scale[i] = 1.0 + P[P_HOMEO_RATE] * min(max(err, -1.0), 1.0)
            for j in range(n):
                if is_exc[j]:
                    for q in range(syn_ptr[j], syn_ptr[j + 1]):
                        w = syn_w[q] * scale[syn_post[q]]
                        syn_w[q] = w if w < wmax else wmax
        # 6. tag decay and capture
        if tag_on and (step + 1) % tag_period == 0:
            m = tet_misc[T_OPEN_IN_PERIOD]
            md = tet_misc[T_DEPOT_IN_PERIOD]
            tet_misc[T_OPEN_IN_PERIOD] = 0
            tet_misc[T_DEPOT_IN_PERIOD] = 0
            # capture and depotentiation in one period cancel in the weight; the tag is spent either way
            frac = 1.0 - capture_keep ** ((m + md) * dt) if m + md > 0 else 0.0
            sign = 1.0 if md == 0 else (-1.0 if m == 0 else 0.0)
            _tag_pass(syn_w, syn_tag, tag_decay, np.float32(frac), np.float32(sign), np.float32(wmax))
        done += 1
    C[C_STEPS_DONE] = done
    C[C_N_DETECTED] = n_det
    C[C_N_NEURON_SPIKES] = n_nrn
