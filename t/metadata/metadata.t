# The SP's metadata at the endpoint's /metadata: public even where the
# whole site is protected, the entity ID, the ACS URL the IdP must post
# to, the NameID format and what must be signed, and valid against the
# OASIS SAML 2.0 metadata schema (t/data/xsd, xmllint, no network).
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(-withtestmore);
use Apache::TestRequest;
use WCS::Test;

my $xmllint = (grep { -x } map { "$_/xmllint" }
               split(/:/, $ENV{PATH} // ''), '/usr/bin')[0];
plan skip_all => 'xmllint is not installed (apt-get install libxml2-utils)'
    unless $xmllint;
plan tests => 4 * 8 + 1 + 3;

my $xsd = top_dir() . '/t/data/xsd';
my $t = Apache::Test::vars('serverroot');

# (exit status, output) of xmllint validating the text xml.
sub validate {
    my $xml = shift;
    my $file = write_file("$t/logs/metadata.xml", $xml);
    local $ENV{XML_CATALOG_FILES} = "$xsd/catalog.xml";
    my $out = `"$xmllint" --nonet --noout --schema "$xsd/saml-schema-metadata-2.0.xsd" "$file" 2>&1`;
    return ($? >> 8, $out);
}

# name, module, path, entity ID, ACS URL, WantAssertionsSigned,
# AuthnRequestsSigned
my @cases = (
    ['main server', 'default', '/saml/metadata', 'https://sp.example.test/',
     acs_url('default'), 'false', 'false'],
    ['a site protected as a whole', 'wcs_protected', '/sso/metadata',
     'https://protected.example.test/', acs_url('wcs_protected'), 'true',
     'false'],
    ['an ACS URL configured (WebcastSAMLACSURL)', 'wcs_proxied',
     '/saml/metadata', 'https://proxied.example.test/sp',
     'https://WEBCAST.example.test:443/saml/acs', 'false', 'false'],
    ['a signing key (WebcastSAMLSigningKey)', 'wcs_splogin_strict',
     '/saml/metadata', 'https://splogin-strict.example.test/',
     acs_url('wcs_splogin_strict'), 'false', 'true'],
);
my $body;
for my $c (@cases) {
    my ($name, $module, $path, $entity, $acs, $signed, $req_signed) = @$c;
    my $res = Apache::TestRequest::GET(url_for($module, $path));
    is($res->code, 200, "$name: 200 without a session");
    is($res->header('Content-Type'), 'application/samlmetadata+xml',
       "$name: Content-Type");
    $body = $res->content;
    like($body, qr/<md:EntityDescriptor [^>]*entityID="\Q$entity\E"/,
         "$name: entityID");
    like($body, qr/<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-POST" Location="\Q$acs\E"/,
         "$name: the ACS with the HTTP-POST binding");
    like($body, qr{<md:NameIDFormat>urn:oasis:names:tc:SAML:1\.1:nameid-format:emailAddress</md:NameIDFormat>},
         "$name: NameID format emailAddress");
    like($body, qr/WantAssertionsSigned="$signed"/,
         "$name: WantAssertionsSigned $signed");
    like($body, qr/AuthnRequestsSigned="$req_signed"/,
         "$name: AuthnRequestsSigned $req_signed");
    my ($rc, $out) = validate($body);
    is($rc, 0, "$name: valid against the OASIS metadata schema")
        or diag($out);
}

# The signing key's certificate, for the IdP to verify the requests.
my $pem = read_file(keys_dir() . '/new.pem');
(my $cert = $pem) =~ s/-----[^-]+-----|\s//g;
like($body, qr{<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www\.w3\.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>\Q$cert\E</ds:X509Certificate>},
     'a signing key: its certificate in a signing KeyDescriptor');

# The check can fail: the same document without its ACS is not valid.
(my $broken = $body) =~ s/\s*<md:AssertionConsumerService [^>]*>//;
my ($rc) = validate($broken);
isnt($rc, 0, 'metadata without an ACS fails the schema check');

my $res = Apache::TestRequest::POST(url_for('default', '/saml/metadata'),
                                    content => 'x=1');
is($res->code, 405, 'POST to the metadata: 405');
$res = Apache::TestRequest::HEAD(url_for('default', '/saml/metadata'));
is($res->code, 200, 'HEAD of the metadata: 200');
