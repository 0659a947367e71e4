#include <string.h>

#include <apr_escape.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include <openssl/x509.h>
#include <openssl/evp.h>
#include <openssl/asn1.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>

#include "wcs_idp.h"
#include "wcs_str.h"
#include "wcs_xml.h"
#include "wcs_result.h"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END "-----END CERTIFICATE-----"
#define CERT_FILE_MAX_BYTES (1024 * 1024)

wcs_idp_t *wcs_idp_create(const char *entity_id, const char *source,
                          apr_pool_t *p)
{
    wcs_idp_t *idp = apr_pcalloc(p, sizeof(*idp));

    idp->entity_id = apr_pstrdup(p, entity_id);
    idp->source = apr_pstrdup(p, source);
    idp->keys = apr_array_make(p, 2, sizeof(wcs_idp_key_t *));
    return idp;
}

static apr_status_t key_cleanup(void *data)
{
    xmlSecKeyDestroy(data);
    return APR_SUCCESS;
}

static apr_time_t asn1_time_to_apr(const ASN1_TIME *at)
{
    struct tm tm;
    apr_time_exp_t xt;
    apr_time_t t;

    memset(&tm, 0, sizeof(tm));
    if (!at || ASN1_TIME_to_tm(at, &tm) != 1) {
        return 0;
    }
    memset(&xt, 0, sizeof(xt));
    xt.tm_year = tm.tm_year;
    xt.tm_mon = tm.tm_mon;
    xt.tm_mday = tm.tm_mday;
    xt.tm_hour = tm.tm_hour;
    xt.tm_min = tm.tm_min;
    xt.tm_sec = tm.tm_sec;
    return apr_time_exp_gmt_get(&t, &xt) == APR_SUCCESS ? t : 0;
}

/* Parse der as exactly one X.509 certificate into *px (the caller frees
 * it), or APR_EINVAL with *err. */
static apr_status_t parse_cert(X509 **px, const char **err,
                               const unsigned char *der, apr_size_t len)
{
    const unsigned char *d = der;

    *px = d2i_X509(NULL, &d, (long)len);
    if (!*px || d != der + len) {
        X509_free(*px);
        *px = NULL;
        *err = "the certificate data is not an X.509 certificate";
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}

/* Describe the certificate for log lines: subject and fingerprint. */
static void describe_x509(wcs_idp_key_t *k, X509 *x, apr_pool_t *p)
{
    char buf[256];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof(buf));
    k->subject = apr_pstrdup(p, buf);
    k->not_after = asn1_time_to_apr(X509_get0_notAfter(x));
    X509_digest(x, EVP_sha256(), md, &mdlen);
    /* Upper case, as openssl x509 -fingerprint writes it, so that an
     * admin can compare the two; sessions store it as written here. */
    k->sha256 = wcs_str_upper(apr_pescape_hex(p, md, mdlen, 1), p);
}

const char *wcs_idp_describe_der(const unsigned char *der, apr_size_t len,
                                 apr_pool_t *p)
{
    wcs_idp_key_t k;
    const char *err;
    X509 *x;

    if (parse_cert(&x, &err, der, len) != APR_SUCCESS) {
        return "an unparsable certificate";
    }
    describe_x509(&k, x, p);
    X509_free(x);
    return apr_psprintf(p, "%s (SHA-256 %s)", k.subject, k.sha256);
}

/* The certificate's public key as a bare xmlsec key: no X.509 data.
 * xmlsec copies the verifying key for every signature; a bare key copies
 * as a reference count of its EVP_PKEY, where one loaded with its
 * certificate would copy the certificate too, which OpenSSL 3 re-decodes
 * through its provider decoders under global locks.  NULL on failure. */
static xmlSecKeyPtr bare_key(X509 *x)
{
    EVP_PKEY *pkey = X509_get_pubkey(x);
    xmlSecKeyDataPtr value = pkey ? xmlSecOpenSSLEvpKeyAdopt(pkey) : NULL;
    xmlSecKeyPtr key = value ? xmlSecKeyCreate() : NULL;

    if (!value) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    if (!key || xmlSecKeySetValue(key, value) < 0) {
        xmlSecKeyDataDestroy(value);
        if (key) {
            xmlSecKeyDestroy(key);
        }
        return NULL;
    }
    return key;
}

