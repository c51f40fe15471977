"""Helpers shared by the culture tests (imported by name: pytest puts tests/ on sys.path)."""

import numpy as np


def isolated_ee_synapse(c):
    """An RS->RS synapse of culture ``c`` with every other synapse silenced (as if blocked), so that a forced
    spike stays alone; returns ``(pre, post, synapse index)``."""
    d = c.dish
    regular = c.type_names == "RS"
    for j in np.nonzero(regular)[0]:
        for q in range(d.syn_ptr[j], d.syn_ptr[j + 1]):
            if regular[d.syn_post[q]]:
                keep = c.syn_w[q]
                c.syn_w[:] = 0.0
                c.syn_w[q] = keep
                return int(j), int(d.syn_post[q]), q
    raise AssertionError("no RS->RS synapse")
