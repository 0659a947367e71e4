#!/bin/bash
# The benchmark of README's "Performance": mod_webcast_saml in a real httpd
# (mpm_event, one child) measured with wrk on loopback, the server pinned
# to one core with taskset and wrk on the other, server CPU per request
# read from procfs:
#   - a static page, the same page behind AuthType WebcastSAML with a
#     session cookie, and an anonymous request to it;
#   - the ACS: N unique responses signed on both the Response and the
#     Assertion, N signed on the Assertion only, each POSTed once (a
#     success is a 303 that sets the session cookie), then the first set
#     again (every one must be refused: 4f); sampled cookies must open a
#     protected page as their own user;
#   - the floor: bench/wcs_floor, the same work in-process (base64, parse,
#     xmlsec verification with the key loaded once), on the same core; and
#     the same work as a handler of the same httpd (bench/mod_wcs_floor.c,
#     303 and a cookie, nothing of the module's);
#   - mod_auth_mellon and Shibboleth SP (bench/sp/*.sh, installed with
#     apt-get where they install) on responses made alike for them;
#   - 10,000 distinct attendees at once on both cores, and a session made
#     before them that must still open the page after them;
#   - with -m N: the child's memory after N more logins.
# It prints the ratios README's targets are stated in.  Run from a built
# tree ("make" builds the module, both floors and the signing tool).
# It is never part of make check: timings decide no test.
# -p caps the responses given to the other SPs (500: they are slower by
# orders of magnitude).  WCS_BENCH_PERF=DIR also records each phase of our
# server with perf into DIR (figures of such a run are for reading only).
# WCS_BENCH_CONF="LINES" adds directives to our server's configuration,
# e.g. "WebcastSAMLSessionProcessCache off" to measure the protected page
# from the session cache alone.
# -r ROUNDS measures our server and both floors ROUNDS times, each round
# on responses of its own, and takes the median of each figure: a shared
# machine's speed drifts by 10% and more from one minute to the next.
# -e EVENTS also starts two servers like ours with event maps of 10 and of
# EVENTS events, times their start-up (configtest, which reads the map)
# and signs in the both-signed responses of each round to each, every one
# to an event of its map (RelayState ID-KEY): a lookup must cost the same
# for ten events or a hundred thousand.
# -a also starts two servers like ours with a user directory, one on an
# SQLite file and one on PostgreSQL through mod_dbd (a server of its own,
# initdb and pg_ctl from Debian's postgresql), and signs in the
# both-signed responses of each round to each: every one a new attendee
# made just in time (a lookup, an insert, a lookup, an update).  The
# PostgreSQL figure counts its server processes' CPU with httpd's.
# Usage: bench/run.sh [-n RESPONSES] [-d SECONDS] [-b BURST] [-m LOGINS]
#                     [-s "mellon shib"] [-p SP_RESPONSES] [-r ROUNDS]
#                     [-e EVENTS] [-a]
set -eu
cd "$(dirname "$0")/.."
n=3000
secs=5
burst=10000
mem=0
sps="mellon shib"
sp_n=500
rounds=1
events=0
accounts=0
while getopts "n:d:b:m:s:p:r:e:a" opt; do
    case $opt in
        n) n=$OPTARG ;;
        d) secs=$OPTARG ;;
        b) burst=$OPTARG ;;
        m) mem=$OPTARG ;;
        s) sps=$OPTARG ;;
        p) sp_n=$OPTARG ;;
        r) rounds=$OPTARG ;;
        e) events=$OPTARG ;;
        a) accounts=1 ;;
        *) echo "usage: $0 [-n RESPONSES] [-d SECONDS] [-b BURST]" \
                "[-m LOGINS] [-s \"mellon shib\"] [-p SP_RESPONSES]" \
                "[-r ROUNDS] [-e EVENTS] [-a]" >&2
           exit 2 ;;
    esac
done
if [ ! -f .libs/mod_webcast_saml.so ] || [ ! -x t/tools/wcs_mkresponse ] \
        || [ ! -x bench/wcs_floor ] || [ ! -f bench/.libs/mod_wcs_floor.so ]; then
    echo "bench: build first (./configure && make)" >&2
    exit 1
fi
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi

apxs=${APXS:-apxs}
httpd=$($apxs -q SBINDIR)/$($apxs -q TARGET)
lib=$($apxs -q LIBEXECDIR)
tck=$(getconf CLK_TCK)
# The server on the first core, wrk on the second (on a machine with one
# core they share it and the figures say so).
if [ "$(nproc)" -ge 2 ]; then
    srv_cpu=0; cli_cpu=1
else
    srv_cpu=0; cli_cpu=0
