#!/usr/bin/env bash
# Install what the browser test tier needs from Debian's packages when missing: Chromium, which
# Playwright drives headless (tests/browser). Re-runnable; installs nothing present.
set -euo pipefail

[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "browser-deps: missing chromium; install it (as root): apt-get install chromium" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "browser-deps: installed chromium"
