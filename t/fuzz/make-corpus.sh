#!/bin/sh
# Remake the seed corpus of the fuzz targets in t/fuzz/corpus/.  Run by
# hand (not by make) from a built tree: t/fuzz/make-corpus.sh BUILDDIR.
# Responses are signed with the throwaway TEST-ONLY keys next to this
# script at a fixed time (--now), the time fuzz_response.c pretends it is.
# Inputs that fuzzing found are added by hand and are not remade here.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-.}" && pwd)
mk="$build/t/tools/wcs_mkresponse"
now=1767225600
c="$here/corpus"
cd "$here"

seed() { # target name content-on-stdin
    mkdir -p "$c/$1"
    cat > "$c/$1/$2"
}

# --- response: XML, validly signed unless the attack says otherwise -----
resp() { # name mkresponse-options...
    name=$1
    shift
    "$mk" --now "$now" --key test-only-idp.key --cert test-only-idp.pem \
        --acs https://sp.example.test/saml/acs \
        --audience https://sp.example.test/ --xml "$@" \
        | seed response "$name.xml"
}
resp valid
resp sign-response --sign response
resp sign-both --sign both
resp sig-after --sign response --response-sig-after-assertion
resp inclusive --c14n inclusive
resp sha384 --alg sha384
resp sha512 --alg sha512
resp sha1 --alg sha1
resp keyvalue --keyinfo keyvalue
resp nokeyinfo --keyinfo none
resp millis --millis
resp entra --profile entra
resp okta --profile okta
resp attrs --attr mail=a@example.test --attr groups=staff \
    --attr groups=suspended --attr-friendly mail=email
resp attr-basic --attr-nameformat basic --attr uid=alice
resp unspecified --nameid-format unspecified
resp persistent --nameid-format persistent --nameid opaque123
resp irt --in-response-to _req123
resp session-noa --session-not-on-or-after 3600
resp no-conditions --no-conditions
resp no-sc --no-subject-confirmation
resp no-authn --no-authn-statement
resp status-fail --sign response \
    --status urn:oasis:names:tc:SAML:2.0:status:Responder \
    --sub-status urn:oasis:names:tc:SAML:2.0:status:AuthnFailed \
    --status-message "no such user"
resp unsigned --sign none
resp expired --not-on-or-after -3600 --not-before -7200
resp future --not-before 3600
resp wrong-audience --audience https://other.example.test/
resp wrong-destination --acs https://other.example.test/acs
resp unknown-issuer --issuer https://unknown.example.test/
for a in xsw1 xsw2 xsw3 xsw4 xsw5 xsw6 xsw7 xsw8 comment-nameid \
         two-assertions dup-id encrypted empty-ref foreign-ref \
         unsigned-modify strip-signature doctype entity; do
    case $a in
        xsw1|xsw2) resp "attack-$a" --sign response --attack "$a" ;;
        *) resp "attack-$a" --attack "$a" ;;
    esac
done
resp attack-deep --attack deep --deep-levels 50
"$mk" --now "$now" --key test-only-ec.key --cert test-only-ec.pem \
    --issuer https://ec.example.test/ \
    --acs https://sp.example.test/saml/acs --audience https://sp.example.test/ \
    --xml | seed response ec.xml

# --- xml: what the parse meets, good and hostile --------------------------
mkdir -p "$c/xml"
for f in valid attack-doctype attack-entity attack-deep attack-comment-nameid; do
    cp "$c/response/$f.xml" "$c/xml/"
done
printf '<a/>' | seed xml empty-element
printf '<a xmlns="urn:x" ID="1"><b>t</b><!-- c --><?pi x?><![CDATA[d]]></a>' \
    | seed xml mixed
printf '<?xml version="1.0" encoding="ISO-8859-1"?><a>\351</a>' \
    | seed xml latin1
