# "apachectl configtest" on small configurations: each mistake stops the
# server with a message naming the directive (and, for enumerations, what
# is allowed); a complete configuration passes with "Syntax OK".
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use File::Path qw(make_path);
use WCS::Test;

my $t     = Apache::Test::vars('serverroot');
my $top   = top_dir();
my $httpd = Apache::Test::vars('httpd');
my $keys  = keys_dir();
my $dir   = "$t/work/configtest";
make_path($dir);

my $base_modules = read_file("$t/work/base.conf");
my $so = "$top/.libs/mod_webcast_saml.so";
my $notxml = write_file("$dir/notxml.xml", "this is not XML\n");
my $notcert = write_file("$dir/notcert.pem", "-----BEGIN CERTIFICATE-----\n"
                         . "bm90IGEgY2VydGlmaWNhdGU=\n"
                         . "-----END CERTIFICATE-----\n");

my $shortkey = write_file("$dir/short.key", "0123456789abcdef\n");
my $key1 = write_file("$dir/session.key", ('5a' x 32) . "\n");
my $badmap = write_file("$dir/bad.map", "# a map with two bad lines\n"
                        . "7 xyz /seven/\n8 beef /eight/\n8 beef /again/\n");
my $goodmap = write_file("$dir/good.map", "9 beef /nine/ domains=example.com\n");
my $key2 = write_file("$dir/old-session.key", ('a5' x 32) . "\n");

my $SP  = "WebcastSAMLSPEntityID https://sp.example.test/\n";
my $IDP = "WebcastSAMLIdP https://idp.example.test/ \"$keys/idp.pem\"\n";

# Run httpd -t on a configuration body; (exit status, output).
my $n = 0;
sub configtest {
    my $body = shift;
    my $file = write_file("$dir/test" . ++$n . '.conf', <<CONF);
ServerRoot "$t"
ServerName localhost
Listen 127.0.0.1:1
PidFile "$dir/httpd.pid"
ErrorLog "$dir/error_log"
DefaultRuntimeDir "$dir"
$base_modules
LoadModule webcast_saml_module "$so"
$body
CONF
    my $out = qx{"$httpd" -t -d "$t" -f "$file" 2>&1};
    # A crash (a signal) must not pass for "exit 0": 128 + the signal, as
    # the shell reports it.
    return (($? & 127) ? 128 + ($? & 127) : $? >> 8, $out);
}

