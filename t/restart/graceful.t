# A graceful restart (apachectl graceful, after any configuration change)
# keeps the session cache: people signed in stay signed in, and a response
# used before the restart is still refused as a replay after it.  The
# test server's configuration is put back, with another graceful restart,
# before the file ends (or dies), so the suites after it see the usual
# server.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use WCS::Test;

use constant RESTART_WAIT => 30;    # seconds

plan tests => LOGIN_TESTS + 2 * (APP_TESTS + 1) + 1 + REFUSAL_TESTS
            + LOGIN_TESTS + LOGIN_TESTS + APP_TESTS + 1 + 3
            + 2 * (LOGIN_TESTS + APP_TESTS + 1) + APP_TESTS + 1 + 3 + 1;

my $CN = 'webcast_saml_session';
my $ALICE = 'alice@example.test';

my $b64 = mkresponse();
my $id = login_checks('before the restart', post_acs('default', $b64));
app_checks('before the restart', 'default', '/webcast/app', $CN, $id,
           {REMOTE_USER => $ALICE});

# A session on wcs_sibling through an IdP that the restart takes away (a
# compromised key is removed from the configuration).
my $REMOVABLE = 'https://removable.example.test/';
my $rid = login_checks('before the restart, via the IdP to be removed',
                       post_acs('wcs_sibling',
                                mkresponse(module => 'wcs_sibling',
                                           issuer => $REMOVABLE)),
                       module => 'wcs_sibling');
app_checks('before the restart, via the IdP to be removed', 'wcs_sibling',
           '/webcast/app', $CN, $rid, {REMOTE_USER => $ALICE});

# Sessions on wcs_sibling through an IdP that keeps only one of its two
# keys (the other one compromised): one made with each key.
my $REKEYED = 'https://rekeyed.example.test/';
my %rekeyed;
for my $key (qw(old new)) {
    $rekeyed{$key} = login_checks("before the restart, via $REKEYED, key $key",
                                  post_acs('wcs_sibling',
                                           mkresponse(module => 'wcs_sibling',
                                                      issuer => $REKEYED,
                                                      key => $key)),
                                  module => 'wcs_sibling');
    app_checks("before the restart, via $REKEYED, key $key", 'wcs_sibling',
               '/webcast/app', $CN, $rekeyed{$key}, {REMOTE_USER => $ALICE});
}

my $idps_conf = Apache::Test::vars('serverroot') . '/keys/sibling-idps.conf';
my $idps_before = read_file($idps_conf);
my $changed = 0;

# The IdPs wcs_sibling had, and a graceful restart onto them: what the
# suites after this one expect.  Also when this file dies half-way.
sub restore_idps
{
    $changed = 0;
    write_file($idps_conf, $idps_before);
    return graceful_restart(RESTART_WAIT);
}
END
{
    local $?;
    restore_idps() if $changed;
}

$changed = 1;
open(my $out, '>', $idps_conf) or die "$idps_conf: $!";
print $out "# $REMOVABLE removed by t/restart/graceful.t\n";
print $out "WebcastSAMLIdP $REKEYED keys/new.pem\n";
close $out;

ok(graceful_restart(RESTART_WAIT), 'httpd restarted gracefully');

app_checks('after the restart: the session is still valid', 'default',
           '/webcast/app', $CN, $id, {REMOTE_USER => $ALICE});
my $off = log_offset();
refusal_checks('after the restart: the earlier response is still a replay',
               post_acs('default', $b64), $off, '4f',
               qr/was already used \(replay\)/);
login_checks('after the restart: a new sign-in works',
             post_acs('default', mkresponse(nameid => 'bob@example.test')));

# The site no longer trusts the removed IdP: its session ends there.
$off = log_offset();
my ($res, $env) = app_get('wcs_sibling', '/webcast/app', $CN, $rid);
is($res->code, 401, 'after the restart: a session of the removed IdP: 401');
ok(!defined $env->{REMOTE_USER}, '... the application saw no user');
like(log_since($off),
     qr/WCS04002: \[ref [0-9a-f]{12}\] session [0-9a-f]{8}\.\.\. refused: session of \Q$ALICE\E was made through IdP \Q$REMOVABLE\E, which this site no longer trusts/,
     '... and the log says why');

# The IdP is still trusted, with its new key only: a session that the
# removed key signed in ends, one of the kept key goes on.
app_checks('after the restart: a session of the kept key', 'wcs_sibling',
           '/webcast/app', $CN, $rekeyed{new}, {REMOTE_USER => $ALICE});
$off = log_offset();
($res, $env) = app_get('wcs_sibling', '/webcast/app', $CN, $rekeyed{old});
is($res->code, 401, 'after the restart: a session of the removed key: 401');
ok(!defined $env->{REMOTE_USER}, '... the application saw no user');
like(log_since($off),
     qr/WCS04002: \[ref [0-9a-f]{12}\] session [0-9a-f]{8}\.\.\. refused: session of \Q$ALICE\E was made through IdP \Q$REKEYED\E with key SHA-256 [0-9a-fA-F:]+, which is no longer configured for it/,
     '... and the log says why');

ok(restore_idps(), 'restarted back onto the IdPs wcs_sibling had');
