#include <string.h>

#include <apr_base64.h>
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "wcs_idp.h"
#include "wcs_names.h"
#include "wcs_sp.h"
#include "wcs_str.h"
#include "wcs_xml.h"

void wcs_sp_desc_init(wcs_sp_desc_t *desc)
{
    memset(desc, 0, sizeof(*desc));
    desc->signed_parts = WCS_SIGNED_EITHER;
    desc->clock_skew = WCS_CLOCK_SKEW_DEFAULT;
    desc->max_assertion_age = WCS_MAX_ASSERTION_AGE_DEFAULT;
    desc->max_response_bytes = WCS_RESPONSE_MAX_BYTES_DEFAULT;
    desc->session_lifetime = WCS_SESSION_LIFETIME_DEFAULT;
}

int wcs_sp_desc_in_use(const wcs_sp_desc_t *desc)
{
    return desc->entity_id || (desc->idps && apr_hash_count(desc->idps) > 0);
}

static int listed(const apr_array_header_t *names, const char *name)
{
    int i;

    for (i = 0; names && i < names->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(names, i, const char *), name)) {
            return 1;
        }
    }
    return 0;
}

static apr_status_t check_name(const char **err, const wcs_sp_desc_t *desc,
                               const char *directive, const char *id,
                               apr_pool_t *p)
{
    if (desc->idps && apr_hash_get(desc->idps, id, APR_HASH_KEY_STRING)) {
        return APR_SUCCESS;
    }
    *err = apr_psprintf(p, "%s names %s, which is not a configured IdP of "
                        "%s (a vhost with IdPs of its own takes only its own "
                        "per-IdP lines)", directive, id, desc->name);
    return APR_EINVAL;
}

/* An event's idps= must name IdPs of its SP, its template= a template. */
static apr_status_t check_event_idps(const char **err,
                                     const wcs_sp_desc_t *desc, apr_pool_t *p)
{
    apr_hash_index_t *hi;
    const wcs_event_t *e;
    int i;

    if (!desc->events) {
        return APR_SUCCESS;
    }
    if (wcs_events_check(desc->events, err, p) != APR_SUCCESS) {
        return APR_EINVAL;
    }
    for (hi = apr_hash_first(p, desc->events->by_id); hi;
         hi = apr_hash_next(hi)) {
        e = apr_hash_this_val(hi);
        for (i = 0; e->idps && i < e->idps->nelts; i++) {
            const char *id = APR_ARRAY_IDX(e->idps, i, const char *);

            if (!desc->idps || !apr_hash_get(desc->idps, id,
                                             APR_HASH_KEY_STRING)) {
                *err = apr_psprintf(p, "%s: event %s names IdP %s, which is "
                                    "not a configured IdP of %s", e->where,
                                    e->id, id, desc->name);
                return APR_EINVAL;
            }
        }
    }
    return APR_SUCCESS;
}

apr_status_t wcs_sp_check_idp_names(const char **err,
                                    const wcs_sp_desc_t *desc,
                                    apr_pool_t *p)
{
    apr_hash_index_t *hi;
    int i;

    for (i = 0; desc->sha1_idps && i < desc->sha1_idps->nelts; i++) {
        if (check_name(err, desc, WCS_CMD_ALLOW_SHA1,
                       APR_ARRAY_IDX(desc->sha1_idps, i, const char *), p)
            != APR_SUCCESS) {
            return APR_EINVAL;
        }
    }
    for (hi = desc->idp_domains ? apr_hash_first(p, desc->idp_domains)
                                : NULL; hi; hi = apr_hash_next(hi)) {
        if (check_name(err, desc, WCS_CMD_IDP_EMAIL_DOMAINS,
                       apr_hash_this_key(hi), p) != APR_SUCCESS) {
            return APR_EINVAL;
        }
    }
    return check_event_idps(err, desc, p);
}

/* The IdP table with the per-IdP lines applied (SHA-1, email domains):
 * each IdP is copied, never changed in place, since vhosts share IdPs
 * with the main server. */
static apr_hash_t *sp_idps(const wcs_sp_desc_t *desc, apr_pool_t *p)
{
    apr_hash_t *idps = apr_hash_make(p);
    apr_hash_index_t *hi;
    wcs_idp_t *copy;

    for (hi = apr_hash_first(p, desc->idps); hi; hi = apr_hash_next(hi)) {
        copy = apr_pmemdup(p, apr_hash_this_val(hi), sizeof(wcs_idp_t));
        copy->allow_sha1 = listed(desc->sha1_idps, copy->entity_id);
        copy->email_domains = desc->idp_domains
            ? apr_hash_get(desc->idp_domains, copy->entity_id,
                           APR_HASH_KEY_STRING) : NULL;
        apr_hash_set(idps, copy->entity_id, APR_HASH_KEY_STRING, copy);
    }
    return idps;
}

