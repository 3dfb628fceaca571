# Sourced by the ensure-* scripts, which define check(): it sets the array `missing` to the Debian
# packages not yet installed. ensure_packages NAME [APT_OPTION...] installs them with apt-get and
# checks again; it is quick when nothing is missing (no apt call, no lock). One apt-get at a time:
# test files run two at a time, and apt and dpkg refuse a second client. Needs root and the Debian
# package mirror when something is missing; says so and fails otherwise.
ensure_packages() {
  local name=$1 installed
  shift
  check
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  exec 9>/tmp/stratus-apt.lock
  flock -w 1800 9 || { echo "$name: waited 30 min for another apt-get: giving up" >&2; exit 1; }
  check # another test may have installed them while we waited
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  echo "$name: missing ${missing[*]}: installing them with apt-get…" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "$name: not root, cannot install; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq "$@" "${missing[@]}"; } >&2; then
    echo "$name: apt-get could not install ${missing[*]}" >&2
    exit 1
  fi
  installed=("${missing[@]}")
  check
  if [ ${#missing[@]} -gt 0 ]; then
    echo "$name: still missing after apt-get: ${missing[*]}" >&2
    exit 1
  fi
  echo "$name: installed ${installed[*]}" >&2
}
