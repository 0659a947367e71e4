# shellcheck shell=bash disable=SC2034  # the variables are read by run.sh
# Debian's mod_auth_mellon (libapache2-mod-auth-mellon, 0.18.x) as a
# comparison SP for bench/run.sh.  Sourced: it only sets variables and
# defines functions.
#   mellon_install          install the package if missing (non-zero if not)
#   mellon_conf WORK PORT   write keys and metadata under WORK/mellon and
#                           print the httpd config fragment on stdout
# The variables tell run.sh how to make the responses and judge answers.
#
# Notes on what Mellon does with an IdP-initiated response (0.18):
# - lasso checks the signatures (Response and/or Assertion: at least one
#   must be there and valid); Mellon then checks Destination and Recipient
#   against the URL of the request, the Audience against the SP entityID,
#   NotBefore/NotOnOrAfter (60 s of skew), and refuses an Assertion ID that
#   a live session already holds (its replay check), with 400.
# - No InResponseTo means no cookie is needed from an earlier request.
# - RelayState is where it redirects (303); it must be on this host.
# - Its session table is one array in shared memory, MellonCacheSize
#   entries of MellonCacheEntrySize bytes (65,536 at least), scanned
#   linearly under one global mutex at every lookup (a cookie, the replay
#   check, a new session).  So 120,000 entries reserve 7.5 GiB of address
#   space (touched as used: about 40 KiB a session) and every request pays
#   a scan of the whole table: that cost is Mellon's design, measured as is.

# shellcheck source=bench/sp/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

mellon_AUDIENCE=https://mellon.bench.example.test/
mellon_ACS_PATH=/mellon/postResponse
mellon_RELAY=/prot/index.html
mellon_COOKIE=mellon-cookie
mellon_OK_STATUS=303
# The default NameID format (emailAddress) and an assertion with a bearer
# SubjectConfirmation suit Mellon as they are.
mellon_MKRESPONSE_ARGS=""
# Sessions the table holds; run.sh sets it to the responses of its run.
mellon_CACHE_SIZE=${mellon_CACHE_SIZE:-120000}

mellon_install() {
    local lib
    lib=$(${APXS:-apxs} -q LIBEXECDIR) || return 1
    [ -f "$lib/mod_auth_mellon.so" ] && return 0
    sp_apt_install mellon libapache2-mod-auth-mellon || return 1
    [ -f "$lib/mod_auth_mellon.so" ] || {
        echo "mellon: installed, but no $lib/mod_auth_mellon.so" >&2
        return 1
    }
}

# The SP's metadata; its ACS URL is what Destination and Recipient name.
_mellon_sp_metadata() { # pem base-url
    cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    entityID="$mellon_AUDIENCE">
  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="false"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
$(sp_key_descriptor "$1")
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="$2/mellon/logout"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:AssertionConsumerService index="0" isDefault="true"
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="$2$mellon_ACS_PATH"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
XML
}

mellon_conf() { # WORK PORT
    local work=$1 port=$2 dir lib
    dir=$work/mellon
    lib=$(${APXS:-apxs} -q LIBEXECDIR) || return 1
    sp_files "$dir" mellon.bench.example.test "$work/keys/idp.pem" \
        || return 1
    _mellon_sp_metadata "$dir/sp.pem" "http://127.0.0.1:$port" \
        > "$dir/sp-metadata.xml"
    # MellonSubjectConfirmationDataAddressCheck: the responses carry no
    # Address, and the check would only compare the client address.
    cat <<CONF
LoadModule auth_mellon_module $lib/mod_auth_mellon.so
MellonCacheSize $mellon_CACHE_SIZE
MellonCacheEntrySize 65536
MellonLockFile $dir/mellon.lock
<Location />
    MellonEndpointPath /mellon
    MellonSPMetadataFile $dir/sp-metadata.xml
    MellonSPPrivateKeyFile $dir/sp.key
    MellonSPCertFile $dir/sp.pem
    MellonIdPMetadataFile $dir/idp-metadata.xml
    MellonDefaultLoginPath $mellon_RELAY
    MellonSessionLength 86400
    MellonSubjectConfirmationDataAddressCheck Off
</Location>
<Location /prot>
    AuthType Mellon
    MellonEnable auth
    Require valid-user
</Location>
CONF
}
