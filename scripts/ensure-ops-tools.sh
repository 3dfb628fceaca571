#!/usr/bin/env bash
# Usage: ensure-ops-tools.sh TOOL... (openssl, systemd-analyze). Installs the Debian packages of the
# tools the operations tests need, and only those that are missing: openssl (a test CA for the TLS
# tests) and systemd (systemd-analyze verify of deploy/stratus.service). Quick when they are there
# (no apt call). Needs root and the Debian mirror when one is missing.
set -euo pipefail
source "$(dirname "$0")/apt-install.sh"
TOOLS=("$@")
declare -A PACKAGE=([openssl]=openssl [systemd-analyze]=systemd)

check() {
  missing=()
  for tool in "${TOOLS[@]}"; do
    [ -n "${PACKAGE[$tool]:-}" ] || { echo "ensure-ops-tools: unknown tool $tool" >&2; exit 2; }
    command -v "$tool" >/dev/null || missing+=("${PACKAGE[$tool]}")
  done
}

ensure_packages ensure-ops-tools --no-install-recommends
