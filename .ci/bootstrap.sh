#!/usr/bin/env bash
# Create the project's virtual environment from nothing and install the package with one of
# its extras: `book` (what building and serving the book needs: `make serve`) or `all` (tests,
# trainer's tools, hub, dev: `make test`). Usage: bash .ci/bootstrap.sh [VENV_DIR] [EXTRA]
set -euo pipefail
venv=${1:-.venv}
extra=${2:-all}
python=${PYTHON:-python3}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v "$python" >/dev/null; then
    echo "bootstrap: $python not found; installing python3 from Debian packages" >&2
    as_root apt-get update -q && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-venv
fi
"$python" - <<'PY'
import sys
if sys.version_info < (3, 10):
    sys.exit(f"bootstrap: Python 3.10 or newer is needed, found {sys.version.split()[0]}")
PY

if [ ! -x "$venv/bin/python" ]; then
    if ! "$python" -m venv "$venv" 2>/dev/null; then
        echo "bootstrap: python3 -m venv failed; installing Debian's python3-venv" >&2
        rm -rf "$venv"
        as_root apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
        "$python" -m venv "$venv"
    fi
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet --editable ".[$extra]"
echo "bootstrap: environment ready in $venv (.[$extra])"