fi
work=$(mktemp -d /tmp/wcs-bench.XXXXXX)
chmod 755 "$work"
running=""
stop_all() {
    local name
    for name in $running; do
        "$httpd" -f "$work/$name.conf" -k stop 2>/dev/null || true
    done
    if [ -n "${shib_started:-}" ]; then shib_stop "$work" || true; fi
    if [ -n "${pg_started:-}" ]; then pg_run pg_ctl -D "$work/pg/data" \
        -w stop >/dev/null 2>&1 || true; fi
    sleep 1
    rm -rf "$work"
}
trap stop_all EXIT

free_port() {
    perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(
        LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1)->sockport'
}

# --- the servers --------------------------------------------------------

t/make-fixtures.sh "$work/keys" >/dev/null
mkdir -p "$work/htdocs/pub" "$work/htdocs/prot" "$work/logs"
echo "hello webcast" | tee "$work/htdocs/pub/index.html" \
    > "$work/htdocs/prot/index.html"
echo 'user <!--#echo var="REMOTE_USER" -->' > "$work/htdocs/prot/who.shtml"
cp .libs/mod_webcast_saml.so bench/.libs/mod_wcs_floor.so "$work/"
user=nobody; group=$(id -gn nobody 2>/dev/null || echo nogroup)
[ "$(id -u)" -eq 0 ] || { user=$(id -un); group=$(id -gn); }

# What every server shares: one child (so that its CPU is the server's) of
# 128 threads, twice the burst's connections: mpm_event shuts idle
# keep-alive connections whenever all its workers are busy, and a request
# sent on one as it shuts is lost.  SSI for the page that names the user,
# its own logs.
base_conf() { # name port
    mkdir -p "$work/run-$1"
    cat <<CONF
ServerRoot $work
DefaultRuntimeDir $work/run-$1
Listen 127.0.0.1:$2
ServerName 127.0.0.1:$2
PidFile $work/logs/$1.pid
ErrorLog $work/logs/$1.error_log
LogLevel warn
User $user
Group $group
LoadModule mpm_event_module $lib/mod_mpm_event.so
LoadModule authn_core_module $lib/mod_authn_core.so
LoadModule authz_core_module $lib/mod_authz_core.so
LoadModule authz_user_module $lib/mod_authz_user.so
LoadModule mime_module $lib/mod_mime.so
TypesConfig /dev/null
LoadModule include_module $lib/mod_include.so
StartServers 1
ServerLimit 1
ThreadLimit 128
ThreadsPerChild 128
MaxRequestWorkers 128
MinSpareThreads 1
MaxSpareThreads 128
MaxConnectionsPerChild 0
DocumentRoot $work/htdocs
<Directory $work/htdocs>
    Require all granted
    Options +Includes
    AddOutputFilter INCLUDES .shtml
</Directory>
LogFormat "%>s %{usec}t" st
CustomLog $work/logs/$1.access_log st
CONF
}

start_server() { # name
    if ! taskset -c "$srv_cpu" "$httpd" -f "$work/$1.conf" -k start; then
        echo "bench: $1 did not start:" >&2
        tail -5 "$work/logs/$1.error_log" >&2
        exit 1
    fi
    running="$running $1"
    for _ in $(seq 50); do
        [ -s "$work/logs/$1.pid" ] && [ -n "$(child_pids "$1")" ] && return
        sleep 0.1
    done
    echo "bench: $1 did not start:" >&2
    tail -5 "$work/logs/$1.error_log" >&2
    exit 1
}

