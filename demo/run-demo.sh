#!/bin/sh
# Run the local demo of mod_webcast_saml in the foreground until Ctrl-C:
# httpd with the freshly built module, a protected "webcast" page, and a
# demo IdP page that signs test responses with a key made here.
#
# Run from a built tree (after "make", which builds the module and
# t/tools/wcs_mkresponse).  Environment:
#   WCS_DEMO_PORT  port on 127.0.0.1 (default 8080)
#   APXS           apxs to ask for paths (default apxs)
#   HTTPD          the httpd binary (default SBINDIR/TARGET from apxs)
set -eu
umask 022

top=$(cd "$(dirname "$0")/.." && pwd)
port=${WCS_DEMO_PORT:-8080}
apxs=${APXS:-apxs}

die() {
    echo "run-demo: $*" >&2
    exit 1
}

case $port in
    ''|*[!0-9]*) die "WCS_DEMO_PORT must be a port number, not '$port'" ;;
esac
[ "$port" -ge 1 ] && [ "$port" -le 65535 ] \
    || die "WCS_DEMO_PORT must be from 1 to 65535"
command -v "$apxs" >/dev/null 2>&1 \
    || die "$apxs not found (install apache2-dev)"
command -v openssl >/dev/null 2>&1 || die "openssl not found"
command -v perl >/dev/null 2>&1 || die "perl not found"

httpd=${HTTPD:-$("$apxs" -q SBINDIR)/$("$apxs" -q TARGET)}
libexec=$("$apxs" -q LIBEXECDIR)
module=$top/.libs/mod_webcast_saml.so
tool=$top/t/tools/wcs_mkresponse
cgi=$top/demo/cgi-bin

[ -x "$httpd" ] || die "httpd not found at $httpd (set HTTPD)"
[ -f "$module" ] || die "$module is not built: run ./configure && make"
[ -x "$tool" ] || die "$tool is not built: run ./configure && make"

# As root, httpd serves and runs the CGIs as nobody.  When nobody cannot
# reach this tree (a clone in /root), the demo runs from a copy in /tmp.
user_conf=
run=$top/demo/run
if [ "$(id -u)" -eq 0 ]; then
    group=$(id -gn nobody 2>/dev/null || echo nogroup)
    user_conf="User nobody
Group $group"
    if command -v runuser >/dev/null 2>&1 \
       && ! runuser -u nobody -- test -x "$cgi/demo-idp.pl" 2>/dev/null; then
        run=$(mktemp -d /tmp/webcast-saml-demo.XXXXXX)
        chmod 755 "$run"
        mkdir "$run/cgi-bin" "$run/bin"
        cp -p "$cgi"/*.pl "$cgi"/*.pm "$run/cgi-bin/"
        cp -p "$tool" "$run/bin/"
        cgi=$run/cgi-bin
        tool=$run/bin/wcs_mkresponse
        echo "run-demo: user nobody cannot read $top;"
        echo "run-demo: running from $run (remove it afterwards)"
    fi
fi
if [ "$run" = "$top/demo/run" ]; then
    rm -rf "$run"
    mkdir -p "$run"
fi

# A throw-away IdP key and certificate, made for every run.
openssl req -x509 -newkey rsa:2048 -nodes -days 7 \
    -subj "/CN=mod_webcast_saml demo IdP" \
    -keyout "$run/idp.key" -out "$run/idp.pem" 2>/dev/null \
    || die "openssl cannot make the demo IdP key"
if [ -n "$user_conf" ]; then
    # The demo IdP (a CGI, run as nobody) signs with it.
    chgrp "$group" "$run/idp.key"
    chmod 640 "$run/idp.key"
fi

# Replace @...@ in a template; sed's special characters in values escaped.
sed_value() {
    printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}
subst() { # template output
    sed -e "s|@RUN@|$(sed_value "$run")|g" \
        -e "s|@PORT@|$port|g" \
        -e "s|@CGI@|$(sed_value "$cgi")|g" \
        -e "s|@TOOL@|$(sed_value "$tool")|g" \
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

"$httpd" -d "$run" -f "$run/httpd.conf" -t >/dev/null 2>&1 || {
    "$httpd" -d "$run" -f "$run/httpd.conf" -t
    die "the demo configuration does not pass httpd -t"
}

cat <<EOF

  mod_webcast_saml demo
  Open        http://127.0.0.1:$port/
  Error log   $run/error_log
  Access log  $run/access_log
  Stop with Ctrl-C.

EOF
exec "$httpd" -d "$run" -f "$run/httpd.conf" -DFOREGROUND
