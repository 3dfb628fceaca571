#!/usr/bin/env bash
# Installs Debian's chromium for the console's browser tests when it is missing (no browser download
# by playwright). Needs root (CI machines run as root) and the Debian package mirror.
set -euo pipefail
source "$(dirname "$0")/apt-install.sh"
check() {
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
}
ensure_packages ensure-chromium
