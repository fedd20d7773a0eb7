#!/usr/bin/env bash
# System packages the build and the tests need, from Debian, installed only when missing (never
# a downloaded browser). Usage: bash .ci/system-deps.sh [book]
#   (no argument)  everything `make test` needs: Chromium for the browser tests; LibreOffice
#                  (Writer and Calc, no GUI) to open the Word and Excel exports; npm (with
#                  node) for the live forms' Pyodide and the course hub's proxy, both from the
#                  npm registry; python3-venv for Debian's own Python (the hub's users run
#                  Jupyter from an environment every account can reach); useradd and runuser;
#                  bubblewrap (the hub's sandbox for leads' code run by the trainer's kernels)
#   book           only what `make book` needs: npm
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v npm >/dev/null || missing+=(npm)
if [ "${1:-}" != book ]; then
    command -v chromium >/dev/null || missing+=(chromium)
    command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
    { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import ensurepip" 2>/dev/null; } || missing+=(python3-venv)
    command -v useradd >/dev/null || missing+=(passwd)
    command -v runuser >/dev/null || missing+=(util-linux)
    command -v bwrap >/dev/null || missing+=(bubblewrap)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "system-deps: installing ${missing[*]}" >&2
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
