#!/usr/bin/env bash
# Installs Debian's tmux for the `stratus top` terminal tests when it is missing. Needs root (CI
# machines run as root) and the Debian package mirror.
set -euo pipefail
if command -v tmux >/dev/null; then exit 0; fi
source "$(dirname "$0")/apt-lock.sh"
if command -v tmux >/dev/null; then exit 0; fi # installed while we waited
echo "tmux is missing: installing Debian's package (apt-get)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq tmux >&2
tmux -V >&2
