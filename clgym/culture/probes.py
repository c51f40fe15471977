"""Single-neuron protocols on the engine's own membrane kernel, for checks and teaching.

``isolated_neuron_spikes`` drives unconnected neurons of the named Izhikevich types with a constant
excitatory conductance and returns their spike times, using exactly the vectorised update the network runs.

Example
-------
>>> spikes = isolated_neuron_spikes(["RS", "FS"], drive=0.2, duration_ms=500)
>>> len(spikes["FS"]) > len(spikes["RS"])
True
"""

from __future__ import annotations

import numpy as np

from . import kernel as K
from .config import IZHIKEVICH_TYPES, CultureConfig


def isolated_neuron_spikes(types, drive: float = 0.2, duration_ms: float = 1000.0,
                           config: CultureConfig | None = None) -> dict[str, np.ndarray]:
    """Spike times (ms) of one neuron per type under a constant AMPA conductance ``drive`` (no noise)."""
    cfg = config or CultureConfig()
    unknown = [t for t in types if t not in IZHIKEVICH_TYPES]
    if unknown:
        raise ValueError(f"unknown neuron type(s) {unknown}; allowed: {sorted(IZHIKEVICH_TYPES)}")
    n = len(types)
    f32 = np.float32
    a, b, c, d = (np.array([IZHIKEVICH_TYPES[t][k] for t in types], f32) for k in range(4))
    v = np.full(n, -65.0, f32)
    u = b * v
    zeros = [np.zeros(n, f32) for _ in range(9)]
    arrive_e, arrive_i, g_ampa, g_nmda, g_gabaa, g_gabab, pre, post, rate = zeros
    fire = np.empty(n, f32)
    P = np.zeros(K.N_PARAMS)
    P[K.P_DT], P[K.P_MG], P[K.P_E_EXC] = cfg.dt_ms, cfg.mg_mM, cfg.e_exc_mv
    P[K.P_E_GABAA], P[K.P_E_GABAB] = cfg.e_gabaa_mv, cfg.e_gabab_mv
    consts = K._membrane_constants(P)
    out: dict[str, list[float]] = {t: [] for t in types}
    for step in range(int(duration_ms / cfg.dt_ms)):
        g_ampa[:] = drive  # held constant: decays are zero in P, arrivals are zero
        K._membrane_update(n, arrive_e, arrive_i, g_ampa, g_nmda, g_gabaa, g_gabab, v, u, a, b, c, d, fire,
                           pre, post, rate, consts)
        for i in np.nonzero(fire >= 0)[0]:
            out[types[i]].append((step + float(fire[i])) * cfg.dt_ms)
    return {t: np.asarray(s) for t, s in out.items()}
