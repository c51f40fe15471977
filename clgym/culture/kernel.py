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
4. Each spike is detected on nearby channels (amplitude + noise vs threshold), passes through the presynaptic
   Tsodyks-Markram short-term plasticity state, is scheduled to its targets, and drives pair-based STDP on
   E->E synapses (soft bounds: depression ~ w, potentiation ~ w_max - w).
5. Every ``homeostasis_period`` steps each neuron's incoming excitatory weights are scaled toward its target
   rate (multiplicative synaptic scaling, Turrigiano 1998).

The loop stops early when an output buffer could overflow; the caller then grows it and calls again.
Randomness comes from a per-culture xorshift64* state, so many cultures in one process stay independent and
bit-exactly reproducible.
"""

from __future__ import annotations

import numba
import numpy as np

# indices into the float64 parameter vector P
P_DT, P_NMDA_SHARE, P_GABAB_SHARE, P_MG, P_E_EXC, P_E_GABAA, P_E_GABAB = range(7)
P_DECAY_AMPA, P_DECAY_NMDA, P_DECAY_GABAA, P_DECAY_GABAB = range(7, 11)
P_STP_ON, P_STDP_ON, P_A_PLUS, P_A_MINUS, P_DECAY_PLUS, P_DECAY_MINUS, P_W_MAX = range(11, 18)
P_HOMEO_ON, P_HOMEO_TARGET, P_HOMEO_TAU_STEPS, P_HOMEO_PERIOD, P_HOMEO_RATE, P_DECAY_RATE = range(18, 24)
P_MINI_W, P_NOISE_RMS, P_DETECT_THRESHOLD, P_FRAMES_PER_STEP = range(24, 28)
N_PARAMS = 28

# fast-math flags that allow vectorisation and FMA but keep NaN/inf semantics (no "nnan"/"ninf")
_FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}


# STDP traces below this are treated as zero (a change of < 1e-6 of a weight): skips their scattered writes
TRACE_FLOOR = 1e-4

# indices into the int64 counter vector C (returned state of one call)
C_STEPS_DONE, C_N_DETECTED, C_N_NEURON_SPIKES = range(3)


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
            f(P[P_DECAY_PLUS]), f(P[P_DECAY_MINUS]), f(P[P_DECAY_RATE]))


# float32 literals: a float64 literal would promote the whole membrane update to double precision
_F = np.float32
_0, _HALF, _ONE, _30, _M120 = _F(0.0), _F(0.5), _F(1.0), _F(30.0), _F(-120.0)
_TINY = _F(1e-30)
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


@numba.njit(error_model="numpy", fastmath=_FAST)
def _membrane_update(n, arrive_e, arrive_i, g_ampa, g_nmda, g_gabaa, g_gabab, v, u, a, b, c, d, fire_frac,
                     pre_tr, post_tr, rate_tr, K):
    """One step of every neuron (float32). Writes fire_frac[i] = where in the step neuron i crossed threshold
    (0..1), or -1. Izhikevich's scheme: v in two half steps, u in one full step."""
    (h, dt, nmda_share, gabab_share, half_log_mg, e_exc, e_a, e_b, dec_ampa, dec_nmda, dec_gabaa, dec_gabab,
     dec_plus, dec_minus, dec_rate) = K
    for i in range(n):
        ae = arrive_e[i]
        ai = arrive_i[i]
        arrive_e[i] = _0
        arrive_i[i] = _0
        ga = g_ampa[i] + ae
        gn = g_nmda[i] + ae * nmda_share
        gA = g_gabaa[i] + ai
        gB = g_gabab[i] + ai * gabab_share
        vi = v[i]
        ui = u[i]
        # the Mg2+ block is taken once per step: it changes little within 1 ms below threshold, and above
        # threshold the spike is already decided
        gexc = ga + gn * nmda_block(vi, half_log_mg)
        erev = gA * e_a + gB * e_b + gexc * e_exc  # I = sum g (E - v) = erev - gtot * v
        gtot = gexc + gA + gB
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


