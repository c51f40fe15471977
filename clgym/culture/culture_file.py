"""A culture named on a command line or in ``gym.make``: a preset name, or a JSON file holding a config.

Concepts
--------
Everywhere clgym takes a ``culture`` argument (``gym.make("CLPong-v0", culture=...)``, the links, the cl SDK
data source's ``CL_SDK_DATA_SOURCE_CONFIG``, ``clgym calibrate --preset``, ``clgym compare --preset``), a string
is either a preset name (``"dishbrain"``) or the path of a ``.json`` file holding a config in the form
:meth:`~clgym.culture.CultureConfig.from_dict` reads: ``{"preset": "dishbrain", "w_exc": 0.011, ...}``. That
is the file ``clgym fit`` writes, so a fitted culture (a digital twin of a recording) plays the game by its
path. :func:`culture_dict` is the one place that turns such a string into a config dict; a file that cannot
be read, is not JSON, or holds a bad config fails with a :class:`~clgym.culture.ConfigError` naming the file.

Example
-------
>>> import json, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "culture.json"
>>> _ = path.write_text(json.dumps({"preset": "tiny", "w_exc": 0.02}))
>>> culture_dict(str(path))
{'preset': 'tiny', 'w_exc': 0.02}
>>> culture_dict("dishbrain")
{'preset': 'dishbrain'}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .config import ConfigError, CultureConfig


def is_culture_file(name: str) -> bool:
    """Whether a culture string names a JSON file (it ends in ``.json``) rather than a preset."""
    return name.lower().endswith(".json")


def load_culture_file(path: str | Path) -> dict[str, Any]:
    """The config dict stored in a JSON file, validated (a :class:`ConfigError` names the file and the fault)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise ConfigError(f"culture file {path}: cannot be read ({err.strerror or err})") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(f"culture file {path}: not valid JSON ({err.msg}, line {err.lineno})") from err
    if not isinstance(data, dict):
        raise ConfigError(f"culture file {path}: holds a JSON {type(data).__name__}; allowed: an object "
                          '{"preset": ..., "field": value, ...}')
    if isinstance(data.get("preset"), str) and is_culture_file(data["preset"]):
        raise ConfigError(f"culture file {path}: its preset {data['preset']!r} is another file; allowed: a preset "
                          "name")
    try:
        CultureConfig.from_dict(data)
    except ConfigError as err:
        raise ConfigError(f"culture file {path}: {err}") from err
    return data


def culture_dict(culture: str) -> dict[str, Any]:
    """A culture string (a preset name or a ``.json`` path) -> a config dict ``{"preset": ..., **fields}``."""
    if is_culture_file(culture):
        return load_culture_file(culture)
    return {"preset": culture}
