#!/bin/sh
# Stop the pysaml2 test IdP started by start.sh STATE_DIR ...
#   stop.sh STATE_DIR
set -eu
[ $# -eq 1 ] || { echo "usage: $0 STATE_DIR" >&2; exit 2; }
pidfile=$1/pid
[ -s "$pidfile" ] || { echo "pysaml2 IdP: not running (no $pidfile)"; exit 0; }
pid=$(cat "$pidfile")
case $pid in *[!0-9]*|'') echo "pysaml2 IdP: bad pid file $pidfile" >&2; exit 1 ;; esac
# Only our idp.py: the pid may have been reused since.
if kill -0 "$pid" 2>/dev/null \
   && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'idp\.py'; then
    kill "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1; i=$((i + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null || true
    fi
fi
rm -f "$pidfile"
