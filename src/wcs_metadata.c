#include <apr_escape.h>
#include <apr_strings.h>

#include "wcs_metadata.h"

#define NS_MD "urn:oasis:names:tc:SAML:2.0:metadata"
#define NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define PROTOCOL "urn:oasis:names:tc:SAML:2.0:protocol"
#define BINDING_POST "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
#define NAMEID_EMAIL \
    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"

const char *wcs_metadata_sp(const wcs_sp_t *sp, const char *acs_url,
                            apr_pool_t *p)
{
    /* Assertions must be signed where the Assertion's own signature is
     * required; "either" also takes an Assertion in a signed Response. */
    int want_signed = sp->signed_parts == WCS_SIGNED_ASSERTION
                      || sp->signed_parts == WCS_SIGNED_BOTH;

    /* The key that signs the AuthnRequests, for the IdP to verify them. */
    const char *key = sp->sign_key
        ? apr_pstrcat(p,
            "    <md:KeyDescriptor use=\"signing\"><ds:KeyInfo"
            " xmlns:ds=\"" NS_DS "\"><ds:X509Data><ds:X509Certificate>",
            sp->sign_key->cert_b64, "</ds:X509Certificate></ds:X509Data>"
            "</ds:KeyInfo></md:KeyDescriptor>\n", NULL)
        : "";

    return apr_pstrcat(p,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<md:EntityDescriptor xmlns:md=\"" NS_MD "\" entityID=\"",
        apr_pescape_entity(p, sp->entity_id, 1), "\">\n"
        "  <md:SPSSODescriptor protocolSupportEnumeration=\"" PROTOCOL "\""
        " AuthnRequestsSigned=\"", sp->sign_key ? "true" : "false",
        "\" WantAssertionsSigned=\"",
        want_signed ? "true" : "false", "\">\n", key,
        "    <md:NameIDFormat>" NAMEID_EMAIL "</md:NameIDFormat>\n"
        "    <md:AssertionConsumerService Binding=\"" BINDING_POST "\""
        " Location=\"", apr_pescape_entity(p, acs_url, 1), "\""
        " index=\"0\" isDefault=\"true\"/>\n"
        "  </md:SPSSODescriptor>\n"
        "</md:EntityDescriptor>\n", NULL);
}
