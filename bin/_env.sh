# Sourced by bin/demo and bin/test: make .venv (Python 3.12) and install clgym with the extras the caller needs.
#   CLGYM_EXTRAS   extras to install, comma-separated ("" = the runtime only: what `clgym demo` needs)
#   CLGYM_SKIP_INSTALL=1   use the environment as it is
# Idempotent and quick once done: a stamp per (pyproject.toml, extras) skips the resolver. Says what it does, a
# line per step, on stderr. Compiled Numba kernels go where `import clgym` puts them for any script:
# ~/.cache/clgym/numba (clgym/numba_cache.py), so leaving bin/ never recompiles.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CLGYM_EXTRAS="${CLGYM_EXTRAS-}"
ALL_EXTRAS="dev,rl,ray,nwb"  # bin/test's: everything the tests use (a superset of every other profile)

say() { echo "clgym setup: $*" >&2; }
venv_size() { du -sh .venv 2>/dev/null | cut -f1; }

find_python312() {
  for c in python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  return 1
}

if [ "${CLGYM_SKIP_INSTALL:-0}" != "1" ]; then
  pyhash="$(sha1sum pyproject.toml | cut -c1-12)"
  stamp_of() { echo ".venv/.clgym-installed-$pyhash-${1:-runtime}" | tr ',' '+'; }
  if [ ! -f "$(stamp_of "$CLGYM_EXTRAS")" ] && [ ! -f "$(stamp_of "$ALL_EXTRAS")" ]; then
    PY312="$(find_python312)" || { echo "clgym needs Python 3.12 (cl-sdk requires >= 3.12); none found" >&2; exit 2; }
    started=$SECONDS
    if [ ! -x .venv/bin/python ]; then
      say "making .venv with $PY312"
      "$PY312" -m venv .venv
    fi
    if ! .venv/bin/python -m uv --version >/dev/null 2>&1; then
      say "installing uv (the installer) into .venv"
      # a venv made by uv itself has no pip: bootstrap it first
      .venv/bin/python -m pip --version >/dev/null 2>&1 || .venv/bin/python -m ensurepip --upgrade >/dev/null
      .venv/bin/python -m pip install --quiet --disable-pip-version-check uv
    fi
    spec="."
    what="clgym and its runtime (cl-sdk, numba, numpy, scipy, gymnasium, pygame, matplotlib, h5py; ~0.5 GB)"
    if [ -n "$CLGYM_EXTRAS" ]; then
      spec=".[$CLGYM_EXTRAS]"
      what="clgym with extras [$CLGYM_EXTRAS] (rl brings stable-baselines3 and torch: ~3 GB the first time)"
    fi
    say "installing $what into .venv (.venv is $(venv_size) now) ..."
    t0=$SECONDS
    # --compile-bytecode: with PYTHONDONTWRITEBYTECODE=1 nothing else writes .pyc, and every SDK producer
    # process would recompile numpy/numba/cl from source (2-4 s of its 15 s start limit)
    .venv/bin/python -m uv pip install --quiet --compile-bytecode -p .venv/bin/python -e "$spec"
    rm -f .venv/.clgym-installed-*
    touch "$(stamp_of "$CLGYM_EXTRAS")"
    say "installed in $((SECONDS - t0)) s; .venv is $(venv_size); setup took $((SECONDS - started)) s"
  fi
fi
export PATH="$ROOT/.venv/bin:$PATH"
# headless by default: pygame draws off-screen when there is no display
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  export SDL_VIDEODRIVER="${SDL_VIDEODRIVER:-dummy}"
fi
export SDL_AUDIODRIVER="${SDL_AUDIODRIVER:-dummy}"
# the SDK's web visualiser (real time only) runs in its own process on ports 8000/1025: not for unattended runs
export CL_SDK_VISUALISATION="${CL_SDK_VISUALISATION:-0}"
