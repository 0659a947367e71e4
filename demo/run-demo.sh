#!/bin/sh
# Run the local demo of mod_webcast_saml in the foreground until Ctrl-C:
#
#   SP   httpd with the freshly built module on http://127.0.0.1:PORT/, in
#        front of a sample "webcast" page (demo/htdocs, demo/cgi-bin);
#   IdP  SimpleSAMLphp (Debian's package) under an httpd of its own with
#        mod_php on http://localhost:IDPPORT/, started and stopped by the
#        end-to-end tests' t/e2e/idp/simplesamlphp/start.sh and stop.sh.
#
# The two are different sites (127.0.0.1 and localhost), so the IdP's POST
# to the ACS is cross-site, as in real life.  The SP starts first, with a
# placeholder IdP, only to serve its metadata (/saml/metadata) to the IdP;
# once the IdP runs, the SP restarts trusting the IdP's metadata.  Ctrl-C
# (or SIGTERM) stops both.
#
# Run from a built tree (after "make").  Needs the packages simplesamlphp,
# libapache2-mod-php and php8.2-xml, and curl.  Environment:
#   WCS_DEMO_PORT      the SP's port on 127.0.0.1 (default 8080)
#   WCS_DEMO_IDP_PORT  the IdP's port (default WCS_DEMO_PORT + 1)
#   APXS               apxs to ask for paths (default apxs)
#   HTTPD              the httpd binary (default SBINDIR/TARGET from apxs)
#   SSP_DIR            SimpleSAMLphp (default /usr/share/simplesamlphp)
set -eu
umask 022

top=$(cd "$(dirname "$0")/.." && pwd)
port=${WCS_DEMO_PORT:-8080}
apxs=${APXS:-apxs}
ssp=${SSP_DIR:-/usr/share/simplesamlphp}
idp_tools=$top/t/e2e/idp/simplesamlphp

die() {
    echo "run-demo: $*" >&2
    exit 1
}

check_port() { # name value
    case $2 in
        ''|*[!0-9]*) die "$1 must be a port number, not '$2'" ;;
    esac
    if [ "$2" -lt 1 ] || [ "$2" -gt 65535 ]; then
        die "$1 must be from 1 to 65535, not $2"
    fi
}
check_port WCS_DEMO_PORT "$port"
idp_port=${WCS_DEMO_IDP_PORT:-$((port + 1))}
check_port WCS_DEMO_IDP_PORT "$idp_port"
[ "$idp_port" -ne "$port" ] || die "WCS_DEMO_IDP_PORT must differ from WCS_DEMO_PORT"

# --- dependencies ----------------------------------------------------------

command -v "$apxs" >/dev/null 2>&1 \
    || die "$apxs not found (apt-get install apache2-dev)"
for c in openssl perl curl; do
    command -v "$c" >/dev/null 2>&1 || die "$c not found (apt-get install $c)"
done
httpd=${HTTPD:-$("$apxs" -q SBINDIR)/$("$apxs" -q TARGET)}
libexec=$("$apxs" -q LIBEXECDIR)
module=$top/.libs/mod_webcast_saml.so
cgi=$top/demo/cgi-bin
[ -x "$httpd" ] || die "httpd not found at $httpd (set HTTPD)"
[ -f "$module" ] || die "$module is not built: run ./configure && make"
for f in start.sh stop.sh; do
    [ -x "$idp_tools/$f" ] || die "$idp_tools/$f is missing"
done

# The IdP's packages, all named at once.
missing=
[ -f "$ssp/www/_include.php" ] || missing="$missing simplesamlphp"
php_module=
for f in "$libexec"/libphp*.so; do
    [ -f "$f" ] && php_module=$f
done
if [ -z "$php_module" ] || ! command -v php >/dev/null 2>&1; then
    missing="$missing libapache2-mod-php"
fi
if command -v php >/dev/null 2>&1 \
   && ! php -r 'exit(extension_loaded("dom") && extension_loaded("xml") ? 0 : 1);' \
        2>/dev/null; then
    missing="$missing php8.2-xml"
fi
if [ -n "$missing" ]; then
    echo "run-demo: the demo's IdP (SimpleSAMLphp) needs:$missing" >&2
    echo "run-demo: apt-get install --no-install-recommends$missing" >&2
    echo "run-demo: (simplesamlphp brings apache2, whose service you need not start)" >&2
    exit 1