apr_status_t wcs_idp_add_cert_der(wcs_idp_t *idp, const char **err,
                                  const unsigned char *der, apr_size_t len,
                                  const char *source, apr_pool_t *p)
{
    wcs_idp_key_t *k = apr_pcalloc(p, sizeof(*k));
    apr_status_t rv;
    X509 *x;

    rv = parse_cert(&x, err, der, len);
    if (rv != APR_SUCCESS) {
        *err = apr_psprintf(p, "%s: %s", source, *err);
        return rv;
    }
    /* One parse gives the description and the key. */
    describe_x509(k, x, p);
    k->key = bare_key(x);
    X509_free(x);
    if (!k->key) {
        *err = apr_psprintf(p, "%s: xmlsec cannot use the public key of "
                            "certificate %s", source, k->subject);
        return APR_EINVAL;
    }
    apr_pool_cleanup_register(p, k->key, key_cleanup, apr_pool_cleanup_null);
    k->der = apr_pmemdup(p, der, len);
    k->der_len = len;
    k->source = apr_pstrdup(p, source);
    APR_ARRAY_PUSH(idp->keys, wcs_idp_key_t *) = k;
    return APR_SUCCESS;
}

/* Decode base64 that may be wrapped, as certificates are written. */
static apr_status_t decode_cert_b64(unsigned char **der, apr_size_t *len,
                                    const char *b64, apr_size_t b64len,
                                    apr_pool_t *p)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    char *out;

    if (wcs_str_base64_decode(&out, len, &res, "the certificate", b64, b64len,
                              b64len, p) != APR_SUCCESS) {
        return APR_EINVAL;
    }
    *der = (unsigned char *)out;
    return APR_SUCCESS;
}

static apr_status_t add_pem_blocks(wcs_idp_t *idp, const char **err,
                                   const char *text, const char *path,
                                   apr_pool_t *p)
{
    const char *begin = strstr(text, PEM_BEGIN), *end;
    unsigned char *der;
    apr_size_t len;
    apr_status_t rv;

    while (begin) {
        begin += strlen(PEM_BEGIN);
        end = strstr(begin, PEM_END);
        if (!end) {
            *err = apr_psprintf(p, "%s: unterminated PEM certificate", path);
            return APR_EINVAL;
        }
        if (decode_cert_b64(&der, &len, begin, (apr_size_t)(end - begin), p)
            != APR_SUCCESS) {
            *err = apr_psprintf(p, "%s: PEM certificate is not valid base64",
                                path);
            return APR_EINVAL;
        }
        rv = wcs_idp_add_cert_der(idp, err, der, len, path, p);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        begin = strstr(end, PEM_BEGIN);
    }
    return APR_SUCCESS;
}

