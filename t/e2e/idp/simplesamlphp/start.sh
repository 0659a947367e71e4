#!/bin/sh
# Start SimpleSAMLphp (Debian's package, /usr/share/simplesamlphp) as a SAML
# 2.0 IdP under an httpd of its own with mod_php, for the end-to-end tests.
#
#   start.sh STATE_DIR IDP_BASE_URL SP_METADATA_FILE
#
# STATE_DIR         a directory for everything of this IdP: its config,
#                   metadata, key, certificate, PHP sessions and logs
#                   (created if missing; its old contents are replaced)
# IDP_BASE_URL      http://idp.test:PORT (the IdP listens on 127.0.0.1:PORT
#                   and answers whatever Host it gets)
# SP_METADATA_FILE  the SP's SAML metadata (XML), the one SP it trusts
#
# Writes STATE_DIR/idp-metadata.xml and STATE_DIR/entity-id and returns when
# the IdP answers; non-zero with a message otherwise.  stop.sh STATE_DIR
# stops it.  Environment: APXS (default apxs), HTTPD (default from apxs),
# SSP_DIR (default /usr/share/simplesamlphp), PHP_MODULE (default: the
# libphp*.so in apxs's LIBEXECDIR).
set -eu
umask 022

die() {
    echo "simplesamlphp/start.sh: $*" >&2
    exit 1
}

[ $# -eq 3 ] || die "usage: start.sh STATE_DIR IDP_BASE_URL SP_METADATA_FILE"
state=$1
base=${2%/}
sp_metadata=$3

case $base in
    http://*:*|https://*:*) ;;
    *) die "IDP_BASE_URL must be http(s)://HOST:PORT, not '$base'" ;;