fi

# Nothing may answer on either port already: the SP's metadata would be
# fetched from a stranger, and the browser would meet someone else's IdP.
for p in "$port" "$idp_port"; do
    for h in 127.0.0.1 localhost; do
        rc=0
        curl -s -o /dev/null --max-time 3 "http://$h:$p/" 2>/dev/null || rc=$?
        [ "$rc" -eq 7 ] \
            || die "something already listens on $h:$p (set WCS_DEMO_PORT / WCS_DEMO_IDP_PORT)"
    done
done

# --- the run directory -----------------------------------------------------

# As root, both httpds serve (and run the CGI and PHP) as nobody.  When
# nobody cannot reach this tree (a clone in /root), the demo runs from a
# copy in /tmp.
user_conf=
run=$top/demo/run
if [ "$(id -u)" -eq 0 ]; then
    group=$(id -gn nobody 2>/dev/null || echo nogroup)
    user_conf="User nobody
Group $group"
    if command -v runuser >/dev/null 2>&1 \
       && ! runuser -u nobody -- test -x "$cgi/webcast.pl" 2>/dev/null; then
        run=$(mktemp -d /tmp/webcast-saml-demo.XXXXXX)
        chmod 755 "$run"
        mkdir "$run/cgi-bin"
        cp -p "$cgi"/*.pl "$run/cgi-bin/"
        cgi=$run/cgi-bin
        echo "run-demo: user nobody cannot read $top;"
        echo "run-demo: running from $run (remove it afterwards)"
    fi
fi
if [ "$run" = "$top/demo/run" ]; then
    # Never pull the directory from under a demo that still runs.
    for pidfile in "$run/httpd.pid" "$run/idp/httpd.pid"; do
        if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            die "a demo still runs from $run (pid $(cat "$pidfile")): stop it first"
        fi
    done
    rm -rf "$run"
    mkdir -p "$run"
fi

sp_base=http://127.0.0.1:$port
sp_entity=$sp_base/demo-sp
idp_base=http://localhost:$idp_port
# The entity ID as a query parameter (it has only these specials).
sp_entity_q=$(printf '%s' "$sp_entity" | sed -e 's/%/%25/g' -e 's/:/%3A/g' -e 's|/|%2F|g')

# Replace @...@ in a template; sed's special characters in values escaped.
sed_value() {
    printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}
subst() { # template output
    sed -e "s|@RUN@|$(sed_value "$run")|g" \
        -e "s|@PORT@|$port|g" \
        -e "s|@IDP_PORT@|$idp_port|g" \
        -e "s|@IDP_BASE@|$(sed_value "$idp_base")|g" \
        -e "s|@SP_ENTITY_Q@|$(sed_value "$sp_entity_q")|g" \
        -e "s|@CGI@|$(sed_value "$cgi")|g" \
        "$1" > "$2"
}

subst "$top/demo/httpd.conf.in" "$run/httpd.conf"
mkdir -p "$run/htdocs"
for f in "$top"/demo/htdocs/*; do
    subst "$f" "$run/htdocs/$(basename "$f")"
done

: > "$run/modules.conf"
for m in mpm_event authn_core authz_core authz_user alias mime dir cgid \
         socache_shmcb env setenvif; do
    [ -f "$libexec/mod_$m.so" ] || die "$libexec/mod_$m.so is missing"
    echo "LoadModule ${m}_module \"$libexec/mod_$m.so\"" >> "$run/modules.conf"
done
echo "LoadModule webcast_saml_module \"$module\"" >> "$run/modules.conf"
printf '%s\n' "$user_conf" > "$run/user.conf"
printf 'text/html html\ntext/css css\n' > "$run/mime.types"

# The module does not start without an IdP, and SimpleSAMLphp needs the
# SP's metadata before it starts: a placeholder IdP (a throw-away
# certificate) until then.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
    -subj "/CN=mod_webcast_saml demo placeholder IdP" \
    -keyout "$run/placeholder-idp.key" -out "$run/placeholder-idp.pem" 2>/dev/null \
    || die "openssl cannot make the placeholder IdP certificate"
printf 'WebcastSAMLIdP urn:wcs-demo:placeholder-idp "%s"\n' \
    "$run/placeholder-idp.pem" > "$run/idp.conf"

# --- starting and stopping -------------------------------------------------

sp_pid=
idp_started=0

sp_start() {
    "$httpd" -d "$run" -f "$run/httpd.conf" -t >"$run/configtest.log" 2>&1 || {
        cat "$run/configtest.log" >&2
        die "the demo configuration does not pass httpd -t"
    }
    "$httpd" -d "$run" -f "$run/httpd.conf" -DFOREGROUND &
    sp_pid=$!
    # Up when it serves its own metadata (this entity ID, not a stranger's).
    i=0
    until curl -fs --max-time 5 -o "$run/sp-metadata.xml" "$sp_base/saml/metadata" 2>/dev/null \
          && grep -q "entityID=\"$sp_entity\"" "$run/sp-metadata.xml"; do
        if ! kill -0 "$sp_pid" 2>/dev/null; then
            wait "$sp_pid" 2>/dev/null || true
            sp_pid=
            tail -n 20 "$run/error_log" >&2 2>/dev/null || true
            die "the SP's httpd exited (see $run/error_log)"
        fi
        i=$((i + 1))
        [ "$i" -lt 100 ] || die "the SP does not serve $sp_base/saml/metadata (see $run/error_log)"
        sleep 0.1
    done
}

sp_stop() {
    [ -n "$sp_pid" ] || return 0
    # $! of this shell: exactly the httpd started here (in the foreground,
    # the parent never forks away); TERM stops it and its children.
    kill -TERM "$sp_pid" 2>/dev/null || true
    wait "$sp_pid" 2>/dev/null || true
    sp_pid=
}

# shellcheck disable=SC2317  # run by the traps
cleanup() {
    trap '' INT TERM
    if [ -n "$sp_pid" ]; then
        sp_stop
        echo "run-demo: SP stopped"
    fi
    if [ "$idp_started" = 1 ]; then
        idp_started=0
        if "$idp_tools/stop.sh" "$run/idp"; then
            echo "run-demo: IdP stopped"
        else
            echo "run-demo: could not stop the IdP of $run/idp" >&2
        fi
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. The SP, to serve its metadata.
sp_start
grep -q SPSSODescriptor "$run/sp-metadata.xml" \
    || die "$sp_base/saml/metadata holds no SPSSODescriptor"
sp_stop

# 2. The IdP, trusting that one SP.
mkdir -p "$run/idp"
idp_started=1
SSP_DIR=$ssp PHP_MODULE=$php_module \
    "$idp_tools/start.sh" "$run/idp" "$idp_base" "$run/sp-metadata.xml" \
    >"$run/idp-start.log" 2>&1 || {
    cat "$run/idp-start.log" >&2
    die "SimpleSAMLphp did not start (logs in $run/idp)"
}
idp_entity=$(cat "$run/idp/entity-id")

# 3. The SP again, trusting the IdP's metadata.
printf 'WebcastSAMLIdPMetadata "%s"\n' "$run/idp/idp-metadata.xml" > "$run/idp.conf"
sp_start

cat <<EOF

  mod_webcast_saml demo: SP $sp_base/ (pid $sp_pid), IdP SimpleSAMLphp $idp_base/

  Front page       $sp_base/
  SP-initiated     $sp_base/webcast/1234567/?key=ab177c1f4e
                   $sp_base/webcast/7654321/
  IdP-initiated    $idp_base/simplesaml/saml2/idp/SSOService.php?spentityid=$sp_entity_q&RelayState=1234567-ab177c1f4e
  Test users       alice@example.test / alice-pass
                   bob@example.test / bob-pass

  SP entity ID     $sp_entity   (metadata: $sp_base/saml/metadata)
  IdP entity ID    $idp_entity
  SP logs          $run/error_log, $run/access_log
  IdP logs         $run/idp/ (error_log, access_log, log/simplesamlphp.log)
  Stop both with Ctrl-C.

EOF

# Until Ctrl-C (the traps stop both servers), or until the SP exits.
status=0
wait "$sp_pid" || status=$?
sp_pid=
die "the SP's httpd exited with status $status (see $run/error_log)"
