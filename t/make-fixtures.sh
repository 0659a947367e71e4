#!/bin/sh
# Make the keys, certificates and metadata the Apache::Test suites use.
# Everything is generated at test time, never committed: a fresh RSA key
# per IdP, a rolled-over pair, an EC IdP, an attacker, and SAML metadata.
# Usage: t/make-fixtures.sh DIR
set -eu
dir=${1:?usage: make-fixtures.sh DIR}
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"

mk_rsa() { # name CN
    openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=$2" -days 365 \
        -keyout "$1.key" -out "$1.pem" 2>/dev/null
}
mk_ec() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -subj "/CN=$2" -days 365 -keyout "$1.key" -out "$1.pem" \
        2>/dev/null
}

mk_rsa idp "idp.example.test"            # metadata IdP
mk_rsa old "rollover old"                # rollover: old and new key
mk_rsa new "rollover new"
mk_rsa entra "Microsoft Azure Federated SSO Certificate"
mk_rsa okta "okta.example.test"
mk_rsa sha1 "sha1.example.test"
mk_rsa attacker "idp.example.test"       # same CN, different key
mk_ec ec "ec.example.test"

# Entra's "Certificate (Base64)": base64 lines without PEM armour;
# "Certificate (Raw)": DER.
sed '/-----/d' entra.pem > entra.cer
openssl x509 -in okta.pem -outform DER -out okta.der

b64() { sed '/-----/d' "$1" | tr -d '\n'; }

cat > idp-metadata.xml <<XML
<?xml version="1.0" encoding="UTF-8"?>
<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <md:EntityDescriptor entityID="https://sp-other.example.test/">
    <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>
  </md:EntityDescriptor>
  <md:EntityDescriptor entityID="https://idp.example.test/">
    <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:KeyDescriptor use="encryption">
        <ds:KeyInfo><ds:X509Data><ds:X509Certificate>$(b64 attacker.pem)</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
      </md:KeyDescriptor>
      <md:KeyDescriptor use="signing">
        <ds:KeyInfo><ds:X509Data><ds:X509Certificate>
$(sed '/-----/d' idp.pem)
        </ds:X509Certificate></ds:X509Data></ds:KeyInfo>
      </md:KeyDescriptor>
      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/sso"/>
    </md:IDPSSODescriptor>
  </md:EntityDescriptor>
</md:EntitiesDescriptor>
XML

cat > ec-metadata.xml <<XML
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://ec.example.test/">
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor>
      <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>$(b64 ec.pem)</X509Certificate></X509Data></KeyInfo>
    </KeyDescriptor>
  </IDPSSODescriptor>
</EntityDescriptor>
XML
chmod 644 ./*

# The session record key of the test server (WebcastSAMLSessionKeyFile).
openssl rand -hex 32 > session.key

# IdPs of the wcs_sibling vhost that t/restart/graceful.t takes away, or
# takes a key from, before a graceful restart (paths relative to the
# ServerRoot).
cat > sibling-idps.conf <<CONF
WebcastSAMLIdP https://removable.example.test/ keys/idp.pem
WebcastSAMLIdP https://rekeyed.example.test/ keys/old.pem keys/new.pem
CONF

# The event map of the wcs_events vhost (WebcastSAMLEventMap): 10,000
# events 1000001 to 1010000, event N's key the 8 hex digits of N * 7919,
# landing on /webcast/map/N/app.
awk 'BEGIN { print "# 10,000 events of the test suite";
             for (i = 1; i <= 10000; i++)
                 printf "%d %08x /webcast/map/%d/app\n", 1000000 + i,
                        (i * 7919) % 4294967296, i }' > events.map
chmod 644 events.map