apr_status_t wcs_idp_add_cert_file(wcs_idp_t *idp, const char **err,
                                   const char *path, apr_pool_t *p)
{
    char *buf;
    apr_size_t len;
    int before = idp->keys->nelts;
    unsigned char *der;
    apr_size_t der_len;
    apr_status_t rv;

    rv = wcs_file_read(&buf, &len, err, path, CERT_FILE_MAX_BYTES, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (strstr(buf, PEM_BEGIN)) {
        rv = add_pem_blocks(idp, err, buf, path, p);
    }
    else if (len > 0 && (unsigned char)buf[0] == 0x30) {
        rv = wcs_idp_add_cert_der(idp, err, (unsigned char *)buf, len, path, p);
    }
    else if (decode_cert_b64(&der, &der_len, buf, len, p) == APR_SUCCESS) {
        rv = wcs_idp_add_cert_der(idp, err, der, der_len, path, p);
    }
    else {
        *err = apr_psprintf(p, "%s: neither a PEM, base64 nor DER "
                            "certificate", path);
        rv = APR_EINVAL;
    }
    if (rv == APR_SUCCESS && idp->keys->nelts == before) {
        *err = apr_psprintf(p, "%s: no certificate in the file", path);
        rv = APR_EINVAL;
    }
    if (rv != APR_SUCCESS) {
        idp->keys->nelts = before;
    }
    return rv;
}

const wcs_idp_key_t *wcs_idp_key_by_der(const wcs_idp_t *idp,
                                        const unsigned char *der,
                                        apr_size_t len)
{
    int i;

    for (i = 0; i < idp->keys->nelts; i++) {
        const wcs_idp_key_t *k = APR_ARRAY_IDX(idp->keys, i, wcs_idp_key_t *);

        if (k->der_len == len && !memcmp(k->der, der, len)) {
            return k;
        }
    }
    return NULL;
}

/* --- metadata -------------------------------------------------------- */

static int is_signing_key(const xmlNode *kd, apr_pool_t *p)
{
    const char *use = wcs_xml_attr(kd, "use", p);

    return !use || !strcmp(use, "signing");
}

apr_array_header_t *wcs_idp_keyinfo_certs(const xmlNode *keyinfo,
                                          apr_pool_t *p)
{
    apr_array_header_t *certs = apr_array_make(p, 1,
                                               sizeof(wcs_keyinfo_cert_t));
    xmlNodePtr x509, cert;

    for (x509 = wcs_xml_child(keyinfo, WCS_NS_DSIG, "X509Data", NULL); x509;
         x509 = wcs_xml_child(keyinfo, WCS_NS_DSIG, "X509Data", x509)) {
        for (cert = wcs_xml_child(x509, WCS_NS_DSIG, "X509Certificate", NULL);
             cert;
             cert = wcs_xml_child(x509, WCS_NS_DSIG, "X509Certificate", cert)) {
            wcs_keyinfo_cert_t *c = apr_array_push(certs);
            const char *b64 = wcs_xml_text(cert, p);
            unsigned char *der = NULL;

            c->line = xmlGetLineNo(cert);
            if (b64 && decode_cert_b64(&der, &c->len, b64, strlen(b64), p)
                       != APR_SUCCESS) {
                der = NULL;
            }
            c->der = der;
        }
    }
    return certs;
}

static apr_status_t add_key_descriptor(wcs_idp_t *idp, const char **err,
                                       const xmlNode *kd, const char *path,
                                       apr_pool_t *p)
{
    apr_array_header_t *certs;
    apr_status_t rv;
    int i;

    certs = wcs_idp_keyinfo_certs(wcs_xml_child(kd, WCS_NS_DSIG, "KeyInfo",
                                                NULL), p);
    for (i = 0; i < certs->nelts; i++) {
        wcs_keyinfo_cert_t *c = &APR_ARRAY_IDX(certs, i, wcs_keyinfo_cert_t);

        if (!c->der) {
            *err = apr_psprintf(p, "%s: IdP %s: X509Certificate (line %ld) "
                                "is not valid base64", path, idp->entity_id,
                                c->line);
            return APR_EINVAL;
        }
        rv = wcs_idp_add_cert_der(idp, err, c->der, c->len, path, p);
        if (rv != APR_SUCCESS) {
            return rv;
        }
    }
    return APR_SUCCESS;
}

static void add_sso_locations(wcs_idp_t *idp, const xmlNode *sso_desc,
                              apr_pool_t *p)
{
    xmlNodePtr s;

    for (s = wcs_xml_child(sso_desc, WCS_NS_MD, "SingleSignOnService", NULL);
         s; s = wcs_xml_child(sso_desc, WCS_NS_MD, "SingleSignOnService", s)) {
        const char *binding = wcs_xml_attr(s, "Binding", p);
        const char *loc = wcs_xml_attr(s, "Location", p);

        if (!binding || !loc) {
            continue;
        }
        if (!idp->sso_redirect && !strcmp(binding,
                "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect")) {
            idp->sso_redirect = loc;
        }
        else if (!idp->sso_post && !strcmp(binding,
                "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST")) {
            idp->sso_post = loc;
        }
    }
}

static apr_status_t add_entity(apr_hash_t *idps, int *count,
                               const char **err, const xmlNode *ed,
                               const char *path, apr_pool_t *p)
{
    const char *entity_id = wcs_xml_attr(ed, "entityID", p), *want;
    xmlNodePtr sso_desc, kd;
    wcs_idp_t *idp;
    apr_status_t rv;

    sso_desc = wcs_xml_child(ed, WCS_NS_MD, "IDPSSODescriptor", NULL);
    if (!sso_desc) {
        return APR_SUCCESS;     /* an SP or AA in a federation file */
    }
    if (!entity_id || !*entity_id) {
        *err = apr_psprintf(p, "%s: EntityDescriptor (line %ld) has no "
                            "entityID", path, xmlGetLineNo((xmlNodePtr)ed));
        return APR_EINVAL;
    }
    if (apr_hash_get(idps, entity_id, APR_HASH_KEY_STRING)) {
        *err = apr_psprintf(p, "%s: IdP %s is already configured", path,
                            entity_id);
        return APR_EINVAL;
    }
    idp = wcs_idp_create(entity_id, path, p);
    for (; sso_desc;
         sso_desc = wcs_xml_child(ed, WCS_NS_MD, "IDPSSODescriptor", sso_desc)) {
        for (kd = wcs_xml_child(sso_desc, WCS_NS_MD, "KeyDescriptor", NULL);
             kd; kd = wcs_xml_child(sso_desc, WCS_NS_MD, "KeyDescriptor", kd)) {
            if (!is_signing_key(kd, p)) {
                continue;
            }
            rv = add_key_descriptor(idp, err, kd, path, p);
            if (rv != APR_SUCCESS) {
                return rv;
            }
        }
        add_sso_locations(idp, sso_desc, p);
        want = wcs_xml_attr(sso_desc, "WantAuthnRequestsSigned", p);
        if (want && (!strcmp(want, "true") || !strcmp(want, "1"))) {
            idp->wants_signed_requests = 1;
        }
    }
    if (idp->keys->nelts == 0) {
        *err = apr_psprintf(p, "%s: IdP %s has no signing certificate "
                            "(KeyDescriptor use=\"signing\")", path, entity_id);
        return APR_EINVAL;
    }
    apr_hash_set(idps, idp->entity_id, APR_HASH_KEY_STRING, idp);
    (*count)++;
    return APR_SUCCESS;
}

static apr_status_t walk_entities(apr_hash_t *idps, int *count,
                                  const char **err, const xmlNode *node,
                                  const char *path, apr_pool_t *p)
{
    xmlNodePtr c;
    apr_status_t rv = APR_SUCCESS;

    if (wcs_xml_is(node, WCS_NS_MD, "EntityDescriptor")) {
        return add_entity(idps, count, err, node, path, p);
    }
    if (!wcs_xml_is(node, WCS_NS_MD, "EntitiesDescriptor")) {
        return APR_SUCCESS;
    }
    for (c = node->children; c && rv == APR_SUCCESS; c = c->next) {
        rv = walk_entities(idps, count, err, c, path, p);
    }
    return rv;
}

apr_status_t wcs_idp_load_metadata_buf(apr_hash_t *idps, int *count,
                                       const char **err, const char *buf,
                                       apr_size_t len, const char *source,
                                       apr_pool_t *p, apr_pool_t *ptemp)
{
    xmlDocPtr doc;
    xmlNodePtr root;
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    apr_status_t rv;

    *count = 0;
    rv = wcs_xml_parse(&doc, &res, buf, len, WCS_METADATA_MAX_BYTES,
                       WCS_XML_MAX_DEPTH_DEFAULT, ptemp);
    if (rv != APR_SUCCESS) {
        *err = apr_psprintf(p, "%s: %s", source, res.reason);
        return rv;
    }
    root = xmlDocGetRootElement(doc);
    if (!wcs_xml_is(root, WCS_NS_MD, "EntityDescriptor")
        && !wcs_xml_is(root, WCS_NS_MD, "EntitiesDescriptor")) {
        *err = apr_psprintf(p, "%s: not SAML 2.0 metadata (root element is "
                            "%s)", source, (const char *)root->name);
        return APR_EINVAL;
    }
    rv = walk_entities(idps, count, err, root, source, p);
    if (rv == APR_SUCCESS && *count == 0) {
        *err = apr_psprintf(p, "%s: no IDPSSODescriptor in the metadata",
                            source);
        rv = APR_EINVAL;
    }
    return rv;
}

apr_status_t wcs_idp_load_metadata(apr_hash_t *idps, int *count,
                                   const char **err, const char *path,
                                   apr_pool_t *p, apr_pool_t *ptemp)
{
    char *buf;
    apr_size_t len;
    apr_status_t rv;

    *count = 0;
    rv = wcs_file_read(&buf, &len, err, path, WCS_METADATA_MAX_BYTES, ptemp);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    return wcs_idp_load_metadata_buf(idps, count, err, buf, len, path, p,
                                     ptemp);
}
