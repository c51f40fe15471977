"""clgym: Gymnasium environments in which a neural culture plays the game.

The culture is a real CL1 (through the Cortical Labs ``cl`` API) or clgym's own Numba spiking culture,
plugged into the cl SDK as a ``cl.sim`` data source. See ``clgym.culture`` for the engine.

``import clgym`` registers the Gymnasium ids (``CLPong-v0``) and nothing heavier: the culture engine and the
cl SDK load when an env is made.
"""

__version__ = "0.1.0"

from clgym.numba_cache import configure_numba_cache as _configure_numba_cache  # noqa: E402

_configure_numba_cache()  # before any kernel is defined: a per-user cache unless NUMBA_CACHE_DIR is set

from clgym import envs as _envs  # noqa: E402,F401  (registers CLPong-v0)
