# One response posted by many clients at the same moment: exactly one
# signs in, every other one is refused as a replay (4f).  The replay check
# and mark are one operation under the replay cache's mutex, so no two
# httpd processes or threads can both find the assertion unused.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use LWP::UserAgent;
use WCS::Test;

use constant CLIENTS => 20;

plan tests => 4;

my $b64 = mkresponse();
my $url = acs_url('default');
my $off = log_offset();

# A start gate: every child blocks reading it until the parent closes the
# write end once all of them are forked, so their POSTs leave together.
pipe(my $gate_r, my $gate_w) or die "pipe: $!";
pipe(my $out_r, my $out_w) or die "pipe: $!";
my @pids;
for (1 .. CLIENTS) {
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        close $gate_w;
        close $out_r;
        my $ua = LWP::UserAgent->new(max_redirect => 0, keep_alive => 0);
        my $gate = <$gate_r>;    # EOF when the parent opens the gate
        my $res = $ua->post($url, [SAMLResponse => $b64,
                                   RelayState => '1234567-ab177c1f4e']);
        my ($code) = refusal_of($res);
        # One short line: a write this small to a pipe is atomic.
        syswrite $out_w, sprintf("%d %s\n", $res->code, $code // '-');
        close $out_w;
        POSIX::_exit(0);
    }
    push @pids, $pid;
}
close $gate_r;
close $out_w;
close $gate_w;                  # open the gate
my @results = map { chomp; [split / /] } <$out_r>;
waitpid $_, 0 for @pids;

is(scalar @results, CLIENTS, 'every client got an answer');
my @logins = grep { $_->[0] == 303 } @results;
my @replays = grep { $_->[0] == 403 && $_->[1] eq '4f' } @results;
is(scalar @logins, 1, 'exactly one client signed in')
    or diag(join("\n", map { "@$_" } @results));
is(scalar @replays, CLIENTS - 1, 'every other one was refused with 4f')
    or diag(join("\n", map { "@$_" } @results));
my @lines = grep { /WCS02001: .*refused with code 4f: .*already used \(replay\)/ }
            split /\n/, log_since($off);
is(scalar @lines, CLIENTS - 1, 'one 4f log line per refused client');

use POSIX ();
