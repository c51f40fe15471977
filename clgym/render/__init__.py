"""pygame rendering: the game beside a live spike raster and an 8 x 8 MEA heatmap, for human and rgb_array
modes.

Importing this package selects SDL's ``dummy`` video driver when there is no display.
"""

from clgym.render._pygame import headless
from clgym.render.doom_view import DoomRenderer, DoomView, DoomViewStyle
from clgym.render.heatmap import MEAHeatmap, heat_lut
from clgym.render.pong_renderer import GROUP_PALETTE, PongRenderer
from clgym.render.raster import SpikeRaster

__all__ = ["GROUP_PALETTE", "DoomRenderer", "DoomView", "DoomViewStyle", "MEAHeatmap", "PongRenderer", "SpikeRaster",
           "heat_lut", "headless"]
