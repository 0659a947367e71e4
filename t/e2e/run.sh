#!/bin/bash
# End-to-end browser tests of mod_webcast_saml: our httpd with the module
# as the SP, a real IdP (one for each dir under t/e2e/idp/), and Debian's
# headless Chromium driven by playwright-core (never a downloaded browser).
#
#   t/e2e/run.sh [IDP_NAME...]      default: every dir under t/e2e/idp/
#
# For every IdP, for http and for https, it starts the SP (httpd on
# 127.0.0.1 at a free port, host name sp.test), fetches the SP's metadata,
# starts the IdP (t/e2e/idp/NAME/start.sh STATE IDP_BASE_URL SP_METADATA),
# gives the SP the IdP's metadata, restarts the SP, and then runs the flows
# of t/e2e/flows.js in one Chromium.  It prints "ok N - IDP SCHEME FLOW" or
# "not ok N - ... : reason" and, last, "N passed, N failed"; it exits 1 if
# anything failed, a server that did not start included.
#
# Environment:
#   WCS_MODULE     the module (default: .libs/mod_webcast_saml.so of the tree)
#   WCS_E2E_WAIT   seconds flow f waits on the IdP's login form (default 180)
#   WCS_E2E_STATE  directory for configs and logs (default: a new one under
#                  ${TMPDIR:-/tmp}, removed after a run that passed, kept
#                  and named at the end otherwise)
#   WCS_E2E_FLOWS  only these flows, e.g. "a b c" (default: all)
#   CHROMIUM       the browser (default /usr/bin/chromium)
#   APXS, HTTPD    as for demo/run-demo.sh
set -u
umask 022

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
module=${WCS_MODULE:-$top/.libs/mod_webcast_saml.so}
apxs=${APXS:-apxs}
chromium=${CHROMIUM:-/usr/bin/chromium}
wait_s=${WCS_E2E_WAIT:-180}
flows=${WCS_E2E_FLOWS:-a b c d e f}

die() {
    echo "run.sh: $*" >&2
    echo "0 passed, 1 failed"
    exit 1
}

case $module in
    /*) ;;
    *) module=$PWD/$module ;;
esac
case $wait_s in
    ''|*[!0-9]*) die "WCS_E2E_WAIT must be a number of seconds, not '$wait_s'" ;;
esac
command -v "$apxs" >/dev/null 2>&1 || die "$apxs not found (install apache2-dev)"
for c in node npm openssl curl; do
    command -v "$c" >/dev/null 2>&1 || die "$c not found"
done
[ -x "$chromium" ] || die "no browser at $chromium (apt-get install chromium)"
[ -f "$module" ] || die "the module $module is missing (build it, or set WCS_MODULE)"
httpd=${HTTPD:-$("$apxs" -q SBINDIR)/$("$apxs" -q TARGET)}
libexec=$("$apxs" -q LIBEXECDIR)
[ -x "$httpd" ] || die "httpd not found at $httpd (set HTTPD)"

# The IdPs.
if [ $# -gt 0 ]; then
    idps=("$@")
else
    idps=()
    for d in "$here"/idp/*/; do
        [ -x "$d/start.sh" ] && idps+=("$(basename "$d")")
    done
