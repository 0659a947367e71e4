# shellcheck shell=bash
# What the comparison SPs of bench/run.sh (bench/sp/*.sh) share.  Sourced
# by each of them: it only defines functions.
#   sp_apt_install NAME PACKAGE   apt-get install PACKAGE, as root or
#                                 through sudo (non-zero, saying why, if
#                                 it cannot)
#   sp_key_descriptor PEM         a signing KeyDescriptor of that
#                                 certificate, for metadata
#   sp_idp_metadata PEM           the benchmark IdP's metadata: its signing
#                                 certificate and an SSO URL (only used if
#                                 a page were opened without a session,
#                                 which the benchmark never does)
#   sp_files DIR CN IDP_PEM       make DIR with the SP's own key and
#                                 certificate (DIR/sp.key, DIR/sp.pem, for
#                                 CN) and the IdP's metadata
#                                 (DIR/idp-metadata.xml)

sp_apt_install() { # name package
    local name=$1 package=$2 sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "$name: not root and no sudo to install $package" >&2
            return 1
        }
        sudo="sudo"
    fi
    _sp_apt() {
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "$package" >/dev/null 2>&1
    }
    if ! _sp_apt; then
        $sudo apt-get update -qq >/dev/null 2>&1 || true
        _sp_apt || {
            echo "$name: apt-get install $package failed" >&2
            return 1
        }
    fi
}

sp_key_descriptor() { # pem
    cat <<XML
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>
$(sed '/-----/d' "$1")
      </ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
XML
}

sp_idp_metadata() { # pem
    cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    entityID="https://idp.example.test/">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
$(sp_key_descriptor "$1")
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.test/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
XML
}

sp_files() { # dir cn idp-pem
    mkdir -p "$1"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$2" \
        -keyout "$1/sp.key" -out "$1/sp.pem" 2>/dev/null || return 1
    sp_idp_metadata "$3" > "$1/idp-metadata.xml"
}