# name, configuration body, expected message
my @bad = (
    ['clock skew out of range', "$SP$IDP WebcastSAMLClockSkew 9999\n",
     qr/WebcastSAMLClockSkew: "9999" is not a whole number from 0 to 600/],
    ['signed parts not a keyword', "$SP$IDP WebcastSAMLSignedParts sometimes\n",
     qr/WebcastSAMLSignedParts: "sometimes" is not one of: either, assertion, response, both/],
    ['SameSite not a keyword', "$SP$IDP WebcastSAMLCookieSameSite Sometimes\n",
     qr/WebcastSAMLCookieSameSite: "Sometimes" is not one of: Lax, Strict, None/],
    ['sign-in cache of an unknown provider',
     "$SP$IDP WebcastSAMLLoginCache nosuch:x\n",
     qr/WebcastSAMLLoginCache: unknown socache provider "nosuch" \(loaded: [^)]*shmcb/],
    ['sign-in cache in a vhost',
     "$SP$IDP<VirtualHost 127.0.0.1:1>\n    WebcastSAMLLoginCache shmcb\n</VirtualHost>\n",
     qr/WebcastSAMLLoginCache cannot occur within <?VirtualHost>? section/],
    ['login timeout too short', "$SP$IDP WebcastSAMLLoginTimeout 10\n",
     qr/WebcastSAMLLoginTimeout: "10" is not a whole number from 60 to 3600/],
    ['unsolicited not a flag', "$SP$IDP WebcastSAMLUnsolicited sometimes\n",
     qr/WebcastSAMLUnsolicited must be On or Off/],
    ['signing key that is not RSA',
     "$SP$IDP WebcastSAMLSigningKey \"$keys/ec.key\" \"$keys/ec.pem\"\n",
     qr/WebcastSAMLSigningKey: \S*ec\.key is not an RSA key of at least 2048 bits/],
    ['signing key with the certificate of another key',
     "$SP$IDP WebcastSAMLSigningKey \"$keys/new.key\" \"$keys/idp.pem\"\n",
     qr/WebcastSAMLSigningKey: the certificate \S*idp\.pem is not of the key \S*new\.key/],
    ['signing key file that holds no key',
     "$SP$IDP WebcastSAMLSigningKey \"$keys/new.pem\" \"$keys/new.pem\"\n",
     qr/WebcastSAMLSigningKey: \S*new\.pem holds no private key in PEM/],
    ['signing key file missing',
     "$SP$IDP WebcastSAMLSigningKey \"$dir/none.key\" \"$keys/new.pem\"\n",
     qr/WebcastSAMLSigningKey: .*none\.key/],
    ['session lifetime too short', "$SP$IDP WebcastSAMLSessionLifetime 10\n",
     qr/WebcastSAMLSessionLifetime: "10" is not a whole number from 60 to 604800/],
    ['response size limit too small',
     "$SP$IDP WebcastSAMLMaxResponseSize 100\n",
     qr/WebcastSAMLMaxResponseSize: "100" is not a whole number from 4096/],
    ['metadata file missing',
     "$SP WebcastSAMLIdPMetadata /nonexistent/idp-metadata.xml\n",
     qr/WebcastSAMLIdPMetadata: .*\/nonexistent\/idp-metadata\.xml/],
    ['metadata file not XML', "$SP WebcastSAMLIdPMetadata \"$notxml\"\n",
     qr/WebcastSAMLIdPMetadata: .*notxml\.xml/],
    ['IdP certificate file not a certificate',
     "$SP WebcastSAMLIdP https://idp.example.test/ \"$notcert\"\n",
     qr/WebcastSAMLIdP: .*notcert\.pem/],
    ['IdP certificate file missing',
     "$SP WebcastSAMLIdP https://idp.example.test/ /nonexistent/idp.pem\n",
     qr/WebcastSAMLIdP: .*\/nonexistent\/idp\.pem/],
    ['IdP without a certificate',
     "$SP WebcastSAMLIdP https://idp.example.test/\n",
     qr/WebcastSAMLIdP takes an entity ID and at least one certificate file/],
    ['attribute mapped to a non-WEBCAST_ name',
     "$SP$IDP WebcastSAMLAttribute mail NOT_WEBCAST\n",
     qr/WebcastSAMLAttribute: "NOT_WEBCAST" is not a variable name this module may set/],
    ['attribute mapped to a variable the module sets',
     "$SP$IDP WebcastSAMLAttribute mail WEBCAST_EMAIL\n",
     qr/WebcastSAMLAttribute: "WEBCAST_EMAIL" is not a variable name this module may set/],
    ['unknown socache provider',
     "$SP$IDP WebcastSAMLSessionCache nosuch:x\n",
     qr/WebcastSAMLSessionCache: unknown socache provider "nosuch" \(loaded: [^)]*shmcb/],
    ['session cache inside a vhost',
     "$SP$IDP<VirtualHost 127.0.0.1:1>\n"
     . "    WebcastSAMLSessionCache shmcb\n</VirtualHost>\n",
     qr/WebcastSAMLSessionCache cannot occur within <?VirtualHost>? section/],
    ['process cache lifetime not a number',
     "$SP$IDP WebcastSAMLSessionProcessCache 10s\n",
     qr/WebcastSAMLSessionProcessCache: "10s" is neither off nor a number of seconds from 1 to 300/],
    ['process cache lifetime too long',
     "$SP$IDP WebcastSAMLSessionProcessCache 301\n",
     qr/WebcastSAMLSessionProcessCache: "301" is neither off nor a number of seconds from 1 to 300/],
    ['process cache entries malformed',
     "$SP$IDP WebcastSAMLSessionProcessCache 5 entries=0\n",
     qr/WebcastSAMLSessionProcessCache: "entries=0" is not entries=N \(a number from 1 to 1048576\)/],
    ['process cache off with entries',
     "$SP$IDP WebcastSAMLSessionProcessCache off entries=10\n",
     qr/WebcastSAMLSessionProcessCache off takes no entries=/],
    ['process cache inside a vhost',
     "$SP$IDP<VirtualHost 127.0.0.1:1>\n"
     . "    WebcastSAMLSessionProcessCache 5\n</VirtualHost>\n",
     qr/WebcastSAMLSessionProcessCache cannot occur within <?VirtualHost>? section/],
    ['event line too short',
     "$SP$IDP WebcastSAMLEvent 1234567 ab177c1f4e\n",
     qr/WebcastSAMLEvent: an event is: ID KEY TARGET/],
    ['event ID not a number',
     "$SP$IDP WebcastSAMLEvent 12a45 ab177c1f4e /x/\n",
     qr/WebcastSAMLEvent: "12a45" is not an event ID \(1 to 18 decimal digits\)/],
    ['event target an open redirect',
     "$SP$IDP WebcastSAMLEvent 1 ab177c1f4e //evil.example/\n",
     qr/WebcastSAMLEvent: event 1: target "\/\/evil\.example\/" is neither a local path/],
    ['event defined twice',
     "$SP$IDP WebcastSAMLEvent 1 ab177c1f4e /x/\nWebcastSAMLEvent 01 - /y/\n",
     qr/WebcastSAMLEvent: event 1 is defined twice \(first at .*:\d+\)/],
    ['event naming an IdP the vhost does not trust',
     "$SP$IDP WebcastSAMLEvent 1 - /x/ idps=https://nobody.example.test/\n",
     qr/WCS01003: .*:\d+: event 1 names IdP https:\/\/nobody\.example\.test\/, which is not a configured IdP/],
    ['application URL that is not a URL',
     "$SP$IDP WebcastSAMLRelayStateURL global.gotomeeting.com /meeting/\n",
     qr/WebcastSAMLRelayStateURL: "global\.gotomeeting\.com" is not an absolute http\(s\) URL/],
    ['application URL mapped twice',
     "$SP$IDP WebcastSAMLRelayStateURL https://global.gotomeeting.com /a/\n"
     . "WebcastSAMLRelayStateURL HTTPS://GLOBAL.GOTOMEETING.COM/ /b/\n",
     qr/WebcastSAMLRelayStateURL: HTTPS:\/\/GLOBAL\.GOTOMEETING\.COM\/ is mapped twice/],
    ['template field setting a reserved variable',
     "$SP$IDP WebcastSAMLTemplate reg mail WEBCAST_EMAIL\n",
     qr/WebcastSAMLTemplate: "WEBCAST_EMAIL" is not a variable name this module may set/],
    ['event naming an undefined template',
     "$SP$IDP WebcastSAMLEvent 1 - /x/ template=nope\n",
     qr/WCS01003: .*:\d+: event 1 names template "nope", which is not defined \(WebcastSAMLTemplate\)/],
    ['directory neither sqlite3 nor dbd',
     "$SP$IDP WebcastSAMLDirectory mysql:somewhere\n",
     qr/WebcastSAMLDirectory: "mysql:somewhere" is neither sqlite3:\/path\/to\/file\.db nor dbd \(mod_dbd\) nor off/],
    ['directory with an unknown option',
     "$SP$IDP WebcastSAMLDirectory sqlite3:/tmp/x.db schema=drop\n",
     qr/WebcastSAMLDirectory: "schema=drop" is not schema=create/],
    ['directory dbd with schema=create',
     "$SP$IDP WebcastSAMLDirectory dbd schema=create\n",
     qr/WebcastSAMLDirectory dbd: schema=create is for SQLite files/],
    ['Provision not a flag',
     "$SP$IDP WebcastSAMLProvision maybe\n",
     qr/WebcastSAMLProvision must be On or Off/],
    ['Require webcast-role without a role',
     "$SP$IDP<Location /x>\n    AuthType WebcastSAML\n    Require webcast-role\n</Location>\n",
     qr/Require webcast-role takes the account roles admitted/],
    ['broken event map',
     "$SP$IDP WebcastSAMLEventMap \"$badmap\"\n",
     qr/WebcastSAMLEventMap: \Q$badmap\E:2: event 7: key "xyz" is not 4 to 64 hex digits.*;\Q$badmap\E:4: event 8 is defined twice \(first at \Q$badmap\E:3\)/],
    ['event map missing',
     "$SP$IDP WebcastSAMLEventMap /nonexistent/events.map\n",
     qr/WebcastSAMLEventMap: cannot read \/nonexistent\/events\.map/],
    ['Require webcast-event without an ID',
     "$SP$IDP<Location /x>\n    AuthType WebcastSAML\n    Require webcast-event\n</Location>\n",
     qr/Require webcast-event takes the IDs of the events/],
    ['Require webcast-event with a key',
     "$SP$IDP<Location /x>\n    AuthType WebcastSAML\n    Require webcast-event 1-beef\n</Location>\n",
     qr/Require webcast-event: "1-beef" is not an event ID/],
    ['session key file missing',
     "$SP$IDP WebcastSAMLSessionKeyFile /nonexistent/session.key\n",
     qr/WebcastSAMLSessionKeyFile: cannot read \/nonexistent\/session\.key/],
    ['session key too short',
     "$SP$IDP WebcastSAMLSessionKeyFile \"$shortkey\"\n",
     qr/WebcastSAMLSessionKeyFile: .*short\.key holds 16 bytes; a key needs 32 to 4096/],
    ['session key file inside a vhost',
     "$SP$IDP<VirtualHost 127.0.0.1:1>\n"
     . "    WebcastSAMLSessionKeyFile \"$key1\"\n</VirtualHost>\n",
     qr/WebcastSAMLSessionKeyFile cannot occur within <?VirtualHost>? section/],
    ['SHA-1 allowed for an unknown IdP',
     "$SP$IDP WebcastSAMLAllowSHA1 https://nobody.example.test/\n",
     qr/WCS01003: WebcastSAMLAllowSHA1 names https:\/\/nobody\.example\.test\/, which is not a configured IdP/],
    ['email domains for an unknown IdP',
     "$SP$IDP WebcastSAMLIdPEmailDomains https://nobody.example.test/ example.com\n",
     qr/WCS01003: WebcastSAMLIdPEmailDomains names https:\/\/nobody\.example\.test\/, which is not a configured IdP/],
    ['email domain that is not a domain',
     "$SP$IDP WebcastSAMLIdPEmailDomains https://idp.example.test/ *example.com\n",
     qr/WebcastSAMLIdPEmailDomains: "\*example\.com" is not an email domain/],
    ['email domains without a domain',
     "$SP$IDP WebcastSAMLIdPEmailDomains https://idp.example.test/\n",
     qr/WebcastSAMLIdPEmailDomains takes an IdP entity ID and at least one email domain/],
    # A vhost with IdPs of its own takes no per-IdP line of the main
    # server: one naming only the vhost's IdP applies to nothing.
    ["main-server line for a vhost's own IdP",
     "$SP$IDP WebcastSAMLAllowSHA1 https://v.example.test/idp\n"
     . "WebcastSAMLIdPEmailDomains https://v.example.test/idp v.example\n"
     . "<VirtualHost 127.0.0.1:1>\n    WebcastSAMLSPEntityID https://v.example.test/\n"
     . "    WebcastSAMLIdP https://v.example.test/idp \"$keys/idp.pem\"\n"
     . "</VirtualHost>\n",
     qr/WCS01003: WebcastSAML(AllowSHA1|IdPEmailDomains) names https:\/\/v\.example\.test\/idp, which is not a configured IdP of vhost/],
    ['IdPs without an SP entity ID', $IDP,
     qr/WCS01002: .*WebcastSAMLSPEntityID is not set, but IdPs are configured/],
    ['SP entity ID without IdPs', $SP,
     qr/WCS01002: .*no IdP is configured \(WebcastSAMLIdPMetadata or WebcastSAMLIdP\)/],
    ['SameSite None with Secure off',
     "$SP$IDP WebcastSAMLCookieSameSite None\nWebcastSAMLCookieSecure off\n",
     qr/WCS01002: .*WebcastSAMLCookieSameSite None needs a Secure cookie, but WebcastSAMLCookieSecure is off/],
    ['vhost SameSite None with Secure off',
     "$SP$IDP<VirtualHost 127.0.0.1:1>\n    WebcastSAMLSPEntityID https://v.example.test/\n"
     . "    WebcastSAMLCookieSameSite None\n    WebcastSAMLCookieSecure off\n"
     . "</VirtualHost>\n",
     qr/WCS01002: vhost .*WebcastSAMLCookieSameSite None needs a Secure cookie/],
);