# error_model="numpy": no Python ZeroDivisionError checks, which also lets the membrane loop vectorise
@numba.njit(cache=True, error_model="numpy")
def run_steps(n_steps, step0, P, rng,
              v, u, a, b, c, d, is_exc, g_ampa, g_nmda, g_gabaa, g_gabab,
              syn_ptr, syn_post, syn_w, syn_delay, in_ptr, in_syn, in_pre, ring_e, ring_i,
              stp_x, stp_u, stp_last, stp_U, stp_tau_rec, stp_tau_fac,
              pre_tr, post_tr, rate_tr,
              next_mini, mini_p,
              stim_step, stim_channel, stim_drive, ch_ptr, ch_neuron, ch_mv,
              det_ptr, det_ch, det_amp,
              out_frame, out_ch, out_amp, nrn_frame, nrn_id, C):
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
    spk = np.empty(n, np.int64)
    spk_off = np.empty(n, np.int64)
    fire_frac = np.empty(n, np.float32)
    scale = np.empty(n, np.float64)
    K = _membrane_constants(P)
    n_det = C[C_N_DETECTED]
    n_nrn = C[C_N_NEURON_SPIKES]
    max_det_per_step = det_ptr[n]  # worst case: every neuron fires and is seen on all its channels
    sp = 0
    while sp < stim_step.size and stim_step[sp] < step0:
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
        while sp < stim_step.size and stim_step[sp] == step:
            ch = stim_channel[sp]
            for q in range(ch_ptr[ch], ch_ptr[ch + 1]):
                v[ch_neuron[q]] += stim_drive[sp] * ch_mv[q]
            sp += 1
        # 3. delayed spike arrival and the membrane update, branch-free so that LLVM vectorises it (AVX2)
        _membrane_update(n, ring_e[slot], ring_i[slot], g_ampa, g_nmda, g_gabaa, g_gabab, v, u, a, b, c, d,
                         fire_frac, pre_tr, post_tr, rate_tr, K)
        n_spk = 0
        for i in range(n):
            if fire_frac[i] >= 0.0:
                spk[n_spk] = i
                off = int(fire_frac[i] * fps)
                spk_off[n_spk] = off if off < fps else fps - 1
                n_spk += 1
        # 4. spike consequences, in order of time within the step
        order = np.argsort(spk_off[:n_spk], kind="mergesort")
        for oi in range(n_spk):
            j = spk[order[oi]]
            frame = frame_base + spk_off[order[oi]]
            nrn_frame[n_nrn] = frame
            nrn_id[n_nrn] = j
            n_nrn += 1
            for q in range(det_ptr[j], det_ptr[j + 1]):
                seen = det_amp[q] + noise_rms * _gauss(rng)
                if seen < thr:
                    out_frame[n_det] = frame
                    out_ch[n_det] = det_ch[q]
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
            # ring slot without an integer modulo per synapse (a division costs ~30 cycles)
            ring = ring_e if exc else ring_i
            depress = stdp_on and exc
            for q in range(syn_ptr[j], syn_ptr[j + 1]):
                t = syn_post[q]
                s2 = slot + syn_delay[q]
                if s2 >= depth:
                    s2 -= depth
                ring[s2, t] += syn_w[q] * eff
                if depress and is_exc[t]:
                    y = post_tr[t]
                    if y > TRACE_FLOOR:
                        w = syn_w[q] - a_minus * syn_w[q] * y
                        syn_w[q] = w if w > 1e-12 else 0.0  # no subnormal weights after long depression
            if stdp_on and exc:
                for q2 in range(in_ptr[j], in_ptr[j + 1]):
                    p = in_pre[q2]  # contiguous per target: only the weight access is scattered
                    x = pre_tr[p]
                    if x > TRACE_FLOOR and is_exc[p]:  # most presynaptic traces are ~0: skip their weights
                        q = in_syn[q2]
                        syn_w[q] += a_plus * (wmax - syn_w[q]) * x
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
        done += 1
    C[C_STEPS_DONE] = done
    C[C_N_DETECTED] = n_det
    C[C_N_NEURON_SPIKES] = n_nrn
