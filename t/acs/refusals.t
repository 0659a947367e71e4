# Every way the ACS refuses a response: the code the person sees, the
# HTTP status (never 5xx), a ref on the page, no cookie, no caching, and
# exactly one error-log line "WCS02001: [ref REF] refused with code XX:
# REASON" giving the precise reason.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use MIME::Base64 qw(encode_base64);
use WCS::Test;

my $acs = acs_url('default');
my $WRAP = qr/signature wrapping refused/;

# name, code, reason pattern, wcs_mkresponse options (main server)
my @responses = (
    ['unsigned', '2a', qr/the Assertion or the Response is not signed/,
     [sign => 'none']],
    ['wrong key, no KeyInfo', '2a',
     qr/Assertion signature is invalid: the signature value does not verify with the configured key/,
     [key => 'attacker', keyinfo => 'none']],
    ['attacker certificate in KeyInfo', '1c',
     qr/Assertion is signed with certificate .* which is not among the 1 configured for IdP https:\/\/idp\.example\.test\//,
     [key => 'attacker']],
    ['attacker key, IdP certificate in KeyInfo', '2a',
     qr/does not verify with the configured key/,
     [key => 'attacker', cert => keys_dir() . '/idp.pem']],
    (map { ["XSW $_", '2a', $WRAP,
            [attack => "xsw$_", ($_ <= 2 ? (sign => 'response') : ())]] }
     1 .. 8),
    ['XSW1 on a response signed twice', '2a', $WRAP,
     [attack => 'xsw1', sign => 'both']],
    ['comment in NameID', '2b', qr/NameID holds a comment, not plain text/,
     [attack => 'comment-nameid']],
    ['DOCTYPE', '0a', qr/XML refused: it has a DOCTYPE declaration/,
     [attack => 'doctype']],
    ['entity reference', '0a', qr/XML refused: it has a DOCTYPE declaration/,
     [attack => 'entity']],
    ['two assertions', '2a',
     qr/the response holds 2 Assertion elements .*$WRAP/,
     [attack => 'two-assertions']],
    ['duplicate IDs', '2a', qr/ID "[^"]+" occurs more than once.*$WRAP/,
     [attack => 'dup-id']],
    ['empty Reference URI', '2a',
     qr/Signature of Assertion references "", not the Assertion itself/,
     [attack => 'empty-ref']],
    ['foreign Reference URI', '2a',
     qr/Signature of Assertion references "#_r\w+", not the Assertion itself/,
     [attack => 'foreign-ref']],
    ['NameID changed after signing (digest broken)', '2a',
     qr/the digest does not match: the signed element was changed/,
     [attack => 'unsigned-modify']],
    ['signature stripped', '2a', qr/is not signed/,
     [attack => 'strip-signature']],
    ['SHA-1 from an IdP not allowed to', '2a',
     qr/is SHA-1 .*refused: SHA-1 is accepted only for IdPs named by WebcastSAMLAllowSHA1/,
     [alg => 'sha1']],
    ['issuer differing only in case', '1c',
     qr/not a configured IdP/,
     [key => 'sha1', alg => 'sha1', issuer => 'https://SHA1.example.test/']],
    ['expired', '4a', qr/the assertion expired at /,
     ['not-before' => -600, 'not-on-or-after' => -300]],
    ['subject confirmation expired', '4a',
     qr/the subject confirmation expired at /,
     ['scd-not-on-or-after' => -300]],
    ['IdP session ended', '4a', qr/the IdP session ended at .*SessionNotOnOrAfter/,
     ['session-not-on-or-after' => -300]],
    ['not yet valid', '4b', qr/the assertion is valid from .* only/,
     ['not-before' => 300, 'not-on-or-after' => 600]],
    # Whatever NotOnOrAfter says, a response older than
    # WebcastSAMLMaxAssertionAge (default 300 s) plus the clock skew is
    # dead: the replay cache need remember nothing longer.
    ['issued too long ago', '4a',
     qr/the Response was issued at \S+, more than 360s ago \(WebcastSAMLMaxAssertionAge 300s, clock skew 60s; now /,
     ['issue-instant' => -400, 'not-before' => -400, 'not-on-or-after' => 3000,
      'scd-not-on-or-after' => 3000]],
    ['issued in the future', '4b',
     qr/the Response was issued at \S+, in the future \(now \S+, clock skew 60s\)/,
     ['issue-instant' => 300]],
    ['wrong audience', '4c',
     qr/the assertion is for audience "https:\/\/other\.example\.test\/", not this SP's entity ID "https:\/\/sp\.example\.test\/"/,
     [audience => 'https://other.example.test/']],
    ['no AudienceRestriction', '4c', qr/has no AudienceRestriction/,
     [audience => 'none']],
    ['wrong destination', '4d',
     qr/Response Destination "http:\/\/elsewhere\.test\/saml\/acs" is not this SP's ACS URL "\Q$acs\E"/,
     [destination => 'http://elsewhere.test/saml/acs', recipient => $acs]],
    ['signed Response without Destination', '4d',
     qr/the signed Response has no Destination/,
     [sign => 'response', destination => 'none', recipient => $acs]],
    ['wrong recipient', '4e',
     qr/SubjectConfirmationData Recipient "http:\/\/elsewhere\.test\/saml\/acs" is not this SP's ACS URL/,
     [destination => $acs, recipient => 'http://elsewhere.test/saml/acs']],
    ['unknown issuer', '1c',
     qr/Issuer "https:\/\/unknown\.example\.test\/" is not a configured IdP/,
     [issuer => 'https://unknown.example.test/']],
    ['response issuer differs', '1c',
     qr/Response Issuer "https:\/\/ec\.example\.test\/" differs from Assertion Issuer "https:\/\/idp\.example\.test\/"/,
     ['response-issuer' => 'https://ec.example.test/']],
    ['no SubjectConfirmation', '4h',
     qr/the assertion has no bearer SubjectConfirmation/,
     ['no-subject-confirmation' => undef]],
    ['holder-of-key SubjectConfirmation only', '4h',
     qr/the assertion has no bearer SubjectConfirmation/,
     ['sc-method' => 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key']],
    ['no AuthnStatement', '4h', qr/the assertion has no AuthnStatement/,
     ['no-authn-statement' => undef]],
    ['status Responder', '0a',
     qr/the IdP answered with status urn:oasis:names:tc:SAML:2\.0:status:Responder \/ urn:oasis:names:tc:SAML:2\.0:status:AuthnFailed \("User denied"\)/,
     [status => 'urn:oasis:names:tc:SAML:2.0:status:Responder',
      'sub-status' => 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
      'status-message' => 'User denied']],
    ['Version 1.1', '0a', qr/Version is "1\.1", not 2\.0/,
     [version => '1.1']],
    ['username NameID', '2b',
     qr/NameID "alice" is not an email address/,
     [nameid => 'alice',
      'nameid-format' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified']],
    ['empty NameID', '2b', qr/no NameID \(or an empty one\)/,
     [nameid => '']],
    ['Entra guest UPN', '2b',
     qr/NameID "alice_example\.com#EXT#\@tenant\.onmicrosoft\.com" is an Entra ID guest UPN .* source to user\.mail/,
     [nameid => 'alice_example.com#EXT#@tenant.onmicrosoft.com']],
    ['NameID with a forged log line after a newline', '2b',
     qr/NameID "x\\n\[Wed Nov 25 00:00:00 2026\] WCS02001: \[ref deadbeefdead\] refused with code 0a: forged" is not an email/,
     [nameid => "x\n[Wed Nov 25 00:00:00 2026] WCS02001: [ref deadbeefdead] refused with code 0a: forged"]],
    ['transient NameID', '2b',
     qr/NameID has Format urn:oasis:names:tc:SAML:2\.0:nameid-format:transient/,
     ['nameid-format' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient']],
    ['persistent NameID holding an address', '2b',
     qr/NameID has Format urn:oasis:names:tc:SAML:2\.0:nameid-format:persistent/,
     ['nameid-format' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent']],
    ['response to a request never sent', '4j',
     qr/^the response answers request "_neversent", which this SP has not outstanding: never sent/,
     ['in-response-to' => '_neversent']],
    ['encrypted assertion', '4g', qr/the response carries an EncryptedAssertion/,
     [attack => 'encrypted']],
    ['deep nesting', '0a', qr/XML refused: it is nested deeper than the limit/,
     [attack => 'deep']],
);

# name, code, reason pattern, sub returning the response (raw requests)
my @raw = (
    ['broken base64', '0a', qr/SAMLResponse is not valid base64/,
     sub { post_acs('default', 'PHNhbWxwOlJlc3BvbnNl*@!') }],
    ['base64 of non-XML', '0a', qr/XML is not well-formed/,
     sub { post_acs('default', encode_base64('just some text, no XML', '')) }],
    ['base64 of another root element', '0a', qr/root element is foo, not samlp:Response/,
     sub { post_acs('default', encode_base64('<foo/>', '')) }],
    ['missing SAMLResponse', '1b', qr/the POST carries no SAMLResponse/,
     sub { post_form($acs, [RelayState => '1234567-ab177c1f4e']) }],
    ['empty SAMLResponse', '1b', qr/the POST carries no SAMLResponse/,
     sub { post_acs('default', '') }],
    ['GET on the ACS', '1b',
     qr/the ACS was requested with GET; the IdP must POST a SAMLResponse/,
     sub { GET($acs . '?SAMLResponse=' . mkresponse()) }],
    ['two SAMLResponse fields', '0a',
     qr/the POST carries several SAMLResponse fields/,
     sub { my $b = mkresponse();
           post_form($acs, [SAMLResponse => $b, SAMLResponse => $b]) }],
    ['RelayState over 1024 bytes', '0a', qr/RelayState is 2000 bytes, over 1024/,
     sub { post_acs('default', mkresponse(), relay_state => 'x' x 2000) }],
    ['oversized POST', '0a',
     qr/the POST is over \d+ bytes \(WebcastSAMLMaxResponseSize 4096\)/,
     sub { post_acs('wcs_strict', 'A' x 40000) }],
    ['response over WebcastSAMLMaxResponseSize', '0a',
     qr/more than the limit of 4096 bytes/,
     sub { post_acs('wcs_strict',
                    mkresponse(module => 'wcs_strict',
                               audience => 'https://strict.example.test/',
                               attr => 'big=' . ('x' x 5000))) }],
);

use constant BUSY_LOGINS => 300;

plan tests => (@responses + @raw) * REFUSAL_TESTS + 3 * (1 + REFUSAL_TESTS);

for my $c (@responses) {
    my ($name, $code, $re, $mk) = @$c;
    my $b64 = mkresponse(@$mk);
    my $off = log_offset();
    refusal_checks($name, post_acs('default', $b64), $off, $code, $re);
}

for my $c (@raw) {
    my ($name, $code, $re, $do) = @$c;
    my $off = log_offset();
    my $res = $do->();
    refusal_checks($name, $res, $off, $code, $re);
}

# Replay: the very same response, and the same assertion in a new
# Response wrapper.
{
    my $b64 = mkresponse();
    is(post_acs('default', $b64)->code, 303, 'replay: first use logs in');
    my $off = log_offset();
    refusal_checks('replay: second use', post_acs('default', $b64), $off,
                   '4f', qr/assertion _a\w+ from https:\/\/idp\.example\.test\/ was already used \(replay\)/);

    my $aid = '_areplay' . time() . $$;
    is(post_acs('default', mkresponse('assertion-id' => $aid))->code, 303,
       'replay in a new Response: first use logs in');
    $off = log_offset();
    refusal_checks('replay in a new Response',
                   post_acs('default', mkresponse('assertion-id' => $aid)),
                   $off, '4f', qr/\Q$aid\E/);
}

# Replay after a busy spell: hundreds of other sign-ins between the first
# use and the replay must not push the replay entry out of the cache
# (shmcb picks a subcache by the key's first byte; keys must spread).
{
    my $b64 = mkresponse();
    my $busy = 0;
    is(post_acs('default', $b64)->code, 303, 'replay after a busy spell: '
       . 'first use logs in');
    for my $i (1 .. BUSY_LOGINS) {
        $busy++ if post_acs('default', mkresponse(
            nameid => "busy$i\@example.test"))->code == 303;
    }
    my $off = log_offset();
    refusal_checks('replay after ' . BUSY_LOGINS . ' other sign-ins',
                   post_acs('default', $b64), $off, '4f',
                   qr/was already used \(replay\)/);
    diag("busy sign-ins that logged in: $busy") if $busy != BUSY_LOGINS;
}