stop_server() { # name
    "$httpd" -f "$work/$1.conf" -k stop
    running=${running// $1/}
    sleep 1
}

child_pids() { # name
    ps -o pid= --ppid "$(cat "$work/logs/$1.pid")" 2>/dev/null | tr -d ' '
}

# CPU ticks of the server name: the parent, its children, the children
# it has reaped, and the extra pids (shibd).
server_ticks() { # name [pid...]
    local name=$1 pid
    shift
    for pid in "$(cat "$work/logs/$name.pid")" $(child_pids "$name") "$@"; do
        sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null
    done | awk '{ t += $12 + $13 + $14 + $15 } END { print t + 0 }'
}

# kB of its child's own memory (RssAnon): resident shared memory, the
# shmcb caches filling up as sessions are made, is not the child's.
child_rss() { # name: "N kB" of its own, and its whole RSS beside
    awk '/^RssAnon:/ { own = $2 } /^VmRSS:/ { all = $2 }
        END { printf "%d kB (RSS %d kB)", own, all }' \
        "/proc/$(child_pids "$1" | head -1)/status"
}

# --- the responses --------------------------------------------------------

# COUNT responses for user{n}.TAG@example.test into FILE, on both cores.
make_responses() { # file count tag audience acs [wcs_mkresponse args]
    local file=$1 count=$2 tag=$3 audience=$4 acs=$5 half
    shift 5
    half=$(( (count + 1) / 2 ))
    t/tools/wcs_mkresponse --key "$work/keys/idp.key" \
        --cert "$work/keys/idp.pem" --issuer https://idp.example.test/ \
        --audience "$audience" --acs "$acs" --not-on-or-after 3600 \
        --nameid "user{n}.$tag.a@example.test" --count "$half" "$@" \
        > "$file.a" &
    : > "$file.b"
    if [ "$count" -gt "$half" ]; then
        t/tools/wcs_mkresponse --key "$work/keys/idp.key" \
            --cert "$work/keys/idp.pem" --issuer https://idp.example.test/ \
            --audience "$audience" --acs "$acs" --not-on-or-after 3600 \
            --nameid "user{n}.$tag.b@example.test" \
            --count "$((count - half))" "$@" > "$file.b"
    fi
    wait $!
    cat "$file.a" "$file.b" > "$file"
    rm -f "$file.a" "$file.b"
}

# Form bodies (SAMLResponse url-encoded, RelayState) from a response file.
make_bodies() { # responses relaystate > bodies
    perl -ne 'BEGIN { $rs = shift @ARGV } chomp; next unless length;
        s/([^A-Za-z0-9_.~-])/sprintf("%%%02X", ord $1)/ge;
        print "SAMLResponse=$_&RelayState=$rs\n"' "$2" "$1"
}

# Form bodies whose RelayState is an event of a map of COUNT events (IDs
# 1000001 on, event N's key the 8 hex digits of N * 7919), spread over all
# of them.
make_event_bodies() { # responses count > bodies
    perl -ne 'BEGIN { $c = shift @ARGV; srand(42) } chomp; next unless length;
        s/([^A-Za-z0-9_.~-])/sprintf("%%%02X", ord $1)/ge;
        $i = 1 + int(rand($c));
        printf "SAMLResponse=%s&RelayState=%d-%08x\n", $_, 1000000 + $i,
            ($i * 7919) % 4294967296' "$2" "$1"
}

# --- the measurements -----------------------------------------------------

# With WCS_BENCH_PERF=DIR, each phase of our server is also recorded with
# perf (call graphs) into DIR/KEY.data, for "perf report -i": the figures of
# such a run carry perf's own cost and are for reading only.
perf_begin() { # key name
    perf_pid=
    [ -n "${WCS_BENCH_PERF:-}" ] && [ "$2" = wcs ] || return 0
    mkdir -p "$WCS_BENCH_PERF"
    # shellcheck disable=SC2086 # the options are words: split them
    perf record -q ${WCS_BENCH_PERF_ARGS:--g} -o "$WCS_BENCH_PERF/$1.data" \
        -p "$(child_pids wcs | tr '\n' ',' | sed 's/,$//')" \
        >/dev/null 2>&1 &
    perf_pid=$!
    sleep 0.5
}
perf_end() {
    [ -n "${perf_pid:-}" ] || return 0
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
    perf_pid=
}

# The PostgreSQL server's processes: the postmaster and its children
# (a backend for each of mod_dbd's connections).
pg_pids() {
    local pm
    pm=$(head -1 "$work/pg/data/postmaster.pid" 2>/dev/null) || return 0
    echo "$pm"
    ps -o pid= --ppid "$pm" | tr -d ' '
}

declare -A cpu rate startup
report() { # key label requests ticks seconds
    cpu[$1]=$(awk -v t="$4" -v k="$tck" -v n="$3" \
        'BEGIN { printf "%.4f", (n ? t / k * 1000 / n : 0) }')
    rate[$1]=$(awk -v n="$3" -v s="$5" 'BEGIN { printf "%.0f", (s ? n / s : 0) }')
    printf '%-52s %8d in %6.2f s  %7s/s  server CPU %s ms each\n' \
        "$2" "$3" "$5" "${rate[$1]}" "${cpu[$1]}"
}

# A page run: wrk for $secs seconds; every answer must have status want.
page_run() { # key label server url want [wrk args...]
    local key=$1 label=$2 name=$3 url=$4 want=$5 t0 t1 out reqs non2xx
    shift 5
    perf_begin "$key" "$name"
    t0=$(server_ticks "$name")
    out=$(taskset -c "$cli_cpu" wrk -t1 -c8 -d"${secs}s" "$@" "$url")
    t1=$(server_ticks "$name")
    perf_end
    reqs=$(echo "$out" | awk '/requests in/ { print $1 }')
    non2xx=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
    # wrk counts 4xx and 5xx only: a 2xx or 3xx run has none, and one
    # request after it shows which.
    if case $want in 2*|3*) [ -n "$non2xx" ] ;; *) [ "${non2xx:-0}" != "$reqs" ] ;; esac \
        || { case $want in 3*) true ;; *) false ;; esac \
             && [ "$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url")" != "$want" ]; }; then
        echo "bench: $label: ${non2xx:-some} of $reqs answers were not $want" >&2
        exit 1
    fi
    report "$key" "$label" "$reqs" $((t1 - t0)) "$secs"
}

