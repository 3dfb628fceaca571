# Sourced by the ensure-* scripts: one apt-get at a time. Test files run two at a time, and on a fresh
# machine two of them may install packages at once; apt and dpkg refuse a second client.
exec 9>/tmp/stratus-apt.lock
flock -w 1800 9 || { echo "waited 30 min for another apt-get: giving up" >&2; exit 1; }