fi
[ ${#idps[@]} -gt 0 ] || die "no IdP under $here/idp"

# playwright-core, exactly as package-lock.json pins it.
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
    echo "# npm ci in $here"
    (cd "$here" && npm ci --no-audit --no-fund >"${TMPDIR:-/tmp}/wcs-e2e-npm.$$.log" 2>&1) || {
        cat "${TMPDIR:-/tmp}/wcs-e2e-npm.$$.log" >&2
        die "npm ci failed"
    }
    rm -f "${TMPDIR:-/tmp}/wcs-e2e-npm.$$.log"
fi

# The state dir: configs, keys, logs of every server.  As root, httpd runs
# as nobody, which must reach it: hence under /tmp by default.
if [ -n "${WCS_E2E_STATE:-}" ]; then
    root=$WCS_E2E_STATE
    mkdir -p "$root" || die "cannot make $root"
    root=$(cd "$root" && pwd)
    keep_root=1
else
    root=$(mktemp -d "${TMPDIR:-/tmp}/wcs-e2e.XXXXXX") || die "mktemp failed"
    keep_root=0
fi
chmod 755 "$root"

user_conf=
if [ "$(id -u)" -eq 0 ]; then
    group=$(id -gn nobody 2>/dev/null || echo nogroup)
    user_conf="User nobody
Group $group"
fi

# --- bookkeeping ---------------------------------------------------------

n=0
passed=0
failed=0
ok() {
    n=$((n + 1)); passed=$((passed + 1))
    echo "ok $n - $*"
}
notok() { # name reason
    n=$((n + 1)); failed=$((failed + 1))
    echo "not ok $n - $1 : $2"
}

started_sp=()    # SP state dirs with an httpd running
started_idp=()   # "idp|state" of started IdPs
cleanup() {
    local s
    for s in "${started_idp[@]+"${started_idp[@]}"}"; do
        "$here/idp/${s%%|*}/stop.sh" "${s#*|}" >/dev/null 2>&1 || true
    done
    for s in "${started_sp[@]+"${started_sp[@]}"}"; do
        sp_stop "$s"
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    node -e '
        const s = require("net").createServer();
        s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# --- the SP --------------------------------------------------------------

sp_stop() { # dir
    local pid i
    [ -f "$1/httpd.pid" ] || return 0
    pid=$(cat "$1/httpd.pid")
    case $pid in ''|*[!0-9]*) return 0 ;; esac
    if kill -0 "$pid" 2>/dev/null \
       && tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$1/httpd.conf"; then
        kill -TERM "$pid"
        for i in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
        : "$i"
    fi
    rm -f "$1/httpd.pid"
}

sp_start() { # dir: start and wait until /saml/metadata answers
    local dir=$1 i
    "$httpd" -d "$dir" -f "$dir/httpd.conf" -t >"$dir/configtest.log" 2>&1 || {
        sed 's/^/# /' "$dir/configtest.log"
        return 1
    }
    "$httpd" -d "$dir" -f "$dir/httpd.conf" -k start >>"$dir/configtest.log" 2>&1 || return 1
    for i in $(seq 100); do
        if [ -f "$dir/httpd.pid" ] \
           && curl -ksf --max-time 5 --resolve "sp.test:$(cat "$dir/port"):127.0.0.1" \
                -o "$dir/sp-metadata.xml" "$(cat "$dir/base")/saml/metadata" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    : "$i"
    return 1
}

sp_setup() { # dir scheme port
    local dir=$1 scheme=$2 port=$3 m ssl_conf='' sign_conf=''
    local base=$scheme://sp.test:$port
    mkdir -p "$dir/htdocs"
    echo "$port" > "$dir/port"
    echo "$base" > "$dir/base"
    : > "$dir/modules.conf"
    for m in mpm_event authn_core authz_core authz_user alias mime dir include \
             env setenvif socache_shmcb; do
        [ -f "$libexec/mod_$m.so" ] || { echo "# $libexec/mod_$m.so is missing"; return 1; }
        echo "LoadModule ${m}_module \"$libexec/mod_$m.so\"" >> "$dir/modules.conf"
    done
    if [ "$scheme" = https ]; then
        [ -f "$libexec/mod_ssl.so" ] || { echo "# $libexec/mod_ssl.so is missing"; return 1; }
        echo "LoadModule ssl_module \"$libexec/mod_ssl.so\"" >> "$dir/modules.conf"
        openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 7 \
            -subj "/CN=sp.test" -addext "subjectAltName=DNS:sp.test" \
            -addext "basicConstraints=critical,CA:FALSE" \
            -keyout "$dir/sp-tls.key" -out "$dir/sp-tls.crt" 2>/dev/null \
            || { echo "# openssl cannot make the SP's TLS certificate"; return 1; }
        ssl_conf="SSLEngine on
SSLCertificateFile \"$dir/sp-tls.crt\"
SSLCertificateKeyFile \"$dir/sp-tls.key\"
SSLSessionCache \"shmcb:$dir/ssl_scache(512000)\""
        # Over https the SP also signs its AuthnRequests: its metadata
        # says so, and each IdP must verify them.
        openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 7 \
            -subj "/CN=sp.test signing" -keyout "$dir/sp-sign.key" \
            -out "$dir/sp-sign.crt" 2>/dev/null \
            || { echo "# openssl cannot make the SP's signing key"; return 1; }
        sign_conf="WebcastSAMLSigningKey \"$dir/sp-sign.key\" \"$dir/sp-sign.crt\""
    fi
    echo "LoadModule webcast_saml_module \"$module\"" >> "$dir/modules.conf"
    printf '%s\n' "$user_conf" > "$dir/user.conf"
    printf 'text/html html shtml\ntext/plain txt\n' > "$dir/mime.types"
    # The module does not start without an IdP, and the real one needs the
    # SP's metadata first: a placeholder IdP until then.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
        -subj "/CN=placeholder IdP" -keyout "$dir/placeholder-idp.key" \
        -out "$dir/placeholder-idp.crt" 2>/dev/null \
        || { echo "# openssl cannot make the placeholder IdP certificate"; return 1; }
    printf 'WebcastSAMLIdP urn:wcs-e2e:placeholder-idp "%s"\n' \
        "$dir/placeholder-idp.crt" > "$dir/idp.conf"
    cat > "$dir/htdocs/webcast.shtml" <<'EOF'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>webcast</title></head>
<body>
<h1>Webcast</h1>
<pre id="env">
REMOTE_USER=<!--#echo var="REMOTE_USER" -->
AUTH_TYPE=<!--#echo var="AUTH_TYPE" -->
WEBCAST_EVENT_ID=<!--#echo var="WEBCAST_EVENT_ID" -->
DOCUMENT_URI=<!--#echo var="DOCUMENT_URI" -->
</pre>
</body></html>
EOF
    printf '<!DOCTYPE html><html><body><p>mod_webcast_saml e2e SP</p></body></html>\n' \
        > "$dir/htdocs/index.html"
    cat > "$dir/httpd.conf" <<EOF
# Written by t/e2e/run.sh: the SP of the end-to-end tests.
ServerRoot "$dir"
DefaultRuntimeDir "$dir"
PidFile "$dir/httpd.pid"
Listen 127.0.0.1:$port $scheme
ServerName $base
UseCanonicalName On
Include "$dir/modules.conf"
Include "$dir/user.conf"
StartServers 1
ThreadsPerChild 10
MaxRequestWorkers 20
MinSpareThreads 5
MaxSpareThreads 20
ErrorLog "$dir/error_log"
LogLevel warn webcast_saml:debug
LogFormat "%h %t \"%r\" %>s \"%{Location}o\" \"%{Set-Cookie}o\"" e2e
CustomLog "$dir/access_log" e2e
TypesConfig "$dir/mime.types"
DocumentRoot "$dir/htdocs"
DirectoryIndex index.html
$ssl_conf

<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$dir/htdocs">
    Require all granted
    Options +IncludesNoExec
    AddOutputFilter INCLUDES .shtml
</Directory>

WebcastSAMLSPEntityID $base/saml
WebcastSAMLACSURL $base/saml/acs
WebcastSAMLCookieSecure auto
$sign_conf
WebcastSAMLEvent 1234567 ab177c1f4e /webcast/1234567/
WebcastSAMLEvent 7654321 - /webcast/7654321/
# A placeholder IdP first, WebcastSAMLIdPMetadata once the IdP has made
# its metadata.
Include "$dir/idp.conf"

# The "webcast application": one SSI page for everything under /webcast/.
AliasMatch "^/webcast/" "$dir/htdocs/webcast.shtml"
RedirectMatch ^/webcast\$ /webcast/
<Location /webcast>
    AuthType WebcastSAML
    Require valid-user
</Location>
EOF
    sp_start "$dir"
}

# --- one target: an IdP and a scheme --------------------------------------

targets=()       # JSON objects for flows.js
declare -A target_dir

setup_target() { # idp scheme
    local idp=$1 scheme=$2 name="$1 $2" dir sp_port idp_port
    case $idp in
        ''|*/*|.*) notok "$name setup" "'$idp' is not an IdP name"; return 1 ;;
    esac
    for f in start.sh stop.sh login.js; do
        [ -f "$here/idp/$idp/$f" ] || {
            notok "$name setup" "t/e2e/idp/$idp/$f is missing"
            return 1
        }
    done
    dir=$root/$idp-$scheme
    rm -rf "$dir"
    mkdir -p "$dir/sp" "$dir/idp"
    chmod 755 "$dir" "$dir/sp" "$dir/idp"
    target_dir[$name]=$dir
    if ! sp_port=$(free_port) || ! idp_port=$(free_port); then
        notok "$name setup" "no free port"
        return 1
    fi
    if ! sp_setup "$dir/sp" "$scheme" "$sp_port"; then
        started_sp+=("$dir/sp")
        notok "$name setup" "the SP's httpd did not start or serve /saml/metadata (see $dir/sp)"
        show_log "$dir/sp/error_log"
        return 1
    fi
    started_sp+=("$dir/sp")
    grep -q 'SPSSODescriptor' "$dir/sp/sp-metadata.xml" || {
        notok "$name setup" "/saml/metadata holds no SPSSODescriptor"
        return 1
    }
    started_idp+=("$idp|$dir/idp")
    if ! "$here/idp/$idp/start.sh" "$dir/idp" "http://idp.test:$idp_port" \
            "$dir/sp/sp-metadata.xml" >"$dir/idp-start.log" 2>&1; then
        sed 's/^/# /' "$dir/idp-start.log"
        notok "$name setup" "the IdP did not start (see $dir/idp)"
        return 1
    fi
    sed 's/^/# /' "$dir/idp-start.log"
    for f in idp-metadata.xml entity-id; do
        [ -s "$dir/idp/$f" ] || {
            notok "$name setup" "the IdP's start.sh wrote no $f"
            return 1
        }
    done
    printf 'WebcastSAMLIdPMetadata "%s"\n' "$dir/idp/idp-metadata.xml" > "$dir/sp/idp.conf"
    sp_stop "$dir/sp"
    if ! sp_start "$dir/sp"; then
        notok "$name setup" "the SP's httpd did not restart with the IdP's metadata"
        show_log "$dir/sp/error_log"
        return 1
    fi
    echo "# $name: SP $(cat "$dir/sp/base") (pid $(cat "$dir/sp/httpd.pid")), IdP $(cat "$dir/idp/entity-id")"
    targets+=("$(node -e '
        const [idp, scheme, dir, idpDir, spBase, idpBase, idpEntity, first] = process.argv.slice(1);
        console.log(JSON.stringify({ idp, scheme, dir, idpDir, spBase,
            spEntityId: spBase + "/saml", idpBase, idpEntityId: idpEntity,
            slow: first === "1" }));' \
        "$idp" "$scheme" "$dir" "$here/idp/$idp" "$(cat "$dir/sp/base")" \
        "http://idp.test:$idp_port" "$(cat "$dir/idp/entity-id")" \
        "$([ "$idp" = "${idps[0]}" ] && [ "$scheme" = http ] && echo 1)")")
    return 0
}

show_log() { # file
    [ -f "$1" ] || return 0
    echo "# --- last lines of $1"
    tail -n 25 "$1" | sed 's/^/#   /'
}

for idp in "${idps[@]}"; do
    for scheme in http https; do
        setup_target "$idp" "$scheme" || true
    done
done

# --- the flows, in one browser --------------------------------------------

if [ ${#targets[@]} -gt 0 ]; then
    printf '%s\n' "${targets[@]}" > "$root/targets.jsonl"
    declare -A target_failed
    plan=
    results=0
    status=
    while IFS= read -r line; do
        case $line in
            'RESULT plan '*) plan=${line#RESULT plan } ;;
            'RESULT exit '*) status=${line#RESULT exit } ;;
            'RESULT ok '*)
                results=$((results + 1))
                ok "${line#RESULT ok }"
                ;;
            'RESULT fail '*)
                results=$((results + 1))
                rest=${line#RESULT fail }
                t=${rest%% :: *}
                notok "$t" "${rest#* :: }"
                target_failed[${t%% *} $(t=${t#* }; echo "${t%% *}")]=1
                ;;
            *) echo "# $line" ;;
        esac
    done < <(cd "$here" && WCS_E2E_WAIT=$wait_s WCS_E2E_FLOWS=$flows CHROMIUM=$chromium \
             node "$here/flows.js" "$root/targets.jsonl" 2>&1; echo "RESULT exit $?")
    if [ -z "$plan" ] || [ "$results" -ne "$plan" ]; then
        notok "flows.js" "reported $results of ${plan:-?} results (exit status ${status:-?})"
    elif [ "${status:-1}" != 0 ] && [ "$failed" -eq 0 ]; then
        notok "flows.js" "exited with status ${status:-?} without a failed flow"
    fi
    for t in "${!target_failed[@]}"; do
        show_log "${target_dir[$t]}/sp/error_log"
        show_log "${target_dir[$t]}/sp/access_log"
    done
fi

if [ "$failed" -eq 0 ] && [ "$keep_root" = 0 ]; then
    cleanup
    trap - EXIT
    rm -rf "$root"
else
    echo "# logs and configs: $root"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
