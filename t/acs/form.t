# The POSTed form as the ACS reads it: in one piece, split on "&" and each
# name and value decoded as application/x-www-form-urlencoded.  A chunked
# body (no Content-Length) signs in like any other; empty fields and a
# field without "=" are skipped; a malformed or NUL escape, a body that is
# no form at all, and a body over the limit are refused, each with one
# precise log line.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use HTTP::Request;
use WCS::Test;

plan tests => 2 * LOGIN_TESTS + 4 * REFUSAL_TESTS;

my $RELAY = '1234567-ab177c1f4e';

# The form body of pairs, encoded as an IdP's browser encodes it.
sub form_body {
    my @pairs = @_;
    my @out;
    while (my ($k, $v) = splice(@pairs, 0, 2)) {
        push @out, join '=', map {
            s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ger
        } $k, $v;
    }
    return join '&', @out;
}

sub post_raw {
    my ($body, %o) = @_;
    my $ua = Apache::TestRequest::user_agent();
    my $ct = $o{type} // 'application/x-www-form-urlencoded';
    my $content = $body;
    if ($o{chunked}) {
        # A code reference and no Content-Length: LWP sends the body
        # chunked, 1000 bytes a chunk.
        my @parts = unpack('(a1000)*', $body);
        $content = sub { shift @parts };
    }
    my $req = HTTP::Request->new(POST => acs_url('default'),
                                 ['Content-Type' => $ct], $content);
    return $ua->request($req);
}

# Chunked: the body arrives in pieces of unknown total length.
{
    my $res = post_raw(form_body(SAMLResponse => mkresponse(),
                                 RelayState => $RELAY), chunked => 1);
    login_checks('a chunked POST', $res);
}

# Empty fields and a bare name are skipped, not counted as the response.
{
    my $body = '&&flag&' . form_body(SAMLResponse => mkresponse(),
                                     RelayState => $RELAY) . '&';
    login_checks('empty fields and a bare name around the form',
                 post_raw($body));
}

# A NUL would end the value early, leaving the rest unread: refused.
{
    my $off = log_offset();
    my $body = form_body(SAMLResponse => mkresponse(), RelayState => $RELAY);
    $body =~ s/(SAMLResponse=[^&]{8})/$1%00/;
    refusal_checks('a %00 inside SAMLResponse', post_raw($body), $off, '0a',
                   qr/^the POST is not a form: field 1 has a bad %-escape$/);
}

# A malformed escape is not silently kept.
{
    my $off = log_offset();
    my $body = form_body(RelayState => $RELAY) . '&SAMLResponse=PHNh%zz';
    refusal_checks('a malformed %-escape', post_raw($body), $off, '0a',
                   qr/^the POST is not a form: field 2 has a bad %-escape$/);
}

# Not a form at all: no SAMLResponse was posted.
{
    my $off = log_offset();
    my $res = post_raw(form_body(SAMLResponse => mkresponse()),
                       type => 'text/plain');
    refusal_checks('a text/plain body', $res, $off, '1b',
                   qr/no SAMLResponse/);
}

# Chunked and over the limit: refused as it grows past it, with the
# limit's directive named.
{
    my $off = log_offset();
    my $res = post_raw(form_body(SAMLResponse => 'A' x 600000,
                                 RelayState => $RELAY), chunked => 1);
    refusal_checks('a chunked POST over the limit', $res, $off, '0a',
                   qr/^the POST is over \d+ bytes \(WebcastSAMLMaxResponseSize \d+\)$/);
}
