# SP-initiated sign-in (vhosts wcs_splogin, wcs_splogin_strict): a person
# without a session is sent (302) to the IdP's SingleSignOnService with an
# AuthnRequest over the HTTP-Redirect binding, the RelayState of the URL's
# event (or a reference to the URL) and a sign-in cookie; the ACS takes
# exactly the answer to a request this browser started (4j, 4m, 4n),
# posts it back through the browser when the cookie did not come with the
# IdP's cross-site POST, and refuses unsolicited responses where that is
# configured (4o).  Requests that cannot follow a redirect get 401.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use Digest::SHA qw(sha256_base64);
use IO::Uncompress::RawInflate qw(rawinflate $RawInflateError);
use MIME::Base64 qw(decode_base64);
use URI;
use URI::Escape ();
use WCS::Test;

my $M = 'wcs_splogin';
my $S = 'wcs_splogin_strict';
my %aud = ($M => 'https://splogin.example.test/',
           $S => 'https://splogin-strict.example.test/');
my $CN = 'webcast_saml_session';
my $LC = "${CN}_login";
my $SSO = 'https://idp.example.test/sso';

# GET path on module as a browser navigates (Accept: text/html).
sub navigate {
    my ($module, $path, @headers) = @_;
    return Apache::TestRequest::GET(url_for($module, $path),
                                    Accept => 'text/html,*/*;q=0.8',
                                    @headers);
}

# The sign-in a 302 started: (request ID, RelayState, login cookie value,
# Set-Cookie header, the request's XML).
sub started {
    my $res = shift;
    my $loc = $res->header('Location') || '';
    my %q = URI->new($loc)->query_form;
    my $xml = '';
    rawinflate(\ decode_base64($q{SAMLRequest} // ''), \$xml)
        or diag("inflate: $RawInflateError");
    my ($id) = $xml =~ /\bID="([^"]+)"/;
    my $sc = join("\n", $res->header('Set-Cookie'));
    my ($tok) = $sc =~ /\Q$LC\E=([0-9a-f]+);/;
    return ($id, $q{RelayState}, $tok, $sc, $xml, $loc);
}

sub answer {
    my ($module, $irt, %o) = @_;
    return mkresponse(module => $module, audience => $aud{$module},
                      defined $irt ? ('in-response-to' => $irt) : (), %o);
}

# POST a response to module's ACS with RelayState rs and, when given, the
# browser's sign-in cookie.
sub post_answer {
    my ($module, $b64, $rs, $tok, @extra) = @_;
    return post_form(acs_url($module),
                     [SAMLResponse => $b64,
                      defined $rs ? (RelayState => $rs) : (), @extra],
                     defined $tok ? (Cookie => "$LC=$tok") : ());
}

# --- the redirect ----------------------------------------------------------

my $off = log_offset();
my $res = navigate($M, '/webcast/1234567/?key=AB177C1F4E');
is($res->code, 302, 'event link without a session: 302');
my ($id, $rs, $tok, $sc, $xml, $loc) = started($res);
like($loc, qr/^\Q$SSO\E\?SAMLRequest=[^&]+&RelayState=1234567-ab177c1f4e$/,
     '... to the IdP SSO URL of its metadata, with the event RelayState (key lower-cased)');
