#include <string.h>

#include <apr_base64.h>
#include <apr_escape.h>
#include <apr_strings.h>
#include <zlib.h>

#include "wcs_authnreq.h"
#include "wcs_time.h"
#include "wcs_url.h"

#define ID_BYTES 16

/* Raw DEFLATE of len bytes of in, from p; NULL when zlib fails. */
static const unsigned char *deflate_raw(apr_size_t *out_len, const char *in,
                                        apr_size_t len, apr_pool_t *p)
{
    z_stream zs;
    unsigned char *out;
    uLong bound;
    int rc;

    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        return NULL;
    }
    bound = deflateBound(&zs, (uLong)len);
    out = apr_palloc(p, bound);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)bound;
    rc = deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? out : NULL;
}

apr_status_t wcs_authnreq_make(wcs_authnreq_t **pr, const char **err,
                               const wcs_sp_t *sp, const char *acs_url,
                               const char *sso_url, const char *relay_state,
                               apr_time_t now, apr_pool_t *p)
{
    wcs_authnreq_t *r = apr_pcalloc(p, sizeof(*r));
    unsigned char raw[ID_BYTES];
    const unsigned char *z;
    char *id, *b64;
    const char *norm;
    apr_size_t zlen;
    apr_status_t rv;

    *pr = NULL;
    if (relay_state && strlen(relay_state) > WCS_RELAY_STATE_MAX) {
        *err = apr_psprintf(p, "the RelayState is %" APR_SIZE_T_FMT " bytes, "
                            "over the %d an IdP must accept",
                            strlen(relay_state), WCS_RELAY_STATE_MAX);
        return APR_EINVAL;
    }
    if (strpbrk(sso_url, "\r\n#")
        || wcs_url_normalise(&norm, sso_url, p) != APR_SUCCESS) {
        *err = apr_psprintf(p, "the IdP's SingleSignOnService \"%s\" is not "
                            "an http(s) URL without a fragment", sso_url);
        return APR_EINVAL;
    }
    rv = apr_generate_random_bytes(raw, sizeof(raw));
    if (rv != APR_SUCCESS) {
        *err = "no randomness for the request's ID";
        return rv;
    }
    id = apr_palloc(p, 2 * ID_BYTES + 2);
    id[0] = '_';
    apr_escape_hex(id + 1, raw, sizeof(raw), 0, NULL);
    r->id = id;
    r->xml = apr_pstrcat(p,
        "<samlp:AuthnRequest"
        " xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\""
        " xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\""
        " ID=\"", id, "\" Version=\"2.0\" IssueInstant=\"",
        wcs_time_format(now, p), "\" Destination=\"",
        apr_pescape_entity(p, sso_url, 0), "\" AssertionConsumerServiceURL=\"",
        apr_pescape_entity(p, acs_url, 0), "\" ProtocolBinding=\""
        "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\">"
        "<saml:Issuer>", apr_pescape_entity(p, sp->entity_id, 0),
        "</saml:Issuer>"
        "<samlp:NameIDPolicy Format=\""
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\""
        " AllowCreate=\"true\"/>"
        "</samlp:AuthnRequest>", NULL);
    z = deflate_raw(&zlen, r->xml, strlen(r->xml), p);
    if (!z) {
        *err = "zlib cannot compress the request";
        return APR_EGENERAL;
    }
    b64 = apr_palloc(p, apr_base64_encode_len((int)zlen));
    apr_base64_encode(b64, (const char *)z, (int)zlen);
    r->url = apr_pstrcat(p, sso_url, strchr(sso_url, '?') ? "&" : "?",
                         "SAMLRequest=", apr_pescape_urlencoded(p, b64),
                         relay_state ? "&RelayState=" : "",
                         relay_state ? apr_pescape_urlencoded(p, relay_state)
                                     : "", NULL);
    *pr = r;
    return APR_SUCCESS;
}

const char *wcs_authnreq_inflate(const char *b64, apr_size_t max,
                                 apr_pool_t *p)
{
    apr_size_t len = (apr_size_t)apr_base64_decode_len(b64);
    char *z = apr_palloc(p, len + 1);
    unsigned char *out = apr_palloc(p, max + 1);
    z_stream zs;
    int rc;

    len = (apr_size_t)apr_base64_decode(z, b64);
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, -15) != Z_OK) {
        return NULL;
    }
    zs.next_in = (Bytef *)z;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)max;
    rc = inflate(&zs, Z_FINISH);
    out[zs.total_out] = '\0';
    inflateEnd(&zs);
    return rc == Z_STREAM_END ? (const char *)out : NULL;
}
