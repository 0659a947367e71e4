package WCS::Cases;
# The shared list of sign-in cases (t/check/cases.txt): read by the
# Apache::Test suite t/acs/cases.t against the running module, and by
# t/check/check.pl against webcast-saml-check, so that both are judged on
# the same captures with the same expected code and reason.  No
# Apache::Test here: check.pl runs without it.
use strict;
use warnings;
use Exporter 'import';
use FindBin;
use Text::ParseWords qw(shellwords);

our @EXPORT_OK = qw(read_cases expand_case);

# The cases of the file (default t/check/cases.txt), in order: hashes of
# name, vhost, relay_state (undef for none), code ('ok': a login), reason
# (a regex source; undef for none), capture (its text, placeholders left).
sub read_cases {
    my $file = shift || "$FindBin::Bin/../check/cases.txt";
    open(my $fh, '<', $file) or die "$file: $!\n";
    my @cases;
    while (my $line = <$fh>) {
        chomp $line;
        next if $line =~ /^\s*(#|$)/;
        my ($name, $vhost, $rs, $code, $reason, $capture) =
            map { s/^\s+|\s+$//gr } split /\s\|(?:\s|$)/, $line, 6;
        die "$file:$.: not name | vhost | RelayState | code | reason | capture\n"
            unless defined $reason;
        push @cases, { name => $name, vhost => $vhost,
                       relay_state => $rs eq '-' ? undef : $rs,
                       code => $code,
                       reason => $reason eq '-' ? undef : $reason,
                       capture => $capture // '' };
    }
    close $fh;
    return @cases;
}

# (reason regex, kind, words or body) of case c for the vhost whose ACS URL
# is acs and the keys in keys: kind 'form' with the POST body (@RESPONSE@
# left for the caller, who makes a valid response), or 'response' with the
# wcs_mkresponse options as words.
sub expand_case {
    my ($c, $acs, $keys) = @_;
    my $reason = $c->{reason};
    $reason =~ s/\@ACS\@/\Q$acs\E/g if defined $reason;
    my $capture = $c->{capture};
    $capture =~ s/\@KEYS\@/$keys/g;
    $capture =~ s/\@ACS\@/$acs/g;
    if ($capture =~ s/^form://) {
        return ($reason, 'form', $capture);
    }
    return ($reason, 'response', [shellwords($capture)]);
}

1;