# An ACS run: every body once; the rate from the server's own clock
# (first to last answer in its access log), the CPU from procfs.
acs_run() { # key label server bodies expect cookie path threads conns [pids]
    local key=$1 label=$2 name=$3 bodies=$4 expect=$5 cookie=$6 path=$7
    local threads=$8 conns=$9 count t0 t1 out span
    shift 9
    count=$(wc -l < "$bodies")
    : > "$work/logs/$name.access_log"
    : > "$work/samples"
    perf_begin "$key" "$name"
    t0=$(server_ticks "$name" "$@")
    out=$(WCS_BENCH_BODIES=$bodies WCS_BENCH_THREADS=$threads \
        WCS_BENCH_EXPECT=$expect WCS_BENCH_COOKIE=$cookie \
        WCS_BENCH_EVERY=$(( count / 20 > 0 ? count / 20 : 1 )) \
        WCS_BENCH_SAMPLES=$work/samples WCS_BENCH_PATH=$path \
        WCS_BENCH_FILLER=/pub/index.html \
        ${wrk_pin:-taskset -c $cli_cpu} wrk -t"$threads" -c"$conns" \
        -d"${acs_secs:-$((count / 600 + 4))}s" -s bench/acs.lua \
        "http://127.0.0.1:$(port_of "$name")/")
    t1=$(server_ticks "$name" "$@")
    perf_end
    echo "$out" | grep -q "acs-result sent $count ok $count bad 0" || {
        echo "bench: $label: $(echo "$out" | grep acs-result)" \
            "(of $count); the server logged" \
            "$(grep -c "^$expect " "$work/logs/$name.access_log") $expect;" \
            "wrk: $(echo "$out" | grep -i 'socket errors' || echo 'no errors')" >&2
        tail -3 "$work/logs/$name.error_log" >&2
        exit 1
    }
    # Times are when each request began: the span of n of them is n - 1
    # intervals.
    span=$(awk -v s="$expect" '$1 == s { n++
            if (!lo || $2 < lo) lo = $2; if ($2 > hi) hi = $2 }
        END { printf "%.3f", (n > 1 ? (hi - lo) / 1e6 * n / (n - 1) : 0) }' \
        "$work/logs/$name.access_log")
    report "$key" "$label" "$count" $((t1 - t0)) "$span"
}

port_of() { awk '/^Listen/ { sub(/.*:/, ""); print; exit }' "$work/$1.conf"; }

# Every sampled cookie opens the protected page as a distinct user of the
# run's own (tag).
check_samples() { # server cookie-pattern tag
    local port got users=0 c
    port=$(port_of "$1")
    while read -r c; do
        got=$(curl -s -H "Cookie: $c" "http://127.0.0.1:$port/prot/who.shtml")
        case $got in
            "user user"*".$3."*"@example.test") users=$((users + 1)) ;;
            *) echo "bench: a sampled cookie of $1 gave: $got" >&2; exit 1 ;;
        esac
        echo "$got"
    done < "$work/samples" | sort -u | wc -l > "$work/samples.distinct"
    c=$(wc -l < "$work/samples")
    if [ "$c" -lt 1 ] || [ "$(cat "$work/samples.distinct")" != "$c" ]; then
        echo "bench: $1: $c sampled cookies, $(cat "$work/samples.distinct")" \
            "distinct users" >&2
        exit 1
    fi
    echo "   $c sampled cookies each opened the protected page as its own user"
}

floor_run() { # key label responses
    local out ms count
    out=$(taskset -c "$srv_cpu" bench/wcs_floor "$work/keys/idp.pem" "$3")
    ms=$(echo "$out" | awk '/^floor-ms-per-response/ { print $2 }')
    count=$(wc -l < "$3")
    cpu[$1]=$ms
    rate[$1]=$(awk -v m="$ms" 'BEGIN { printf "%.0f", (m > 0 ? 1000 / m : 0) }')
    printf '%-52s %8d in-process         %7s/s  CPU %s ms each\n' \
        "$2" "$count" "${rate[$1]}" "$ms"
}

ratio() { # label a b target-text
    awk -v l="$1" -v a="$2" -v b="$3" -v t="$4" \
        'BEGIN { if (b > 0) printf "  %-58s %6.2f   (%s)\n", l, a / b, t }'
}

# --- our module -------------------------------------------------------------

