# The shared list of sign-in cases (t/check/cases.txt) against the running
# module: each case is posted to the ACS of its vhost and must give the
# code (and the WCS02001 reason) the list says, the same list
# t/check/check.pl gives webcast-saml-check, so that the module and the
# command agree on every case.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use URI::Escape qw(uri_escape);
use WCS::Cases qw(read_cases expand_case);
use WCS::Test;

my %audience = (wcs_events => 'https://events.example.test/');
my @cases = read_cases("$FindBin::Bin/../check/cases.txt");
my $logins = grep { $_->{code} eq 'ok' } @cases;
plan tests => $logins * LOGIN_TESTS
    + (@cases - $logins) * REFUSAL_TESTS;

for my $c (@cases) {
    my ($name, $vhost, $code) = @$c{qw(name vhost code)};
    my $acs = acs_url($vhost);
    my ($reason, $kind, $what) = expand_case($c, $acs, keys_dir());
    my @aud = $audience{$vhost} ? (audience => $audience{$vhost}) : ();
    my $off = log_offset();
    my $res;
    if ($kind eq 'form') {
        (my $body = $what) =~ s/\@RESPONSE\@/uri_escape(mkresponse(module => $vhost, @aud))/ge;
        $res = Apache::TestRequest::POST($acs, content => $body,
            'Content-Type' => 'application/x-www-form-urlencoded');
    }
    else {
        my @words = @$what;
        my @o;
        while (@words) {
            (my $k = shift @words) =~ s/^--//;
            my $v = @words && $words[0] !~ /^--/ ? shift @words : undef;
            push @o, $k, $v;
        }
        # Repeated options (--attr) become an array, as mkresponse takes.
        my (%opt, @order);
        while (@o) {
            my ($k, $v) = splice @o, 0, 2;
            push @order, $k unless exists $opt{$k};
            push @{ $opt{$k} }, $v;
        }
        my @args = map { ($_ => @{ $opt{$_} } > 1 ? $opt{$_} : $opt{$_}[0]) }
                   @order;
        my %has = @args;
        @aud = () if exists $has{audience};
        $res = post_acs($vhost, mkresponse(module => $vhost, @aud, @args),
                        relay_state => $c->{relay_state});
    }
    if ($code eq 'ok') {
        login_checks($name, $res, module => $vhost,
                     target => $vhost eq 'wcs_events'
                               ? '/webcast/1234567/app' : '/webcast/app');
        next;
    }
    refusal_checks($name, $res, $off, $code,
                   defined $reason ? qr/$reason/ : qr/./);
}
