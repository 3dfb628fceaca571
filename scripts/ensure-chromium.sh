#!/usr/bin/env bash
# Installs Debian's chromium for the console's browser tests when it is missing (no browser download
# by playwright). Needs root (CI machines run as root) and the Debian package mirror.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
source "$(dirname "$0")/apt-lock.sh"
if [ -x /usr/bin/chromium ]; then exit 0; fi # installed while we waited
echo "chromium is missing: installing Debian's package (apt-get)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium >&2
/usr/bin/chromium --version >&2
