#!/usr/bin/env bash
# Debian's Chromium for the browser tests (no browser download by a test tool). Needs root or
# sudo; without them the browser tests skip with a message.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "note: chromium is not installed and we are not root; browser tests will skip" >&2
    exit 0
  fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
