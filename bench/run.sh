#!/bin/bash
# Measure mod_webcast_saml in a real httpd with wrk, on loopback:
#   1. a static page, public             (the floor: httpd alone)
#   2. the same page behind AuthType WebcastSAML with a session cookie
#      (a cookie parse and one cache lookup)
#   3. the ACS: N distinct signed responses (Entra-shaped), each POSTed
#      once (replays would be refused), then the same N again (replays)
# and the httpd children's memory.  Run from a built tree ("make" builds
# the module and t/tools/wcs_mkresponse); wrk is installed with apt-get
# when missing.
# Usage: bench/run.sh [-n RESPONSES] [-c CONNECTIONS] [-d SECONDS]
set -eu
cd "$(dirname "$0")/.."
n=4000
conns=4
secs=10
while getopts "n:c:d:" opt; do
    case $opt in
        n) n=$OPTARG ;;
        c) conns=$OPTARG ;;
        d) secs=$OPTARG ;;
        *) echo "usage: $0 [-n RESPONSES] [-c CONNECTIONS] [-d SECONDS]" >&2
           exit 2 ;;
    esac
done
if [ ! -f .libs/mod_webcast_saml.so ] || [ ! -x t/tools/wcs_mkresponse ]; then
    echo "bench: build first (./configure && make)" >&2
    exit 1
fi
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo=sudo; fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi

apxs=${APXS:-apxs}
httpd=$($apxs -q SBINDIR)/$($apxs -q TARGET)
lib=$($apxs -q LIBEXECDIR)
work=$(mktemp -d /tmp/wcs-bench.XXXXXX)
chmod 755 "$work"
port=$(perl -MIO::Socket::INET -e \
    'print IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0,
                                 Listen => 1)->sockport')
stop() {
    "$httpd" -f "$work/httpd.conf" -k stop 2>/dev/null || true
    sleep 1
    rm -rf "$work"
}
trap stop EXIT

t/make-fixtures.sh "$work/keys" >/dev/null
mkdir -p "$work/htdocs/pub" "$work/htdocs/prot" "$work/logs" "$work/resp"
echo "hello webcast" | tee "$work/htdocs/pub/index.html" \
    > "$work/htdocs/prot/index.html"
cp .libs/mod_webcast_saml.so "$work/"
user=nobody; group=$(id -gn nobody 2>/dev/null || echo nogroup)
[ "$(id -u)" -eq 0 ] || { user=$(id -un); group=$(id -gn); }
cat > "$work/httpd.conf" <<CONF
ServerRoot $work
Listen 127.0.0.1:$port
ServerName 127.0.0.1:$port
PidFile $work/logs/httpd.pid
ErrorLog $work/logs/error_log
LogLevel warn
User $user
Group $group
LoadModule mpm_event_module $lib/mod_mpm_event.so
LoadModule authn_core_module $lib/mod_authn_core.so
LoadModule authz_core_module $lib/mod_authz_core.so
LoadModule authz_user_module $lib/mod_authz_user.so
LoadModule socache_shmcb_module $lib/mod_socache_shmcb.so
LoadModule webcast_saml_module $work/mod_webcast_saml.so
StartServers 2
ServerLimit 4
ThreadsPerChild 25
MaxRequestWorkers 100
DocumentRoot $work/htdocs
<Directory $work/htdocs>
    Require all granted
</Directory>
LogFormat "%>s %{webcast-saml-code}n %{usec}t" st
CustomLog $work/logs/access_log st
WebcastSAMLSPEntityID https://bench.example.test/
WebcastSAMLIdP https://idp.example.test/ $work/keys/idp.pem
WebcastSAMLDefaultTarget /prot/index.html
<Location /prot>
    AuthType WebcastSAML
    Require valid-user
</Location>
CONF
chmod -R a+rX "$work"

