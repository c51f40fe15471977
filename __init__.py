"""Not the package: the clone's own folder, imported as ``clgym`` when Python runs from the folder *above* it.

``git clone`` makes a folder named ``clgym`` holding the package ``clgym/``. A script, REPL or notebook started
in the clone's parent finds that folder first on ``sys.path`` (the current directory comes before the
installed package). Without this file Python would import the folder as an empty namespace package: nothing
registers, and ``gym.make("CLPong-v0")`` fails with "Environment CLPong doesn't exist". With it, importing
``clgym`` from there loads the real package (``clgym/clgym/``) under its own name, so the parent works like
anywhere else. From any other directory this file is never imported.
"""

import importlib.util as _util
import os as _os
import sys as _sys

_package_dir = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "clgym")
if __name__ == "clgym":  # under another name (a tool such as pytest importing the folder as a package): nothing
    _init = _os.path.join(_package_dir, "__init__.py")
    if not _os.path.isfile(_init):
        raise ImportError(f"{_os.path.dirname(_package_dir)} is a clgym clone without its package folder "
                          f"{_package_dir}: the clone is incomplete (git status there)")
    _spec = _util.spec_from_file_location("clgym", _init, submodule_search_locations=[_package_dir])
    _package = _util.module_from_spec(_spec)
    _sys.modules["clgym"] = _package  # the import system returns whatever sys.modules["clgym"] is once this ends
    _spec.loader.exec_module(_package)
