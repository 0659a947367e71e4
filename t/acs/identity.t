# Who a response may make someone: each IdP only for its own email
# domains (vhost wcs_tenants), values that read as they were signed (no
# comment or CDATA split hiding in an attribute value, no structured value
# read as text), and the NameIDs real IdPs send (SAML 1.0 format names,
# Entra guest UPNs).
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use WCS::Test;

my $TENANT_A = 'https://idp.example.test/';
my $TENANT_B = 'https://sha1.example.test/';
my %tenants = (module => 'wcs_tenants',
               audience => 'https://tenants.example.test/');

# name, module, code, reason pattern, wcs_mkresponse options
my @refused = (
    ["tenant B's IdP asserting tenant A's person", 'wcs_tenants', '4k',
     qr/^IdP \Q$TENANT_B\E may not assert email domain "tenant-a\.example" \(allowed: tenant-b\.example\)/,
     [%tenants, key => 'sha1', issuer => $TENANT_B,
      nameid => 'alice@tenant-a.example']],
    ["tenant A's IdP asserting a look-alike domain", 'wcs_tenants',
     '4k', qr/^IdP \Q$TENANT_A\E may not assert email domain "tenant-a\.example\.evil"/,
     [%tenants, nameid => "x\@tenant-a.example.evil"]],
    # The main server allows SHA-1 for an IdP of this entity ID; this
    # vhost configures its own IdPs and did not.
    ["SHA-1 from tenant B's IdP, allowed on the main server only",
     'wcs_tenants', '2a', qr/SHA-1/,
     [%tenants, key => 'sha1', issuer => $TENANT_B, alg => 'sha1',
      nameid => 'bob@tenant-b.example']],
    ['comment inside a signed attribute value', 'default', '2a',
     qr/^attribute "groups" has a value holding a comment \(line \d+\)/,
     [attr => ['groups=staff', 'groups=suspended'],
      attack => 'comment-attr']],
    ['attribute value split by CDATA', 'default', '2a',
     qr/^attribute "groups" has a value holding text split by CDATA/,
     [attr => 'groups=suspended', attack => 'cdata-attr']],
    ['structured value in a mapped attribute', 'default', '2a',
     qr/^attribute "groups" has 1 value\(s\) holding an element/,
     [attr => 'groups=staff', attack => 'structured-attr']],
    ['Entra guest UPN as NameID', 'default', '2b',
     qr/^NameID "alice_contoso\.com#EXT#\@tenant\.onmicrosoft\.com" is an Entra ID guest UPN .*NameID\) source to user\.mail, or .*WebcastSAMLEmailAttribute$/,
     [nameid => 'alice_contoso.com#EXT#@tenant.onmicrosoft.com',
      'nameid-format' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified']],
    ['no-break space in the NameID', 'default', '2b',
     qr/is not an email address/,
     [nameid => "alice\xc2\xa0\@example.test"]],
    ['NotOnOrAfter at the epoch', 'default', '4a',
     qr/^the assertion expired at 1970-01-01T00:00:00Z/,
     ['not-on-or-after' => '@0']],
);

# name, module, expected user, wcs_mkresponse options
my @accepted = (
    ["tenant B's IdP, its own domain", 'wcs_tenants', 'bob@tenant-b.example',
     [%tenants, key => 'sha1', issuer => $TENANT_B,
      nameid => 'Bob@Tenant-B.example']],
    ["tenant A's IdP, a subdomain", 'wcs_tenants', 'carol@eu.tenant-a.example',
     [%tenants, nameid => 'carol@eu.tenant-a.example']],
    ['JumpCloud: SAML 1.0 unspecified', 'default', 'dora@example.test',
     [nameid => 'dora@example.test',
      'nameid-format' => 'urn:oasis:names:tc:SAML:1.0:nameid-format:unspecified']],
    ['SAML 1.0 emailAddress', 'default', 'erin@example.test',
     [nameid => 'erin@example.test',
      'nameid-format' => 'urn:oasis:names:tc:SAML:1.0:nameid-format:emailAddress']],
    ['structured value in an attribute nobody reads', 'default',
     'frank@example.test',
     [nameid => 'frank@example.test',
      attr => ['groups=staff', 'eptid=x'], attack => 'structured-attr']],
);

plan tests => @refused * REFUSAL_TESTS + @accepted * (LOGIN_TESTS + 2);

for my $c (@refused) {
    my ($name, $module, $code, $re, $opts) = @$c;
    my $off = log_offset();
    refusal_checks($name, post_acs($module, mkresponse(module => $module,
                                                       @$opts)),
                   $off, $code, $re);
}

for my $c (@accepted) {
    my ($name, $module, $user, $opts) = @$c;
    my $res = post_acs($module, mkresponse(module => $module, @$opts));
    my $id = login_checks($name, $res, module => $module);
    my ($app, $env) = app_get($module, '/webcast/app',
                              'webcast_saml_session', $id);
    is($app->code, 200, "$name: the app answers 200");
    is($env->{REMOTE_USER}, $user, "$name: REMOTE_USER");
}
