#!/usr/bin/env bash
# What the course hub needs beyond the project's own environment, all cached under the
# checkout's own .venv folder (one place, whichever environment runs hubctl or the tests:
# hub_settings.parts() reads them from there):
#   - .venv/hub-user: the environment the hub and every account's Jupyter run in, made from a
#     Python every account can run (Debian's /usr/bin/python3; the project's own interpreter
#     may live in a private folder such as /root), with this package and its [hub] extra;
#     made again only when pyproject.toml changes;
#   - .venv/hub-node: configurable-http-proxy from npm, pinned by package-lock.json, installed
#     again only when the lock file changes (nothing is downloaded while the hub runs);
#   - compiled bytecode for the course package: accounts cannot write __pycache__ into a
#     shared checkout and would otherwise compile it again at every kernel start.
# Usage: bash deploy/hub/setup.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ $# -gt 0 ]; then
    echo "setup: takes no arguments; the hub's parts always go into $root/.venv" >&2
    exit 2
fi
mkdir -p "$root/.venv"
venv="$root/.venv"
users_python=${WHOLESCHOOL_HUB_PYTHON:-/usr/bin/python3}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v npm >/dev/null || ! "$users_python" -c "import ensurepip" 2>/dev/null; then
    echo "setup: installing Debian's npm and python3-venv" >&2
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm python3-venv
fi

userenv="$venv/hub-user"
stamp="$userenv/.installed-$( (cat "$root/pyproject.toml"; echo "$root") | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    rm -rf "$userenv"
    "$users_python" -m venv "$userenv"
    "$userenv/bin/python" -m pip install --quiet --upgrade pip
    "$userenv/bin/python" -m pip install --quiet --editable "$root[hub]"
    touch "$stamp"
fi

node="$venv/hub-node"
if ! cmp -s "$here/package-lock.json" "$node/package-lock.json" \
    || [ ! -x "$node/node_modules/.bin/configurable-http-proxy" ]; then
    mkdir -p "$node"
    cp "$here/package.json" "$here/package-lock.json" "$node/"
    (cd "$node" && npm ci --no-audit --no-fund --loglevel=error)
fi

"$userenv/bin/python" -m compileall -q "$root/widgets/wholeschool" "$root/deploy/hub" >/dev/null
chmod -R a+rX "$userenv" "$node" "$root/widgets" "$root/deploy/hub/apps" "$root/course"
# The nbgrader course holds the model answers: root's alone (the hub copies it for the trainer).
chmod 0700 "$root/assessments"
echo "setup: users' environment in $userenv; configurable-http-proxy $("$node/node_modules/.bin/configurable-http-proxy" --version)"
