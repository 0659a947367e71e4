# Valid SAML responses as real IdPs send them: each logs in (303 to the
# default target, a session cookie) and the protected application then
# sees the person in REMOTE_USER and WEBCAST_*, never the session cookie.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use WCS::Test;

my $IDP     = 'https://idp.example.test/';
my $EC      = 'https://ec.example.test/';
my $ROLL    = 'https://rollover.example.test/';
my $ENTRA   = 'https://sts.windows.net/00000000-1111-2222-3333-444444444444/';
my $OKTA    = 'http://www.okta.com/exk1example';
my $SHA1    = 'https://sha1.example.test/';
my $ALICE   = 'alice@example.test';
my $UNSPEC  = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

# name, wcs_mkresponse options, post options, extra expected variables
my @cases = (
    ['assertion signed, mapped attributes',
     [attr => ['department=Sales', 'groups=a', 'groups=b;c']], {},
     {WEBCAST_DEPARTMENT => 'Sales', WEBCAST_GROUPS => 'a;b\;c'}],
    ['response signed', [sign => 'response'], {}, {}],
    ['both signed', [sign => 'both'], {}, {}],
    ['rollover: old key', [key => 'old', issuer => $ROLL], {},
     {WEBCAST_IDP => $ROLL}],
    ['rollover: new key', [key => 'new', issuer => $ROLL], {},
     {WEBCAST_IDP => $ROLL}],
    ['rollover: new key, no KeyInfo',
     [key => 'new', issuer => $ROLL, keyinfo => 'none'], {},
     {WEBCAST_IDP => $ROLL}],
    ['RSA KeyValue in KeyInfo', [keyinfo => 'keyvalue'], {}, {}],
    ['EC IdP from metadata', [key => 'ec', issuer => $EC], {},
     {WEBCAST_IDP => $EC}],
    ['Entra profile', [profile => 'entra', key => 'entra', issuer => $ENTRA],
     {}, {WEBCAST_IDP => $ENTRA, WEBCAST_FIRST_NAME => 'Alice',
          WEBCAST_LAST_NAME => 'Example'}],
    ['Okta profile', [profile => 'okta', key => 'okta', issuer => $OKTA], {},
     {WEBCAST_IDP => $OKTA, WEBCAST_FIRST_NAME => 'Alice',
      WEBCAST_LAST_NAME => 'Example'}],
    ['SHA-1 from an IdP allowed to', [key => 'sha1', issuer => $SHA1,
                                      alg => 'sha1'], {},
     {WEBCAST_IDP => $SHA1}],
    ['RSA-SHA512', [alg => 'sha512'], {}, {}],
    ['inclusive c14n', [c14n => 'inclusive'], {}, {}],
    ['line-wrapped base64', [wrap => undef], {}, {}],
    ['Response Signature after the Assertion',
     [sign => 'both', 'response-sig-after-assertion' => undef], {}, {}],
    ['times with milliseconds', [millis => undef], {}, {}],
    ['NameID format unspecified holding an email',
     ['nameid-format' => $UNSPEC], {}, {}],
    ['NameID without Format', ['nameid-format' => 'none'], {}, {}],
    ['upper-case email',
     [nameid => 'Alice.Upper@Example.TEST'], {},
     {REMOTE_USER => 'alice.upper@example.test',
      WEBCAST_EMAIL => 'alice.upper@example.test',
      WEBCAST_NAMEID => 'Alice.Upper@Example.TEST'}],
    ['attribute by FriendlyName, NameFormat basic',
     [attr => 'urn:oid:2.5.4.11=Research',
      'attr-friendly' => 'urn:oid:2.5.4.11=department',
      'attr-nameformat' => 'basic'], {},
     {WEBCAST_DEPARTMENT => 'Research'}],
    ['no RelayState', [], {relay_state => undef}, {}],
    ['unsigned Response without Destination',
     [destination => 'none', recipient => acs_url()], {}, {}],
);

my %base = (REMOTE_USER => $ALICE, WEBCAST_EMAIL => $ALICE,
            WEBCAST_IDP => $IDP, WEBCAST_NAMEID => $ALICE);
my $tests = 0;
for my $c (@cases) {
    $c->[3] = {%base, %{ $c->[3] }};
    $tests += LOGIN_TESTS + APP_TESTS + keys %{ $c->[3] };
}
plan tests => $tests;

for my $c (@cases) {
    my ($name, $mk, $post, $expect) = @$c;
    my $res = post_acs('default', mkresponse(@$mk), %$post);
    my $id = login_checks($name, $res, secure => 0);
    app_checks($name, 'default', '/webcast/app', 'webcast_saml_session',
               $id, $expect);
}
