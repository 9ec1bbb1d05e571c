#!/usr/bin/env bash
# The end-to-end tests drive Debian's Chromium through its ChromeDriver (packages
# chromium and chromium-driver). Installs them when missing and we are root; otherwise
# says what to install. No browser is ever downloaded from elsewhere.
set -euo pipefail
chromium_bin=$(command -v chromium || true)
driver_bin=$(command -v chromedriver || true)
if [ -n "$chromium_bin" ] && [ -n "$driver_bin" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium and chromium-driver for the end-to-end tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
else
  echo "The end-to-end tests need Debian's chromium and chromium-driver:" >&2
  echo "  sudo apt-get install chromium chromium-driver" >&2
  exit 1
fi