my $good = <<CONF;
WebcastSAMLSessionCache "shmcb:$dir/wcs_cache(512000)"
WebcastSAMLSessionKeyFile "$key1" "$key2"
WebcastSAMLSessionProcessCache 30 entries=100000
WebcastSAMLSPEntityID https://sp.example.test/
WebcastSAMLIdPMetadata "$keys/idp-metadata.xml" "$keys/ec-metadata.xml"
WebcastSAMLIdP https://rollover.example.test/ "$keys/old.pem" "$keys/new.pem"
WebcastSAMLIdP https://sts.windows.net/00000000-1111-2222-3333-444444444444/ "$keys/entra.cer"
WebcastSAMLIdP http://www.okta.com/exk1example "$keys/okta.der"
WebcastSAMLIdP https://sha1.example.test/ "$keys/sha1.pem"
WebcastSAMLAllowSHA1 https://sha1.example.test/
WebcastSAMLSignedParts either
WebcastSAMLClockSkew 120
WebcastSAMLMaxResponseSize 131072
WebcastSAMLSessionLifetime 3600
WebcastSAMLCookieName wcs
WebcastSAMLCookieSameSite None
WebcastSAMLCookieSecure auto
WebcastSAMLAttribute department WEBCAST_DEPARTMENT
WebcastSAMLErrorURL https://webcast.example.test/invalid-request
WebcastSAMLDefaultTarget /webcast/
WebcastSAMLEvent 1234567 ab177c1f4e /webcast/1234567/ "message=Staff only" closes=2030-01-01T00:00:00Z
WebcastSAMLEventMap "$goodmap"
WebcastSAMLDefaultRelayState admin
WebcastSAMLDirectory sqlite3:$dir/accounts.db schema=create
WebcastSAMLProvision Off
WebcastSAMLLicense ENTERPRISE-1
WebcastSAMLGuests Off
WebcastSAMLTemplate reg department WEBCAST_DEPARTMENT
WebcastSAMLEvent 2 - /webcast/2/ template=reg
WebcastSAMLRelayStateURL https://global.gotomeeting.com /webcast/meeting/
<Location /webcast/1234567>
    AuthType WebcastSAML
    Require webcast-event 1234567 9
