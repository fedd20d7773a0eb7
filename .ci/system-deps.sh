#!/usr/bin/env bash
# System packages the tests need, from Debian (never a downloaded browser): Chromium for the
# browser tests, LibreOffice (Writer and Calc, no GUI) to open the Word and Excel exports.
# Installs only what is missing.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
if [ ${#missing[@]} -gt 0 ]; then
    echo "system-deps: installing ${missing[*]}" >&2
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
