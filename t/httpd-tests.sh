#!/bin/sh
# Run the Apache::Test suites (t/*/*.t) against a real httpd that loads the
# module just built in .libs.  Called by "make check" with the paths of
# the build; by hand: WCS_TOP_BUILDDIR=$PWD APXS=apxs t/httpd-tests.sh
set -eu
top=${WCS_TOP_BUILDDIR:-$(pwd)}
apxs=${APXS:-apxs}
httpd=${HTTPD_BIN:-$($apxs -q SBINDIR)/$($apxs -q TARGET)}
libexec=$($apxs -q LIBEXECDIR)
cd "$top"

if [ ! -f .libs/mod_webcast_saml.so ]; then
    echo "Bail out! .libs/mod_webcast_saml.so is not built"
    exit 1
fi

# Test keys, certificates and metadata: made now, never committed.
t/make-fixtures.sh t/keys

# The base config Apache::Test inherits LoadModule lines from: exactly the
# modules the suites need, whatever this machine has enabled.
mkdir -p t/work
base=t/work/base.conf
: > "$base"
# include, auth_basic and authn_anon: sub-requests from a page that Basic
# authentication made (t/auth/subrequests.t).
# dbd: the user directory through mod_dbd (t/account/).
for m in mpm_event authn_core authz_core authz_user alias mime dir cgid \
         headers socache_shmcb env setenvif include auth_basic authn_anon \
         dbd; do
    if [ -f "$libexec/mod_$m.so" ]; then
        echo "LoadModule ${m}_module $libexec/mod_$m.so" >> "$base"
    fi
done

# The user directories of t/account/: a directory the server user may
# write (SQLite writes a journal beside the file), and mod_dbd's file made
# before the server starts (mod_dbd prepares its statements as it
# connects).
rm -rf t/work/accounts
mkdir -p t/work/accounts
chmod 1777 t/work/accounts
if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 t/work/accounts/dbd.db < conf/schema-sqlite.sql
    chmod 666 t/work/accounts/dbd.db
fi

if [ "$(id -u)" -eq 0 ]; then
    # httpd's children drop to nobody, who must read the CGI and the keys.
    user=nobody
    group=$(id -gn nobody 2>/dev/null || echo nogroup)
    if ! runuser -u "$user" -- test -r "$top/t/cgi-bin/env.pl" 2>/dev/null; then
        # A clone under a private directory (mktemp -d is 0700): run from a
        # world-readable copy of what the server and the tests need.
        stage=$(mktemp -d /tmp/wcs-httpd-tests.XXXXXX)
        trap 'rm -rf "$stage"' EXIT
        chmod 755 "$stage"
        cp -a t .libs conf "$stage/"
        chmod -R a+rX "$stage"
        echo "# running from $stage: $top is not readable by $user"
        cd "$stage"
        top=$stage
    fi
else
    user=$(id -un)
    group=$(id -gn)
fi

# Under make check-sanitize (t/sanitize.sh) the module is built with ASan,
# whose runtime must be the first library of the process: httpd runs
# through a wrapper that preloads it.  Only httpd (and what it spawns) gets
# it, not perl and the tools.  httpd keeps its pools and the libraries'
# globals until exit by design, so leak checking is off there.
if [ "${WCS_SANITIZE:-0}" = 1 ]; then
    wrapper="$top/t/work/httpd-sanitize"
    cat > "$wrapper" <<WRAP
#!/bin/sh
LD_PRELOAD='$WCS_SANITIZE_PRELOAD' \\
ASAN_OPTIONS='${ASAN_OPTIONS:-halt_on_error=1}:detect_leaks=0' \\
exec '$httpd' "\$@"
WRAP
    chmod 755 "$wrapper"
    httpd=$wrapper
fi

# -clean first: a config cached by an earlier run may name another port.
perl t/TEST.PL -clean >/dev/null 2>&1 || true
status=0
perl t/TEST.PL -apxs "$apxs" -httpd "$httpd" -httpd_conf "$top/$base" \
    -user "$user" -group "$group" -port select -verbose=0 "$@" || status=$?

# A sanitizer report in a child may not fail any one test (the client
# only sees a dropped connection, perhaps retried): it fails the run.
if [ "${WCS_SANITIZE:-0}" = 1 ] && grep -E -q \
        'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' \
        t/logs/error_log 2>/dev/null; then
    echo "not ok - sanitizer report in t/logs/error_log:"
    grep -E -A 30 'ERROR: AddressSanitizer|runtime error:' t/logs/error_log \
        | head -n 80 | sed 's/^/# /'
    status=1
fi
exit "$status"
