# Sessions are bound to the site that made them and to the IdP (and key)
# that signed the person in.  wcs_sibling inherits the main server's
# entity ID but trusts other IdPs: a session made on one is refused on the
# other, with a log line that says why (the person signs in again).
# t/restart/graceful.t shows the IdP side: an IdP removed from a site ends
# its sessions there.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use WCS::Test;

my $CN = 'webcast_saml_session';
my $ALICE = 'alice@example.test';
my $SIBLING_IDP = 'https://sibling-idp.example.test/';

plan tests => 2 * LOGIN_TESTS + 2 * (APP_TESTS + 1) + 2 * 3 + 3;

# 401, no user for the application, and one WCS04002 line matching re.
sub refused_checks {
    my ($name, $module, $id, $re) = @_;
    my $off = log_offset();
    my ($res, $env) = app_get($module, '/webcast/app', $CN, $id);
    is($res->code, 401, "$name: 401");
    ok(!defined $env->{REMOTE_USER}, "$name: the application saw no user");
    my @lines = grep { /WCS04002: / } split /\n/, log_since($off);
    ok(@lines == 1 && $lines[0] =~ $re, "$name: one log line saying why")
        or diag(join("\n", @lines));
}

# A sign-in on the main server, through an IdP the sibling does not trust.
my $main = login_checks('main server sign-in',
                        post_acs('default', mkresponse()));
app_checks('main server session on the main server', 'default',
           '/webcast/app', $CN, $main, {REMOTE_USER => $ALICE});
refused_checks('main server session on the sibling (same entity ID)',
               'wcs_sibling', $main,
               qr/refused: session of \Q$ALICE\E was made on site "https:\/\/sp\.example\.test\/ \@ [^"]+", not this one/);

# A sign-in on the sibling through its own IdP.
my $sib = login_checks('sibling sign-in',
                       post_acs('wcs_sibling',
                                mkresponse(module => 'wcs_sibling',
                                           issuer => $SIBLING_IDP,
                                           key => 'okta')),
                       module => 'wcs_sibling');
app_checks('sibling session on the sibling', 'wcs_sibling', '/webcast/app',
           $CN, $sib, {REMOTE_USER => $ALICE});
refused_checks('sibling session on the main server', 'default', $sib,
               qr/made on site/);

# The main server does not trust the sibling's IdP at all: its response
# is refused there, so no session of it can start on the main server.
my $off = log_offset();
my $res = post_acs('default', mkresponse(issuer => $SIBLING_IDP,
                                         key => 'okta'));
my ($code) = refusal_of($res);
is($code, '1c', "the sibling's IdP is unknown to the main server: 1c");
ok(!defined $res->header('Set-Cookie'), '... and no session');
like(log_since($off), qr/Issuer "\Q$SIBLING_IDP\E" is not a configured IdP/,
     '... the log says so');
