"""clgym: Gymnasium environments in which a neural culture plays the game.

The culture is a real CL1 (through the Cortical Labs ``cl`` API) or clgym's own Numba spiking culture,
plugged into the cl SDK as a ``cl.sim`` data source. See ``clgym.culture`` for the engine.
"""

__version__ = "0.1.0"