wcs_port=$(free_port)
wcs_acs="http://127.0.0.1:$wcs_port/saml/acs"
{
    base_conf wcs "$wcs_port"
    cat <<CONF
LoadModule socache_shmcb_module $lib/mod_socache_shmcb.so
LoadModule webcast_saml_module $work/mod_webcast_saml.so
LoadModule wcs_floor_module $work/mod_wcs_floor.so
WcsFloorCert $work/keys/idp.pem
<Location /floor>
    SetHandler wcs-floor
</Location>
<Location /floor-post>
    SetHandler wcs-floor-post
</Location>
WebcastSAMLSPEntityID https://bench.example.test/
# Metadata with a SingleSignOnService: an anonymous visitor is sent there.
WebcastSAMLIdPMetadata $work/keys/idp-metadata.xml
WebcastSAMLDefaultTarget /prot/index.html
$(if [ "$mem" -gt 0 ]; then
    # The memory run signs in more people within minutes than the default
    # 8 MiB replay cache may keep (about 95,000): sized as an admin would.
    echo "WebcastSAMLReplayCache shmcb:$work/run-wcs/replay(67108864)"
fi)
<Location /prot>
    AuthType WebcastSAML
    Require valid-user
</Location>
${WCS_BENCH_CONF:-}
CONF
} > "$work/wcs.conf"
# A server like ours for the same responses (the ACS URL of ours), with
# more directives: events, a user directory.
like_ours_conf() { # name port directives
    base_conf "$1" "$2"
    cat <<CONF
LoadModule socache_shmcb_module $lib/mod_socache_shmcb.so
LoadModule webcast_saml_module $work/mod_webcast_saml.so
WebcastSAMLSPEntityID https://bench.example.test/
WebcastSAMLACSURL $wcs_acs
WebcastSAMLIdP https://idp.example.test/ $work/keys/idp.pem
$3
<Location /prot>
    AuthType WebcastSAML
    Require valid-user
</Location>
${WCS_BENCH_CONF:-}
CONF
}
# The event servers: ours, with an event map.
if [ "$events" -gt 0 ]; then
    for ev in 10 "$events"; do
        awk -v n="$ev" 'BEGIN { for (i = 1; i <= n; i++)
            printf "%d %08x /prot/index.html\n", 1000000 + i,
                (i * 7919) % 4294967296 }' > "$work/events$ev.map"
        like_ours_conf "ev$ev" "$(free_port)" \
            "WebcastSAMLEventMap $work/events$ev.map" > "$work/ev$ev.conf"
    done
fi
# The user directory servers: ours with WebcastSAMLDirectory, on an
# SQLite file and on PostgreSQL.
pg_latest() {
    printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1
}
pg_bin=$(pg_latest)
pg_run() { # command args...: as postgres when root (it refuses root)
    local cmd=$1
    shift
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$pg_bin/$cmd" "$@"
    else
        "$pg_bin/$cmd" "$@"
    fi
}
if [ "$accounts" -gt 0 ]; then
    for pkg in sqlite3 postgresql libaprutil1-dbd-sqlite3 \
               libaprutil1-dbd-pgsql; do
        dpkg -s "$pkg" >/dev/null 2>&1 || as_root env \
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg"
    done
    pg_bin=$(pg_latest)
    mkdir -p "$work/accounts" "$work/pg"
    chmod 1777 "$work/accounts"
    [ "$(id -u)" -eq 0 ] && chown postgres "$work/pg"
    pg_port=$(free_port)
    pg_run initdb -D "$work/pg/data" -U webcast -A trust --no-sync \
        >/dev/null
    pg_run pg_ctl -D "$work/pg/data" -l "$work/pg/log" -w -o \
        "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1" start \
        >/dev/null
    pg_started=1
    pg_run psql -X -q -h 127.0.0.1 -p "$pg_port" -U webcast -d postgres \
        -c "CREATE DATABASE webcast"
    pg_run psql -X -q -h 127.0.0.1 -p "$pg_port" -U webcast -d webcast \
        -f - < conf/schema-postgresql.sql
    like_ours_conf dir_sqlite "$(free_port)" "WebcastSAMLDirectory \
sqlite3:$work/accounts/accounts.db schema=create" > "$work/dir_sqlite.conf"
    # The same in write-ahead-log mode, as an admin may set it (the file
    # and its -wal and -shm belong to the server's user).
    sqlite3 "$work/accounts/wal.db" < conf/schema-sqlite.sql
    sqlite3 "$work/accounts/wal.db" "PRAGMA journal_mode = WAL" >/dev/null
    chown "$user" "$work/accounts/wal.db" 2>/dev/null || true
    like_ours_conf dir_wal "$(free_port)" "WebcastSAMLDirectory \
sqlite3:$work/accounts/wal.db" > "$work/dir_wal.conf"
    like_ours_conf dir_pgsql "$(free_port)" "LoadModule dbd_module \
$lib/mod_dbd.so
DBDriver pgsql
DBDParams \"host=127.0.0.1 port=$pg_port dbname=webcast user=webcast\"
WebcastSAMLDirectory dbd" > "$work/dir_pgsql.conf"
fi
chmod -R a+rX "$work"

echo "bench: making $n both-signed and $n assertion-signed responses" \
    "for each of $rounds round(s)"
for k in $(seq "$rounds"); do
    make_responses "$work/both$k.txt" "$n" "both$k" \
        https://bench.example.test/ "$wcs_acs" --sign both
    make_responses "$work/assertion$k.txt" "$n" "asrt$k" \
        https://bench.example.test/ "$wcs_acs" --sign assertion
