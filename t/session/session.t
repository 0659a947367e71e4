# Sessions on protected locations: no or bad cookie -> 401 (never 5xx),
# a session is only valid for the SP that made it, it ends with the IdP's
# SessionNotOnOrAfter, forged WEBCAST_* request headers never reach the
# application, exported headers come from the session, and sub-requests
# inherit the identity.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use WCS::Test;

my $ALICE = 'alice@example.test';
my $CN = 'webcast_saml_session';

plan tests => 3 * 3 + 2 + 3 + 2 + 6 + 2 + 5 + 3 + 4 + 2 + 3;

sub get_with {
    my ($module, $path, $cookie, @h) = @_;
    return GET(url_for($module, $path),
               (defined $cookie ? (Cookie => $cookie) : ()), @h);
}

sub login {
    my ($module, %mk) = @_;
    my $res = post_acs($module, mkresponse(module => $module, %mk));
    my ($id) = ($res->header('Set-Cookie') // '') =~ /=([0-9a-f]+);/;
    return ($res, $id);
}

# No session: 401 with no-store, not a 5xx, for each kind of bad cookie.
for my $c (['no cookie', undef],
           ['garbage cookie', "$CN=garbage"],
           ['unknown, well-formed session ID', "$CN=" . ('ab' x 32)]) {
    my ($name, $cookie) = @$c;
    my $res = get_with('default', '/webcast/app', $cookie);
    is($res->code, 401, "$name: 401");
    is($res->header('Cache-Control'), 'no-store', "$name: no-store");
    like($res->content, qr/Sign-in required/, "$name: sign-in page");
}

# A session of the main server's SP.
my ($res, $id) = login('default');
is($res->code, 303, 'main server login');
ok(defined $id && length($id) == 64, 'session ID is 64 hex digits');

$res = get_with('default', '/webcast/app', "$CN=$id");
is($res->code, 200, 'session works on the main server');
$res = get_with('default', '/webcast/app', "$CN=" . uc $id);
is($res->code, 401, 'upper-cased session ID: 401');
$res = get_with('default', '/webcast/app', "$CN=${id}0");
is($res->code, 401, 'session ID with a digit more: 401');

# Only for the SP that made it.
$res = get_with('wcs_proxied', '/webcast/app', "$CN=$id");
is($res->code, 401, 'main server session on wcs_proxied (another SP): 401');
$res = get_with('wcs_strict', '/webcast/app', "$CN=$id");
is($res->code, 401, 'main server session on wcs_strict (another SP): 401');

{
    my ($r, $pid) = login('wcs_protected',
                          audience => 'https://protected.example.test/',
                          sign => 'both', attr => 'mail=carol@example.test');
    is($r->code, 303, 'wcs_protected login');
    is(get_with('wcs_protected', '/app', "wcs_protected=$pid")->code, 200,
       'wcs_protected session works there');
    is(get_with('default', '/webcast/app', "$CN=$pid")->code, 401,
       'wcs_protected session under the main server\'s cookie name: 401');
    is(get_with('wcs_proxied', '/webcast/app', "$CN=$pid")->code, 401,
       'wcs_protected session on wcs_proxied: 401');
    is(get_with('default', '/webcast/app', "wcs_protected=$pid")->code, 401,
       'main server ignores the wcs_protected cookie');
    ok(get_with('default', '/webcast/app', "$CN=$id; wcs_protected=$pid")
       ->content =~ /^REMOTE_USER=\Q$ALICE\E$/m,
       'both cookies: the main server uses its own');
}

# Forged WEBCAST_* headers never reach the application.
my @forged = ('Webcast-Email' => 'forged1@evil.test',
              ':webcast_email' => 'forged2@evil.test',
              'Webcast-Department' => 'forged-dept');
{
    my $r = get_with('default', '/public/forged', undef, @forged);
    like($r->content, qr/^HTTP_X_WCS_SEEN=.*forged1\@evil\.test.*forged2\@evil\.test/m,
         'control: without AuthType the forged headers are seen')
        or diag($r->content);
    ok($r->content =~ /^HTTP_WEBCAST_EMAIL=forged1/m,
       'control: without AuthType the CGI sees HTTP_WEBCAST_EMAIL');
}
{
    my $r = get_with('default', '/open/forged', undef, @forged);
    is($r->code, 200, 'AuthType without Require: open to all');
    unlike($r->content, qr/forged|evil/,
           'AuthType without Require: forged headers are scrubbed too')
        or diag($r->content);
    unlike($r->content, qr/^REMOTE_USER=/m,
           'AuthType without Require: no user');
}
{
    my $r = get_with('default', '/webcast/forged', "$CN=$id", @forged,
                     ':WEBCAST-EMAIL' => 'forged3@evil.test');
    my ($r2, $env) = app_get('default', '/webcast/forged', $CN, $id, @forged);
    is($r->code, 200, 'forged headers with a session: 200');
    unlike($r->content, qr/forged|evil/, 'forged values reach nothing')
        or diag($r->content);
    like($r->content, qr/^HTTP_X_WCS_SEEN=\[\]\[\]\[\]$/m,
         'no WEBCAST-like header is left after authentication');
    is($env->{WEBCAST_EMAIL}, $ALICE, 'WEBCAST_EMAIL from the session');
    ok(!exists $env->{HTTP_WEBCAST_EMAIL},
       'no HTTP_WEBCAST_EMAIL where headers are not exported');
}
{
    my ($r, $env) = app_get('default', '/webcast/headers', $CN, $id, @forged);
    is($env->{HTTP_WEBCAST_EMAIL}, $ALICE,
       'exported Webcast-Email comes from the session');
    is($env->{HTTP_WEBCAST_IDP}, 'https://idp.example.test/',
       'exported Webcast-Idp');
    ok(!exists $env->{HTTP_WEBCAST_DEPARTMENT},
       'forged Webcast-Department (not in the session) is removed');
}

# Sub-requests and internal redirects: DirectoryIndex maps /webcast/ to
# index.html by a sub-request and an internal redirect.
{
    my $r = get_with('default', '/webcast/', "$CN=$id");
    is($r->code, 200, 'directory index with a session: 200');
    like($r->content, qr/webcast-index/, 'directory index served');
    $r = get_with('default', '/webcast/', undef);
    is($r->code, 401, 'directory index without a session: 401');
    $r = get_with('default', '/webcast/', "$CN=$id");
    is($r->code, 200, 'the session stays valid for further requests');
}

# The session ends with the IdP's SessionNotOnOrAfter.
{
    my ($r, $sid) = login('default', 'session-not-on-or-after' => 2);
    is(get_with('default', '/webcast/app', "$CN=$sid")->code, 200,
       'short session valid at first');
    sleep 3;
    is(get_with('default', '/webcast/app', "$CN=$sid")->code, 401,
       'short session over after SessionNotOnOrAfter: 401');
}