</Location>
<Location /webcast>
    AuthType WebcastSAML
    Require valid-user
    WebcastSAMLExportHeaders On
</Location>
<VirtualHost 127.0.0.1:1>
    WebcastSAMLSPEntityID https://protected.example.test/
    WebcastSAMLEndpointPath /sso
    WebcastSAMLACSURL https://webcast.example.test/sso/acs
    WebcastSAMLIdP https://idp.example.test/ "$keys/idp.pem"
    WebcastSAMLSignedParts both
    WebcastSAMLEmailAttribute mail
</VirtualHost>
CONF

# Several IdPs: each without an email domain list is named in a warning;
# configtest still passes.  name, body, IdPs named, IdPs not named.
my $EC = "WebcastSAMLIdP https://ec.example.test/ \"$keys/ec.pem\"\n";
my @warn = (
    ['two IdPs, one without domains',
     "$SP$IDP$EC WebcastSAMLIdPEmailDomains https://ec.example.test/ ec.example\n",
     ['https://idp.example.test/'], ['https://ec.example.test/']],
    ['two IdPs in a vhost, none with domains',
     "$SP$IDP<VirtualHost 127.0.0.1:1>\n    WebcastSAMLSPEntityID https://v.example.test/\n"
     . "    $IDP    $EC</VirtualHost>\n",
     ['https://idp.example.test/', 'https://ec.example.test/'], []],
    ['two IdPs, both with domains',
     "$SP$IDP$EC WebcastSAMLIdPEmailDomains https://ec.example.test/ ec.example\n"
     . "WebcastSAMLIdPEmailDomains https://idp.example.test/ *\n", [], []],
    ['one IdP', "$SP$IDP", [], []],
);
my $warn_tests = 0;
$warn_tests += 2 + (@{ $_->[2] } ? 1 + @{ $_->[2] } + @{ $_->[3] } : 1)
    for @warn;

