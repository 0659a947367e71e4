# One response posted by many clients at the same moment: exactly one
# signs in, every other one is refused as a replay (4f).  The replay check
# and mark are one operation under the replay cache's mutex, so no two
# httpd processes or threads can both find the assertion unused.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use IO::Socket::INET;
use URI::Escape qw(uri_escape);
use WCS::Test;

use constant CLIENTS => 20;

plan tests => 4;

my $b64 = mkresponse();
my $ACS = '/saml/acs';
my $off = log_offset();

# Every client connects and sends its whole request but the last byte of
# the body first; a start gate (a pipe every child blocks reading until
# the parent closes it) then releases the last bytes together, so that
# the requests reach the replay check within a millisecond or so of each
# other rather than as fast as clients can be forked.
my ($host, $port) = split /:/, hostport_of('default');
my $body = join('&', 'SAMLResponse=' . uri_escape($b64),
                'RelayState=1234567-ab177c1f4e');
my $request = "POST $ACS HTTP/1.1\r\nHost: $host:$port\r\n"
            . "Content-Type: application/x-www-form-urlencoded\r\n"
            . 'Content-Length: ' . length($body) . "\r\nConnection: close\r\n"
            . "\r\n" . $body;
pipe(my $gate_r, my $gate_w) or die "pipe: $!";
pipe(my $ready_r, my $ready_w) or die "pipe: $!";
pipe(my $out_r, my $out_w) or die "pipe: $!";
my @pids;
for (1 .. CLIENTS) {
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        close $gate_w;
        close $ready_r;
        close $out_r;
        my $sock = IO::Socket::INET->new(PeerAddr => $host,
                                         PeerPort => $port, Proto => 'tcp')
            or POSIX::_exit(1);
        $sock->autoflush(1);
        print $sock substr($request, 0, -1);
        syswrite $ready_w, "r";
        my $gate = <$gate_r>;    # EOF when the parent opens the gate
        print $sock substr($request, -1);
        local $/;
        my $raw = <$sock> // '';
        my ($status) = $raw =~ m{^HTTP/1\.\d (\d{3})};
        my ($code) = $raw =~ m{<strong id="code">([^<]*)</strong>};
        # One short line: a write this small to a pipe is atomic.
        syswrite $out_w, sprintf("%d %s\n", $status // 0, $code // '-');
        close $out_w;
        POSIX::_exit(0);
    }
    push @pids, $pid;
}
close $gate_r;
close $ready_w;
close $out_w;
# Every client has sent all but its last byte.
my $ready = 0;
$ready += sysread($ready_r, my $buf, CLIENTS) || last while $ready < CLIENTS;
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