like($id // '', qr/^_[0-9a-f]{32}$/, '... an AuthnRequest with a fresh ID');
like($xml, qr/AssertionConsumerServiceURL="\Q@{[acs_url($M)]}\E"/,
     '... answered at the ACS');
like($xml, qr/<saml:Issuer>\Q$aud{$M}\E<\/saml:Issuer>/, '... issued by the SP');
like($xml, qr/Destination="\Q$SSO\E"/, '... to the IdP');
ok(defined $tok && length $tok == 32, '... a sign-in cookie with a token');
like($sc, qr/\Q$LC\E=[0-9a-f]{32}; ?Path=\/; ?HttpOnly; ?Max-Age=60; ?SameSite=Lax/,
     '... HttpOnly, Max-Age of the login timeout, SameSite=Lax over http');
unlike($sc, qr/\Q$CN\E=/, '... and no session cookie');
is($res->header('Cache-Control'), 'no-store', '... not cached');
my $log = log_since($off);
like($log, qr/WCS06001: \[ref [0-9a-f]{12}\] sign-in started for \/webcast\/1234567\/: request \Q$id\E to https:\/\/idp\.example\.test\/, event 1234567/,
     '... logged once as started (WCS06001)');
unlike($log, qr/WCS02001/, '... and nothing refused');

# The same browser starting a second sign-in keeps its token.
$res = navigate($M, '/webcast/7654321/', Cookie => "$LC=$tok");
my ($id2, $rs2, $tok2) = started($res);
is($res->code, 302, 'keyless event: 302');
is($rs2, '7654321', '... RelayState is the event ID alone');
is($tok2, $tok, '... the browser keeps its token (several tabs)');
isnt($id2, $id, '... a request of its own');

# --- the answer ------------------------------------------------------------

$res = post_answer($M, answer($M, $id), $rs, $tok);
my $sid = login_checks('answer to the request', $res, module => $M,
                       target => '/webcast/1234567/');
my ($app, $env) = app_get($M, '/webcast/1234567/', $CN, $sid);
is($env->{REMOTE_USER}, 'alice@example.test', 'the event page has the user');
is($env->{WEBCAST_EVENT_ID}, '1234567', '... and the event');
my $r2 = Apache::TestRequest::GET(url_for($M, '/webcast/1234567/'),
                                  Cookie => "other=keep; $LC=$tok; $CN=$sid");
my ($cookies) = $r2->content =~ /^HTTP_COOKIE=(.*)$/m;
is($cookies, 'other=keep', '... which never sees the session or sign-in cookie');

# Answered once: a second response to the same request is refused.
$off = log_offset();
refusal_checks('second answer to one request', post_answer($M, answer($M, $id), $rs, $tok),
               $off, '4m', qr/^request "\Q$id\E" was answered already$/);

# The other tab's request is still outstanding.
$res = post_answer($M, answer($M, $id2), $rs2, $tok);
login_checks('answer to the second tab', $res, module => $M,
             target => '/webcast/7654321/');

# A request never sent; another browser's; from another IdP.
$off = log_offset();
refusal_checks('request never sent', post_answer($M, answer($M, '_0123'), '7654321', $tok),
               $off, '4j', qr/^the response answers request "_0123", which this SP has not outstanding: never sent, or sent over the login timeout ago \(WebcastSAMLLoginTimeout\)$/);
(my $id3, my $rs3) = started(navigate($M, '/webcast/7654321/'));
$off = log_offset();
refusal_checks("another browser's request", post_answer($M, answer($M, $id3), $rs3, 'f' x 32),
               $off, '4n', qr/^the response answers request "\Q$id3\E", which another browser started$/);
$off = log_offset();
refusal_checks('an answer from a key that is not the IdP\'s',
               post_answer($M, answer($M, $id3, key => 'okta'), $rs3, $tok),
               $off, '1c', qr/./);

# --- the cookie that did not come with the cross-site POST -----------------

my ($id4, $rs4, $tok4) = started(navigate($M, '/webcast/1234567/?key=ab177c1f4e'));
my $b64 = answer($M, $id4);
$off = log_offset();
$res = post_answer($M, $b64, $rs4, undef);
is($res->code, 200, 'answer posted without the cookie: a page that posts it again');
my $page = $res->content;
like($page, qr/<form method="post" action="\/saml\/acs">/, '... to the ACS of this site');
my %f = $page =~ /<input type="hidden" name="(\w+)" value="([^"]*)">/g;
is($f{SAMLResponse}, $b64, '... with the very response');
is($f{RelayState}, $rs4, '... and RelayState');
is($f{WebcastSAMLResubmit}, '1', '... marked as posted again');
my ($script) = $page =~ /<script>(.*?)<\/script>/s;
is($res->header('Content-Security-Policy'),
   "default-src 'none'; script-src 'sha256-" . sha256_base64($script // '')
   . "='; form-action 'self'; frame-ancestors 'none'",
   '... under a CSP that allows exactly its script');
is($res->header('Cache-Control'), 'no-store', '... not cached');
ok(!defined $res->header('Set-Cookie'), '... no cookie set');
$log = log_since($off);
like($log, qr/WCS06004: \[ref [0-9a-f]{12}\] the response answers a request, and the browser sent no sign-in cookie/,
     '... logged (WCS06004)');
unlike($log, qr/WCS02001/, '... nothing refused, nothing used up');
$res = post_answer($M, $b64, $rs4, $tok4, WebcastSAMLResubmit => 1);
login_checks('posted again with the cookie', $res, module => $M,
             target => '/webcast/1234567/');
my ($id5, $rs5) = started(navigate($M, '/webcast/7654321/'));
$off = log_offset();
refusal_checks('posted again, still without the cookie',
               post_answer($M, answer($M, $id5), $rs5, undef, WebcastSAMLResubmit => 1),
               $off, '4n', qr/^the response answers request "\Q$id5\E", but the browser that posted it has no sign-in cookie/);
# Only what this site sends as RelayState is ever written into the page.
$off = log_offset();
refusal_checks('no cookie, and a RelayState this site never sends',
               post_answer($M, answer($M, $id5), '7654321"><script>', undef),
               $off, '3a', qr/is not a number/);

# --- a URL of no event: a reference that leads back to it -----------------

$res = navigate($M, '/admin/reports?year=2026&q=a%20b');
my ($id6, $rs6, $tok6) = started($res);
like($rs6 // '', qr/^sp-[0-9a-f]{32}$/, 'URL of no event: RelayState is an opaque reference');
$res = post_answer($M, answer($M, $id6), $rs6, $tok6);
login_checks('answer for a URL of no event', $res, module => $M,
             target => '/admin/reports?year=2026&q=a%20b');
my ($id7, $rs7, $tok7) = started(navigate($M, '/admin/'));
$off = log_offset();
refusal_checks("another request's reference",
               post_answer($M, answer($M, $id7), $rs6, $tok7),
               $off, '4j', qr/^RelayState "\Q$rs6\E" is not the one sent with request "\Q$id7\E"$/);
$off = log_offset();
refusal_checks('a reference on an unsolicited response',
               post_answer($M, answer($M, undef), $rs7, $tok7),
               $off, '4j', qr/refers to a sign-in this SP started, but the response answers no request$/);
# Unsolicited responses are still taken here.
login_checks('unsolicited (IdP-initiated) response', post_answer($M, answer($M, undef), '7654321'),
             module => $M, target => '/webcast/7654321/');

# --- the link's key, checked before any trip to the IdP -------------------

$off = log_offset();
refusal_checks('event link without its key', navigate($M, '/webcast/1234567/'),
               $off, '3c', qr/^the link carries no key for event 1234567, which enforces its key/);
$off = log_offset();
refusal_checks('event link with a wrong key', navigate($M, '/webcast/1234567/slides?key=00000000'),
               $off, '3c', qr/^the link carries a wrong key for event 1234567 \(8 characters;/);

# --- no redirect where none can be followed -------------------------------

for my $case (['a POST', sub { post_form(url_for($M, '/webcast/7654321/'), [a => 1]) }],
              ['fetch()', sub { navigate($M, '/webcast/7654321/', 'Sec-Fetch-Mode' => 'cors') }],
              ['XMLHttpRequest', sub { navigate($M, '/webcast/7654321/', 'X-Requested-With' => 'XMLHttpRequest') }],
              ['a JSON client', sub { Apache::TestRequest::GET(url_for($M, '/webcast/7654321/'), Accept => 'application/json') }],
              ['a location with WebcastSAMLLoginIdP off', sub { navigate($M, '/kiosk/') }]) {
    my ($name, $req) = @$case;
    $off = log_offset();
    $res = $req->();
    is($res->code, 401, "$name: 401");
    ok(!grep(/\Q$LC\E/, $res->header('Set-Cookie') // ''), "$name: no sign-in cookie");
    unlike(log_since($off), qr/WCS06001|WCS02001/, "$name: no sign-in started");
}
$off = log_offset();
is(navigate($M, '/elsewhere/')->code, 401, 'a location naming an IdP the vhost lacks: 401');
like(log_since($off), qr/\[webcast_saml:error\].*WCS06003: \[ref [0-9a-f]{12}\] no sign-in can start for \/elsewhere\/: IdP https:\/\/not-configured\.example\.test\/ is not configured in this vhost; 401/,
     '... and an error naming it (WCS06003)');
# A vhost whose IdPs have no SingleSignOnService: 401 as before.
is(navigate('wcs_strict', '/webcast/app')->code, 401,
   'IdP without a SingleSignOnService: 401');

# --- where unsolicited responses are refused; Secure cookies --------------

$off = log_offset();
refusal_checks('unsolicited response where WebcastSAMLUnsolicited is off',
               post_answer($S, answer($S, undef), undef), $off, '4o',
               qr/^the response answers no request \(IdP-initiated\), and WebcastSAMLUnsolicited is off here$/);
$res = navigate($S, '/webcast/page');
my ($id8, $rs8, $tok8, $sc8, $xml8, $loc8) = started($res);
# Signed (WebcastSAMLSigningKey): SigAlg and Signature over the query's
# octets as sent, verified here with openssl and the key's certificate.
my ($signed, $sig) = $loc8 =~ /\?(SAMLRequest=[^&]+&RelayState=[^&]+&SigAlg=[^&]+)&Signature=([^&]+)$/;
ok(defined $sig, 'signing key: the redirect carries SigAlg and Signature, last')
    or diag($loc8);
like($signed // '', qr/&SigAlg=http%3a%2f%2fwww\.w3\.org%2f2001%2f04%2fxmldsig-more%23rsa-sha256$/i,
     '... SigAlg RSA-SHA256');
{
    my $t = Apache::Test::vars('serverroot');
    write_file("$t/logs/signed.txt", $signed // '');
    open(my $fh, '>:raw', "$t/logs/signed.sig") or die $!;
    print $fh decode_base64(URI::Escape::uri_unescape($sig // ''));
    close $fh;
    system("openssl x509 -in " . keys_dir() . "/new.pem -pubkey -noout > $t/logs/signer.pub");
    my $out = `openssl dgst -sha256 -verify $t/logs/signer.pub -signature $t/logs/signed.sig $t/logs/signed.txt 2>&1`;
    like($out, qr/^Verified OK/, '... a signature that verifies with the SP certificate');
    write_file("$t/logs/signed.txt", ($signed // '') . 'x');
    $out = `openssl dgst -sha256 -verify $t/logs/signer.pub -signature $t/logs/signed.sig $t/logs/signed.txt 2>&1`;
    unlike($out, qr/^Verified OK/, '... and not over other octets');
}
like($sc8, qr/\Q$LC\E=[0-9a-f]{32}; ?Path=\/; ?HttpOnly; ?Max-Age=900; ?SameSite=None; ?Secure/,
     'Secure vhost: the sign-in cookie is SameSite=None; Secure (sent with the cross-site POST)');
$res = post_answer($S, answer($S, $id8), $rs8, $tok8);
login_checks('SP-initiated where unsolicited is off', $res, module => $S,
             target => '/webcast/page', secure => 1);

done_testing();
