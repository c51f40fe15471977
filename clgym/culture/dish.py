"""Dish layout: where the neurons sit, what type each is, and how they connect.

Concepts
--------
Neurons are scattered uniformly over a square substrate under the CL1's 8 x 8 electrode grid (200 um pitch,
1.4 mm between the outer electrodes) plus a margin. About 80 % are excitatory (RS, IB, CH) and 20 % inhibitory
(FS, LTS), each with Izhikevich parameters jittered per neuron. Connections are drawn per presynaptic neuron
with probability falling exponentially with distance; the expected out-degree is fixed by the config so that a
bigger culture is denser, not more excitable. Synapses are stored sparse, CSR by presynaptic neuron, with a
second index by postsynaptic neuron for STDP and synaptic scaling. Dale's law holds by construction: a
synapse's sign is its presynaptic neuron's (weights are stored as positive magnitudes).

Example
-------
>>> from clgym.culture.config import CultureConfig
>>> dish = build_dish(CultureConfig.from_preset("tiny", seed=1))
>>> int(dish.syn_ptr[-1]) == dish.syn_post.size
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from .config import EXCITATORY_TYPES, INHIBITORY_TYPES, IZHIKEVICH_TYPES, CultureConfig

TYPE_NAMES = EXCITATORY_TYPES + INHIBITORY_TYPES  # type code = index in this tuple


@dataclass
class Dish:
    positions_um: np.ndarray  # (N, 2) float64
    type_code: np.ndarray  # (N,) int8, index into TYPE_NAMES
    is_exc: np.ndarray  # (N,) bool
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray
    syn_ptr: np.ndarray  # (N+1,) int64 CSR by presynaptic neuron
    syn_post: np.ndarray  # (S,) int32
    syn_w: np.ndarray  # (S,) float32, positive magnitudes
    syn_delay: np.ndarray  # (S,) int16, in engine steps (>= 1)
    syn_pre: np.ndarray  # (S,) int32
    in_ptr: np.ndarray  # (N+1,) int64: incoming synapses per postsynaptic neuron
    in_syn: np.ndarray  # (S,) int64 synapse indices
    in_pre: np.ndarray  # (S,) int32 presynaptic neuron of each in_syn entry (contiguous per target)
    mini_rate_hz: np.ndarray  # (N,) float64
    size_um: float
    # axons (empty (N, 2) arrays when the config has no axon model): the axon is the straight segment from the
    # soma to axon_end_um
    axon_end_um: np.ndarray | None = None

    @property
    def n_neurons(self) -> int:
        return self.type_code.size

    @property
    def n_synapses(self) -> int:
        return self.syn_post.size


def dish_size_um(cfg: CultureConfig) -> float:
    return 7 * cfg.grid_pitch_um + 2 * cfg.dish_margin_um


@numba.njit(cache=True)
def _row_pointers(degree):
    """CSR row pointers (n + 1,) of rows with ``degree[i]`` entries each."""
    n = degree.size
    ptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        ptr[i + 1] = ptr[i] + degree[i]
    return ptr


@numba.njit(cache=True)
def _draw_connections(seed, pos, degree, length_um):
    """Per presynaptic neuron: draw `degree[i]` distinct targets with p ~ exp(-distance / length).

    Rejection sampling: propose a uniformly random neuron, accept it with probability exp(-d / length). The
    accepted targets follow the exponential profile exactly, at a cost proportional to the number of synapses
    rather than to N^2 (50,000 neurons build in seconds, not a minute).
    """
    np.random.seed(seed)  # noqa: NPY002 (numba has no Generator; this seeds the jitted function's own stream)
    n = pos.shape[0]
    ptr = _row_pointers(degree)
    post = np.empty(ptr[n], np.int32)
    dist = np.empty(ptr[n], np.float64)
    taken = np.zeros(n, np.bool_)
    for i in range(n):
        k = ptr[i]
        while k < ptr[i + 1]:
            j = np.random.randint(0, n)  # noqa: NPY002
            if j == i or taken[j]:
                continue
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            d = np.sqrt(dx * dx + dy * dy)
            if np.random.random() >= np.exp(-d / length_um):  # noqa: NPY002
                continue
            taken[j] = True
            post[k] = j
            dist[k] = d
            k += 1
        for kk in range(ptr[i], ptr[i + 1]):
            taken[post[kk]] = False
        # keep each row sorted by target: memory-friendly spike delivery
        row = post[ptr[i]:ptr[i + 1]]
        order = np.argsort(row)
        post[ptr[i]:ptr[i + 1]] = row[order]
        dist[ptr[i]:ptr[i + 1]] = dist[ptr[i]:ptr[i + 1]][order]
    return ptr, post, dist


@numba.njit(cache=True)
def _segment_distance(px, py, ax, ay, ux, uy, length):
    """Distance from (px, py) to the segment from (ax, ay) along the unit vector (ux, uy) for ``length``, and
    the position of the nearest point along the segment."""
    t = (px - ax) * ux + (py - ay) * uy
    t = min(max(t, 0.0), length)
    dx = px - (ax + t * ux)
    dy = py - (ay + t * uy)
    return np.sqrt(dx * dx + dy * dy), t


@numba.njit(cache=True)
def _draw_axonal_connections(seed, pos, degree, axon_dir, axon_len, reach_um):
    """Per presynaptic neuron: draw `degree[i]` distinct targets along its axon.

    A neuron j becomes a target of i with weight exp(-d / reach), where d is the distance from j's soma to i's
    axon (a straight segment from i's soma): synapses form where an axon passes through a dendritic field.
    Targets are drawn without replacement in proportion to the weights (Efraimidis & Spirakis 2006: the
    `degree` largest keys log(u) / w), exactly and in O(N) per neuron whatever the density, so a sparse dish
    cannot stall the draw. Returns CSR pointers, targets and the path length along the axon to each contact
    (for the delay)."""
    np.random.seed(seed)  # noqa: NPY002
    n = pos.shape[0]
    ptr = _row_pointers(degree)
    post = np.empty(ptr[n], np.int32)
    path = np.empty(ptr[n], np.float64)
    keys = np.empty(n, np.float64)
    paths = np.empty(n, np.float64)
    for i in range(n):
        ux, uy = axon_dir[i, 0], axon_dir[i, 1]
        for j in range(n):
            d, t = _segment_distance(pos[j, 0], pos[j, 1], pos[i, 0], pos[i, 1], ux, uy, axon_len[i])
            paths[j] = t + d
            # log-space key: log(u) / w with w = exp(-d / reach); no underflow for far neurons
            keys[j] = np.log(np.random.random() + 1e-300) * np.exp(d / reach_um)  # noqa: NPY002
        keys[i] = -np.inf
        k = degree[i]
        chosen = np.sort(np.argsort(-keys)[:k])  # largest keys; rows sorted by target (cache-friendly delivery)
        for m in range(k):
            post[ptr[i] + m] = chosen[m]
            path[ptr[i] + m] = paths[chosen[m]]
    return ptr, post, path


#: the exact-key sampler above draws N random keys per neuron (O(N^2)): it builds the 1,000-neuron dish in
#: 0.1 s but a 10,000-neuron one in ~10 s; above this size the cell sampler below draws the same distribution
#: in O(N x cells near the axon + synapses). Dishes at or below it are the ones the exact-key sampler always built.
EXACT_KEY_MAX_NEURONS = 4000
#: the cell sampler's grid: twice the dendritic reach (fewer cells to weigh per axon; a proposal is accepted with
#: probability >= exp(-2.8) and on average ~1/3), at most this
CELL_UM = 50.0
#: cells farther than this many dendrite_reach_um from an axon are not proposed: their weight relative to a
#: contact on the axon is below exp(-30) ~ 1e-13, under the resolution of the 53-bit uniform that picks a cell
CUTOFF_REACHES = 30.0


def cell_um_for(reach_um: float) -> float:
    return min(CELL_UM, 2.0 * float(reach_um))


@numba.njit(cache=True)
def _draw_axonal_connections_cells(seed, pos, degree, axon_dir, axon_len, reach_um, cell_um, size_um):
    """The same draw as :func:`_draw_axonal_connections` (targets without replacement, p ~ exp(-d / reach)),
    by rejection from a grid of cells instead of a key per neuron.

    Per presynaptic neuron: each cell within ``CUTOFF_REACHES`` x reach of the axon (a capsule, visited row by
    row) gets the bound count x exp(-d_low / reach), d_low a lower bound of the distance from any point of the
    cell to the axon (the centre's distance minus the half-diagonal); a cell is proposed in proportion to its
    bound, a neuron uniformly within it, and accepted with probability exp(-(d - d_low) / reach) <= 1. An
    accepted neuron is thus drawn in proportion to exp(-d / reach); rejecting the neuron itself and targets
    already taken makes the sequence the successive draw without replacement, which is the distribution of the
    exact-key sampler (Efraimidis & Spirakis 2006), up to the cut-off. Cost: one distance per cell near the
    axon and a few proposals per synapse. Returns CSR pointers, targets and path lengths."""
    np.random.seed(seed)  # noqa: NPY002
    n = pos.shape[0]
    ncx = max(1, int(np.ceil(size_um / cell_um)))
    n_cells = ncx * ncx
    cell = np.empty(n, np.int64)
    for j in range(n):
        cx = min(max(int(pos[j, 0] / cell_um), 0), ncx - 1)
        cy = min(max(int(pos[j, 1] / cell_um), 0), ncx - 1)
        cell[j] = cy * ncx + cx
    order = np.argsort(cell, kind="mergesort")  # neurons grouped by cell
    cell_ptr = np.zeros(n_cells + 1, np.int64)
    for j in range(n):
        cell_ptr[cell[j] + 1] += 1
    for c in range(n_cells):
        cell_ptr[c + 1] += cell_ptr[c]
    half_diag = cell_um * np.sqrt(0.5)
    cutoff = CUTOFF_REACHES * reach_um + half_diag
    ptr = _row_pointers(degree)
    post = np.empty(ptr[n], np.int32)
    path = np.empty(ptr[n], np.float64)
    taken = np.zeros(n, np.bool_)
    # the cells of one neuron's capsule, in visiting order: id, cumulative bound, d_low
    vis_cell = np.empty(n_cells, np.int64)
    cum = np.empty(n_cells, np.float64)
    dlow = np.empty(n_cells, np.float64)
    for i in range(n):
        ux, uy = axon_dir[i, 0], axon_dir[i, 1]
        ax, ay, length = pos[i, 0], pos[i, 1], axon_len[i]
        total = 0.0
        m = 0
        for cy in range(ncx):
            y0 = cy * cell_um - cutoff
            y1 = (cy + 1) * cell_um + cutoff
            # the part of the axon whose y lies in [y0, y1]: t in [t0, t1]
            if abs(uy) < 1e-12:
                if ay < y0 or ay > y1:
                    continue
                t0, t1 = 0.0, length
            else:
                ta = (y0 - ay) / uy
                tb = (y1 - ay) / uy
                t0 = max(min(ta, tb), 0.0)
                t1 = min(max(ta, tb), length)
                if t0 > t1:
                    continue
            xa = ax + t0 * ux
            xb = ax + t1 * ux
            cx0 = max(int((min(xa, xb) - cutoff) / cell_um), 0)
            cx1 = min(int((max(xa, xb) + cutoff) / cell_um), ncx - 1)
            for cx in range(cx0, cx1 + 1):
                c = cy * ncx + cx
                count = cell_ptr[c + 1] - cell_ptr[c]
                if count == 0:
                    continue
                d, _ = _segment_distance((cx + 0.5) * cell_um, (cy + 0.5) * cell_um, ax, ay, ux, uy, length)
                dl = max(d - half_diag, 0.0)
                total += count * np.exp(-dl / reach_um)
                vis_cell[m] = c
                dlow[m] = dl
                cum[m] = total
                m += 1
        k = ptr[i]
        while k < ptr[i + 1]:
            x = np.random.random() * total  # noqa: NPY002
            lo, hi = 0, m - 1  # first visited cell with cum > x
            while lo < hi:
                mid = (lo + hi) >> 1
                if cum[mid] > x:
                    hi = mid
                else:
                    lo = mid + 1
            c = vis_cell[lo]
            count = cell_ptr[c + 1] - cell_ptr[c]
            j = order[cell_ptr[c] + min(int(np.random.random() * count), count - 1)]  # noqa: NPY002
            d, t = _segment_distance(pos[j, 0], pos[j, 1], ax, ay, ux, uy, length)
            if np.random.random() >= np.exp(-(d - dlow[lo]) / reach_um):  # noqa: NPY002
                continue
            if j == i or taken[j]:
                continue
            taken[j] = True
            post[k] = j
            path[k] = t + d
            k += 1
        for kk in range(ptr[i], ptr[i + 1]):
            taken[post[kk]] = False
        row = post[ptr[i]:ptr[i + 1]]
        o = np.argsort(row)
        post[ptr[i]:ptr[i + 1]] = row[o]
        path[ptr[i]:ptr[i + 1]] = path[ptr[i]:ptr[i + 1]][o]
    return ptr, post, path


def _morton(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    code = np.zeros_like(x)
    for bit in range(10):
        code |= ((x >> bit) & 1) << (2 * bit) | ((y >> bit) & 1) << (2 * bit + 1)
    return code


def build_dish(cfg: CultureConfig) -> Dish:
    """Place, type and wire the neurons of a culture, deterministically from ``cfg.seed``."""
    rng = np.random.default_rng(cfg.seed)
    n = cfg.n_neurons
    size = dish_size_um(cfg)
    positions = rng.uniform(0.0, size, size=(n, 2))
    # number neurons along a space-filling (Morton) order of 50 um cells: a neuron's targets are near it in
    # space, so they are near it in memory too, and spike delivery touches fewer cache lines
    cells = np.minimum((positions / 50.0).astype(np.int64), 1023)
    positions = positions[np.argsort(_morton(cells[:, 0], cells[:, 1]), kind="stable")]

    n_exc = int(round(cfg.excitatory_fraction * n))
    type_code = np.empty(n, np.int8)
    type_code[:n_exc] = rng.choice(3, size=n_exc, p=np.asarray(cfg.excitatory_type_mix))
    type_code[n_exc:] = 3 + rng.choice(2, size=n - n_exc, p=np.asarray(cfg.inhibitory_type_mix))
    perm = rng.permutation(n)  # interleave E and I in index order
    type_code = type_code[perm]
    is_exc = type_code < 3

    base = np.array([IZHIKEVICH_TYPES[t] for t in TYPE_NAMES])[type_code]  # (N, 4)
    jitter = 1.0 + cfg.heterogeneity * rng.standard_normal((n, 4))
    params = base * jitter
    # c (reset) is a voltage: jitter it additively (a few mV), not as a fraction of -65
    params[:, 2] = base[:, 2] + 2.0 * (cfg.heterogeneity / 0.08) * rng.standard_normal(n)
    params[:, 0] = np.clip(params[:, 0], 0.005, 0.2)
    params[:, 3] = np.maximum(params[:, 3], 0.5)
    # b above 0.25 makes the resting state unstable (the neuron turns into a pacemaker): keep rest stable so
    # that all spontaneous activity comes from the configured drive
    params[:, 1] = np.minimum(params[:, 1], 0.25)
    a, b, c, d = (np.ascontiguousarray(params[:, k], np.float32) for k in range(4))

    degree = rng.poisson(cfg.mean_out_degree, size=n).clip(1, n - 1).astype(np.int64)
    axon_end = None
    if cfg.axon_length_um > 0:
        # long, sparse axons: one straight segment per neuron, random direction, lognormal length (drawn from
        # their own stream so that the rest of the dish does not depend on the axon model's draws)
        arng = np.random.default_rng([cfg.seed, 21])
        angle = arng.uniform(0.0, 2.0 * np.pi, n)
        axon_dir = np.stack([np.cos(angle), np.sin(angle)], axis=1)
        sigma = np.sqrt(np.log1p(cfg.axon_length_cv**2))
        axon_len = cfg.axon_length_um * arng.lognormal(-0.5 * sigma**2, sigma, n)
        axon_end = positions + axon_dir * axon_len[:, None]
        draw_seed = int(rng.integers(2**31 - 1))
        if n <= EXACT_KEY_MAX_NEURONS:
            syn_ptr, syn_post, dist = _draw_axonal_connections(
                draw_seed, positions, degree, axon_dir, axon_len, float(cfg.dendrite_reach_um))
        else:
            syn_ptr, syn_post, dist = _draw_axonal_connections_cells(
                draw_seed, positions, degree, axon_dir, axon_len, float(cfg.dendrite_reach_um),
                cell_um_for(cfg.dendrite_reach_um), size)
    else:
        syn_ptr, syn_post, dist = _draw_connections(
            int(rng.integers(2**31 - 1)), positions, degree, float(cfg.connection_length_um))
    syn_pre = np.repeat(np.arange(n, dtype=np.int32), np.diff(syn_ptr))

    pre_exc = is_exc[syn_pre]
    mean_w = np.where(pre_exc, cfg.w_exc, cfg.w_inh)
    if cfg.weight_cv > 0:
        sigma = np.sqrt(np.log1p(cfg.weight_cv**2))
        syn_w = mean_w * rng.lognormal(-0.5 * sigma**2, sigma, size=syn_post.size)
    else:
        syn_w = mean_w.astype(np.float64)
    syn_w = np.where(pre_exc, np.minimum(syn_w, cfg.w_max), syn_w).astype(np.float32)

    delay_ms = cfg.synaptic_delay_ms + dist / cfg.conduction_speed_um_per_ms
    syn_delay = np.clip(np.rint(delay_ms / cfg.dt_ms), 1, round(cfg.max_delay_ms / cfg.dt_ms)).astype(np.int16)

    in_syn = np.argsort(syn_post, kind="stable").astype(np.int64)
    in_ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(syn_post, minlength=n), out=in_ptr[1:])

    if cfg.mini_rate_cv > 0:
        sigma = np.sqrt(np.log1p(cfg.mini_rate_cv**2))
        mini_rate = cfg.mini_rate_hz * rng.lognormal(-0.5 * sigma**2, sigma, size=n)
    else:
        mini_rate = np.full(n, cfg.mini_rate_hz)

    return Dish(positions_um=positions, type_code=type_code, is_exc=is_exc, a=a, b=b, c=c, d=d,
                syn_ptr=syn_ptr, syn_post=syn_post, syn_w=syn_w, syn_delay=syn_delay, syn_pre=syn_pre,
                in_ptr=in_ptr, in_syn=in_syn, in_pre=syn_pre[in_syn], mini_rate_hz=mini_rate, size_um=size,
                axon_end_um=axon_end)
