"""Where the culture's compiled Numba kernels are cached, so a plain ``python`` finds them again.

Concepts
--------
The culture's kernels are ``numba.njit(cache=True)``: compiled once (10-25 s), then loaded in ~1 s. The cl
SDK gives its producer process 15 s to start, so that process must find a warm cache. Numba's default cache
is ``__pycache__`` beside the source (not writable for a system-wide install, and each checkout has its
own), so ``import clgym`` points ``NUMBA_CACHE_DIR`` at one per-user directory *unless you set it yourself*:
``$XDG_CACHE_HOME/clgym/numba``, i.e. ``~/.cache/clgym/numba``. It runs before any clgym module defines a
kernel, and the variable is inherited by the SDK's producer, so every process of a ``cl`` script shares it.
``bin/`` sets nothing: the repository's own commands, the ``clgym`` command and a user's scripts share this one
cache, so leaving ``bin/`` never recompiles (Numba keys each entry by the source file's path and its own
version, so several checkouts and venvs can share the directory).

Example
-------
>>> import clgym
>>> from clgym.numba_cache import numba_cache_dir
>>> numba_cache_dir() is not None
True
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "NUMBA_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/clgym/numba`` (``~/.cache/clgym/numba`` when XDG_CACHE_HOME is unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "clgym" / "numba"


def configure_numba_cache() -> str | None:
    """Point ``NUMBA_CACHE_DIR`` at :func:`default_cache_dir` unless the user chose a cache; return the dir.

    A user's ``NUMBA_CACHE_DIR`` (or a ``numba.config.CACHE_DIR`` set before ``import clgym``) wins. If the
    default directory cannot be created (read-only home), Numba's own default is left in place.
    """
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return chosen
    numba = sys.modules.get("numba")
    if numba is not None and getattr(numba.config, "CACHE_DIR", ""):
        return numba.config.CACHE_DIR
    path = default_cache_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(path, os.W_OK):
        return None
    os.environ[ENV_VAR] = str(path)
    if numba is not None:  # imported before clgym: re-read the environment (kernels defined later use it)
        numba.core.config.reload_config()
    return str(path)


def numba_cache_dir() -> str | None:
    """The cache directory Numba uses in this process (``None``: beside each source file)."""
    numba = sys.modules.get("numba")
    if numba is not None:
        return numba.config.CACHE_DIR or None
    return os.environ.get(ENV_VAR) or None