done
make_responses "$work/first.txt" 1 first https://bench.example.test/ \
    "$wcs_acs"
for f in "$work"/both*.txt "$work"/assertion*.txt "$work"/first.txt; do
    [ -f "$f" ] && make_bodies "$f" 1234567-ab177c1f4e > "${f%.txt}.bodies"
done

if [ "$events" -gt 0 ]; then
    for ev in 10 "$events"; do
        for f in "$work"/both*.txt; do
            k=${f##*/both}; k=${k%.txt}
            make_event_bodies "$f" "$ev" > "$work/ev$ev-$k.bodies"
        done
        # Start-up: configtest reads the configuration and the map, as a
        # start or a graceful restart does.
        t0=$(date +%s%N)
        "$httpd" -t -f "$work/ev$ev.conf" 2>/dev/null
        t1=$(date +%s%N)
        startup[$ev]=$(( (t1 - t0) / 1000000 ))
        start_server "ev$ev"
    done
fi
if [ "$accounts" -gt 0 ]; then
    start_server dir_sqlite
    start_server dir_wal
    start_server dir_pgsql
fi
start_server wcs
first_cookie=$(curl -s -o /dev/null -D - "$wcs_acs" \
    --data "$(cat "$work/first.bodies")" \
    | sed -n 's/^Set-Cookie: \(webcast_saml_session=[^;]*\).*/\1/p')
[ -n "$first_cookie" ] || { echo "bench: the first login failed" >&2; exit 1; }

echo "== server pinned to CPU $srv_cpu, wrk to CPU $cli_cpu," \
    "$(nproc) cores: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo \
    | sed 's/.*: //')"
# The figures of one round, kept under KEY.ROUND; after the last round
# each KEY holds the median of its rounds.
keep_round() { # round
    local key
    for key in "${!cpu[@]}"; do
        case $key in *.*) ;; *)
            cpu[$key.$1]=${cpu[$key]}; rate[$key.$1]=${rate[$key]} ;;
        esac
    done
}
median() { # numbers on stdin, one a line: their median, or nothing
    sort -g | awk 'NF { v[n++] = $1 } END { if (!n) exit
        m = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
        print m }'
}
median_of_rounds() {
    local key r m
    for key in "${!cpu[@]}"; do
        case $key in *.*) continue ;; esac
        m=$(for r in $(seq "$rounds"); do echo "${cpu[$key.$r]:-}"; done \
            | median)
        [ -z "$m" ] || cpu[$key]=$m
        m=$(for r in $(seq "$rounds"); do echo "${rate[$key.$r]:-}"; done \
            | median)
        [ -z "$m" ] || rate[$key]=$m
    done
}

for k in $(seq "$rounds"); do
    [ "$rounds" -gt 1 ] && echo "== round $k of $rounds"
    page_run static "static page, public" wcs \
        "http://127.0.0.1:$wcs_port/pub/index.html" 200
    page_run prot "same page, AuthType WebcastSAML + session" wcs \
        "http://127.0.0.1:$wcs_port/prot/index.html" 200 \
        -H "Cookie: $first_cookie"
    page_run anon "same page, anonymous (302 to the IdP)" wcs \
        "http://127.0.0.1:$wcs_port/prot/index.html" 302
    page_run anon_xhr "same page, anonymous script request (401)" wcs \
        "http://127.0.0.1:$wcs_port/prot/index.html" 401 \
        -H "X-Requested-With: XMLHttpRequest"
    acs_run both "ACS, both signed, each once (303 + cookie)" wcs \
        "$work/both$k.bodies" 303 webcast_saml_session /saml/acs 2 2
    check_samples wcs webcast_saml_session "both$k"
    acs_run asrt "ACS, assertion signed, each once (303 + cookie)" wcs \
        "$work/assertion$k.bodies" 303 webcast_saml_session /saml/acs 2 2
    check_samples wcs webcast_saml_session "asrt$k"
    acs_run replay "ACS, the both-signed ones again (403, 4f)" wcs \
        "$work/both$k.bodies" 403 - /saml/acs 2 2
    floor_run floor_both "floor: base64 + parse + verify, both signed" \
        "$work/both$k.txt"
    floor_run floor_asrt "floor: base64 + parse + verify, assertion signed" \
        "$work/assertion$k.txt"
    # The same work as a handler of this httpd (bench/mod_wcs_floor.c):
    # the request around a sign-in, counted alike, and nothing of the
    # module's.
    acs_run hfloor_both "floor in httpd: POST, base64 + parse + verify, both" \
        wcs "$work/both$k.bodies" 303 wcs_floor /floor 2 2
    acs_run hfloor_asrt "floor in httpd: the same, assertion signed" \
        wcs "$work/assertion$k.bodies" 303 wcs_floor /floor 2 2
    # The HTTP part alone: the same POSTs read and answered, no SAML work.
    acs_run post_both "POST of a both-signed response, read, 303 (no SAML)" \
        wcs "$work/both$k.bodies" 303 wcs_floor /floor-post 2 2
    acs_run post_asrt "POST of an assertion-signed one, read, 303 (no SAML)" \
        wcs "$work/assertion$k.bodies" 303 wcs_floor /floor-post 2 2
    if [ "$accounts" -gt 0 ]; then
        acs_run dir_sqlite "ACS, both signed, new attendee (SQLite)" \
            dir_sqlite "$work/both$k.bodies" 303 webcast_saml_session \
            /saml/acs 2 2
        acs_run dir_wal "ACS, both signed, new attendee (SQLite, WAL)" \
            dir_wal "$work/both$k.bodies" 303 webcast_saml_session \
            /saml/acs 2 2
        # shellcheck disable=SC2046  # pids are words
        acs_run dir_pgsql "ACS, both signed, new attendee (PostgreSQL)" \
            dir_pgsql "$work/both$k.bodies" 303 webcast_saml_session \
            /saml/acs 2 2 $(pg_pids)
    fi
    if [ "$events" -gt 0 ]; then
        acs_run ev_small "ACS, both signed, to one of 10 events" ev10 \
            "$work/ev10-$k.bodies" 303 webcast_saml_session /saml/acs 2 2
        acs_run ev_large "ACS, both signed, to one of $events events" \
            "ev$events" "$work/ev$events-$k.bodies" 303 webcast_saml_session \
            /saml/acs 2 2
    fi
    keep_round "$k"
