"""Import pygame safely for servers and tests.

Before pygame is imported we silence its banner, and if there is no display (no ``DISPLAY`` /
``WAYLAND_DISPLAY`` on Linux) and the user chose no SDL video driver we select SDL's ``dummy`` driver, so that
``render_mode="human"`` works (invisibly) on a headless machine instead of failing. ``rgb_array`` rendering
never initialises the display.
"""

from __future__ import annotations

import os
import sys


def headless() -> bool:
    """Whether this process has no display to open a window on."""
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
if headless() and not os.environ.get("SDL_VIDEODRIVER"):
    os.environ["SDL_VIDEODRIVER"] = "dummy"

import pygame  # noqa: E402

__all__ = ["pygame", "headless", "init_fonts"]


def init_fonts() -> None:
    """Initialise pygame's font module (needs no display)."""
    if not pygame.font.get_init():
        pygame.font.init()
