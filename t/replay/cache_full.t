# A replay cache too small for the sign-ins refuses the next one with 4l
# (HTTP 503, an error-log line) rather than dropping an entry that still
# guards a valid assertion: a response used before it filled up is still a
# replay (4f), never a new session.  The test server is restarted
# gracefully onto a tiny replay cache (8 KiB of shmcb), and back onto the
# usual one before the file ends (or dies), so the suites after it see the
# usual server.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use WCS::Test;

use constant RESTART_WAIT => 30;    # seconds, only an upper bound
use constant MAX_LOGINS   => 200;   # far more than 8 KiB can hold

plan tests => 4 + REFUSAL_TESTS + 1 + REFUSAL_TESTS;

my $sr = Apache::Test::vars('serverroot');
my $override = "$sr/logs/wcs_override_replay.conf";

END
{
    local $?;
    if (defined $override && -e $override) {
        unlink $override;
        graceful_restart(RESTART_WAIT);
    }
}

open(my $fh, '>', $override) or die "$override: $!";
print $fh qq{WebcastSAMLReplayCache "shmcb:$sr/logs/wcs_replay_tiny(8192)"\n};
close $fh;
ok(graceful_restart(RESTART_WAIT), 'restarted onto a tiny replay cache');

my ($first, $logins, $full) = (undef, 0, undef);
for my $i (1 .. MAX_LOGINS) {
    my $b64 = mkresponse(nameid => "user$i\@example.test");
    my $off = log_offset();
    my $res = post_acs('default', $b64);
    if ($res->code == 303) {
        $first //= $b64;
        $logins++;
        next;
    }
    $full = [$res, $off];
    last;
}
ok($logins > 0, "some sign-ins before the cache is full ($logins)");
ok(defined $full, 'the cache filled up within ' . MAX_LOGINS . ' sign-ins');
$full //= [post_acs('default', mkresponse()), log_offset()];
refusal_checks('one more sign-in than the cache keeps', $full->[0],
               $full->[1], '4l', qr/replay cache is full/);
like(log_since($full->[1]), qr/\[webcast_saml:error\].*WCS03009: \[ref [0-9a-f]{12}\] replay cache \S+ is full/,
     'an error-level line says the replay cache is full');

# The first response used is still remembered: a replay, not a login.
my $off = log_offset();
refusal_checks('the first response, replayed once the cache is full',
               post_acs('default', $first // mkresponse()), $off, '4f',
               qr/already used \(replay\)/);

unlink $override;
ok(graceful_restart(RESTART_WAIT), 'restarted back onto the usual replay cache');
