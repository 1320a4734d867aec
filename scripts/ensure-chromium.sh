#!/usr/bin/env bash
# The report tests open report.html and the rendered PR comment in a real headless browser:
# Debian's chromium package (playwright-core drives it; no browser download from the internet).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium: $(chromium --version 2>/dev/null | head -n 1)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || {
  $SUDO apt-get update >/dev/null
  $SUDO apt-get install -y --no-install-recommends chromium >/dev/null
}
echo "chromium: $(chromium --version 2>/dev/null | head -n 1)"
