# Per-vhost SPs: a vhost protected as a whole (ACS in the check_authn
# path, email from an attribute, SignedParts both, an ErrorURL), a vhost
# behind a proxy (ACS URL as the IdP sees it, compared as a URL; SameSite
# None), and a strict vhost (no clock skew, Assertion must be signed).
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use WCS::Test;

my $IDP = 'https://idp.example.test/';
my $ERR = 'https://webcast.example.test/invalid-request?lang=en';
my $PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

plan tests => 2 * LOGIN_TESTS + 2 * APP_TESTS + 4 + 4   # two logins
            + 4 * REFUSAL_TESTS + 1                      # protected
            + 3 + 5 * REFUSAL_TESTS                      # proxied
            + 1 + LOGIN_TESTS + 3 * REFUSAL_TESTS;       # strict

# --- wcs_protected -------------------------------------------------------
{
    my %mk = (module => 'wcs_protected',
              audience => 'https://protected.example.test/', sign => 'both');
    my $res = post_acs('wcs_protected', mkresponse(
        %mk, attr => 'mail=Carol@Example.test', nameid => 'u-1234',
        'nameid-format' => $PERSISTENT));
    my $id = login_checks('protected: email from attribute', $res,
                          module => 'wcs_protected', target => '/app',
                          cookie => 'wcs_protected', secure => 0);
    app_checks('protected: email from attribute', 'wcs_protected', '/app',
               'wcs_protected', $id,
               {REMOTE_USER => 'carol@example.test',
                WEBCAST_EMAIL => 'carol@example.test',
                WEBCAST_NAMEID => 'u-1234', WEBCAST_IDP => $IDP});

    my $off = log_offset();
    refusal_checks('protected: Assertion signed only',
                   post_acs('wcs_protected', mkresponse(
                       %mk, sign => 'assertion', attr => 'mail=c@example.test')),
                   $off, '2a',
                   qr/the Response is not signed, as WebcastSAMLSignedParts requires/,
                   error_url => $ERR);

    $off = log_offset();
    refusal_checks('protected: no mail attribute',
                   post_acs('wcs_protected', mkresponse(%mk)), $off, '2b',
                   qr/the assertion has no attribute "mail" \(WebcastSAMLEmailAttribute\)/,
                   error_url => $ERR);

    $off = log_offset();
    refusal_checks('protected: mail attribute not an email',
                   post_acs('wcs_protected', mkresponse(%mk,
                                                        attr => 'mail=carol')),
                   $off, '2b', qr/attribute "mail" is "carol", not an email/,
                   error_url => $ERR);

    $off = log_offset();
    refusal_checks('protected: GET on the ACS',
                   GET(acs_url('wcs_protected')), $off, '1b',
                   qr/the ACS was requested with GET/, error_url => $ERR);

    my ($r) = app_get('wcs_protected', '/app');
    is($r->code, 401, 'protected: no session cookie -> 401');
}

# --- wcs_proxied -----------------------------------------------------------
{
    my %mk = (module => 'wcs_proxied',
              audience => 'https://proxied.example.test/sp', sign => 'response');
    my $res = post_acs('wcs_proxied', mkresponse(
        %mk, acs => 'https://webcast.example.test/saml/acs'));
    my $id = login_checks('proxied: public ACS URL, normalised', $res,
                          module => 'wcs_proxied', target => '/webcast/app',
                          samesite => 'None', secure => 1);
    app_checks('proxied: public ACS URL, normalised', 'wcs_proxied',
               '/webcast/app', 'webcast_saml_session', $id,
               {REMOTE_USER => 'alice@example.test', WEBCAST_IDP => $IDP,
                WEBCAST_EMAIL => 'alice@example.test',
                WEBCAST_NAMEID => 'alice@example.test'});

    $res = post_acs('wcs_proxied', mkresponse(
        %mk, acs => 'HTTPS://WEBCAST.EXAMPLE.TEST:443/saml/acs'));
    is($res->code, 303, 'proxied: upper-case host and default port accepted');
    like($res->header('Set-Cookie') // '', qr/;\s*Secure/i,
         'proxied: SameSite None cookie is Secure');

    $res = post_acs('wcs_proxied', mkresponse(
        %mk, acs => 'https://webcast.example.test/saml/%61c%73'));
    is($res->code, 303, 'proxied: percent-encoded unreserved characters accepted');

    my $local = acs_url('wcs_proxied');
    my $off = log_offset();
    refusal_checks('proxied: http instead of https',
                   post_acs('wcs_proxied', mkresponse(
                       %mk, acs => 'http://webcast.example.test/saml/acs')),
                   $off, '4d', qr/Response Destination "http:\/\/webcast\.example\.test\/saml\/acs" is not/);

    $off = log_offset();
    refusal_checks('proxied: the local ACS URL as Destination',
                   post_acs('wcs_proxied', mkresponse(%mk, acs => $local)),
                   $off, '4d',
                   qr/Response Destination "\Q$local\E" is not this SP's ACS URL "https:\/\/WEBCAST\.example\.test:443\/saml\/acs"/);

    $off = log_offset();
    refusal_checks('proxied: path differs in case',
                   post_acs('wcs_proxied', mkresponse(
                       %mk, acs => 'https://webcast.example.test/SAML/acs')),
                   $off, '4d', qr/Response Destination .* is not this SP's ACS URL/);

    $off = log_offset();
    refusal_checks('proxied: the local ACS URL as Recipient',
                   post_acs('wcs_proxied', mkresponse(
                       %mk, destination => 'https://webcast.example.test/saml/acs',
                       recipient => $local)),
                   $off, '4e', qr/Recipient "\Q$local\E" is not this SP's ACS URL/);

    $off = log_offset();
    refusal_checks('proxied: Assertion signed only',
                   post_acs('wcs_proxied', mkresponse(
                       %mk, sign => 'assertion',
                       acs => 'https://webcast.example.test/saml/acs')),
                   $off, '2a', qr/the Response is not signed/);
}

# --- wcs_strict --------------------------------------------------------------
{
    my %mk = (module => 'wcs_strict',
              audience => 'https://strict.example.test/');

    my $res = post_acs('default', mkresponse('not-before' => 20));
    is($res->code, 303, 'main server: NotBefore 20 s ahead is within the skew');

    $res = post_acs('wcs_strict', mkresponse(%mk));
    login_checks('strict: a small signed response', $res,
                 module => 'wcs_strict', secure => 0);

    my $off = log_offset();
    refusal_checks('strict: NotBefore 20 s ahead, clock skew 0',
                   post_acs('wcs_strict', mkresponse(%mk, 'not-before' => 20)),
                   $off, '4b', qr/valid from .* only \(now .*, clock skew 0s\)/);

    $off = log_offset();
    refusal_checks('strict: Response signed only',
                   post_acs('wcs_strict', mkresponse(%mk, sign => 'response')),
                   $off, '2a',
                   qr/the Assertion is not signed, as WebcastSAMLSignedParts requires/);

    $off = log_offset();
    refusal_checks('strict: the main server\'s audience',
                   post_acs('wcs_strict', mkresponse(module => 'wcs_strict')),
                   $off, '4c',
                   qr/audience "https:\/\/sp\.example\.test\/", not this SP's entity ID "https:\/\/strict\.example\.test\/"/);
}
