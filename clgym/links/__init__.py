"""Links: the one boundary envs talk through, to a CL1, the SDK's simulator, or an in-process culture.

See :mod:`clgym.links.base` for the concepts and :class:`SdkLink` / :class:`InProcessLink` for the two
implementations; :func:`open_link` (:mod:`clgym.links.factory`) opens either on any source (culture, the SDK's
random source, media only); :mod:`clgym.links.stim_rules` parses a stim and times its pulses (the limits
themselves are :mod:`clgym.cl1`'s).

>>> from clgym.links import InProcessLink, SdkLink
>>> with InProcessLink("tiny") as link:
...     link.stim([9], 1.0)
...     counts = link.advance().spike_counts()
>>> counts.shape
(64,)
"""

from .base import Link, LinkClosedError, LinkObserver, Terminated, Tick
from .factory import LINK_KINDS, SOURCES, SilenceableLink, open_link
from .in_process_link import InProcessLink
from .processes import sdk_child_processes, sdk_processes
from .sdk_link import SdkLink, SourceFailedError
from .stim_rules import GROUNDED_CHANNELS, DeliveredPulse, PulseScheduler, StimRequest, validate_stim

__all__ = [
    "GROUNDED_CHANNELS",
    "InProcessLink",
    "LINK_KINDS",
    "SOURCES",
    "SilenceableLink",
    "open_link",
    "Link",
    "LinkClosedError",
    "LinkObserver",
    "DeliveredPulse",
    "PulseScheduler",
    "SdkLink",
    "SourceFailedError",
    "StimRequest",
    "Terminated",
    "Tick",
    "sdk_child_processes",
    "sdk_processes",
    "validate_stim",
]