printf '\357\273\277<a>bom</a>' | seed xml bom
printf '<a>&amp;&#65;&#x42;&lt;</a>' | seed xml char-refs
printf '<a>&ext;</a>' | seed xml undeclared-entity
printf '<!DOCTYPE a SYSTEM "http://127.0.0.1/x.dtd"><a/>' | seed xml external-dtd
printf '<a xmlns:x="urn:x" x:y="1" xml:id="i"/>' | seed xml ns-attr
printf '<a><b>' | seed xml unclosed
printf '<a/><b/>' | seed xml two-roots
printf '<!-- only a comment -->' | seed xml no-root
printf '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd"/>' \
    | seed xml xinclude
awk 'BEGIN { for (i = 0; i < 41; i++) printf "<a>"; for (i = 0; i < 41; i++) printf "</a>" }' \
    | seed xml depth-41
awk 'BEGIN { for (i = 0; i < 40; i++) printf "<a>"; for (i = 0; i < 40; i++) printf "</a>" }' \
    | seed xml depth-40

# --- base64 -----------------------------------------------------------
base64 -w 0 < "$c/response/valid.xml" | seed base64 response
base64 -w 76 < "$c/response/valid.xml" | sed 's/$/\r/' | seed base64 wrapped-crlf
printf 'QQ==' | seed base64 pad2
printf 'QUI=' | seed base64 pad1
printf 'QUJD' | seed base64 nopad
printf 'QR==' | seed base64 noncanonical2
printf 'QUJ=' | seed base64 noncanonical1
printf 'QQ' | seed base64 unpadded
printf 'QQ===' | seed base64 pad3
printf 'Q Q = =' | seed base64 spaced
printf 'QQ==QUJD' | seed base64 data-after-pad
printf 'QUJD-_==' | seed base64 urlsafe
printf '' | seed base64 empty
printf ' \r\n\t' | seed base64 only-space
printf 'QUJD\000QUJD' | seed base64 nul

# --- url --------------------------------------------------------------
u() { printf '%s' "$2" | seed url "$1"; }
u plain 'https://sp.example.test/saml/acs'
u port-case 'HTTPS://SP.Example.Test:443/saml/acs
https://sp.example.test/saml/acs'
u http-port 'http://sp.example.test:80
http://sp.example.test/'
u odd-port 'https://sp.example.test:8443/a'
u dots 'https://sp.example.test/a/./b/../c/%2e%2E/d'
u escapes 'https://sp.example.test/%7euser/%2fx%41%zz'
u query 'https://sp.example.test/acs?x=1&y=%20#frag'
u userinfo 'https://user:pw@sp.example.test/acs'
u ipv6 'https://[::1]:443/acs
https://[::1]/acs'
u not-http 'ftp://sp.example.test/'
u relative '/saml/acs'
u empty-host 'https:///acs'
u bad-port 'https://sp.example.test:99999/
https://sp.example.test:-1/'
u trailing-dot 'https://sp.example.test./acs'
u many-dots 'https://h/../../../../a/..'
u percent-end 'https://h/%'
u spaces 'https://h/a b'

# --- time -------------------------------------------------------------
t() { printf '%s' "$2" | seed time "$1"; }
t zulu '2026-01-01T00:00:00Z'
t millis '2026-01-01T00:00:00.123Z'
t long-fraction '2026-01-01T00:00:00.1234567890123456789Z'
t offset-plus '2026-01-01T05:30:00+05:30'
t offset-minus '2025-12-31T19:00:00-05:00'
t no-zone '2026-01-01T00:00:00'
t leap-day '2028-02-29T12:00:00Z'
t not-leap '2100-02-29T12:00:00Z'
t leap-second '2016-12-31T23:59:60Z'
t epoch '1970-01-01T00:00:00Z'
t before-epoch '1970-01-01T00:00:00+01:00'
t year-9999 '9999-12-31T23:59:59-14:00'
t bad-month '2026-13-01T00:00:00Z'
t bad-offset '2026-01-01T00:00:00+15:00'
t lower-t '2026-01-01t00:00:00z'
t trailing '2026-01-01T00:00:00Zjunk'
t empty ''