done
if [ "$rounds" -gt 1 ]; then
    median_of_rounds
    echo "== the median of the $rounds rounds (server CPU per request)"
    for key in static prot anon anon_xhr both asrt replay floor_both floor_asrt \
               hfloor_both hfloor_asrt post_both post_asrt \
               $(if [ "$events" -gt 0 ]; then echo ev_small ev_large; fi) \
               $(if [ "$accounts" -gt 0 ]; then echo dir_sqlite dir_wal dir_pgsql; fi); do
        printf '  %-14s %.4f ms  %.0f/s\n' "$key" "${cpu[$key]}" \
            "${rate[$key]}"
    done
fi

# --- the others on the same kind of responses ---------------------------------

other_sp() { # sp
    local sp=$1 port acs audience relay cookie ok args pids="" count
    # shellcheck source=/dev/null
    if [ ! -f "bench/sp/$sp.sh" ] || ! . "bench/sp/$sp.sh" \
            || ! "${sp}_install"; then
        echo "== $sp: not installed here, skipped"
        return 0
    fi
    # The others are slower by orders of magnitude: at most sp_n responses
    # each (-p), their session tables sized to hold them all.
    count=$(( n < sp_n ? n : sp_n ))
    eval "${sp}_CACHE_SIZE=$((count + 100))"
    port=$(free_port)
    { base_conf "$sp" "$port"; "${sp}_conf" "$work" "$port"; } \
        > "$work/$sp.conf"
    chmod -R a+rX "$work"
    eval "audience=\$${sp}_AUDIENCE acs=\$${sp}_ACS_PATH"
    eval "relay=\$${sp}_RELAY cookie=\$${sp}_COOKIE ok=\$${sp}_OK_STATUS"
    eval "args=\${${sp}_MKRESPONSE_ARGS:-}"
    # shellcheck disable=SC2086  # args are words
    make_responses "$work/$sp.txt" "$count" "$sp" "$audience" \
        "http://127.0.0.1:$port$acs" --sign both $args
    make_bodies "$work/$sp.txt" "$relay" > "$work/$sp.bodies"
    if [ "$sp" = shib ]; then
        shib_start "$work" "$srv_cpu"
        shib_started=1
        pids=$(cat "$work/shib/shibd.pid")
    fi
    start_server "$sp"
    # shellcheck disable=SC2086  # pids are words
    acs_secs=$((count / 20 + 10)) \
        acs_run "$sp" "$sp: ACS, both signed, each once ($ok + cookie)" "$sp" \
        "$work/$sp.bodies" "$ok" "$cookie" "$acs" 2 2 $pids
    check_samples "$sp" "$cookie" "$sp"
    stop_server "$sp"
    if [ "$sp" = shib ]; then shib_stop "$work"; shib_started=; fi
}
for sp in $sps; do
    other_sp "$sp"
done

# --- many at once -------------------------------------------------------------

