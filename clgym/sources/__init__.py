"""``cl.sim`` data sources: the simulated culture as something the cl SDK can read.

See :mod:`clgym.sources.culture_source` for the concepts and a worked example.
"""

from .culture_source import (
    CULTURE_SOURCE_FACTORY,
    FRAME_MODES,
    CultureSource,
    SpikeArrays,
    culture_source,
    culture_source_metadata,
    warm_up_culture_kernels,
)

__all__ = [
    "CULTURE_SOURCE_FACTORY",
    "FRAME_MODES",
    "CultureSource",
    "SpikeArrays",
    "culture_source",
    "culture_source_metadata",
    "warm_up_culture_kernels",
]
