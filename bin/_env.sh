# Sourced by bin/demo and bin/test: make .venv (Python 3.12) and install clgym with everything it needs.
# Idempotent and quick once done. Set CLGYM_SKIP_INSTALL=1 to use the environment as it is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python312() {
  for c in python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  return 1
}

if [ "${CLGYM_SKIP_INSTALL:-0}" != "1" ]; then
  PY312="$(find_python312)" || { echo "clgym needs Python 3.12 (cl-sdk requires >= 3.12); none found" >&2; exit 2; }
  if [ ! -x .venv/bin/python ]; then
    "$PY312" -m venv .venv
  fi
  if ! .venv/bin/python -m uv --version >/dev/null 2>&1; then
    # a venv made by uv itself has no pip: bootstrap it first
    .venv/bin/python -m pip --version >/dev/null 2>&1 || .venv/bin/python -m ensurepip --upgrade >/dev/null
    .venv/bin/python -m pip install --quiet --disable-pip-version-check uv
  fi
  # stamp: skip the resolver entirely when pyproject.toml has not changed since the last install
  stamp=".venv/.clgym-installed-$(sha1sum pyproject.toml | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    # --compile-bytecode: with PYTHONDONTWRITEBYTECODE=1 nothing else writes .pyc, and every SDK producer
    # process would recompile numpy/numba/cl from source (2-4 s of its 15 s start limit)
    .venv/bin/python -m uv pip install --quiet --compile-bytecode -p .venv/bin/python -e ".[dev,rl,ray]"  # ray: the Ray campaign test runs in CI too
    rm -f .venv/.clgym-installed-*
    touch "$stamp"
  fi
fi
export PATH="$ROOT/.venv/bin:$PATH"
# headless by default: pygame draws off-screen when there is no display
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  export SDL_VIDEODRIVER="${SDL_VIDEODRIVER:-dummy}"
fi
export SDL_AUDIODRIVER="${SDL_AUDIODRIVER:-dummy}"
export CL_SDK_VISUALISATION="${CL_SDK_VISUALISATION:-0}"
export NUMBA_CACHE_DIR="${NUMBA_CACHE_DIR:-$ROOT/.venv/numba-cache}"
