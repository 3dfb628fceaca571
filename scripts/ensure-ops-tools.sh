#!/usr/bin/env bash
# Usage: ensure-ops-tools.sh TOOL... (openssl, systemd-analyze). Installs the Debian packages of the
# tools the operations tests need, and only those that are missing: openssl (a test CA for the TLS
# tests) and systemd (systemd-analyze verify of deploy/stratus.service). Quick when they are there
# (no apt call). Needs root and the Debian mirror when one is missing.
set -euo pipefail
declare -A PACKAGE=([openssl]=openssl [systemd-analyze]=systemd)

check() {
  missing=()
  for tool in "$@"; do
    [ -n "${PACKAGE[$tool]:-}" ] || { echo "ensure-ops-tools: unknown tool $tool" >&2; exit 2; }
    command -v "$tool" >/dev/null || missing+=("${PACKAGE[$tool]}")
  done
}

check "$@"
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
source "$(dirname "$0")/apt-lock.sh"
check "$@" # another test may have installed them while we waited
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "ensure-ops-tools: missing ${missing[*]}: installing them with apt-get…" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-ops-tools: not root, cannot install; run as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2; then
  echo "ensure-ops-tools: apt-get could not install ${missing[*]}" >&2
  exit 1
fi
check "$@"
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-ops-tools: still missing after apt-get: ${missing[*]}" >&2
  exit 1
fi
