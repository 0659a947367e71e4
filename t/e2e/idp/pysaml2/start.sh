#!/bin/sh
# Start the pysaml2 test IdP in the background.
#   start.sh STATE_DIR IDP_BASE_URL SP_METADATA_FILE
# Listens on 127.0.0.1 at IDP_BASE_URL's port; writes a fresh key and
# certificate, idp-metadata.xml, entity-id, pid and the logs (idp.log,
# idp.out) into STATE_DIR; returns once the IdP answers HTTP.
set -eu

die() { echo "pysaml2 IdP: $*" >&2; exit 1; }

[ $# -eq 3 ] || die "usage: $0 STATE_DIR IDP_BASE_URL SP_METADATA_FILE"
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3
state=$1 base=${2%/} spmd=$3

[ -r "$spmd" ] || die "cannot read the SP metadata file $spmd"
case $base in
    http://*:[0-9]*) ;;
    *) die "IDP_BASE_URL must look like http://idp.test:PORT, not $base" ;;
esac
port=${base##*:}
port=${port%%/*}
if ! "$python" -c 'import saml2' 2>/dev/null; then
    die "$python cannot import saml2 (apt-get install python3-pysaml2)"
fi
command -v xmlsec1 >/dev/null || die "no xmlsec1 (apt-get install xmlsec1)"
command -v openssl >/dev/null || die "no openssl"

mkdir -p "$state"
state=$(cd "$state" && pwd)
spmd=$(cd "$(dirname "$spmd")" && pwd)/$(basename "$spmd")
if [ -s "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
    die "already running in $state (pid $(cat "$state/pid")); stop.sh it first"
fi
rm -f "$state/pid" "$state/idp-metadata.xml" "$state/entity-id"

openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 30 \
    -subj "/CN=pysaml2 test IdP" \
    -keyout "$state/idp.key" -out "$state/idp.crt" >"$state/openssl.log" 2>&1 \
    || die "openssl could not make the key and certificate (see $state/openssl.log)"

"$python" "$here/idp.py" "$state" "$base" "$spmd" \
    >"$state/idp.out" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$state/pid"

# Wait up to 20 s for this very process (by the pid it sends back) to
# serve its metadata at 127.0.0.1:PORT, whatever the Host.
rc=0
"$python" - "$port" "$base/idp/metadata" "$pid" <<'PY' || rc=$?
import http.client, sys, time
port, entity_id, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3]
deadline = time.time() + 20
while time.time() < deadline:
    try:                        # died (a zombie until the shell reaps it)?
        with open("/proc/%s/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                sys.exit(3)
    except OSError:
        sys.exit(3)
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        c.request("GET", "/idp/metadata")
        r = c.getresponse()
        body = r.read().decode("utf-8", "replace")
        if r.status == 200 and r.getheader("X-Pysaml2-IdP-Pid") == pid \
                and 'entityID="%s"' % entity_id in body:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(1)
PY
if [ $rc -eq 0 ]; then
    echo "pysaml2 IdP: $base/idp/metadata (pid $pid, logs in $state)"
    exit 0
fi
if [ $rc -eq 3 ]; then
    echo "pysaml2 IdP: the IdP exited at start (port $port taken? bad SP metadata?); its output:" >&2
else
    echo "pysaml2 IdP: pid $pid did not answer on 127.0.0.1:$port within 20 s; stopping it" >&2
    kill "$pid" 2>/dev/null || true
fi
tail -n 20 "$state/idp.out" >&2 2>/dev/null || true
rm -f "$state/pid"
exit 1