# --- session ------------------------------------------------------------
s() { printf "$2" | seed session "$1"; }
ver=$(sed -n 's/^#define RECORD_VERSION "\(.*\)"/\1/p' "$here/../../src/wcs_session.c")
s minimal "$ver\nsite=https://sp.example.test/ @ localhost:443\nidp=https://idp.example.test/\nidp_key=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0\nuser=a@example.test\ncreated=1767225600000000\nexpires=1767254400000000\n"
s env "$ver\nsite=https://sp.example.test/ @ localhost:443\nidp=https://idp.example.test/\nidp_key=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0\nuser=a@example.test\ncreated=1767225600000000\nexpires=1767254400000000\nenv.WEBCAST_GROUPS=staff;suspended\nenv.WEBCAST_NAME=A%%20B\n"
s escapes "$ver\nsite=https://sp.example.test/ @ localhost:443\nidp=https://idp.example.test/\nidp_key=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0\nuser=a%%0Ab@example.test\ncreated=1\nexpires=2\nenv.X=%%25%%3D%%0A%%zz%%\n"
s no-user "$ver\nsite=x\nidp=i\nidp_key=k\ncreated=1\nexpires=2\n"
s bad-time "$ver\nsite=x\nidp=i\nidp_key=k\nuser=y\ncreated=-1\nexpires=99999999999999999999\n"
s no-eq "$ver\nsite\n"
s wrong-version "wcs0\nsite=x\nidp=i\nidp_key=k\nuser=y\nexpires=1\n"
s unknown-key "$ver\nsite=x\nidp=i\nidp_key=k\nuser=y\ncreated=1\nexpires=1\nfoo=bar\n"
s version-1 "wcs-session-1\nsp=x\nuser=y\ncreated=1\nexpires=2\n"
s no-created "$ver\nsite=x\nidp=i\nidp_key=k\nuser=y\nexpires=1\n"
s sealed-shape "$ver\nsite=x\nidp=i\nidp_key=k\nuser=y\ncreated=1\nexpires=2\nmac=0123456789abcdef abababababababababababababababababababababababababababababababab\n"
s empty ""

# --- metadata ---------------------------------------------------------
b64() { sed '/-----/d' "$1"; }
md() { seed metadata "$1"; }
cat <<XML | md entity.xml
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.test/">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
$(b64 test-only-idp.pem)
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/sso"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.test/sso/post"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
XML
cat <<XML | md entities.xml
<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <md:EntityDescriptor entityID="https://sp-other.example.test/"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>
  <md:EntitiesDescriptor>
  <md:EntityDescriptor entityID="https://idp.example.test/">
    <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>$(b64 test-only-ec.pem)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
      <md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>$(b64 test-only-idp.pem)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    </md:IDPSSODescriptor>
  </md:EntityDescriptor>
  <md:EntityDescriptor entityID="https://ec.example.test/">
    <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>$(b64 test-only-ec.pem)</ds:X509Certificate><ds:X509Certificate>$(b64 test-only-idp.pem)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    </md:IDPSSODescriptor>
  </md:EntityDescriptor>
  </md:EntitiesDescriptor>
</md:EntitiesDescriptor>
XML
cat <<XML | md duplicate.xml
<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <md:EntityDescriptor entityID="https://idp.example.test/"><md:IDPSSODescriptor><md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>$(b64 test-only-idp.pem)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>
  <md:EntityDescriptor entityID="https://idp.example.test/"><md:IDPSSODescriptor><md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>$(b64 test-only-idp.pem)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>
</md:EntitiesDescriptor>
XML
cat <<XML | md no-key.xml
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.test/"><md:IDPSSODescriptor/></md:EntityDescriptor>
XML
cat <<XML | md bad-cert.xml
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.test/"><md:IDPSSODescriptor><md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>QUJD</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>
XML
cat <<XML | md no-entity-id.xml
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><md:IDPSSODescriptor><md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>$(b64 test-only-idp.pem)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>
XML
printf '<foo/>' | md not-metadata.xml
printf '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>' | md empty-entities.xml
echo "corpus: $(find "$c" -type f | wc -l) files in $c"
