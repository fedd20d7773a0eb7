#!/usr/bin/env bash
# System packages the tests need: Debian's Chromium for the browser tests (never a downloaded
# browser); for the course hub tests, npm (configurable-http-proxy comes from the npm registry)
# and python3-venv for Debian's own Python (the hub's users run their Jupyter from an
# environment every account can reach), plus useradd and runuser. Installs only what is missing.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(npm)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import ensurepip" 2>/dev/null || missing+=(python3-venv)
command -v useradd >/dev/null || missing+=(passwd)
command -v runuser >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
    echo "system-deps: installing ${missing[*]}" >&2
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
