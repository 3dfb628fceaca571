#!/usr/bin/env bash
# Installs Debian's tmux for the `stratus top` terminal tests when it is missing. Needs root (CI
# machines run as root) and the Debian package mirror.
set -euo pipefail
source "$(dirname "$0")/apt-install.sh"
check() {
  missing=()
  command -v tmux >/dev/null || missing+=(tmux)
}
ensure_packages ensure-tmux
