#!/bin/sh
# Stop the SimpleSAMLphp IdP that start.sh STATE_DIR ... started: exactly
# the httpd whose pid is in STATE_DIR/httpd.pid (and that runs with
# STATE_DIR's configuration).  Waits until it has gone.
set -eu

die() {
    echo "simplesamlphp/stop.sh: $*" >&2
    exit 1
}

[ $# -eq 1 ] || die "usage: stop.sh STATE_DIR"
[ -d "$1" ] || exit 0
state=$(cd "$1" && pwd)
pidfile=$state/httpd.pid
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
case $pid in
    ''|*[!0-9]*) die "$pidfile holds no pid" ;;
esac
if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$pidfile"
    exit 0
fi
# Make sure the pid is still our httpd and not a recycled one.
if [ -r "/proc/$pid/cmdline" ] \
   && ! tr '\0' '\n' < "/proc/$pid/cmdline" | grep -qxF "$state/httpd.conf"; then
    die "pid $pid in $pidfile is not the IdP httpd of $state; not stopping it"
fi
kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -ge 100 ]; then
        echo "simplesamlphp/stop.sh: httpd $pid still runs after 10 s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
        break
    fi
    sleep 0.1
done
rm -f "$pidfile"
