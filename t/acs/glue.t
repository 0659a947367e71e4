# The ACS as httpd runs it: the ACS URL comes from the configured
# ServerName, not the client's Host; an IdP rolling from an RSA to an EC
# key; xmlsec's own reason in the log; a form with too many fields; an
# ErrorURL with a fragment.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use MIME::Base64 qw(encode_base64);
use WCS::Test;

plan tests => REFUSAL_TESTS + 2 + LOGIN_TESTS + REFUSAL_TESTS + 1
              + REFUSAL_TESTS + REFUSAL_TESTS + 2;

my $RELAY = '1234567-ab177c1f4e';

# A response for another SP with the same entity ID, posted with that SP's
# Host: the ACS URL is this server's, whatever the client says.
{
    my ($port) = hostport_of('default') =~ /:(\d+)$/;
    my $other = "other-sp.example.test:$port";
    my $off = log_offset();
    my $res = post_form(acs_url('default'),
                        [SAMLResponse => mkresponse(
                             acs => "http://$other/saml/acs"),
                         RelayState => $RELAY], Host => $other);
    refusal_checks('Destination of the Host the client sent', $res, $off,
                   '4d', qr/Destination .*other-sp\.example\.test.*made from ServerName and the port, as UseCanonicalName On would; set WebcastSAMLACSURL to the URL the IdP posts to/);
    $res = post_form(acs_url('default'),
                     [SAMLResponse => mkresponse(), RelayState => $RELAY],
                     Host => $other);
    is($res->code, 303, 'the canonical ACS URL, posted with another Host: 303');
    like($res->header('Set-Cookie') // '', qr/^webcast_saml_session=/,
         'and a session');
}

# An IdP with an RSA key, then an EC key: an EC signature without KeyInfo.
{
    my $res = post_acs('wcs_glue', mkresponse(
        module => 'wcs_glue', key => 'ec', keyinfo => 'none',
        issuer => 'https://mixed.example.test/',
        audience => 'https://glue.example.test/'));
    login_checks('EC signature, RSA key configured first', $res,
                 module => 'wcs_glue');
}

# xmlsec's reason is logged, not "unknown error".
{
    my $xml = mkresponse(xml => undef);
    $xml =~ s{(<(?:ds:)?SignatureValue[^>]*>)[^<]*}{$1!!not base64!!};
    my $off = log_offset();
    my $res = post_acs('default', encode_base64($xml, ''));
    refusal_checks('SignatureValue not base64', $res, $off, '2a',
                   qr/xmlsec refused the signature: .*base64/);
    unlike(log_since($off), qr/unknown error/, 'no "unknown error" logged');
}

# More than 16 fields is not "too many bytes"; too many bytes still is.
{
    my $off = log_offset();
    my $res = post_form(acs_url('default'),
                        [SAMLResponse => mkresponse(), RelayState => $RELAY,
                         map { ("f$_" => 'x') } 1 .. 20]);
    refusal_checks('a POST with 22 fields', $res, $off, '0a',
                   qr/^the POST has more than 16 fields$/);
    $off = log_offset();
    $res = post_form(acs_url('wcs_strict'),
                     [SAMLResponse => 'A' x 40000, RelayState => $RELAY]);
    refusal_checks('a POST over the size limit', $res, $off, '0a',
                   qr/^the POST is over \d+ bytes/);
}

# An ErrorURL with a fragment: the code and ref go into the query.
{
    my $res = post_acs('wcs_glue', 'not a response!');
    is($res->code, 303, 'ErrorURL with a fragment: 303');
    like($res->header('Location') // '',
         qr{^http://[^/]+/invalid-request\?lang=en&code=0a&ref=[0-9a-f]{12}#details$},
         'code and ref before the fragment');
}
