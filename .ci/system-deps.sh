#!/usr/bin/env bash
# System packages the build and the tests need, from Debian, installed only when missing (never
# a downloaded browser). Usage: bash .ci/system-deps.sh [book]
#   (no argument)  everything `make test` needs: Chromium for the browser tests; LibreOffice
#                  (Writer and Calc, no GUI) to open the Word and Excel exports; npm (with
#                  node) for the live forms' Pyodide, which comes from the npm registry
#   book           only what `make book` needs: npm
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v npm >/dev/null || missing+=(npm)
if [ "${1:-}" != book ]; then
    command -v chromium >/dev/null || missing+=(chromium)
    command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "system-deps: installing ${missing[*]}" >&2
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