apr_status_t wcs_sp_build(wcs_sp_t **psp, const char **err,
                          const wcs_sp_desc_t *desc, apr_pool_t *p)
{
    wcs_sp_t *sp;

    *psp = NULL;
    if (wcs_sp_check_idp_names(err, desc, p) != APR_SUCCESS) {
        return APR_EINVAL;
    }
    if (!desc->entity_id) {
        *err = WCS_CMD_SP_ENTITY_ID " is not set, but IdPs are configured";
        return APR_EINVAL;
    }
    if (!desc->idps || apr_hash_count(desc->idps) == 0) {
        *err = "no IdP is configured (" WCS_CMD_IDP_METADATA " or "
               WCS_CMD_IDP ")";
        return APR_EINVAL;
    }
    sp = apr_pcalloc(p, sizeof(*sp));
    sp->entity_id = desc->entity_id;
    sp->site_id = desc->site_id;
    sp->acs_url = desc->acs_url;
    sp->idps = sp_idps(desc, p);
    sp->signed_parts = desc->signed_parts;
    sp->clock_skew = desc->clock_skew;
    sp->max_assertion_age = desc->max_assertion_age;
    sp->max_response_bytes = desc->max_response_bytes;
    sp->max_depth = WCS_XML_MAX_DEPTH_DEFAULT;
    sp->email_attr = desc->email_attr;
    sp->attr_map = desc->attr_map;
    sp->session_lifetime = desc->session_lifetime;
    sp->session_keys = desc->session_keys;
    sp->events = desc->events;
    sp->default_relay_state = desc->default_relay_state;
    sp->sign_key = desc->sign_key;
    *psp = sp;
    return APR_SUCCESS;
}

/* --- the SP's signing key ------------------------------------------------ */

static apr_status_t free_pkey(void *data)
{
    EVP_PKEY_free(data);
    return APR_SUCCESS;
}

#define KEY_FILE_MAX (64 * 1024)

apr_status_t wcs_sp_key_load(wcs_sp_key_t **pk, const char **err,
                             const char *key_file, const char *cert_file,
                             apr_pool_t *p)
{
    wcs_sp_key_t *k;
    char *buf;
    apr_size_t len;
    BIO *bio;
    EVP_PKEY *pkey;
    X509 *cert;
    unsigned char *der = NULL;
    int der_len, same;
    char *b64;

    *pk = NULL;
    if (wcs_file_read(&buf, &len, err, key_file, KEY_FILE_MAX, p)
        != APR_SUCCESS) {
        return APR_EINVAL;
    }
    if (strstr(buf, "ENCRYPTED")) {
        *err = apr_psprintf(p, "%s holds an encrypted key: httpd cannot ask "
                            "for its pass phrase (decrypt it with openssl "
                            "pkey, readable by root only)", key_file);
        return APR_EINVAL;
    }
    bio = BIO_new_mem_buf(buf, (int)len);
    pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    ERR_clear_error();
    OPENSSL_cleanse(buf, len);
    if (!pkey) {
        *err = apr_psprintf(p, "%s holds no private key in PEM", key_file);
        return APR_EINVAL;
    }
    apr_pool_cleanup_register(p, pkey, free_pkey, apr_pool_cleanup_null);
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA
        || EVP_PKEY_get_bits(pkey) < WCS_SP_KEY_MIN_BITS) {
        *err = apr_psprintf(p, "%s is not an RSA key of at least %d bits "
                            "(requests are signed with RSA-SHA256)", key_file,
                            WCS_SP_KEY_MIN_BITS);
        return APR_EINVAL;
    }
    if (wcs_file_read(&buf, &len, err, cert_file, KEY_FILE_MAX, p)
        != APR_SUCCESS) {
        return APR_EINVAL;
    }
    bio = BIO_new_mem_buf(buf, (int)len);
    cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (!cert) {
        const unsigned char *d = (const unsigned char *)buf;

        cert = d2i_X509(NULL, &d, (long)len);
    }
    ERR_clear_error();
    if (!cert) {
        *err = apr_psprintf(p, "%s holds no X.509 certificate (PEM or DER)",
                            cert_file);
        return APR_EINVAL;
    }
    same = EVP_PKEY_eq(X509_get0_pubkey(cert), pkey) == 1;
    der_len = same ? i2d_X509(cert, &der) : -1;
    X509_free(cert);
    if (!same || der_len <= 0) {
        OPENSSL_free(der);
        *err = apr_psprintf(p, "the certificate %s is not of the key %s",
                            cert_file, key_file);
        return APR_EINVAL;
    }
    b64 = apr_palloc(p, apr_base64_encode_len(der_len));
    apr_base64_encode(b64, (const char *)der, der_len);
    OPENSSL_free(der);
    k = apr_pcalloc(p, sizeof(*k));
    k->pkey = pkey;
    k->cert_b64 = b64;
    k->where = apr_pstrdup(p, key_file);
    *pk = k;
    return APR_SUCCESS;
}