if [ "$burst" -gt 0 ]; then
    # Made now: by this time the rounds and the other SPs may have taken
    # longer than an assertion lives (WebcastSAMLMaxAssertionAge).
    echo "bench: making $burst responses for the burst"
    make_responses "$work/burst.txt" "$burst" burst \
        https://bench.example.test/ "$wcs_acs" --sign both
    make_bodies "$work/burst.txt" 1234567-ab177c1f4e > "$work/burst.bodies"
    # Both cores for the server and wrk alike, 64 connections.
    for pid in $(cat "$work/logs/wcs.pid") $(child_pids wcs); do
        taskset -a -p -c 0-$(( $(nproc) - 1 )) "$pid" >/dev/null
    done
    wrk_pin=" " acs_run burst "$burst attendees at once, both cores, 64 conns" \
        wcs "$work/burst.bodies" 303 webcast_saml_session /saml/acs 2 64
    check_samples wcs webcast_saml_session burst
    got=$(curl -s -H "Cookie: $first_cookie" \
        "http://127.0.0.1:$wcs_port/prot/who.shtml")
    case $got in
        "user user1.first.a@example.test") echo "   the session made" \
            "before the burst still opens the page (no session was lost)" ;;
        *) echo "bench: the session made before the burst is gone: $got" >&2
           exit 1 ;;
    esac
fi

if [ "$mem" -gt 0 ]; then
    echo "bench: making $mem more responses for the memory run"
    make_responses "$work/mem.txt" "$mem" mem https://bench.example.test/ \
        "$wcs_acs"
    make_bodies "$work/mem.txt" 1234567-ab177c1f4e > "$work/mem.bodies"
    half=$(( mem / 2 ))
    head -n "$half" "$work/mem.bodies" > "$work/mem1.bodies"
    tail -n +"$((half + 1))" "$work/mem.bodies" > "$work/mem2.bodies"
    rss0=$(child_rss wcs)
    wrk_pin=" " acs_run mem1 "memory run, first half" wcs \
        "$work/mem1.bodies" 303 webcast_saml_session /saml/acs 2 64
    rss1=$(child_rss wcs)
    wrk_pin=" " acs_run mem2 "memory run, second half" wcs \
        "$work/mem2.bodies" 303 webcast_saml_session /saml/acs 2 64
    rss2=$(child_rss wcs)
    echo "== httpd child's own memory (RssAnon): $rss0 before, $rss1" \
        "after $half logins, $rss2 after $mem"
fi
echo "== httpd child's own memory (RssAnon) now: $(child_rss wcs)"

echo "== ratios (server CPU per request unless said)"
static=${cpu[static]}
sum() { awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'; }
ratio "login both-signed / (floor + POST read)" "${cpu[both]}" \
    "$(sum "${cpu[floor_both]}" "${cpu[post_both]}")" "target <= 1.2"
ratio "login assertion-signed / (floor + POST read)" "${cpu[asrt]}" \
    "$(sum "${cpu[floor_asrt]}" "${cpu[post_asrt]}")" "target <= 1.2"
ratio "login both-signed / (floor + static)" "${cpu[both]}" \
    "$(sum "${cpu[floor_both]}" "$static")" "issue 13's first statement"
ratio "login assertion-signed / (floor + static)" "${cpu[asrt]}" \
    "$(sum "${cpu[floor_asrt]}" "$static")" "issue 13's first statement"
ratio "login both-signed / floor in httpd" "${cpu[both]}" \
    "${cpu[hfloor_both]}" "the module's own share, for reading"
ratio "login assertion-signed / floor in httpd" "${cpu[asrt]}" \
    "${cpu[hfloor_asrt]}" "the module's own share, for reading"
for sp in $sps; do
    [ -n "${cpu[$sp]:-}" ] && ratio "$sp login / our login (both signed)" \
        "${cpu[$sp]}" "${cpu[both]}" "how many times our cost"
done
ratio "protected page rate / static page rate" "${rate[prot]}" \
    "${rate[static]}" "target >= 0.95"
ratio "protected page / static page" "${cpu[prot]}" "$static" "for reading"
ratio "anonymous protected page (redirect to the IdP) / static page" \
    "${cpu[anon]}" "$static" "target <= 2"
ratio "anonymous script request (401) / static page" "${cpu[anon_xhr]}" \
    "$static" "for reading"
if [ "$accounts" -gt 0 ]; then
    ratio "login with a directory on SQLite / without" "${cpu[dir_sqlite]}" \
        "${cpu[both]}" "for reading"
    ratio "login with a directory on SQLite in WAL mode / without" \
        "${cpu[dir_wal]}" "${cpu[both]}" "for reading"
    ratio "login with a directory on PostgreSQL / without" \
        "${cpu[dir_pgsql]}" "${cpu[both]}" "httpd + PostgreSQL, for reading"
fi
if [ "$events" -gt 0 ]; then
    echo "== start-up (apachectl configtest): ${startup[10]} ms with 10" \
        "events, ${startup[$events]} ms with $events"
    ratio "ACS with $events events / with 10 events" "${cpu[ev_large]}" \
        "${cpu[ev_small]}" "target <= 1.05"
fi
ratio "replay refused / static page" "${cpu[replay]}" "$static" \
    "for reading"
