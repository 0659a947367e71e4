# AuthType WebcastSAML around sub-requests and cookies: a user that another
# AuthType made is never reused, forged WEBCAST_* headers are scrubbed in
# sub-requests too, the session cookie never reaches an application under
# the AuthType (with or without a Require), and look-alike Connection
# tokens cannot make a proxy drop the exported headers.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use MIME::Base64 qw(encode_base64);
use WCS::Test;

my $ALICE = 'alice@example.test';
my $CN = 'webcast_saml_session';
my @GUEST = (Authorization => 'Basic ' . encode_base64('guest:any', ''));
my @FORGED = ('Webcast-Email' => 'forged1@evil.test',
              ':webcast_email' => 'forged2@evil.test',
              'Webcast-Department' => 'forged-dept');

plan tests => 2 + 4 + 8 + 3 + 4;

# The output of one include of t/htdocs/basic/page.shtml.
sub part {
    my ($res, $name) = @_;
    my ($text) = $res->content =~ /^\[\Q$name\E\]\n(.*?)^\[/ms;
    return $text // '';
}

my $res = post_acs('default', mkresponse());
my ($id) = ($res->header('Set-Cookie') // '') =~ /^\Q$CN\E=([0-9a-f]+);/;
is($res->code, 303, 'login');
ok(defined $id, 'session cookie');
$id //= 'none';

# A page that Basic made, including protected CGIs by sub-requests.
{
    my $r = GET('/basic/page.shtml', @GUEST);
    is($r->code, 200, 'Basic page with the Basic user only: 200');
    my $h = part($r, 'headers');
    unlike($h, qr/^REMOTE_USER=guest$/m,
           'sub-request under WebcastSAML does not reuse the Basic user')
        or diag($r->content);
    unlike($h, qr/^(?:REMOTE_USER|WEBCAST_\w+)=/m,
           'no SAML session: the protected include gets no identity')
        or diag($h);
    like(GET('/basic/page.shtml')->code, qr/^401$/,
         'control: the page itself needs Basic');
}
{
    my $r = GET('/basic/page.shtml', @GUEST,
                Cookie => "other=keep; $CN=$id", @FORGED);
    my $h = part($r, 'headers');
    is($r->code, 200, 'Basic page with a SAML session too: 200');
    like($h, qr/^REMOTE_USER=\Q$ALICE\E$/m,
         'the protected include is the session\'s user, not guest')
        or diag($r->content);
    like($h, qr/^AUTH_TYPE=WebcastSAML$/m, 'AUTH_TYPE of the include');
    like($h, qr/^HTTP_WEBCAST_EMAIL=\Q$ALICE\E$/m,
         'exported Webcast-Email in the sub-request comes from the session');
    unlike($h, qr/forged|evil/,
           'forged Webcast-* headers do not reach a protected sub-request')
        or diag($h);
    like(part($r, 'forged'), qr/^HTTP_X_WCS_SEEN=\[\]\[\]\[\]$/m,
         'no WEBCAST-like header is left in the sub-request')
        or diag(part($r, 'forged'));
    my $o = part($r, 'open');
    unlike($o, qr/forged|evil/,
           'sub-request under the AuthType without Require: scrubbed too')
        or diag($o);
    ok($o =~ /^HTTP_COOKIE=.*other=keep/m && $o !~ /\Q$CN\E=|\Q$id\E/,
       'sub-request without Require: no session cookie, other cookies pass')
        or diag($o);
}

# The session cookie under the AuthType where no user is required.
{
    my ($r, $env) = app_get('default', '/open/forged', $CN, $id);
    my $cookie = $env->{HTTP_COOKIE} // '';
    is($r->code, 200, 'Require all granted under the AuthType: 200');
    ok($cookie =~ /other=keep/ && $cookie !~ /\Q$CN\E=/
       && index($cookie, $id) < 0,
       'Require all granted: the session cookie is removed, others pass')
        or diag("HTTP_COOKIE=$cookie");
    ($r) = app_get('default', '/webcast/app', $CN, $id);
    like($r->content, qr/^REMOTE_USER=\Q$ALICE\E$/m,
         'the removed cookie still authenticates a protected page');
}

# Connection naming the exported headers as hop-by-hop.
{
    my ($r, $env) = app_get('default', '/webcast/headers', $CN, $id,
        Connection => 'keep-alive, Webcast-Groups, webcast_email, WEBCAST-IDP');
    my $conn = $env->{HTTP_CONNECTION} // '';
    like($conn, qr/\bkeep-alive\b/i, 'Connection keeps its own tokens')
        or diag("HTTP_CONNECTION=$conn");
    unlike($conn, qr/webcast/i, 'WEBCAST-like Connection tokens removed')
        or diag("HTTP_CONNECTION=$conn");
    is($env->{HTTP_WEBCAST_EMAIL}, $ALICE, 'Webcast-Email still exported');
    ($r, $env) = app_get('default', '/webcast/headers', $CN, $id,
                         Connection => 'Webcast-Email');
    unlike($env->{HTTP_CONNECTION} // '', qr/webcast/i,
           'a Connection of only look-alike tokens is emptied');
}