echo "bench: making $n signed responses"
acs="http://127.0.0.1:$port/saml/acs"
# shellcheck disable=SC2016  # expanded by the inner sh
seq 1 "$n" | xargs -P "$(nproc)" -I{} sh -c \
    't/tools/wcs_mkresponse --key "$1/keys/idp.key" --cert "$1/keys/idp.pem" \
        --profile entra --issuer https://idp.example.test/ \
        --audience https://bench.example.test/ --acs "$2" \
        --nameid "user$3@example.test" --not-on-or-after 3600 \
        > "$1/resp/$3"' _ "$work" "$acs" {}
perl -e 'for my $f (@ARGV) { open my $h, "<", $f or die; my $b = <$h>;
    chomp $b; $b =~ s/([^A-Za-z0-9_.~-])/sprintf("%%%02X", ord $1)/ge;
    print "SAMLResponse=$b&RelayState=1234567-ab177c1f4e\n" }' \
    "$work"/resp/* > "$work/bodies.txt"

cat > "$work/acs.lua" <<'LUA'
-- Each thread POSTs its share of the bodies once, then stops; wrk still
-- waits out -d, so throughput comes from httpd's access log instead.
local bodies = {}
for line in io.lines(os.getenv("WCS_BENCH_BODIES")) do
  bodies[#bodies + 1] = line
end
local next_id, threads = 0, 0
function setup(thread)
  thread:set("first", threads)
  threads = threads + 1
end
function init(args)
  step = tonumber(os.getenv("WCS_BENCH_THREADS"))
  i = first
end
request = function()
  i = i + step
  if i > #bodies then wrk.thread:stop() end
  return wrk.format("POST", "/saml/acs",
    {["Content-Type"] = "application/x-www-form-urlencoded"},
    bodies[((i - 1) % #bodies) + 1])
end
LUA

"$httpd" -f "$work/httpd.conf" -k start
sleep 1
cookie=$(curl -s -o /dev/null -D - "$acs" \
    --data "$(sed -n 1p "$work/bodies.txt")" \
    | sed -n 's/^Set-Cookie: \(webcast_saml_session=[0-9a-f]*\).*/\1/p')
[ -n "$cookie" ] || { echo "bench: the first login failed"; exit 1; }
sed -i 1d "$work/bodies.txt"

run() { # label, wrk args...
    local label=$1
    shift
    echo "== $label"
    wrk "$@" | grep -E 'Latency|Requests/sec|requests in'
}
# Logins per second from httpd's own clock: answers / (last - first).
acs_rate() { # status code
    awk -v s="$1" '$1 == s { n++; t = $3; if (!f) f = t }
        END { if (n > 1) printf "%d answered %s in %.2f s: %.0f per second\n",
              n, s, (t - f) / 1e6, (n - 1) / ((t - f) / 1e6) }' \
        "$work/logs/access_log"
}
threads=2
acs_secs=$((n / 500 + 5))
run "static page, public" -t$threads -c"$conns" -d"${secs}s" \
    "http://127.0.0.1:$port/pub/index.html"
run "same page, AuthType WebcastSAML + session cookie" -t$threads \
    -c"$conns" -d"${secs}s" -H "Cookie: $cookie" \
    "http://127.0.0.1:$port/prot/index.html"
: > "$work/logs/access_log"
export WCS_BENCH_BODIES=$work/bodies.txt WCS_BENCH_THREADS=$threads
echo "== ACS: $((n - 1)) distinct responses, each once ($threads connections)"
wrk -t$threads -c$threads -d${acs_secs}s -s "$work/acs.lua" \
    "http://127.0.0.1:$port/" | grep -E 'Latency'
acs_rate 303
: > "$work/logs/access_log"
echo "== ACS: the same responses again: every one must be refused (4f)"
wrk -t$threads -c$threads -d${acs_secs}s -s "$work/acs.lua" \
    "http://127.0.0.1:$port/" | grep -E 'Latency'
acs_rate 403
echo "   answers: $(awk '{print $1, $2}' "$work/logs/access_log" | sort \
    | uniq -c | awk '{printf "%s x %s %s; ", $1, $2, $3}')"
echo "== httpd memory (RSS kB per process): $(ps -o rss= -C \
    "$(basename "$httpd")" | tr '\n' ' ')"