# A session cache other servers may share, without a common key file.
my ($libexec) = $base_modules =~ m{LoadModule \S+ "?(\S+)/mod_[a-z_]+\.so};
my $MC = "LoadModule socache_memcache_module \"$libexec/mod_socache_memcache.so\"\n"
       . "WebcastSAMLSessionCache memcache:127.0.0.1:1\n";
my @keywarn = (
    ['memcache without a session key file', "$MC$SP$IDP", 1],
    ['memcache with a session key file',
     "$MC WebcastSAMLSessionKeyFile \"$key1\"\n$SP$IDP", 0],
    ['shmcb without a session key file', "$SP$IDP", 0],
);

# An IdP that wants signed AuthnRequests, without and with a signing key.
(my $wants = read_file("$keys/idp-metadata.xml"))
    =~ s/<md:IDPSSODescriptor /<md:IDPSSODescriptor WantAuthnRequestsSigned="true" /;
my $wants_md = write_file("$dir/wants-signed.xml", $wants);
my @signwarn = (
    ['an IdP wanting signed requests, no signing key',
     "${SP}WebcastSAMLIdPMetadata \"$wants_md\"\n", 1],
    ['an IdP wanting signed requests, a signing key',
     "${SP}WebcastSAMLIdPMetadata \"$wants_md\"\n"
     . "WebcastSAMLSigningKey \"$keys/new.key\" \"$keys/new.pem\"\n", 0],
);

# IdP certificates: one that expires in 10 days (a warning), one that
# expired in 2020 (an error), made with openssl (ca, for a past date),
# and one of a year (nothing).
system("openssl req -x509 -newkey rsa:2048 -nodes -days 10 -subj /CN=soon-idp "
       . "-keyout $dir/soon.key -out $dir/soon.pem >/dev/null 2>&1") == 0
    or die "openssl cannot make the 10-day certificate";
system("openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=year-idp "
       . "-keyout $dir/year.key -out $dir/year.pem >/dev/null 2>&1") == 0
    or die "openssl cannot make the certificate of a year";
write_file("$dir/ca.cnf", "[ca]\ndefault_ca = d\n[d]\ndir = $dir\n"
           . "database = $dir/index.txt\nnew_certs_dir = $dir\n"
           . "serial = $dir/serial\ndefault_md = sha256\npolicy = p\n"
           . "[p]\ncommonName = supplied\n");
write_file("$dir/index.txt", '');
write_file("$dir/serial", "01\n");
system("openssl req -new -newkey rsa:2048 -nodes -keyout $dir/old-idp.key "
       . "-subj /CN=expired-idp -out $dir/old-idp.csr >/dev/null 2>&1 && "
       . "openssl ca -batch -config $dir/ca.cnf -selfsign -keyfile $dir/old-idp.key "
       . "-in $dir/old-idp.csr -out $dir/old-idp.pem -startdate 20200101000000Z "
       . "-enddate 20200201000000Z >/dev/null 2>&1") == 0
    or die "openssl cannot make the expired certificate";
my @expiry = (
    ['an IdP certificate that expires in 10 days',
     "${SP}WebcastSAMLIdP https://soon.example.test/ \"$dir/soon.pem\"\n",
     qr/\[webcast_saml:warn\].*WCS01012: the certificate of IdP https:\/\/soon\.example\.test\/ \(\/CN=soon-idp, SHA-256 [0-9A-F:]{95}, from \S*soon\.pem\) expires at \S+Z, in (9|10) days: add the IdP's next certificate beside it before then/],
    ['an IdP certificate that has expired',
     "${SP}WebcastSAMLIdP https://old.example.test/ \"$dir/old-idp.pem\"\n",
     qr/\[webcast_saml:error\].*WCS01013: the certificate of IdP https:\/\/old\.example\.test\/ \(\/CN=expired-idp, SHA-256 [0-9A-F:]{95}, from \S*old-idp\.pem\) expired at 2020-02-01T00:00:00Z/],
    ['an IdP certificate of a year',
     "${SP}WebcastSAMLIdP https://year.example.test/ \"$dir/year.pem\"\n", undef],
);

plan tests => 2 * @bad + 2 + $warn_tests + 2 * @keywarn + 2 * @signwarn
    + 2 * @expiry;

for my $c (@expiry) {
    my ($name, $body, $re) = @$c;
    my ($rc, $out) = configtest($body);
    is($rc, 0, "$name: configtest passes (SAML ignores expiry)") or diag($out);
    if ($re) {
        like($out, $re, "$name: logged") or diag($out);
    }
    else {
        unlike($out, qr/WCS0101[23]/, "$name: nothing logged");
    }
}

for my $c (@signwarn) {
    my ($name, $body, $warns) = @$c;
    my ($rc, $out) = configtest($body);
    is($rc, 0, "$name: configtest passes") or diag($out);
    if ($warns) {
        like($out, qr/\[webcast_saml:warn\].*WCS01011: vhost \S+: IdP https:\/\/idp\.example\.test\/ wants signed AuthnRequests \(WantAuthnRequestsSigned\), and WebcastSAMLSigningKey is not set/,
             "$name: a warning") or diag($out);
    }
    else {
        unlike($out, qr/WCS01011/, "$name: no warning");
    }
}

for my $c (@keywarn) {
    my ($name, $body, $warns) = @$c;
    my ($rc, $out) = configtest($body);
    is($rc, 0, "$name: configtest passes") or diag($out);
    if ($warns) {
        like($out, qr/WCS01005: the session cache can be shared by several servers, but WebcastSAMLSessionKeyFile is not set/,
             "$name: a warning") or diag($out);
    }
    else {
        unlike($out, qr/WCS01005/, "$name: no warning");
    }
}

for my $c (@bad) {
    my ($name, $body, $re) = @$c;
    my ($rc, $out) = configtest($body);
    isnt($rc, 0, "$name: configtest fails");
    like($out, $re, "$name: the message names the directive")
        or diag($out);
}

for my $c (@warn) {
    my ($name, $body, $named, $not_named) = @$c;
    my ($rc, $out) = configtest($body);
    is($rc, 0, "$name: configtest passes") or diag($out);
    like($out, qr/Syntax OK/, "$name: Syntax OK");
    if (!@$named) {
        unlike($out, qr/WCS01010/, "$name: no warning");
        next;
    }
    like($out, qr/\[webcast_saml:warn\].*WCS01010: vhost \S+ trusts 2 IdPs, .*set WebcastSAMLIdPEmailDomains for each/,
         "$name: a warning naming the vhost") or diag($out);
    my ($line) = $out =~ /(WCS01010: .*)/;
    $line //= '';
    like($line, qr/\Q$_\E/, "$name: names $_") for @$named;
    unlike($line, qr/\Q$_\E/, "$name: does not name $_") for @$not_named;
}

my ($rc, $out) = configtest($good);
is($rc, 0, 'a complete configuration passes') or diag($out);
like($out, qr/Syntax OK/, 'Syntax OK');