esac
scheme=${base%%://*}
hostport=${base#*://}
hostport=${hostport%%/*}
port=${hostport##*:}
case $port in
    ''|*[!0-9]*) die "no port in IDP_BASE_URL '$base'" ;;
esac
[ "$scheme" = http ] || die "only an http IDP_BASE_URL is supported"
[ -r "$sp_metadata" ] || die "cannot read the SP metadata $sp_metadata"
grep -q 'SPSSODescriptor' "$sp_metadata" \
    || die "$sp_metadata holds no SPSSODescriptor"

apxs=${APXS:-apxs}
command -v "$apxs" >/dev/null 2>&1 || die "$apxs not found (install apache2-dev)"
command -v openssl >/dev/null 2>&1 || die "openssl not found"
command -v curl >/dev/null 2>&1 || die "curl not found"
command -v php >/dev/null 2>&1 || die "php not found (install php-cli)"
httpd=${HTTPD:-$("$apxs" -q SBINDIR)/$("$apxs" -q TARGET)}
libexec=$("$apxs" -q LIBEXECDIR)
ssp=${SSP_DIR:-/usr/share/simplesamlphp}
[ -x "$httpd" ] || die "httpd not found at $httpd (set HTTPD)"
[ -f "$ssp/www/_include.php" ] \
    || die "SimpleSAMLphp not found in $ssp (apt-get install simplesamlphp)"
php_module=${PHP_MODULE:-}
if [ -z "$php_module" ]; then
    for f in "$libexec"/libphp*.so; do
        [ -f "$f" ] && php_module=$f
    done
fi
[ -f "$php_module" ] \
    || die "mod_php not found in $libexec (apt-get install libapache2-mod-php)"
# SimpleSAMLphp needs DOM and friends; mod_php reads the same conf.d.
php -r 'exit(extension_loaded("dom") && extension_loaded("xml") ? 0 : 1);' \
    || die "PHP lacks the dom/xml extensions (apt-get install php-xml)"

mkdir -p "$state"
state=$(cd "$state" && pwd)
if [ -f "$state/httpd.pid" ] && kill -0 "$(cat "$state/httpd.pid")" 2>/dev/null; then
    die "an IdP httpd is already running from $state (stop.sh first)"
fi
rm -rf "$state/config" "$state/metadata" "$state/cert" "$state/sessions" \
    "$state/tmp" "$state/data" "$state/log" "$state/idp-metadata.xml" \
    "$state/entity-id"
mkdir -p "$state/config" "$state/metadata" "$state/cert" "$state/sessions" \
    "$state/tmp" "$state/data" "$state/log"
cp "$sp_metadata" "$state/sp-metadata.xml"

# As root, httpd (and PHP in it) runs as nobody: it must read the config,
# the key and the code, and write sessions, tmp, data and log.
user_conf=
if [ "$(id -u)" -eq 0 ]; then
    group=$(id -gn nobody 2>/dev/null || echo nogroup)
    user_conf="User nobody
Group $group"
    chmod 755 "$state"
    if command -v runuser >/dev/null 2>&1 \
       && ! runuser -u nobody -- test -x "$state" 2>/dev/null; then
        die "user nobody cannot reach $state: use a state dir under /tmp"
    fi
fi

# A fresh RSA-2048 signing key and certificate for every start.
openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 7 \
    -subj "/CN=idp.test SimpleSAMLphp e2e IdP" \
    -keyout "$state/cert/idp.key" -out "$state/cert/idp.crt" 2>/dev/null \
    || die "openssl cannot make the IdP key"
chmod 600 "$state/cert/idp.key"

secret=$(openssl rand -hex 24)
adminpw=$(openssl rand -hex 12)

# PHP single-quoted string literal.
phpq() {
    printf "'%s'" "$(printf '%s' "$1" | sed -e "s/[\\\\']/\\\\&/g")"
}

cat > "$state/config/config.php" <<EOF
<?php
// Written by t/e2e/idp/simplesamlphp/start.sh: a private IdP for the tests.
\$config = [
    'baseurlpath' => $(phpq "$base/simplesaml/"),
    'certdir' => $(phpq "$state/cert/"),
    'loggingdir' => $(phpq "$state/log/"),
    'datadir' => $(phpq "$state/data/"),
    'tempdir' => $(phpq "$state/tmp"),
    'metadatadir' => $(phpq "$state/metadata/"),
    'technicalcontact_name' => 'e2e',
    'technicalcontact_email' => 'na@example.test',
    'timezone' => 'UTC',
    'secretsalt' => $(phpq "$secret"),
    'auth.adminpassword' => $(phpq "$adminpw"),
    'admin.protectindexpage' => false,
    'admin.protectmetadata' => false,
    'admin.checkforupdates' => false,
    'trusted.url.domains' => [],
    'enable.saml20-idp' => true,
    'enable.shib13-idp' => false,
    'enable.adfs-idp' => false,
    'module.enable' => [
        'exampleauth' => true,
        'core' => true,
        'saml' => true,
    ],
    'debug' => ['saml' => false, 'backtraces' => true, 'validatexml' => false],
    'showerrors' => true,
    'errorreporting' => false,
    'logging.level' => SimpleSAML\Logger::DEBUG,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'statistics.out' => [],
    'store.type' => 'phpsession',
    'session.duration' => 8 * 3600,
    'session.cookie.name' => 'SimpleSAMLSessionID',
    'session.cookie.path' => '/',
    'session.cookie.domain' => null,
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'session.phpsession.cookiename' => 'SimpleSAML',
    'session.phpsession.savepath' => $(phpq "$state/sessions"),
    'session.phpsession.httponly' => true,
    'session.authtoken.cookiename' => 'SimpleSAMLAuthToken',
    'language.cookie.secure' => false,
    'language.cookie.samesite' => null,
    'language.default' => 'en',
    'language.available' => ['en'],
    'theme.use' => 'default',
    'production' => true,
    'authproc.idp' => [],
    'metadata.sources' => [
        ['type' => 'flatfile', 'directory' => $(phpq "$state/metadata")],
        ['type' => 'xml', 'file' => $(phpq "$state/sp-metadata.xml")],
    ],
];
EOF

cat > "$state/config/authsources.php" <<'EOF'
<?php
// Written by t/e2e/idp/simplesamlphp/start.sh: the test users.
$config = [
    'admin' => ['core:AdminPassword'],
    'example-userpass' => [
        'exampleauth:UserPass',
        'alice@example.test:alice-pass' => [
            'uid' => ['alice'],
            'mail' => ['alice@example.test'],
            'givenName' => ['Alice'],
            'sn' => ['Example'],
            'cn' => ['Alice Example'],
        ],
        'bob@example.test:bob-pass' => [
            'uid' => ['bob'],
            'mail' => ['bob@example.test'],
            'givenName' => ['Bob'],
            'sn' => ['Example'],
            'cn' => ['Bob Example'],
        ],
    ],
];
EOF

cat > "$state/metadata/saml20-idp-hosted.php" <<'EOF'
<?php
// Written by t/e2e/idp/simplesamlphp/start.sh.  The entity ID is
// BASEURL/saml2/idp/metadata.php.
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'example-userpass',
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'saml20.sign.response' => true,
    'saml20.sign.assertion' => true,
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    'simplesaml.nameidattribute' => 'mail',
    'authproc' => [
        // The "mail" attribute as the emailAddress NameID, for every SP.
        3 => [
            'class' => 'saml:AttributeNameID',
            'attribute' => 'mail',  // 'identifyingAttribute' in SimpleSAMLphp 2.x
            'Format' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        ],
        // Sign the Response and the Assertion whatever the SP asks for.
        // SimpleSAMLphp takes saml20.sign.assertion from the SP's metadata
        // first, and its XML parser turns WantAssertionsSigned="false" into
        // saml20.sign.assertion => false, which would beat the value above.
        90 => [
            'class' => 'core:PHP',
            'code' => '$state["SPMetadata"]["saml20.sign.assertion"] = true;
                       $state["SPMetadata"]["saml20.sign.response"] = true;',
        ],
    ],
];
EOF
# SimpleSAMLphp wants these files to exist even when empty.
for f in saml20-sp-remote saml20-idp-remote shib13-sp-remote adfs-sp-remote; do
    printf '<?php\n' > "$state/metadata/$f.php"
done

cat > "$state/modules.conf" <<EOF
LoadModule mpm_prefork_module "$libexec/mod_mpm_prefork.so"
LoadModule authz_core_module "$libexec/mod_authz_core.so"
LoadModule alias_module "$libexec/mod_alias.so"
LoadModule mime_module "$libexec/mod_mime.so"
LoadModule dir_module "$libexec/mod_dir.so"
LoadModule env_module "$libexec/mod_env.so"
LoadModule php_module "$php_module"
EOF
for m in mpm_prefork authz_core alias mime dir env; do
    [ -f "$libexec/mod_$m.so" ] || die "$libexec/mod_$m.so is missing"
done
printf '%s\n' "$user_conf" > "$state/user.conf"
printf 'text/html html\ntext/css css\napplication/javascript js\nimage/png png\nimage/gif gif\nimage/svg+xml svg\n' \
    > "$state/mime.types"

cat > "$state/httpd.conf" <<EOF
# Written by t/e2e/idp/simplesamlphp/start.sh.
ServerRoot "$state"
DefaultRuntimeDir "$state"
PidFile "$state/httpd.pid"
Listen 127.0.0.1:$port
ServerName $hostport
UseCanonicalName Off
Include "$state/modules.conf"
Include "$state/user.conf"
StartServers 2
MinSpareServers 2
MaxSpareServers 5
MaxRequestWorkers 10
ErrorLog "$state/error_log"
LogLevel warn
LogFormat "%h %t \"%r\" %>s %b \"%{Location}o\"" e2e
CustomLog "$state/access_log" e2e
TypesConfig "$state/mime.types"
DocumentRoot "$ssp/www"
DirectoryIndex index.php

<Directory />
    AllowOverride None
    Require all denied
</Directory>
Alias /simplesaml "$ssp/www"
<Directory "$ssp/www">
    Require all granted
    SetEnv SIMPLESAMLPHP_CONFIG_DIR "$state/config"
    <FilesMatch "\\.php\$">
        SetHandler application/x-httpd-php
    </FilesMatch>
</Directory>
RedirectMatch ^/\$ /simplesaml/

php_admin_value session.save_path "$state/sessions"
php_admin_flag log_errors on
php_admin_flag display_errors off
php_admin_value error_log "$state/php_error_log"
php_admin_value date.timezone UTC
php_admin_value sys_temp_dir "$state/tmp"
php_admin_value upload_tmp_dir "$state/tmp"
EOF

if [ -n "$user_conf" ]; then
    chown -R "nobody:$group" "$state/sessions" "$state/tmp" "$state/data" "$state/log"
    chgrp "$group" "$state/cert/idp.key"
    chmod 640 "$state/cert/idp.key"
    if ! runuser -u nobody -- test -r "$ssp/www/_include.php" 2>/dev/null; then
        die "user nobody cannot read $ssp"
    fi
fi

"$httpd" -d "$state" -f "$state/httpd.conf" -t >"$state/configtest.log" 2>&1 || {
    cat "$state/configtest.log" >&2
    die "the IdP's httpd configuration does not pass httpd -t"
}
"$httpd" -d "$state" -f "$state/httpd.conf" -k start \
    || die "httpd did not start (see $state/error_log)"

entity_id=$base/simplesaml/saml2/idp/metadata.php
url=http://127.0.0.1:$port/simplesaml/saml2/idp/metadata.php
i=0
while :; do
    if curl -fsS --max-time 5 -H "Host: $hostport" -o "$state/idp-metadata.xml.new" "$url" \
            2>"$state/curl.log" \
       && grep -q 'IDPSSODescriptor' "$state/idp-metadata.xml.new"; then
        break
    fi
    i=$((i + 1))
    if [ $i -ge 100 ]; then
        tail -n 20 "$state/error_log" "$state/php_error_log" "$state/log/simplesamlphp.log" >&2 2>/dev/null || true
        cat "$state/curl.log" >&2
        [ -f "$state/idp-metadata.xml.new" ] && head -c 2000 "$state/idp-metadata.xml.new" >&2
        die "the IdP does not answer at $url (logs in $state)"
    fi
    sleep 0.2
done
mv "$state/idp-metadata.xml.new" "$state/idp-metadata.xml"
grep -q "entityID=\"$entity_id\"" "$state/idp-metadata.xml" \
    || die "the IdP's metadata does not name the entity ID $entity_id"
grep -q "SingleSignOnService[^>]*HTTP-Redirect[^>]*Location=\"$base/simplesaml/saml2/idp/SSOService.php\"" \
        "$state/idp-metadata.xml" \
    || die "the IdP's metadata has no HTTP-Redirect SingleSignOnService on $base"
printf '%s\n' "$entity_id" > "$state/entity-id"
echo "simplesamlphp: IdP $entity_id on 127.0.0.1:$port (pid $(cat "$state/httpd.pid"), logs in $state)"
